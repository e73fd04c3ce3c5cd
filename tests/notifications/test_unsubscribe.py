"""The signed one-click unsubscribe link: no log-in, POST to act, and a
link that was changed does nothing."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.mail import UNSUBSCRIBE_SALT, unsubscribe_token
from notifications.models import Delivery, EmailPreference, Kind, Mail, Notification
from notifications.services import delivery_choices, email_preferences_save, notify


def url(token):
    return reverse("notifications:unsubscribe", kwargs={"token": token})


@pytest.fixture
def csrf_client():
    """A mail program: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def test_the_link_asks_first_on_get(csrf_client, reader_user):
    response = csrf_client.get(url(unsubscribe_token(reader_user, Kind.REPLY)))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not EmailPreference.objects.exists()


def test_one_click_post_unsubscribes_without_logging_in(csrf_client, reader_user):
    response = csrf_client.post(
        url(unsubscribe_token(reader_user, Kind.REPLY)),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    choices = delivery_choices(reader_user)
    assert choices[Kind.REPLY] == Delivery.OFF
    assert choices[Kind.NOTE_HIDDEN] == Delivery.ON  # other kinds untouched


def test_waiting_mail_of_that_kind_is_not_sent(csrf_client, reader_user, other_reader):
    notify(recipient=reader_user, kind=Kind.REPLY, key="r:1", actor=other_reader)
    csrf_client.post(url(unsubscribe_token(reader_user, Kind.REPLY)))
    assert Notification.objects.get().mail == Mail.SKIPPED


def test_the_digest_link_stops_the_digest(csrf_client, reader_user):
    email_preferences_save(user=reader_user, choices={Kind.REPLY: Delivery.DIGEST})
    csrf_client.post(url(unsubscribe_token(reader_user, "digest")))
    choices = delivery_choices(reader_user)
    assert choices[Kind.REPLY] == choices[Kind.THREAD_REPLY] == Delivery.OFF
    assert choices[Kind.OVERDUE] == Delivery.ON


def _tampered(reader_user, other_reader):
    good = unsubscribe_token(reader_user, Kind.REPLY)
    value, signature = good.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    # Another reader's id under the first reader's signature.
    forged = signing.dumps([other_reader.pk, Kind.REPLY], salt="another salt")
    return {
        "signature changed": f"{value}:{flipped}",
        "another salt": forged,
        "not signed": "hello",
        "a kind we do not have": signing.dumps(
            [reader_user.pk, "everything"], salt=UNSUBSCRIBE_SALT
        ),
        "too long": good + "x" * 300,
    }


@pytest.mark.parametrize(
    "case",
    [
        "signature changed",
        "another salt",
        "not signed",
        "a kind we do not have",
        "too long",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused(
    csrf_client, reader_user, other_reader, case, method
):
    token = _tampered(reader_user, other_reader)[case]
    response = getattr(csrf_client, method)(url(token))
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert not EmailPreference.objects.exists()


def test_a_link_for_a_deleted_account_is_refused(csrf_client, reader_user):
    token = unsubscribe_token(reader_user, Kind.REPLY)
    reader_user.delete()
    assert csrf_client.post(url(token)).status_code == 400
