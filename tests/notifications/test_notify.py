"""notify() tells a recipient of an event once, however often it is called."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.models import Kind, Notification
from notifications.services import feedback_released_notify, notify, notify_each
from tests.factories import make_user


def test_the_same_event_told_twice_is_one_notification(reader_user, other_reader):
    for _attempt in range(3):
        notify(
            recipient=reader_user,
            kind=Kind.REPLY,
            key="reply:x",
            actor=other_reader,
        )
    assert Notification.objects.filter(recipient=reader_user).count() == 1


def test_another_event_is_another_notification(reader_user, other_reader):
    notify(recipient=reader_user, kind=Kind.REPLY, key="reply:1", actor=other_reader)
    notify(recipient=reader_user, kind=Kind.REPLY, key="reply:2", actor=other_reader)
    assert Notification.objects.filter(recipient=reader_user).count() == 2


def test_the_same_key_for_two_readers_tells_each(reader_user, other_reader):
    third = make_user("carol")
    notify(recipient=reader_user, kind=Kind.REPLY, key="reply:1", actor=third)
    notify(recipient=other_reader, kind=Kind.REPLY, key="reply:1", actor=third)
    assert Notification.objects.count() == 2


def test_nobody_is_told_of_their_own_doing(reader_user):
    assert (
        notify(recipient=reader_user, kind=Kind.REPLY, key="k", actor=reader_user)
        is None
    )
    assert not Notification.objects.exists()


def test_an_inactive_account_is_told_nothing(reader_user, other_reader):
    reader_user.is_active = False
    reader_user.save()
    notify(recipient=reader_user, kind=Kind.REPLY, key="k", actor=other_reader)
    assert not Notification.objects.exists()


def test_a_rolled_back_event_leaves_no_notification(reader_user, other_reader):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=reader_user, kind=Kind.REPLY, key="k", actor=other_reader)
        raise RuntimeError("the write that caused it failed")
    assert not Notification.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_a_key_out_of_bounds_is_a_programming_error(reader_user, key):
    with pytest.raises(ValueError):
        notify(recipient=reader_user, kind=Kind.REPLY, key=key)


def test_an_unknown_kind_is_a_programming_error(reader_user):
    with pytest.raises(ValueError):
        notify(recipient=reader_user, kind="gossip", key="k")


def test_notify_each_tells_each_once_in_a_few_queries(
    teacher, django_assert_max_num_queries
):
    students = [make_user() for _ in range(12)]
    with django_assert_max_num_queries(8):
        told = notify_each(
            recipients=students,
            kind=Kind.ASSIGNMENT_PUBLISHED,
            key="a:1",
            actor=teacher,
        )
    again = notify_each(
        recipients=[*students, make_user("late")],
        kind=Kind.ASSIGNMENT_PUBLISHED,
        key="a:1",
        actor=teacher,
    )
    assert (told, again) == (12, 1)
    assert Notification.objects.count() == 13


def test_notify_each_leaves_out_the_actor(teacher, reader_user):
    notify_each(
        recipients=[teacher, reader_user],
        kind=Kind.ASSIGNMENT_PUBLISHED,
        key="a:1",
        actor=teacher,
    )
    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        reader_user.pk
    ]


def test_feedback_released_once_per_release(assignment, student, teacher):
    from django.utils import timezone

    released = timezone.now()
    for _attempt in range(2):
        feedback_released_notify(
            student=student,
            teacher=teacher,
            assignment=assignment,
            released_at=released,
        )
    assert (
        Notification.objects.filter(
            recipient=student, kind=Kind.FEEDBACK_RELEASED
        ).count()
        == 1
    )
