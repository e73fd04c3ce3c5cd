"""The events on the site tell the right readers, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import PromotionRequest
from annotations.notices import reply_notify
from annotations.services import (
    annotation_hide,
    annotation_restore,
    promotion_request,
    reply_create,
)
from classes.models import Enrollment
from notifications.models import Kind, Notification
from teaching.models import Completion
from teaching.notices import due_reminders_send
from teaching.services import assignment_save
from tests.factories import make_annotation, make_user


def told(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("kind", flat=True))


@pytest.fixture
def public_note(reader_user, passage):
    return make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )


def test_a_reply_tells_the_notes_author(public_note, reader_user, other_reader):
    reply = reply_create(author=other_reader, parent=public_note, body="Yes.")
    assert told(reader_user) == [Kind.REPLY]
    note = Notification.objects.get(recipient=reader_user)
    assert (note.actor, note.annotation) == (other_reader, reply)
    assert told(other_reader) == []


def test_a_reply_reported_again_tells_nobody_twice(
    public_note, reader_user, other_reader
):
    reply = reply_create(author=other_reader, parent=public_note, body="Yes.")
    reply_notify(reply=reply)  # the event reported again (a retried task, a bug)
    assert told(reader_user) == [Kind.REPLY]


def test_replying_to_your_own_note_tells_nobody(public_note, reader_user):
    reply_create(author=reader_user, parent=public_note, body="And more.")
    assert not Notification.objects.exists()


def test_a_reply_tells_those_who_replied_in_the_thread(
    public_note, reader_user, other_reader
):
    carol = make_user("carol")
    reply_create(author=other_reader, parent=public_note, body="One.")
    reply_create(author=carol, parent=public_note, body="Two.")
    reply_create(author=carol, parent=public_note, body="Three.")
    assert told(reader_user) == [Kind.REPLY] * 3
    # Bob hears of Carol's two replies; Carol of none (Bob's came first).
    assert told(other_reader) == [Kind.THREAD_REPLY] * 2
    assert told(carol) == []


def test_a_reply_the_reader_may_no_longer_see_is_not_told(
    course, student, classmate, passage, teacher
):
    note = make_annotation(
        student, passage, motivation="commenting", visibility="course", course=course
    )
    reply_create(author=classmate, parent=note, body="In class.")
    Enrollment.objects.filter(student=classmate).delete()  # the classmate left
    reply_create(author=teacher, parent=note, body="A teacher's answer.")
    assert told(classmate) == []
    assert told(student) == [Kind.REPLY, Kind.REPLY]


def test_an_answer_to_a_prompt_tells_its_teacher_not_the_class(
    assignment, student, classmate, teacher
):
    reply_create(author=student, parent=assignment.prompt, body="A mask.")
    reply_create(author=classmate, parent=assignment.prompt, body="A face.")
    assert told(teacher) == [Kind.PROMPT_ANSWER] * 2
    assert told(student, Kind.THREAD_REPLY) == []


def test_hiding_tells_the_author_once_per_hiding(public_note, reader_user, curator):
    annotation_hide(annotation=public_note, actor=curator)
    annotation_hide(annotation=public_note, actor=curator)  # a double submit
    assert told(reader_user) == [Kind.NOTE_HIDDEN]
    annotation_restore(annotation=public_note, actor=curator)
    annotation_restore(annotation=public_note, actor=curator)
    annotation_hide(annotation=public_note, actor=curator)
    assert sorted(told(reader_user)) == sorted(
        [Kind.NOTE_HIDDEN, Kind.NOTE_RESTORED, Kind.NOTE_HIDDEN]
    )


def test_restoring_a_note_never_hidden_tells_nobody(public_note, curator):
    annotation_restore(annotation=public_note, actor=curator)
    assert not Notification.objects.exists()


def test_a_promotion_request_asks_the_author_once(public_note, reader_user, curator):
    promotion_request(annotation=public_note, requester=curator)
    promotion_request(annotation=public_note, requester=curator)
    assert PromotionRequest.objects.count() == 1
    assert told(reader_user) == [Kind.PROMOTION_REQUEST]
    assert Notification.objects.get().actor == curator


def _save(assignment, teacher, **changes):
    fields = {
        "teacher": teacher,
        "course": assignment.course,
        "title": assignment.title,
        "instructions": assignment.instructions,
        "start_passage": assignment.start_passage,
        "end_passage": assignment.end_passage,
        "due": assignment.due,
        "published": assignment.published,
        "assignment": assignment,
    }
    return assignment_save(**{**fields, **changes})


def test_publishing_tells_the_class_once(
    assignment, student, classmate, teacher, coteacher, outsider, other_course
):
    # The fixture's assignment was saved published.
    _save(assignment, teacher, title="The mask, again")
    _save(assignment, teacher, published=False)
    _save(assignment, teacher, published=True)
    for reader in (student, classmate):
        assert told(reader) == [Kind.ASSIGNMENT_PUBLISHED]
    for reader in (teacher, coteacher, outsider):
        assert told(reader) == []


def test_a_draft_tells_nobody(course, teacher, student, edition):
    passages = list(edition.passages.order_by("part__order", "order"))
    assignment_save(
        teacher=teacher,
        course=course,
        title="Draft",
        instructions="",
        start_passage=passages[0],
        end_passage=passages[1],
        due=timezone.now() + timedelta(days=3),
        published=False,
    )
    assert not Notification.objects.exists()


def test_due_reminders_are_sent_once_to_who_has_not_finished(
    assignment, student, classmate, teacher
):
    assignment.due = timezone.now() + timedelta(hours=5)
    assignment.save()
    Completion.objects.create(assignment=assignment, student=classmate)
    first = due_reminders_send()
    second = due_reminders_send()
    assert first == {"due_soon": 1, "overdue": 0}
    assert second == {"due_soon": 0, "overdue": 0}
    assert told(student, Kind.DUE_SOON) == [Kind.DUE_SOON]
    assert told(classmate, Kind.DUE_SOON) == []
    # The due date passes: overdue, once.
    later = timezone.now() + timedelta(hours=6)
    assert due_reminders_send(now=later) == {"due_soon": 0, "overdue": 1}
    assert due_reminders_send(now=later) == {"due_soon": 0, "overdue": 0}


def test_a_moved_due_date_is_reminded_again(assignment, student):
    assignment.due = timezone.now() + timedelta(hours=5)
    assignment.save()
    due_reminders_send()
    assignment.due = timezone.now() + timedelta(hours=20)
    assignment.save()
    due_reminders_send()
    assert told(student, Kind.DUE_SOON) == [Kind.DUE_SOON] * 2


def test_no_reminders_for_far_off_drafts_or_old_assignments(assignment, student):
    assignment.due = timezone.now() + timedelta(days=3)
    assignment.save()
    assert due_reminders_send() == {"due_soon": 0, "overdue": 0}
    assignment.due = timezone.now() - timedelta(days=30)
    assignment.save()
    assert due_reminders_send() == {"due_soon": 0, "overdue": 0}
    assignment.due = timezone.now() + timedelta(hours=2)
    assignment.published = False
    assignment.save()
    assert due_reminders_send() == {"due_soon": 0, "overdue": 0}


def test_the_reminder_command_reports_what_it_did(assignment, student):
    from io import StringIO

    from django.core.management import call_command

    assignment.due = timezone.now() + timedelta(hours=5)
    assignment.save()
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    call_command("send_due_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "Due within 24 hours: 2 told; overdue: 0 told; grades released: 0 told.",
        "Due within 24 hours: 0 told; overdue: 0 told; grades released: 0 told.",
    ]


@pytest.mark.parametrize("accept", [True, False])
def test_the_curator_hears_the_authors_answer(
    public_note, reader_user, curator, accept
):
    from annotations.services import promotion_decide
    from notifications.display import summary

    request = promotion_request(annotation=public_note, requester=curator)
    promotion_decide(request=request, author=reader_user, accept=accept)
    [answer] = Notification.objects.filter(recipient=curator)
    assert (answer.kind, answer.actor) == (Kind.PROMOTION_ANSWER, reader_user)
    words = "agreed" if accept else "declined"
    assert summary(answer).startswith(f"alice {words}")


def test_a_double_submitted_hide_tells_the_author_once(
    client, public_note, reader_user, curator
):
    from django.contrib.auth.models import Permission

    curator.groups.get().permissions.add(
        Permission.objects.get(codename="change_annotation")
    )
    client.force_login(curator)
    url = reverse("annotations:moderate", args=[public_note.pk])
    client.post(url, {"action": "hide"})
    client.post(url, {"action": "hide"})
    assert told(reader_user) == [Kind.NOTE_HIDDEN]
