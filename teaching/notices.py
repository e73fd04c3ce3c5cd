"""Who hears about assignments (notifications.services): their class's
students, when one is published, due within a day, or overdue.

Every notification names its event in its key, so running any of these
twice (a retried save, cron overlapping itself) tells nobody twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.services import (
    feedback_released_key,
    feedback_released_notify,
    notify_each,
)

from .models import Assignment, Completion, Feedback, GradeOverride

DUE_SOON = timedelta(hours=24)
# Overdue reminders only for assignments due this recently: a first run of
# the command on an old site does not remind students of last year's work.
OVERDUE_WITHIN = timedelta(days=7)


def _students(assignment: Assignment) -> list[AbstractBaseUser]:
    return list(
        get_user_model().objects.filter(enrollments__course_id=assignment.course_id)
    )


def assignment_published_notify(
    *, assignment: Assignment, teacher: AbstractBaseUser
) -> None:
    """The class's students hear of a published assignment, once (a later
    save tells only students who joined since)."""
    if not assignment.published:
        return
    notify_each(
        recipients=_students(assignment),
        kind=Kind.ASSIGNMENT_PUBLISHED,
        key=f"assignment-published:{assignment.pk}",
        actor=teacher,
        assignment=assignment,
    )


def _not_done(assignment: Assignment) -> list[AbstractBaseUser]:
    done = set(
        Completion.objects.filter(assignment=assignment).values_list(
            "student_id", flat=True
        )
    )
    return [s for s in _students(assignment) if s.pk not in done]


def due_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Remind students who have not marked a published assignment done that
    it is due within 24 hours, or overdue. Keyed on the due date: a teacher
    who moves it gets the reminder sent again for the new date. Returns how
    many readers were told of each kind."""
    now = now or timezone.now()
    told = {Kind.DUE_SOON.value: 0, Kind.OVERDUE.value: 0}
    published = Assignment.objects.filter(published=True)
    batches = (
        (Kind.DUE_SOON, published.filter(due__gt=now, due__lte=now + DUE_SOON)),
        (Kind.OVERDUE, published.filter(due__lte=now, due__gt=now - OVERDUE_WITHIN)),
    )
    for kind, assignments in batches:
        for assignment in assignments.order_by("due", "pk"):
            with transaction.atomic():
                told[kind.value] += notify_each(
                    recipients=_not_done(assignment),
                    kind=kind,
                    key=f"{kind.value}:{assignment.pk}:{assignment.due.isoformat()}",
                    assignment=assignment,
                )
    return told


def grades_released_notify(
    *,
    assignment: Assignment,
    teacher: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> int:
    """Students with feedback or a grade on `assignment` hear that it is
    released, once per release moment (a withheld and re-released grade is
    told again). A release set for a later date is told by
    `send_due_reminders` once the date has come. Returns how many were
    told."""
    now = now or timezone.now()
    release = assignment.grades_release
    if release is None or release > now or not assignment.published:
        return 0
    students = set(
        Feedback.objects.filter(assignment=assignment).values_list(
            "student_id", flat=True
        )
    ) | set(
        GradeOverride.objects.filter(assignment=assignment).values_list(
            "student_id", flat=True
        )
    )
    key = feedback_released_key(assignment, release)
    before = Notification.objects.filter(key=key).count()
    for student in get_user_model().objects.filter(pk__in=students, is_active=True):
        feedback_released_notify(
            student=student, teacher=teacher, assignment=assignment, released_at=release
        )
    # notify() hands back the row whether it made it or found it: count.
    return Notification.objects.filter(key=key).count() - before


def released_grades_send(*, now: datetime | None = None) -> int:
    """For cron: releases whose date came in the last week (set earlier for
    a later date) are told now; already told ones are not told again."""
    now = now or timezone.now()
    told = 0
    for assignment in Assignment.objects.filter(
        published=True, grades_release__lte=now, grades_release__gt=now - OVERDUE_WITHIN
    ).order_by("grades_release", "pk"):
        with transaction.atomic():
            told += grades_released_notify(assignment=assignment, now=now)
    return told
