"""Account mail is made and sent by a task (accounts/mail.py): here tasks
run when queued, into Django's test outbox (test_mail_off_the_request.py
checks the queue itself)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def mail_at_once(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
