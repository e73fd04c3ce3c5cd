"""E-mail: per kind and reader, off the request, once, only to verified
addresses, each with its one-click unsubscribe link."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from annotations.services import reply_create
from notifications.mail import can_email, pending_mail_send
from notifications.models import Delivery, Kind, Mail, Notification
from notifications.services import email_preferences_save
from tests.factories import make_annotation


@pytest.fixture
def author(reader_user):
    reader_user.email = "alice@example.org"
    reader_user.save()
    return reader_user


@pytest.fixture
def public_note(author, passage):
    return make_annotation(
        author, passage, motivation="commenting", visibility="public"
    )


def run(callbacks):
    """What the commit does: forget the bell's count, queue the mail."""
    for callback in callbacks:
        callback()


def reply(note, who, capture, body="Yes."):
    with capture(execute=True):
        return reply_create(author=who, parent=note, body=body)


def test_a_reply_is_mailed_after_the_commit_with_its_unsubscribe_link(
    public_note, other_reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reply_create(author=other_reader, parent=public_note, body="Yes.")
        assert mail.outbox == []  # nothing leaves inside the transaction
    run(callbacks)
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "bob replied to your note" in message.subject
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(
        "<https://notebooks.example/notifications/unsubscribe/"
    )
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert unsubscribe.strip("<>") in message.body
    assert "https://notebooks.example/read/test/black/?note=" in message.body
    assert Notification.objects.get().mail == Mail.SENT


def test_the_note_itself_is_not_in_the_mail(
    public_note, other_reader, django_capture_on_commit_callbacks
):
    reply(public_note, other_reader, django_capture_on_commit_callbacks, "Secret words")
    assert "Secret words" not in mail.outbox[0].body


def test_a_kind_turned_off_sends_no_mail_but_keeps_the_inbox(
    author, public_note, other_reader, django_capture_on_commit_callbacks
):
    email_preferences_save(user=author, choices={Kind.REPLY: Delivery.OFF})
    reply(public_note, other_reader, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.get().mail == Mail.NONE


def test_other_kinds_keep_their_own_choice(
    author, public_note, other_reader, curator, django_capture_on_commit_callbacks
):
    from annotations.services import annotation_hide

    email_preferences_save(user=author, choices={Kind.REPLY: Delivery.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        annotation_hide(annotation=public_note, actor=curator)
    assert [m.subject for m in mail.outbox] == [
        "Three Notebooks: A moderator hid your note; only you see it now."
    ]


def test_a_choice_changed_before_sending_is_respected(
    author, public_note, other_reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reply_create(author=other_reader, parent=public_note, body="Yes.")
    email_preferences_save(user=author, choices={Kind.REPLY: Delivery.OFF})
    run(callbacks)
    assert mail.outbox == []
    assert Notification.objects.get().mail == Mail.SKIPPED


def test_no_mail_to_an_unverified_address_and_mail_once_its_link_was_followed(
    monkeypatch, author, public_note, other_reader, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from accounts import selectors as accounts_selectors
    from accounts.models import Profile

    monkeypatch.setattr(
        "notifications.mail.email_verified", accounts_selectors.email_verified
    )
    assert not can_email(author)
    reply(public_note, other_reader, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.get().mail == Mail.SKIPPED
    Profile.objects.update_or_create(
        user=author,
        defaults={"verified_email": author.email, "email_verified_at": timezone.now()},
    )
    author.refresh_from_db()
    assert can_email(author)


def test_no_mail_without_an_address(
    reader_user, passage, other_reader, django_capture_on_commit_callbacks
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    reply(note, other_reader, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_mail_is_sent_once_however_often_sending_runs(
    public_note, other_reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reply_create(author=other_reader, parent=public_note, body="Yes.")
    run(callbacks)
    run(callbacks)  # the task delivered twice
    assert pending_mail_send() == 0  # the sweep finds nothing waiting
    assert len(mail.outbox) == 1


def test_a_mail_that_failed_waits_for_the_next_run(
    public_note, other_reader, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.mail import EmailMessage

    def refuse(self, fail_silently=False):
        raise OSError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        reply(public_note, other_reader, django_capture_on_commit_callbacks)
    assert Notification.objects.get().mail == Mail.PENDING
    out = StringIO()
    call_command("send_pending_mail", stdout=out)
    assert out.getvalue().strip() == "Mails sent: 1."
    assert len(mail.outbox) == 1


def test_the_daily_digest_gathers_and_sends_once(
    author, public_note, other_reader, django_capture_on_commit_callbacks
):
    email_preferences_save(user=author, choices={Kind.REPLY: Delivery.DIGEST})
    reply(public_note, other_reader, django_capture_on_commit_callbacks, "One")
    reply(public_note, other_reader, django_capture_on_commit_callbacks, "Two")
    assert mail.outbox == []
    out = StringIO()
    call_command("send_mail_digest", stdout=out)
    call_command("send_mail_digest", stdout=out)
    assert out.getvalue().splitlines() == ["Digests sent: 1.", "Digests sent: 0."]
    [digest] = mail.outbox
    assert digest.body.count("bob replied to your note.") == 2
    assert "/notifications/unsubscribe/" in digest.extra_headers["List-Unsubscribe"]


# The worker takes its tasks in transactions of its own, as it runs.
@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_the_mail_for_the_worker(
    settings, public_note, other_reader
):
    from django_tasks.backends.database.models import DBTaskResult

    # (django-tasks reads TASKS anew when a test changes it.)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}
    }
    reply_create(author=other_reader, parent=public_note, body="Yes.")
    assert mail.outbox == []  # the request sent nothing
    assert DBTaskResult.objects.count() == 1
    call_command(
        "db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0
    )
    assert len(mail.outbox) == 1


def test_a_title_with_line_breaks_still_makes_a_one_line_subject(
    assignment, student, settings, django_capture_on_commit_callbacks
):
    from notifications.mail import notification_message

    student.email = "alice@example.org"
    student.save()
    assignment.title = "The mask\r\nBcc: everyone@example.org"
    assignment.save()
    notification = Notification.objects.get(recipient=student)
    notification.assignment = assignment
    email = notification_message(notification)
    assert "\r" not in email.subject and "\n" not in email.subject
    assert email.message()["Bcc"] is None  # and building it raised nothing
