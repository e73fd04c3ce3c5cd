from __future__ import annotations

from django.urls import path

from . import views

app_name = "teaching"

urlpatterns = [
    path("classes/", views.home, name="home"),
    path("classes/new/", views.course_new, name="course_new"),
    path("classes/join/", views.join, name="join"),
    path("classes/<int:pk>/", views.course_detail, name="course"),
    path("classes/<int:pk>/code/", views.course_code, name="course_code"),
    path("classes/<int:pk>/edition/", views.course_edition, name="course_edition"),
    path("classes/<int:pk>/teachers/", views.course_coteacher, name="course_coteacher"),
    path("classes/<int:pk>/leave/", views.course_leave, name="course_leave"),
    path(
        "classes/<int:pk>/students/<int:user_id>/remove/",
        views.roster_remove,
        name="roster_remove",
    ),
    path(
        "classes/<int:course_pk>/assignments/new/",
        views.assignment_form,
        name="assignment_new",
    ),
    path("classes/assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path(
        "classes/assignments/<int:pk>/edit/",
        views.assignment_form,
        name="assignment_edit",
    ),
    path(
        "classes/assignments/<int:pk>/done/",
        views.assignment_done,
        name="assignment_done",
    ),
    path(
        "classes/assignments/<int:pk>/copy/",
        views.assignment_copy_view,
        name="assignment_copy",
    ),
    path(
        "classes/assignments/<int:pk>/items/",
        views.assignment_item,
        name="assignment_items",
    ),
    path(
        "classes/assignments/<int:pk>/handout/",
        views.assignment_handout,
        name="handout",
    ),
    path("classes/assignments/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path(
        "classes/assignments/<int:pk>/dashboard.csv",
        views.dashboard_csv,
        name="dashboard_csv",
    ),
    path(
        "classes/assignments/<int:pk>/annotations.csv",
        views.annotations_csv,
        name="annotations_csv",
    ),
    path(
        "classes/assignments/<int:pk>/students/<int:user_id>/",
        views.student_detail,
        name="student",
    ),
    # Feedback and grades.
    path("classes/<int:pk>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("classes/assignments/<int:pk>/grading/", views.grading, name="grading"),
    path(
        "classes/assignments/<int:pk>/dashboard/grades/",
        views.grades_page,
        name="grades",
    ),
    path(
        "classes/assignments/<int:pk>/feedback/<uuid:annotation_id>/",
        views.feedback_save,
        name="feedback",
    ),
    path(
        "classes/assignments/<int:pk>/students/<int:user_id>/grade/",
        views.grade_override_view,
        name="grade_override",
    ),
    path(
        "classes/assignments/<int:pk>/grades.csv", views.grades_csv, name="grades_csv"
    ),
]
