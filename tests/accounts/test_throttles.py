"""Log-in, sign-up and password reset are throttled: 429 with Retry-After,
counted in a store every worker and server shares."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

LOGIN = reverse("accounts:login")
PASSWORD = "correct horse battery"


def log_in(client, username="alice", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return 3


# --- Log in -----------------------------------------------------------------------


def test_wrong_passwords_lock_the_account_at_this_address_with_retry_after(
    client, reader_user, login_limit
):
    for _ in range(login_limit - 1):
        assert log_in(client, password="wrong").status_code == 200
    response = log_in(client, password="wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    html = response.content.decode()
    assert "Too many wrong passwords" in html
    assert 'class="site-header"' in html  # our page, not axes' bare text
    # The right password does not log in during the cool-off.
    response = log_in(client)
    assert response.status_code == 429
    assert not signed_in(client)


def test_after_the_cool_off_the_right_password_logs_in(
    client, reader_user, login_limit
):
    for _ in range(login_limit):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert log_in(client).status_code == 302
    assert signed_in(client)


def test_another_account_at_the_same_address_is_not_locked(
    client, reader_user, other_reader, login_limit
):
    for _ in range(login_limit):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 429
    # A classmate behind the same school address logs in as usual.
    classmate = Client()
    assert log_in(classmate, username="bob").status_code == 302
    assert signed_in(classmate)


def test_the_same_account_from_another_address_is_not_locked(
    client, reader_user, login_limit
):
    for _ in range(login_limit):
        log_in(client, password="wrong")
    at_home = Client(REMOTE_ADDR="203.0.113.9")
    assert log_in(at_home).status_code == 302


def test_failures_from_two_browsers_add_up_in_the_database(reader_user, login_limit):
    """Two clients (two workers would see the same): the count is a row in
    the database, not a session's or a process's."""
    first, second = Client(), Client()
    log_in(first, password="wrong")
    log_in(second, password="wrong")
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 2
    assert log_in(first, password="wrong").status_code == 429
    assert log_in(second).status_code == 429


def test_a_right_password_clears_earlier_failures(client, reader_user, login_limit):
    for _ in range(login_limit - 1):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(login_limit - 1):
        assert log_in(client, password="wrong").status_code == 200


def test_the_admin_log_in_is_locked_too(client, curator, login_limit):
    url = reverse("admin:login")
    for _ in range(login_limit - 1):
        response = client.post(url, {"username": "curator", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "curator", "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"]
    response = client.post(url, {"username": "curator", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


def test_one_address_has_a_share_of_log_in_attempts_whatever_accounts_it_names(
    client, db, throttle_rates
):
    throttle_rates(login_address="3/h")
    for n in range(3):
        assert log_in(client, username=f"guess{n}", password="x").status_code == 200
    response = log_in(client, username="guess9", password="x")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    # Reading the page is not an attempt.
    assert client.get(LOGIN).status_code == 200
    assert log_in(Client(REMOTE_ADDR="203.0.113.9"), password="x").status_code == 200


def test_the_log_in_page_offers_a_password_reset(client, db):
    html = client.get(LOGIN).content.decode()
    assert reverse("accounts:password_reset") in html


# --- Sign up ----------------------------------------------------------------------


def sign_up(client, username):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "password1": "a mask of antimony",
            "password2": "a mask of antimony",
        },
    )


def test_sign_ups_from_one_address_are_limited(db, throttle_rates):
    throttle_rates(signup_address="2/h")
    assert sign_up(Client(), "first").status_code == 302
    assert sign_up(Client(), "second").status_code == 302
    response = sign_up(Client(), "third")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many attempts" in response.content.decode()
    assert not get_user_model().objects.filter(username="third").exists()
    # Another address signs up as usual.
    assert sign_up(Client(REMOTE_ADDR="203.0.113.9"), "fourth").status_code == 302


# --- Password reset ------------------------------------------------------------------


RESET = reverse("accounts:password_reset")


def test_a_reader_resets_a_forgotten_password_by_e_mail(client, db):
    make_user("dora", email="dora@example.org")
    response = client.post(RESET, {"email": "dora@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a new face of wax", "new_password2": "a new face of wax"},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert log_in(Client(), "dora", "a new face of wax").status_code == 302


def test_a_reset_never_says_whether_an_account_has_the_address(client, db):
    make_user("dora", email="dora@example.org")
    known = client.post(RESET, {"email": "dora@example.org"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


def test_reset_requests_for_one_e_mail_address_are_limited(db, throttle_rates):
    throttle_rates(password_reset_email="2/h")
    make_user("dora", email="dora@example.org")
    for address in ("203.0.113.1", "203.0.113.2"):
        response = Client(REMOTE_ADDR=address).post(
            RESET, {"email": "dora@example.org"}
        )
        assert response.status_code == 302
    # From a third address, and in capitals: still the same e-mail address.
    response = Client(REMOTE_ADDR="203.0.113.3").post(
        RESET, {"email": " Dora@Example.org"}
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert len(mail.outbox) == 2


def test_reset_requests_from_one_address_are_limited_and_say_nothing_more(
    client, db, throttle_rates
):
    throttle_rates(password_reset_address="2/h")
    make_user("dora", email="dora@example.org")
    client.post(RESET, {"email": "a@example.org"})
    client.post(RESET, {"email": "b@example.org"})
    known = client.post(RESET, {"email": "dora@example.org"})
    unknown = client.post(RESET, {"email": "c@example.org"})
    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content
    assert known["Retry-After"]
    assert mail.outbox == []
