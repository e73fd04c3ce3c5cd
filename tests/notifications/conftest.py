"""The notifications cast: the teaching cast (a class with a teacher, a
co-teacher and two students; another class; an assignment with a prompt)
and mail that can be sent and read."""

from __future__ import annotations

import pytest

from tests.teaching.conftest import (  # noqa: F401 - fixtures, used by name
    assignment,
    classmate,
    coteacher,
    course,
    other_course,
    other_teacher,
    outsider,
    student,
)


@pytest.fixture(autouse=True)
def verified_addresses(monkeypatch):
    """Every address counts as verified (accounts' rule is tested in
    tests/accounts and, with notifications, in test_mail)."""
    monkeypatch.setattr("notifications.mail.email_verified", lambda user: True)


@pytest.fixture(autouse=True)
def mail_at_once(settings):
    """Tasks run when queued (after the commit), into Django's test outbox;
    addresses count as verified unless a test says otherwise."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.THREE_NOTEBOOKS_SITE_URL = "https://notebooks.example"
