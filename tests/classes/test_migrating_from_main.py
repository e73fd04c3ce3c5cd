"""A database made on main, before classes had an app, migrates forward and
keeps every row: classes, members, join attempts, assignments, class notes,
and the permissions groups were given on the moved models."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.utils import timezone

from annotations.models import Annotation
from classes.models import Course, Enrollment, JoinAttempt
from teaching.models import Assignment, AssignmentItem, Completion
from tests.factories import make_edition, make_part, make_passages, make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = "tests.classes.before"
# The migration modules main had, and its leaf migrations.
ON_MAIN = {
    "annotations": f"{BEFORE}.annotations.migrations",
    "teaching": f"{BEFORE}.teaching.migrations",
    "classes": f"{BEFORE}.classes.migrations",
}
# The apps whose history was rewritten go back to main's leaves; the others
# (accounts, reader, themes) kept theirs, so they stay at this release's own:
# a migration they gain later must not turn the plan into one that goes
# backwards and forwards at once, which Django refuses.
MAIN_LEAVES = [
    ("annotations", "0009_repair_impossible_annotation_dates"),
    ("teaching", "0003_course_licensed_editions"),
    *sorted(
        node
        for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        if node[0] in {"accounts", "reader", "themes"}
    ),
]


@pytest.fixture(autouse=True)
def _migrated_after():
    """Whatever a test left, the next one starts from a migrated database:
    main's history finished first, then this release's."""
    yield
    with override_settings(MIGRATION_MODULES=ON_MAIN):
        MigrationExecutor(connection).migrate(MAIN_LEAVES)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _build_on_main() -> dict:
    """Unmake the apps that moved, make them again as main did, and write a
    class, its members and its notes with main's models."""
    MigrationExecutor(connection).migrate(
        [("teaching", None), ("annotations", None), ("classes", None)]
    )
    ContentType.objects.filter(app_label__in=["classes", "teaching"]).delete()
    with override_settings(MIGRATION_MODULES=ON_MAIN):
        executor = MigrationExecutor(connection)
        executor.migrate(MAIN_LEAVES)
        old = executor.loader.project_state(MAIN_LEAVES).apps

    edition = make_edition("licensed", audience="classes")
    passages = make_passages(make_part(edition), 3)
    teacher = make_user("teacher", groups=("Teachers",))
    student = make_user("student")
    OldCourse = old.get_model("teaching", "Course")
    course = OldCourse.objects.create(
        name="Year 12",
        edition_id=edition.pk,
        term_start=date(2026, 9, 1),
        term_end=date(2027, 6, 30),
        join_code="ABCDEFGH",
    )
    course.teachers.add(teacher.pk)
    course.licensed_editions.add(edition.pk)
    old.get_model("teaching", "Enrollment").objects.create(
        course=course, student_id=student.pk
    )
    old.get_model("teaching", "JoinAttempt").objects.create(
        user_id=student.pk, code="WRONG", succeeded=False
    )
    assignment = old.get_model("teaching", "Assignment").objects.create(
        course=course,
        title="The mask",
        start_passage_id=passages[0].pk,
        end_passage_id=passages[2].pk,
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    OldAnnotation = old.get_model("annotations", "Annotation")
    prompt = OldAnnotation.objects.create(
        author_id=teacher.pk,
        edition_id=edition.pk,
        start_passage_id=passages[1].pk,
        start_offset=0,
        end_passage_id=passages[1].pk,
        end_offset=4,
        exact=passages[1].text[:4],
        motivation="questioning",
        body="What does he see?",
        visibility="course",
        course=course,
    )
    old.get_model("teaching", "AssignmentItem").objects.create(
        assignment=assignment, annotation=prompt
    )
    old.get_model("teaching", "Completion").objects.create(
        assignment=assignment, student_id=student.pk
    )
    # Main's curators' migration made teaching's content types and
    # permissions; a school gave its teachers one of them.
    old_type = ContentType.objects.get(app_label="teaching", model="course")
    group = Group.objects.get(name="Teachers")
    group.permissions.add(old_type.permission_set.get(codename="change_course"))
    return {
        "course": course.pk,
        "prompt": prompt.pk,
        "assignment": assignment.pk,
        "teacher": teacher,
        "student": student,
        "edition": edition,
        "content_type": old_type.pk,
    }


def test_a_database_made_on_main_migrates_forward_with_every_row():
    made = _build_on_main()

    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    course = Course.objects.get(pk=made["course"])
    assert course.name == "Year 12"
    assert list(course.teachers.all()) == [made["teacher"]]
    assert list(course.licensed_editions.all()) == [made["edition"]]
    assert [e.student for e in Enrollment.objects.filter(course=course)] == [
        made["student"]
    ]
    assert JoinAttempt.objects.get(user=made["student"]).code == "WRONG"
    prompt = Annotation.objects.get(pk=made["prompt"])
    assert prompt.course == course
    assert Annotation.objects.visible_to(made["student"]).filter(pk=prompt.pk).exists()
    assignment = Assignment.objects.get(pk=made["assignment"])
    assert assignment.course == course
    assert AssignmentItem.objects.get(assignment=assignment).annotation == prompt
    assert Completion.objects.filter(
        assignment=assignment, student=made["student"]
    ).exists()
    # The content type moved with the model, so the grant still holds.
    moved = ContentType.objects.get_for_model(Course)
    assert moved.pk == made["content_type"]
    assert not ContentType.objects.filter(app_label="teaching", model="course")
    teacher = type(made["teacher"]).objects.get(pk=made["teacher"].pk)
    assert teacher.has_perm("classes.change_course")


def test_after_migrating_the_new_history_stands_in_for_mains():
    _build_on_main()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())
    applied = executor.loader.applied_migrations
    assert ("classes", "0001_initial") in applied
    assert ("annotations", "0001_annotations_on_classes") in applied
    assert ("teaching", "0001_assignments_on_classes") in applied


def test_a_database_stopped_half_way_through_mains_history_is_refused():
    from classes.checks import replaced_history_complete

    MigrationExecutor(connection).migrate(
        [("teaching", None), ("annotations", None), ("classes", None)]
    )
    with override_settings(MIGRATION_MODULES=ON_MAIN):
        MigrationExecutor(connection).migrate(
            [("teaching", "0001_classes_and_assignments")]
        )

    errors = replaced_history_complete(databases=["default"])

    assert [e.id for e in errors] == ["classes.E001"]
    assert "teaching.0003_course_licensed_editions" in errors[0].msg


def test_a_database_made_on_main_or_new_passes_the_history_check():
    from classes.checks import replaced_history_complete

    assert replaced_history_complete(databases=["default"]) == []
    _build_on_main()
    assert replaced_history_complete(databases=["default"]) == []
