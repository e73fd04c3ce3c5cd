"""The event points left for notifications: sent once, after the commit,
with what a receiver needs."""

from __future__ import annotations

import pytest
from django.db import transaction

from annotations.models import Visibility
from teaching.services import (
    feedback_create,
    feedback_update,
    grade_override,
    grades_release,
)
from teaching.signals import feedback_released, feedback_written, grade_overridden
from tests.factories import make_annotation


@pytest.fixture
def heard():
    events = []

    def receiver(signal, **kwargs):
        events.append((signal, kwargs))

    for signal in (feedback_written, feedback_released, grade_overridden):
        signal.connect(receiver, weak=False)
    yield events
    for signal in (feedback_written, feedback_released, grade_overridden):
        signal.disconnect(receiver)


@pytest.fixture
def note(student, passage, course):
    return make_annotation(
        student,
        passage,
        motivation="commenting",
        visibility=Visibility.COURSE,
        course=course,
    )


def test_feedback_written_is_sent_after_the_commit_once_per_write(
    django_capture_on_commit_callbacks, heard, teacher, note, assignment
):
    with django_capture_on_commit_callbacks(execute=True):
        made = feedback_create(
            teacher=teacher, annotation=note, assignment=assignment, body="Good."
        )
        assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        feedback_update(teacher=teacher, feedback=made, body="Better.")
    assert [(s, k["feedback"], k["created"]) for s, k in heard] == [
        (feedback_written, made, True),
        (feedback_written, made, False),
    ]


def test_a_release_names_the_students_with_something_to_see(
    django_capture_on_commit_callbacks,
    heard,
    teacher,
    student,
    classmate,
    note,
    assignment,
):
    feedback_create(teacher=teacher, annotation=note, assignment=assignment, body="x")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grades_release(teacher=teacher, assignment=assignment, when=None)
    [(signal, kwargs)] = heard
    assert signal is feedback_released
    assert kwargs["assignment"] == assignment
    assert kwargs["students"] == [student.pk]
    assert kwargs["release_at"] == assignment.grades_release


def test_nothing_is_sent_for_a_write_rolled_back(
    django_capture_on_commit_callbacks, heard, teacher, student, assignment
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                grade_override(
                    teacher=teacher,
                    assignment=assignment,
                    student=student,
                    score=3,
                    reason="Oral",
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert heard == []


def test_an_override_is_heard(
    django_capture_on_commit_callbacks, heard, teacher, student, assignment
):
    with django_capture_on_commit_callbacks(execute=True):
        override = grade_override(
            teacher=teacher, assignment=assignment, student=student, score=3, reason="x"
        )
    assert heard == [
        (grade_overridden, {"sender": type(override), "override": override})
    ]


def test_a_release_puts_one_item_in_each_students_inbox_now_or_when_its_date_comes(
    teacher, student, classmate, note, assignment
):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Kind, Notification
    from teaching.notices import released_grades_send

    def told(user) -> int:
        return Notification.objects.filter(
            recipient=user, kind=Kind.FEEDBACK_RELEASED, assignment=assignment
        ).count()

    feedback_create(teacher=teacher, annotation=note, assignment=assignment, body="x")
    later = timezone.now() + timedelta(days=2)
    grades_release(teacher=teacher, assignment=assignment, when=later)
    assert told(student) == 0  # not before its date
    assert released_grades_send() == 0
    assert released_grades_send(now=later + timedelta(hours=1)) == 1
    assert released_grades_send(now=later + timedelta(hours=2)) == 0  # once
    assert told(student) == 1
    assert told(classmate) == 0  # nothing of theirs was graded
    # Released now, again: a new release moment is told once more.
    grades_release(teacher=teacher, assignment=assignment, when=None)
    grades_release(
        teacher=teacher, assignment=assignment, when=assignment.grades_release
    )
    assert told(student) == 2
