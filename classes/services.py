"""Every write about who is in a class: creating one, joining, leaving,
co-teachers and join codes."""

from __future__ import annotations

import math
import secrets
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reader.models import Audience, Edition

from .models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Course,
    Enrollment,
    JoinAttempt,
)
from .selectors import is_teacher, teaches

# Wrong join codes allowed per account per hour before joining pauses. Counted
# from JoinAttempt rows, in the database: shared by every worker and server
# already, over a sliding hour, and kept for the teacher's record (the
# per-address limit is django-ratelimit's, in the view).
MAX_FAILED_JOINS_PER_HOUR = 10


class JoinsPaused(ValidationError):
    """Too many wrong codes: joining pauses for `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__({"code": message})
        self.retry_after = retry_after


def edition_problem_for_class(
    edition: Edition, course: Course | None = None
) -> str | None:
    """Why a class cannot read this edition, or None if all its members may.

    A class reads an edition open to everyone or to signed-in readers, or
    one a curator opened to this very class; a new class is never among an
    edition's chosen classes, so it cannot start on one.
    """
    if edition.audience in (Audience.EVERYONE, Audience.SIGNED_IN):
        return None
    if edition.audience == Audience.CLASSES:
        if course is not None and course.pk is not None:
            if course.licensed_editions.filter(pk=edition.pk).exists():
                return None
        return _(
            "This edition is open only to the classes a curator chose, and "
            "this class is not one of them: its students could not read it. "
            "Choose another edition, or ask a curator to open this one to "
            "the class, then switch the class to it."
        )
    return _("This edition is not published yet; its students could not read it.")


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def check_teacher(user: AbstractBaseUser, course: Course) -> None:
    """Refuse anyone but this class's teachers."""
    if not teaches(user, course):
        raise PermissionDenied(_("Only this class's teachers can do that."))


@transaction.atomic
def course_create(
    *,
    teacher: AbstractBaseUser,
    name: str,
    edition: Edition,
    term_start: date,
    term_end: date,
) -> Course:
    if not is_teacher(teacher):
        raise PermissionDenied(_("Only teachers can create classes."))
    if term_end < term_start:
        raise ValidationError({"term_end": _("The term ends before it starts.")})
    problem = edition_problem_for_class(edition)
    if problem:
        raise ValidationError({"edition": problem})
    for _attempt in range(10):
        course = Course(
            name=name.strip(),
            edition=edition,
            term_start=term_start,
            term_end=term_end,
            join_code=new_join_code(),
        )
        course.full_clean()
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError:
            continue  # the code was taken: draw another
        course.teachers.add(teacher)
        return course
    raise RuntimeError("could not find a free join code")


@transaction.atomic
def join_code_regenerate(*, course: Course, teacher: AbstractBaseUser) -> Course:
    check_teacher(teacher, course)
    while True:
        code = new_join_code()
        if not Course.objects.filter(join_code=code).exists():
            break
    course.join_code = code
    course.join_enabled = True
    course.save(update_fields=["join_code", "join_enabled"])
    return course


def join_code_switch(
    *, course: Course, teacher: AbstractBaseUser, enabled: bool
) -> Course:
    check_teacher(teacher, course)
    course.join_enabled = enabled
    course.save(update_fields=["join_enabled"])
    return course


def coteacher_add(*, course: Course, teacher: AbstractBaseUser, username: str) -> None:
    check_teacher(teacher, course)
    other = get_user_model().objects.filter(username=username.strip()).first()
    if other is None or not is_teacher(other):
        raise ValidationError({"username": _("No teacher with this user name.")})
    course.teachers.add(other)


def course_join(*, student: AbstractBaseUser, code: str) -> Course:
    """Join a class by its code; wrong guesses are limited per hour.

    Not one transaction on purpose: a refused attempt must stay recorded."""
    code = "".join(code.split()).upper()
    now = timezone.now()
    failed = list(
        JoinAttempt.objects.filter(
            user=student, succeeded=False, created__gte=now - timedelta(hours=1)
        )
        .order_by("-created")
        .values_list("created", flat=True)[:MAX_FAILED_JOINS_PER_HOUR]
    )
    if len(failed) >= MAX_FAILED_JOINS_PER_HOUR:
        # Joining opens again when the oldest of the last N leaves the hour.
        reopens = failed[-1] + timedelta(hours=1)
        raise JoinsPaused(
            _(
                "Too many wrong codes in the last hour. Check the code with "
                "your teacher and try again later."
            ),
            retry_after=max(1, math.ceil((reopens - now).total_seconds())),
        )
    course = Course.objects.filter(join_code=code).first()
    problem = None
    if course is None:
        problem = _("There is no class with this code. Check it with your teacher.")
    elif not course.join_enabled:
        problem = _("Joining this class is switched off. Ask your teacher.")
    elif course.term_over:
        problem = _("This class's term has ended.")
    if problem:
        JoinAttempt.objects.create(user=student, code=code[:40], succeeded=False)
        raise ValidationError({"code": problem})
    Enrollment.objects.get_or_create(course=course, student=student)
    JoinAttempt.objects.create(user=student, code=code, succeeded=True)
    return course


def enrollment_remove(
    *, course: Course, student: AbstractBaseUser, by: AbstractBaseUser
) -> None:
    """A teacher removes a student, or a student leaves. Nothing they wrote
    is deleted: their class notes stay theirs."""
    if by.pk != student.pk:
        check_teacher(by, course)
    Enrollment.objects.filter(course=course, student=student).delete()
