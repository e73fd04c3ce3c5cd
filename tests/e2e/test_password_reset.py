"""A reader who forgot their password gets a new one by e-mail, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import make_user

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a new face of wax"


def test_a_reader_resets_a_forgotten_password_by_the_link_in_the_mail(
    page, live_server, mailoutbox, transactional_db, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}
    }
    base = live_server.url
    make_user("dora", email="dora@example.org")
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("dora@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(f"{base}/accounts/password-reset/sent/")
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # The page queued the mail; the worker makes and sends it, as deployed.
    assert mailoutbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert [m.to for m in mailoutbox] == [["dora@example.org"]]
    link = next(
        line.strip() for line in mailoutbox[0].body.splitlines() if "://" in line
    )
    assert link.startswith(f"{base}/accounts/password-reset/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    # Labelled "New password:" and "New password confirmation:".
    page.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url(f"{base}/accounts/password-reset/done/")
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    # The old password no longer works, the new one does.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct username")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("button", name="Log out dora")).to_be_visible()

    # The link in the mail worked once.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("does not work any more")
    expect(page.get_by_role("button", name="Save the new password")).to_have_count(0)
