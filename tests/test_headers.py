"""The security headers on representative responses: an anonymous page, a
signed-in reader's page, the API, a CSV export, the API's docs, a static
file and the health checks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_annotation
from tests.test_settings import SETUP, run_python

PERMISSIONS_DENIED = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def assert_strict_policy(response) -> None:
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def assert_page_headers(response) -> None:
    assert_strict_policy(response)
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in PERMISSIONS_DENIED:
        assert f"{feature}=()" in policy
    assert "clipboard-write=(self)" in policy


def assert_private(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_an_anonymous_page_has_the_headers_and_no_cache_control(client, edition):
    response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    assert_page_headers(response)
    # The reader's page cache keeps it server-side; no one is told to store it.
    assert not response.has_header("Cache-Control")


def test_a_signed_in_readers_page_is_private_and_not_stored(
    client, edition, reader_user
):
    client.force_login(reader_user)
    response = client.get(reverse("annotations:notebook"))
    assert response.status_code == 200
    assert_page_headers(response)
    assert_private(response)


def test_a_part_page_for_a_signed_in_reader_is_private(client, edition, reader_user):
    client.force_login(reader_user)
    response = client.get(reverse("reader:part", args=["test", "black"]))
    assert response.status_code == 200
    assert_private(response)


def test_the_login_page_that_sets_a_csrf_cookie_is_private(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert_private(response)


def test_the_api_answers_a_signed_in_reader_privately(
    client, edition, reader_user, passage
):
    make_annotation(reader_user, passage)
    client.force_login(reader_user)
    response = client.get("/api/annotations/", {"part": "black"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert_private(response)
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_api_answers_a_token_privately(client, edition, reader_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=reader_user)
    response = client.get(
        "/api/annotations/", headers={"authorization": f"Token {token.key}"}
    )
    assert response.status_code == 200
    assert_private(response)


def test_a_csv_export_is_private(client, edition, reader_user, passage):
    make_annotation(reader_user, passage)
    client.force_login(reader_user)
    response = client.get(reverse("annotations:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_private(response)


def test_the_api_docs_keep_the_sites_opener_policy_and_a_strict_script_policy(
    client, db
):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    html = response.content.decode()
    assert "<script>" not in html
    assert "<style>" not in html
    # The start-up script is a file of its own, served as JavaScript.
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_page_but_the_api_docs_allows_data_images(client, edition):
    assert directives(client.get(reverse("reader:home")))["img-src"] == ["'self'"]


def test_a_static_file_keeps_its_long_cache_and_gets_corp(settings, db):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "max-age" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


def test_the_health_checks_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/readyz/").status_code == 200
    redirected = client.get("/notebook/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


def test_https_responses_carry_hsts_as_configured(client, edition, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("reader:home"), secure=True)
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


def test_the_motif_stylesheet_colours_each_motif_and_revalidates(client, db):
    from themes.models import Motif

    motif = Motif.objects.create(slug="masks", name="Masks", colour="#12ab34")
    response = client.get(reverse("themes:colours"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert f".motif-{motif.pk} {{ --motif: #12ab34; }}" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    again = client.get(
        reverse("themes:colours"), headers={"if-none-match": response["ETag"]}
    )
    assert again.status_code == 304


HTTPS_SETTINGS = (
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "settings.SECURE_HSTS_PRELOAD, settings.SECURE_SSL_REDIRECT)"
)


def test_in_debug_hsts_and_the_https_redirect_are_off():
    result = run_python(SETUP + HTTPS_SETTINGS, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False", "False", "False"]


def test_without_debug_hsts_and_the_https_redirect_are_on_by_default():
    result = run_python(
        SETUP + HTTPS_SETTINGS, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "False", "True"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_HSTS_SECONDS": "0"},
            ["0", "False", "False", "False"],
        ),
        (
            {"DJANGO_SECURE_HSTS_SECONDS": "600", "DJANGO_SECURE_HSTS_PRELOAD": "true"},
            ["600", "True", "True", "True"],
        ),
    ],
)
def test_the_environment_sets_hsts_and_the_redirect(env, expected):
    result = run_python(
        SETUP + HTTPS_SETTINGS, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50, **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
