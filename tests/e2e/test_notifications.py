"""A reader hears of a reply: the bell counts it (and says so to a screen
reader), the inbox leads to it, a mail went out, and marking read clears
the count."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Profile
from reader.models import Passage
from tests.e2e.browsing import log_in
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e


def test_a_reply_reaches_the_inbox_and_the_mail(
    browser, live_server, live_edition, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    base = live_server.url
    author = make_user("kobo", email="kobo@example.org")
    # Kobo followed the link mailed to that address (accounts).
    Profile.objects.create(
        user=author, verified_email=author.email, email_verified_at=timezone.now()
    )
    make_user("classmate")
    note = make_annotation(
        author,
        Passage.objects.get(key="black-003"),
        0,
        9,
        motivation="commenting",
        body="A face for music?",
        visibility="public",
    )

    # The classmate replies on the part page.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, "classmate")
    page.goto(f"{base}/read/study/black-notebook/#card-{note.pk}")
    card = page.locator(f"#card-{note.pk}")
    card.get_by_text("Reply", exact=True).click()
    card.get_by_label("Your reply").fill("Perhaps music has a face too.")
    card.get_by_role("button", name="Post reply").click()
    card.locator(".reply").wait_for()
    context.close()

    # The mail went out once the reply was saved, with its unsubscribe link.
    [message] = mail.outbox
    assert message.to == ["kobo@example.org"]
    assert "classmate replied to your note" in message.subject
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]

    # The author sees the count, named for a screen reader.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, "kobo")
    bell = page.get_by_role("link", name="Inbox, 1 unread notification")
    assert bell.inner_text().split() == ["Inbox", "1"]
    bell.click()
    page.wait_for_url(f"{base}/notifications/")
    item = page.get_by_role("link", name="classmate replied to your note.")
    item.click()
    page.wait_for_url(re.compile(r"/read/study/black-notebook/\?note="))
    reply_id = page.url.rsplit("#card-", 1)[1]
    assert page.locator(f"#card-{reply_id}").is_visible()

    page.goto(f"{base}/notifications/")
    page.get_by_role("button", name="Mark all read").click()
    page.get_by_role("link", name="Inbox, no unread notifications").wait_for()
    assert page.locator(".notification-unread").count() == 0
    context.close()
