"""Password reset links work once and not for ever; changing a password
needs the old one and is throttled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

RESET = reverse("accounts:password_reset")
PASSWORD = "correct horse battery"
NEW = {"new_password1": "a new face of wax", "new_password2": "a new face of wax"}


def mailed_link(message) -> str:
    """The path of the first link in a mail."""
    line = next(line for line in message.body.splitlines() if "://" in line)
    return "/" + line.strip().split("://", 1)[1].split("/", 1)[1]


def ask_for_a_reset(client: Client, email: str = "dora@example.org") -> str:
    client.post(RESET, {"email": email})
    return mailed_link(mail.outbox[-1])


def open_link(client: Client, path: str):
    """Django swaps the token for a session marker on the first visit."""
    return client.get(path, follow=True)


@pytest.fixture
def dora(db):
    return make_user("dora", email="dora@example.org")


def test_a_reset_link_works_once(client, dora):
    path = ask_for_a_reset(client)
    page = open_link(client, path)
    assert page.context["validlink"]
    response = client.post(page.redirect_chain[-1][0], NEW)
    assert response["Location"] == reverse("accounts:password_reset_complete")
    # The same link again, in a fresh browser: refused, and nothing changes.
    again = open_link(Client(), path)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "does not work any more" in again.content.decode()
    dora.refresh_from_db()
    assert dora.check_password(NEW["new_password1"])


def test_a_reset_link_stops_working_once_the_password_changed_otherwise(client, dora):
    path = ask_for_a_reset(client)
    dora.set_password("changed in the meantime")
    dora.save()
    assert not open_link(Client(), path).context["validlink"]


def test_a_reset_link_expires(client, dora, settings, monkeypatch):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    path = ask_for_a_reset(client)
    real_now = PasswordResetTokenGenerator._now

    def later(self) -> datetime:
        return real_now(self) + timedelta(hours=1, minutes=1)

    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later)
    page = open_link(client, path)
    assert not page.context["validlink"]
    # A link from just now, at the same clock, still works: it is age that
    # refuses the first one.
    monkeypatch.undo()
    settings.PASSWORD_RESET_TIMEOUT = 3600
    fresh = open_link(Client(), ask_for_a_reset(Client()))
    assert fresh.context["validlink"]


def test_a_posted_expired_link_changes_nothing(client, dora, monkeypatch):
    path = ask_for_a_reset(client)
    page = open_link(client, path)
    real_now = PasswordResetTokenGenerator._now
    monkeypatch.setattr(
        PasswordResetTokenGenerator,
        "_now",
        lambda self: real_now(self) + timedelta(days=30),
    )
    response = client.post(page.redirect_chain[-1][0], NEW)
    assert response.status_code == 200
    assert not response.context["validlink"]
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)


def test_reset_pages_use_the_site_layout_and_a_csrf_token(client, dora):
    html = client.get(RESET).content.decode()
    assert 'class="site-header"' in html and "csrfmiddlewaretoken" in html
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(RESET, {"email": "dora@example.org"}).status_code == 403
    assert mail.outbox == []


def test_the_reset_mail_goes_to_the_account_not_to_a_lookalike(client, db):
    """Only accounts with that very address (any case) get a link."""
    make_user("dora", email="dora@example.org")
    make_user("dorb", email="dorb@example.org")
    client.post(RESET, {"email": "DORA@example.org"})
    assert [m.to for m in mail.outbox] == [["dora@example.org"]]


# --- Change password ----------------------------------------------------------

CHANGE = reverse("accounts:password_change")
CHANGED = {
    "old_password": PASSWORD,
    "new_password1": "a new face of wax",
    "new_password2": "a new face of wax",
}


def test_signed_out_visitors_are_sent_to_log_in_to_change_a_password(client, db):
    for response in (client.get(CHANGE), client.post(CHANGE, CHANGED)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_reader_changes_their_password_and_stays_signed_in(client, dora):
    client.force_login(dora)
    elsewhere = Client()
    elsewhere.force_login(dora)
    page = client.get(CHANGE).content.decode()
    assert 'class="site-header"' in page and "csrfmiddlewaretoken" in page
    response = client.post(CHANGE, CHANGED)
    assert response["Location"] == reverse("accounts:account")
    dora.refresh_from_db()
    assert dora.check_password("a new face of wax")
    assert client.get(reverse("accounts:account")).status_code == 200
    # Another browser signed in with the old password is signed out.
    assert elsewhere.get(reverse("accounts:account")).status_code == 302


def test_a_wrong_old_password_is_a_400_and_changes_nothing(client, dora):
    client.force_login(dora)
    response = client.post(CHANGE, {**CHANGED, "old_password": "wrong"})
    assert response.status_code == 400
    assert response.context["form"].errors["old_password"]
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)


def test_password_changes_are_throttled_per_account(client, dora, throttle_rates):
    throttle_rates(password_change_user="2/h")
    client.force_login(dora)
    for _ in range(2):
        assert client.post(CHANGE, {**CHANGED, "old_password": "x"}).status_code == 400
    response = client.post(CHANGE, CHANGED)
    assert response.status_code == 429
    assert response["Retry-After"]
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)
    # Another reader at the same address is not affected.
    other = make_user("eve")
    second = Client()
    second.force_login(other)
    assert second.post(CHANGE, CHANGED).status_code == 302


def test_changing_a_password_needs_the_csrf_token(dora):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(dora)
    assert strict.post(CHANGE, CHANGED).status_code == 403
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)
