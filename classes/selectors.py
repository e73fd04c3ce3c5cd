"""Who is in a class, asked one way by every app.

Each answer is a question to `Course.objects` (taught_by, attended_by,
member), so renaming a relation of Course changes this app only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, QuerySet, Value

from accounts.models import TEACHERS_GROUP

from .models import Course, Enrollment

User = AbstractBaseUser | AnonymousUser


def is_teacher(user: User) -> bool:
    """A teacher by role (the Teachers group): may create classes."""
    return user.is_authenticated and user.groups.filter(name=TEACHERS_GROUP).exists()


def teaches(user: User, course: Course | int) -> bool:
    """The user is one of this class's teachers."""
    return (
        user.is_authenticated
        and Course.objects.taught_by(user).filter(pk=_pk(course)).exists()
    )


def attends(user: User, course: Course | int) -> bool:
    """The user is one of this class's students."""
    return (
        user.is_authenticated
        and Course.objects.attended_by(user).filter(pk=_pk(course)).exists()
    )


def belongs_to(user: User, course: Course | int) -> bool:
    """The user teaches or attends this class."""
    return (
        user.is_authenticated
        and Course.objects.member(user).filter(pk=_pk(course)).exists()
    )


def courses_taught_ids(user: User) -> QuerySet:
    """Ids of the classes the user teaches, as a subquery."""
    if not user.is_authenticated:
        return Course.objects.none().values("pk")
    return Course.objects.taught_by(user).values("pk")


def member_course_ids(user: User) -> QuerySet:
    """Ids of the classes the user teaches or attends, as a subquery."""
    if not user.is_authenticated:
        return Course.objects.none().values("pk")
    return Course.objects.member(user).values("pk")


def member_courses_teaching(user: User) -> dict[int, bool]:
    """The classes the user teaches or attends (as `Course.objects.member`),
    each with whether they teach it: one query of the two link tables, not
    nested subqueries of Course (which cost a page more Python to build
    than to run)."""
    if not user.is_authenticated:
        return {}
    flag = BooleanField()
    taught = Course.teachers.through.objects.filter(user_id=user.pk).values_list(
        "course_id", Value(True, output_field=flag)
    )
    attended = Enrollment.objects.filter(student_id=user.pk).values_list(
        "course_id", Value(False, output_field=flag)
    )
    roles: dict[int, bool] = {}
    for pk, teaches in taught.order_by().union(attended.order_by(), all=True):
        roles[pk] = roles.get(pk, False) or bool(teaches)
    return dict(sorted(roles.items()))


def teachers_by_course(course_ids: Iterable[int] | QuerySet) -> set[tuple[int, int]]:
    """(class id, teacher's user id) for the given classes, in one query."""
    return set(
        Course.teachers.through.objects.filter(course_id__in=course_ids).values_list(
            "course_id", "user_id"
        )
    )


def _pk(course: Course | int) -> object:
    return course.pk if isinstance(course, Course) else course
