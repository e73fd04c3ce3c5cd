"""Health checks: /healthz/ touches nothing, /readyz/ names what is down."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError

from tests.factories import make_user


@pytest.fixture
def signed_in_client(client, db):
    client.force_login(make_user("polled"))
    return client


def test_healthz_says_ok_in_plain_text_and_is_never_cached(client):
    # No `db` fixture: pytest-django would fail any database access here.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"


def test_healthz_makes_no_query_for_an_anonymous_poll(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert client.get("/healthz/").status_code == 200


def test_healthz_makes_no_query_even_with_a_signed_in_session_cookie(
    signed_in_client, django_assert_num_queries
):
    assert signed_in_client.cookies["sessionid"].value
    with django_assert_num_queries(0):
        response = signed_in_client.get("/healthz/")
    assert response.status_code == 200
    # The session was not even read, so no cookie is sent back.
    assert "sessionid" not in response.cookies


def test_healthz_answers_head_and_refuses_post(client):
    assert client.head("/healthz/").status_code == 200
    assert client.post("/healthz/").status_code == 405


def test_healthz_works_with_debug_off(client, settings):
    settings.DEBUG = False
    assert client.get("/healthz/").status_code == 200


def test_health_checks_keep_refusing_hosts_that_are_not_allowed(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["school.example"]
    assert client.get("/healthz/", headers={"host": "school.example"}).status_code == (
        200
    )
    assert client.get("/healthz/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/readyz/", headers={"host": "evil.example"}).status_code == 400


def test_readyz_reports_database_and_cache_ok(client, db):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_queries_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/readyz/")


def test_readyz_answers_head_and_refuses_post(client, db):
    assert client.head("/readyz/").status_code == 200
    assert client.post("/readyz/").status_code == 405


def test_readyz_is_503_naming_the_database_when_it_does_not_answer(client, db):
    with mock.patch("config.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"database": "failed", "cache": "ok"}


def test_readyz_is_503_naming_the_cache_when_it_raises(client, db):
    with mock.patch("config.health.cache") as cache:
        cache.set.side_effect = ConnectionError("redis is down")
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed"}


def test_readyz_is_503_naming_the_cache_when_it_forgets_what_it_stored(client, db):
    # A cache that accepts writes and returns nothing (full, or a dummy
    # backend by mistake) is not a working cache.
    with mock.patch("config.health.cache") as cache:
        cache.get.return_value = None
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed"}


def test_readyz_is_503_naming_both_when_both_fail(client, db):
    with (
        mock.patch("config.health.connection") as connection,
        mock.patch("config.health.cache") as cache,
    ):
        connection.cursor.side_effect = OperationalError("gone")
        cache.get.side_effect = TimeoutError("slow")
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"database": "failed", "cache": "failed"}
