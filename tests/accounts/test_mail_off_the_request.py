"""An account's mail is queued by the request and made and sent by the
worker (accounts/mail.py): a slow mail server never slows the page, a reset
for an unknown address costs the request what one for a real account does,
and the queue never holds a working link."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks.backends.database.models import DBTaskResult

from tests.accounts.test_email import confirm, mailed_link, sign_up
from tests.factories import make_user

RESET = reverse("accounts:password_reset")


@pytest.fixture(autouse=True)
def queued(settings):
    """The deployed backend: the database queue a worker runs."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}
    }


def run_the_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def test_a_reset_is_queued_the_same_for_an_account_and_for_nobody(
    client, transactional_db
):
    make_user("dora", email="dora@example.org")
    for address in ("dora@example.org", "nobody@example.org"):
        response = client.post(RESET, {"email": address})
        assert response.status_code == 302
    # Nothing is sent by the requests, and each queued the same: an address.
    assert mail.outbox == []
    queued = [json.loads(json.dumps(t.args_kwargs)) for t in DBTaskResult.objects.all()]
    assert [q["kwargs"]["to"] for q in sorted(queued, key=str)] == [
        "dora@example.org",
        "nobody@example.org",
    ]
    assert {q["kwargs"]["kind"] for q in queued} == {"password_reset"}
    assert {q["kwargs"]["user_id"] for q in queued} == {None}

    run_the_worker()
    [sent] = mail.outbox
    assert sent.to == ["dora@example.org"]
    # The link the worker made works, and nothing in the queue is a link.
    link = mailed_link(sent)
    assert client.get(link).status_code == 302
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs")))
    assert token not in stored
    assert "/reset/" not in stored


def test_the_verification_link_is_made_by_the_worker_and_works(
    client, transactional_db
):
    assert sign_up(client).status_code == 302
    assert mail.outbox == []
    stored = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs")))
    assert "email_verification" in stored and "/confirm/" not in stored
    run_the_worker()
    [sent] = mail.outbox
    assert sent.to == ["kobo@example.org"]
    assert confirm(client, mailed_link(sent)).status_code == 302
    user = get_user_model().objects.get(username="kobo")
    from accounts.selectors import email_verified

    assert email_verified(user)


def test_an_account_deleted_before_its_mail_is_sent_gets_none(client, transactional_db):
    assert sign_up(client).status_code == 302
    get_user_model().objects.filter(username="kobo").delete()
    run_the_worker()
    assert mail.outbox == []
