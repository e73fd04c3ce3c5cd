"""Sign-up, log in and out, and reading preferences."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ReadingPreferences
from accounts.preferences import COOKIE_NAME, parse_cookie


def test_a_visitor_signs_up_and_is_logged_in(client, db):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "kobo",
            "password1": "a mask of antimony",
            "password2": "a mask of antimony",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="kobo").exists()
    assert client.get(reverse("reader:home")).context["user"].username == "kobo"


def test_sign_up_with_mismatched_passwords_creates_nobody(client, db):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "kobo",
            "password1": "a mask of antimony",
            "password2": "different",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not get_user_model().objects.filter(username="kobo").exists()


def test_signed_in_readers_are_sent_home_from_sign_up(client, reader_user):
    client.force_login(reader_user)
    assert client.get(reverse("accounts:signup")).status_code == 302


def test_log_in_and_out(client, reader_user):
    response = client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_with_a_message(client, reader_user):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_pages_use_the_site_layout(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'class="site-header"' in html
    assert 'class="skip-link"' in html


# --- Preferences ----------------------------------------------------------


PREFS = {"theme": "dark", "font_size": "large", "line_width": "narrow"}


def test_anonymous_preferences_are_kept_in_a_cookie(client, db):
    response = client.post(reverse("accounts:preferences"), PREFS)
    assert response.status_code == 302
    assert response.cookies[COOKIE_NAME].value == "dark.large.narrow"
    html = client.get(reverse("reader:home")).content.decode()
    assert 'data-theme="dark" data-font-size="large" data-line-width="narrow"' in html
    assert ReadingPreferences.objects.count() == 0


def test_a_readers_preferences_follow_them_to_another_browser(client, reader_user):
    client.force_login(reader_user)
    client.post(reverse("accounts:preferences"), PREFS)
    saved = ReadingPreferences.objects.get(user=reader_user)
    assert (saved.theme, saved.font_size, saved.line_width) == (
        "dark",
        "large",
        "narrow",
    )

    elsewhere = Client()
    elsewhere.force_login(reader_user)
    html = elsewhere.get(reverse("reader:home")).content.decode()
    assert 'data-theme="dark"' in html


def test_until_a_reader_chooses_a_theme_their_device_decides(client, reader_user):
    """The page says "system" and the stylesheet follows the device's
    light or dark setting; the settings page offers that choice back."""
    html = client.get(reverse("reader:home")).content.decode()
    assert 'data-theme="system"' in html
    client.force_login(reader_user)
    form = client.get(reverse("accounts:preferences")).content.decode()
    assert 'value="system"' in form and "Match my device" in form
    assert 'data-theme="system"' in form
    client.post(reverse("accounts:preferences"), {**PREFS, "theme": "system"})
    assert ReadingPreferences.objects.get(user=reader_user).theme == "system"
    html = client.get(reverse("reader:home")).content.decode()
    assert 'data-theme="system" data-font-size="large"' in html


def test_preferences_answer_json_for_the_script(client, db):
    response = client.post(
        reverse("accounts:preferences"), PREFS, HTTP_ACCEPT="application/json"
    )
    assert response.json() == PREFS


def test_an_unknown_theme_is_refused_and_nothing_saved(client, reader_user):
    client.force_login(reader_user)
    response = client.post(reverse("accounts:preferences"), {**PREFS, "theme": "neon"})
    assert response.status_code == 400
    assert response.context["form"].errors["theme"]
    assert not ReadingPreferences.objects.exists()
    assert COOKIE_NAME not in response.cookies


def test_preferences_return_to_the_page_the_reader_came_from(client, db):
    response = client.post(
        reverse("accounts:preferences"),
        {**PREFS, "next": "/read/study/black-notebook/"},
    )
    assert response["Location"] == "/read/study/black-notebook/"


def test_preferences_never_redirect_to_another_site(client, db):
    response = client.post(
        reverse("accounts:preferences"), {**PREFS, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:preferences")


@pytest.mark.parametrize("raw", [None, "", "dark", "neon.large.narrow", "a.b.c.d"])
def test_a_bad_cookie_falls_back_to_the_defaults(raw):
    assert parse_cookie(raw) == parse_cookie("system.medium.medium")


# --- Roles and demo accounts ------------------------------------------------


def test_the_role_groups_exist_and_curators_may_change_passages(db):
    curators = Group.objects.get(name="Curators")
    assert Group.objects.filter(name="Teachers").exists()
    codenames = set(curators.permissions.values_list("codename", flat=True))
    assert {"change_passage", "view_passage", "change_edition"} <= codenames
    assert "delete_passage" not in codenames


def test_demo_accounts_are_made_with_their_roles(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    call_command("create_demo_accounts", stdout=StringIO())  # twice is fine
    users = get_user_model().objects
    assert users.count() == 3
    assert users.get(username="teacher").groups.filter(name="Teachers").exists()
    curator = users.get(username="curator")
    assert curator.is_staff and curator.groups.filter(name="Curators").exists()
    assert not users.get(username="reader").is_staff
    assert "reader-demo-2026" in out.getvalue()
    assert users.get(username="reader").check_password("reader-demo-2026")
    # Their mail has a verified address to go to (the console's, in make run).
    from accounts.selectors import email_verified

    reader = users.get(username="reader")
    assert reader.email == "reader@example.org" and email_verified(reader)


def test_demo_accounts_are_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("create_demo_accounts", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_published_demo_passwords_do_not_log_in_with_debug_off(db, settings):
    from django.contrib.auth import authenticate as django_authenticate
    from django.test import RequestFactory

    from accounts.services import demo_accounts_create

    def authenticate(**credentials):
        # With django-axes, authentication happens for a request (its address).
        request = RequestFactory().post(reverse("accounts:login"))
        return django_authenticate(request, **credentials)

    settings.DEBUG = True
    demo_accounts_create()
    assert authenticate(username="curator", password="curator-demo-2026")
    settings.DEBUG = False
    assert authenticate(username="curator", password="curator-demo-2026") is None
    # The same user, given a password of their own, logs in as anyone does.
    user = get_user_model().objects.get(username="curator")
    user.set_password("a password nobody printed")
    user.save()
    assert authenticate(username="curator", password="a password nobody printed")


def test_saved_reading_settings_are_said_in_a_status_region_the_page_fills(client, db):
    """A live region speaks what changes in it, not what it holds at load:
    the message is on the page, and an empty status region for
    static/js/messages.js to say it in."""
    response = client.post(reverse("accounts:preferences"), PREFS, follow=True)
    html = response.content.decode()
    assert "Your reading preferences are saved." in html
    assert '<div class="visually-hidden" role="status" data-page-status></div>' in html
    assert 'src="/static/js/messages.js"' in html
    # Saved by script, without leaving the page: said in the form's region.
    form_page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'role="status" data-preferences-status' in form_page
