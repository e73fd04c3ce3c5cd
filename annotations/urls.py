from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "annotations"

urlpatterns = [
    path("notebook/", views.notebook, name="notebook"),
    re_path(
        r"^notebook/export\.(?P<fmt>md|csv|jsonld)$",
        views.notebook_export,
        name="export",
    ),
    path("notebook/import/", views.notebook_import, name="import"),
    path("notebook/token/", views.api_token_renew, name="token"),
    path(
        "read/<slug:edition>/notes/<slug:key>/",
        views.passage_annotations,
        name="passage",
    ),
    path("annotations/<uuid:pk>/reply/", views.annotation_reply, name="reply"),
    path("annotations/<uuid:pk>/flag/", views.annotation_flag_view, name="flag"),
    path(
        "annotations/<uuid:pk>/moderate/",
        views.annotation_moderate_view,
        name="moderate",
    ),
    path(
        "annotations/<uuid:pk>/promote/", views.annotation_promote_view, name="promote"
    ),
    path(
        "notebook/requests/<int:pk>/",
        views.promotion_decide_view,
        name="promotion_decide",
    ),
    path(
        "annotations/<uuid:pk>/reattach/",
        views.annotation_reattach_view,
        name="reattach",
    ),
    path("annotations/<uuid:pk>/edit/", views.annotation_edit, name="edit"),
    path(
        "annotations/<uuid:pk>/delete/", views.annotation_confirm_delete, name="delete"
    ),
]
