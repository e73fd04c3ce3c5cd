"""E-mail verification at sign-up (optional by a setting), sending the link
again, changing the address, and `email_verified` for notifications."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from accounts.selectors import email_verified, users_with_verified_email
from accounts.services import email_link_make
from tests.factories import make_user

SIGNUP = reverse("accounts:signup")
RESEND = reverse("accounts:email_resend")
CHANGE = reverse("accounts:email_change")
ACCOUNT = reverse("accounts:account")
PASSWORD = "correct horse battery"


def mailed_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "://" in line)
    return "/" + line.strip().split("://", 1)[1].split("/", 1)[1]


def sign_up(client, username="kobo", email="kobo@example.org"):
    return client.post(
        SIGNUP,
        {
            "username": username,
            "email": email,
            "password1": "a mask of antimony",
            "password2": "a mask of antimony",
        },
    )


def confirm(client, path):
    assert client.get(path).status_code == 200
    return client.post(path)


@pytest.fixture
def required(settings):
    settings.THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION = True


# --- Sign-up, verification optional (the default) ------------------------------


def test_by_default_a_new_account_works_at_once_and_its_address_gets_a_link(client, db):
    assert sign_up(client).status_code == 302
    user = get_user_model().objects.get(username="kobo")
    assert user.is_active and user.email == "kobo@example.org"
    assert "_auth_user_id" in client.session
    assert not email_verified(user)
    assert [m.to for m in mail.outbox] == [["kobo@example.org"]]
    response = confirm(client, mailed_link(mail.outbox[0]))
    assert response["Location"] == ACCOUNT
    user.refresh_from_db()
    assert email_verified(user)


def test_by_default_the_address_is_optional(client, db):
    assert RESEND not in client.get(reverse("accounts:login")).content.decode()
    assert sign_up(client, email="").status_code == 302
    user = get_user_model().objects.get(username="kobo")
    assert user.is_active and not user.email
    assert mail.outbox == []
    assert not email_verified(user)


def test_a_malformed_address_is_refused_at_sign_up(client, db):
    response = sign_up(client, email="not an address")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not get_user_model().objects.exists()


# --- Sign-up, verification required --------------------------------------------


def test_when_required_the_address_is_required(client, db, required):
    response = sign_up(client, email="")
    assert response.context["form"].errors["email"]
    assert not get_user_model().objects.exists()


def test_when_required_an_account_opens_only_by_its_link(client, db, required):
    response = sign_up(client)
    assert response.status_code == 200
    assert "Your account opens when you follow it" in response.content.decode()
    assert "_auth_user_id" not in client.session
    user = get_user_model().objects.get(username="kobo")
    assert not user.is_active
    login = reverse("accounts:login")
    assert RESEND in client.get(login).content.decode()
    refused = client.post(login, {"username": "kobo", "password": "a mask of antimony"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    response = confirm(Client(), mailed_link(mail.outbox[0]))
    assert response["Location"] == login
    user.refresh_from_db()
    assert user.is_active and email_verified(user)
    client.post(login, {"username": "kobo", "password": "a mask of antimony"})
    assert "_auth_user_id" in client.session


def test_a_link_never_reopens_an_account_an_administrator_closed(client, db, required):
    sign_up(client)
    path = mailed_link(mail.outbox[0])
    confirm(Client(), path)
    user = get_user_model().objects.get(username="kobo")
    user.is_active = False  # closed by an administrator afterwards
    user.save()
    response = Client().post(path)
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_a_waiting_account_can_have_its_link_sent_again_without_saying_so(
    client, db, required
):
    sign_up(client)
    mail.outbox.clear()
    page = client.get(RESEND)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    known = client.post(RESEND, {"email": "KOBO@example.org"})
    unknown = client.post(RESEND, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace(
        "KOBO@example.org", "X"
    ) == unknown.content.decode().replace("nobody@example.org", "X")
    assert [m.to for m in mail.outbox] == [["kobo@example.org"]]
    # An active account's address gets nothing from a signed-out visitor.
    make_user("dora", email="dora@example.org")
    client.post(RESEND, {"email": "dora@example.org"})
    assert len(mail.outbox) == 1


def test_a_bad_address_to_resend_to_is_a_400(client, db):
    response = client.post(RESEND, {"email": "x" * 300})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]


def test_sending_the_link_again_is_throttled_per_e_mail(db, throttle_rates, required):
    throttle_rates(email_verification_email="2/h")
    sign_up(Client())
    mail.outbox.clear()
    for address in ("203.0.113.1", "203.0.113.2"):
        response = Client(REMOTE_ADDR=address).post(
            RESEND, {"email": "kobo@example.org"}
        )
        assert response.status_code == 200
    response = Client(REMOTE_ADDR="203.0.113.3").post(
        RESEND, {"email": " Kobo@Example.org"}
    )
    assert response.status_code == 429 and response["Retry-After"]
    assert len(mail.outbox) == 2


def test_sending_the_link_again_is_throttled_per_address(client, db, throttle_rates):
    throttle_rates(email_verification_address="2/h")
    client.post(RESEND, {"email": "a@example.org"})
    client.post(RESEND, {"email": "b@example.org"})
    assert client.post(RESEND, {"email": "c@example.org"}).status_code == 429


def test_a_signed_in_reader_sends_their_link_again(client, db, throttle_rates):
    throttle_rates(email_verification_email="2/h")
    user = make_user("dora", email="dora@example.org")
    client.force_login(user)
    page = client.get(ACCOUNT).content.decode()
    assert "not verified yet" in page and RESEND in page
    assert client.post(RESEND).status_code == 200
    assert client.post(RESEND).status_code == 200
    assert client.post(RESEND).status_code == 429
    assert len(mail.outbox) == 2
    confirm(client, mailed_link(mail.outbox[0]))
    assert email_verified(get_user_model().objects.get(pk=user.pk))
    assert "not verified yet" not in client.get(ACCOUNT).content.decode()


def test_a_signed_in_reader_without_an_address_gets_a_400(client, db):
    user = make_user("dora")
    client.force_login(user)
    response = client.post(RESEND)
    assert response.status_code == 400
    assert mail.outbox == []


# --- The link ----------------------------------------------------------------------


def test_a_forged_or_damaged_link_is_a_400(client, db):
    user = make_user("dora", email="dora@example.org")
    token = email_link_make(user=user, email="dora@example.org")
    for bad in (token[:-2] + "xx", "nonsense", "x" * 2000):
        path = reverse("accounts:email_confirm", args=[bad])
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    forged = signing.dumps(
        {"u": user.pk, "e": "eve@example.org", "p": "dora@example.org"},
        salt="not ours",
    )
    response = client.post(reverse("accounts:email_confirm", args=[forged]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "dora@example.org" and not email_verified(user)


def test_a_verification_link_expires(client, db, settings, monkeypatch):
    settings.THREE_NOTEBOOKS_EMAIL_LINK_MAX_AGE = 3600
    user = make_user("dora", email="dora@example.org")
    path = reverse(
        "accounts:email_confirm",
        args=[email_link_make(user=user, email="dora@example.org")],
    )
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 3601)
    response = client.post(path)
    assert response.status_code == 400
    assert "too old" in response.content.decode()
    assert not email_verified(user)
    monkeypatch.undo()
    assert client.post(path).status_code == 302
    user.refresh_from_db()
    assert email_verified(user)


def test_opening_a_link_verifies_nothing_until_confirmed(client, db):
    user = make_user("dora", email="dora@example.org")
    token = email_link_make(user=user, email="dora@example.org")
    page = client.get(reverse("accounts:email_confirm", args=[token]))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert not email_verified(user)
    strict = Client(enforce_csrf_checks=True)
    path = reverse("accounts:email_confirm", args=[token])
    assert strict.post(path).status_code == 403
    assert not email_verified(user)


# --- Changing the address ----------------------------------------------------------


def test_signed_out_visitors_are_sent_to_log_in_to_change_an_address(client, db):
    for response in (client.get(CHANGE), client.post(CHANGE, {"email": "a@b.org"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_new_address_is_verified_before_it_replaces_the_old_one(client, db):
    user = make_user("dora", email="dora@example.org")
    Profile.objects.create(user=user)
    client.force_login(user)
    confirm(client, _verify_link_for(client, user))
    user.refresh_from_db()
    assert email_verified(user)
    mail.outbox.clear()

    response = client.post(CHANGE, {"email": "dora@new.example", "password": PASSWORD})
    assert response.status_code == 200
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["dora@example.org", "dora@new.example"]
    notice = next(m for m in mail.outbox if m.to == ["dora@example.org"])
    assert "dora@new.example" in notice.body and "://" not in notice.body
    user.refresh_from_db()
    # Nothing changes until the new address answers.
    assert user.email == "dora@example.org" and email_verified(user)

    link = next(m for m in mail.outbox if m.to == ["dora@new.example"])
    confirm(client, mailed_link(link))
    user.refresh_from_db()
    assert user.email == "dora@new.example" and email_verified(user)


def _verify_link_for(client, user) -> str:
    client.post(RESEND)
    return mailed_link(mail.outbox[-1])


def test_a_link_made_before_the_address_changed_no_longer_works(client, db):
    user = make_user("dora", email="dora@example.org")
    client.force_login(user)
    client.post(CHANGE, {"email": "first@example.org", "password": PASSWORD})
    first = mailed_link(next(m for m in mail.outbox if m.to == ["first@example.org"]))
    client.post(CHANGE, {"email": "second@example.org", "password": PASSWORD})
    second = mailed_link(next(m for m in mail.outbox if m.to == ["second@example.org"]))
    confirm(client, second)
    response = client.post(first)
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "second@example.org" and email_verified(user)


def test_changing_the_address_needs_the_password(client, db):
    user = make_user("dora", email="dora@example.org")
    client.force_login(user)
    response = client.post(CHANGE, {"email": "eve@example.org", "password": "wrong"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not an address", "a@" + "b" * 300 + ".org"])
def test_a_bad_new_address_is_a_400(client, db, email):
    user = make_user("dora", email="dora@example.org")
    client.force_login(user)
    response = client.post(CHANGE, {"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert mail.outbox == []


def test_changing_the_address_is_throttled_per_account(client, db, throttle_rates):
    throttle_rates(email_change_user="2/h")
    user = make_user("dora", email="dora@example.org")
    client.force_login(user)
    for n in range(2):
        client.post(CHANGE, {"email": f"d{n}@example.org", "password": PASSWORD})
    response = client.post(CHANGE, {"email": "d9@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert not any(m.to == ["d9@example.org"] for m in mail.outbox)


def test_changing_the_address_needs_the_csrf_token(db):
    user = make_user("dora", email="dora@example.org")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(CHANGE, {"email": "eve@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert mail.outbox == []


# --- For notifications: whom may the site mail? ------------------------------------


def test_only_verified_current_addresses_count_as_verified(db):
    verified = make_user("dora", email="dora@example.org")
    Profile.objects.create(
        user=verified,
        verified_email="Dora@Example.org",
        email_verified_at="2026-01-01T00:00Z",
    )
    moved = make_user("eve", email="eve@new.example")
    Profile.objects.create(
        user=moved,
        verified_email="eve@old.example",
        email_verified_at="2026-01-01T00:00Z",
    )
    lookalike = make_user("fay", email="faxy@example.org")
    Profile.objects.create(
        user=lookalike,
        verified_email="fa_y@example.org",
        email_verified_at="2026-01-01T00:00Z",
    )
    never = make_user("gil", email="gil@example.org")
    closed = make_user("hal", email="hal@example.org", is_active=False)
    Profile.objects.create(
        user=closed,
        verified_email="hal@example.org",
        email_verified_at="2026-01-01T00:00Z",
    )
    assert email_verified(verified)
    assert not email_verified(moved)
    assert not email_verified(lookalike)
    assert not email_verified(never)
    assert not email_verified(closed)
    assert list(users_with_verified_email()) == [verified]
    everyone = get_user_model().objects.filter(pk__in=[moved.pk, never.pk])
    assert not users_with_verified_email(everyone).exists()


def test_the_account_page_is_the_signed_in_readers_own(client, db):
    assert client.get(ACCOUNT)["Location"].startswith(reverse("accounts:login"))
    dora = make_user("dora", email="dora@example.org")
    make_user("eve", email="eve@example.org")
    client.force_login(dora)
    html = client.get(ACCOUNT).content.decode()
    assert "dora@example.org" in html and "eve@example.org" not in html
    for name in ("email_change", "password_change", "delete", "export"):
        assert reverse(f"accounts:{name}") in html
    assert reverse("accounts:account") in html  # the header's link
    assert client.post(ACCOUNT).status_code == 405


def test_links_to_one_new_address_are_limited_whoever_asks(db, throttle_rates):
    throttle_rates(email_verification_email="2/h")
    for name in ("dora", "eve", "fay"):
        user = make_user(name, email=f"{name}@example.org")
        client = Client()
        client.force_login(user)
        response = client.post(
            CHANGE, {"email": "Target@Example.org", "password": PASSWORD}
        )
    assert response.status_code == 429
    assert sum(m.to == ["Target@Example.org"] for m in mail.outbox) == 2
