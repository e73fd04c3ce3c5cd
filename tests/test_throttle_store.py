"""The throttles' store is one for every worker and every app server: a table
in the database without Redis, Redis with REDIS_URL; never process memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, RequestFactory

from config.env import SettingsError, env_rate
from config.throttling import THROTTLE_CACHE, client_ip
from tests.accounts.test_throttles import sign_up
from tests.test_settings import SETUP, run_python


def test_the_throttles_never_count_in_process_memory():
    backend = settings.CACHES[THROTTLE_CACHE]["BACKEND"]
    assert "locmem" not in backend and "dummy" not in backend
    if os.environ.get("REDIS_URL"):
        assert backend == "django_redis.cache.RedisCache"
    else:
        assert backend == "config.throttling.AtomicDatabaseCache"


def test_with_redis_url_the_throttles_count_in_redis():
    result = run_python(
        SETUP + "print(settings.CACHES['throttles']['BACKEND'], "
        "settings.CACHES['throttles']['LOCATION'], settings.RATELIMIT_USE_CACHE)",
        REDIS_URL="redis://127.0.0.1:6379/2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_redis.cache.RedisCache",
        "redis://127.0.0.1:6379/2",
        "throttles",
    ]


def test_two_browsers_count_in_the_shared_store(db, throttle_rates):
    """What one client's request counted is in the shared store itself (the
    database table, or Redis), where any other worker reads it."""
    throttle_rates(signup_address="2/h")
    assert sign_up(Client(), "first").status_code == 302
    assert sign_up(Client(), "second").status_code == 302
    assert sign_up(Client(), "third").status_code == 429
    prefix = settings.RATELIMIT_CACHE_PREFIX
    if os.environ.get("REDIS_URL"):
        import redis

        keys = redis.Redis.from_url(settings.REDIS_URL).keys(f"*{prefix}*")
        assert len(keys) == 1
    else:
        table = connection.ops.quote_name("three_notebooks_throttles")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key FROM {table} WHERE cache_key LIKE %s",  # noqa: S608
                [f"%{prefix}%"],
            )
            assert len(cursor.fetchall()) == 1
    # A cache object of its own (as another process would make) reads 3.
    fresh = caches.create_connection(THROTTLE_CACHE)
    stored = [
        fresh.get(key)
        for key in (
            # django-ratelimit's key, as it makes it: look it up by prefix.
            _keys_with_prefix(prefix)
        )
    ]
    assert stored == [3]


def _keys_with_prefix(prefix: str) -> list[str]:
    if os.environ.get("REDIS_URL"):
        import redis

        raw = redis.Redis.from_url(settings.REDIS_URL).keys(f"*{prefix}*")
        # "<KEY_PREFIX>:<version>:<key>"
        return [key.decode().split(":", 2)[2] for key in raw]
    table = connection.ops.quote_name("three_notebooks_throttles")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cache_key FROM {table} WHERE cache_key LIKE %s",  # noqa: S608
            [f"%{prefix}%"],
        )
        # ":<version>:<key>" (no KEY_PREFIX)
        return [row[0].split(":", 2)[2] for row in cursor.fetchall()]


PROCESS = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    settings.RATELIMIT_CACHE_PREFIX = os.environ["PREFIX"]
    out = []
    for step in sys.argv[1:]:
        what, name = step.split(":")
        browser = Client()
        if what == "signup":
            data = {"username": name, "password1": "a mask of antimony",
                    "password2": "a mask of antimony"}
            out.append(browser.post("/accounts/signup/", data).status_code)
        else:
            data = {"username": "alice", "password": name}
            out.append(browser.post("/accounts/login/", data).status_code)
    print(*out)
    """
)


@pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"],
    reason="the processes share a SQLite file of their own; PostgreSQL runs "
    "the same code",
)
def test_separate_processes_share_the_counts(tmp_path):
    """Three Python processes, as three gunicorn workers: what the first
    counted, the second is refused for (sign-up per address, wrong passwords
    per account and address)."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "PREFIX": f"rl:processes-{uuid.uuid4().hex}:",
        "THREE_NOTEBOOKS_RATE_SIGNUP_ADDRESS": "2/h",
        "THREE_NOTEBOOKS_LOGIN_FAILURE_LIMIT": "3",
    }
    setup = run_python(
        "import sys, runpy; sys.argv = ['manage.py', 'migrate', '-v0']; "
        "runpy.run_path('manage.py', run_name='__main__'); "
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('alice', password='right one')",
        **env,
    )
    assert setup.returncode == 0, setup.stderr

    def worker(*steps: str) -> list[int]:
        result = _run(steps, env)
        assert result.returncode == 0, result.stderr
        return [int(code) for code in result.stdout.split()]

    assert worker("signup:first", "signup:second", "login:wrong", "login:wrong") == [
        302,
        302,
        200,
        200,
    ]
    assert worker("signup:third", "login:wrong", "login:right one") == [
        429,
        429,
        429,
    ]


def _run(steps, env) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROCESS, *steps],
        cwd=settings.BASE_DIR,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- The database store's increment ------------------------------------------------


@pytest.fixture
def table_cache(db, settings):
    """The store a site without Redis counts in (made here when REDIS_URL
    makes Redis the store instead)."""
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "table": {
            "BACKEND": "config.throttling.AtomicDatabaseCache",
            "LOCATION": "three_notebooks_throttles",
        },
    }
    call_command("createcachetable", "three_notebooks_throttles", verbosity=0)
    return caches["table"]


def expiries() -> list:
    table = connection.ops.quote_name("three_notebooks_throttles")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_database_store_increments_and_keeps_the_expiry(table_cache):
    table_cache.add("count", 1, 60)
    before = expiries()
    assert table_cache.incr("count") == 2
    assert table_cache.incr("count", 3) == 5
    assert table_cache.get("count") == 5
    # The window still ends when it did (not "never", not later).
    assert expiries() == before


def test_the_database_store_refuses_to_increment_what_is_missing_or_expired(
    table_cache,
):
    with pytest.raises(ValueError):
        table_cache.incr("missing")
    table_cache.add("old", 1, 60)
    table = connection.ops.quote_name("three_notebooks_throttles")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET expires = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(_an_hour_ago())],
        )
    with pytest.raises(ValueError):
        table_cache.incr("old")


def _an_hour_ago():
    from django.utils import timezone

    return timezone.now().replace(microsecond=0) - timedelta(hours=1)


# --- Addresses and rates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "127.0.0.1"),  # no proxy: the header is the client's
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged left entry
        (2, "198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, "", "127.0.0.1"),
        (1, "not an address", "0.0.0.0"),  # noqa: S104
    ],
)
def test_the_client_address_trusts_only_our_proxies(
    settings, proxies, forwarded, expected
):
    settings.THREE_NOTEBOOKS_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_rates_from_the_environment_are_checked(monkeypatch):
    monkeypatch.setenv("THREE_NOTEBOOKS_RATE_X", "5/15m")
    assert env_rate("THREE_NOTEBOOKS_RATE_X", "1/h") == "5/15m"
    monkeypatch.setenv("THREE_NOTEBOOKS_RATE_X", "lots")
    with pytest.raises(SettingsError, match="THREE_NOTEBOOKS_RATE_X"):
        env_rate("THREE_NOTEBOOKS_RATE_X", "1/h")
