"""The settings module: env-driven, and refusing to run insecurely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


MANAGE_CHECK = "import sys, runpy; sys.argv = ['manage.py', 'check']; " + (
    "runpy.run_path('manage.py', run_name='__main__')"
)
SETUP = "import django; django.setup(); from django.conf import settings; "


def test_debug_off_without_a_secret_key_stops_with_one_clear_line():
    result = run_python(MANAGE_CHECK, DJANGO_DEBUG="false")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Three Notebooks cannot start: DJANGO_SECRET_KEY")


def test_the_wsgi_entry_point_stops_with_the_same_line():
    result = run_python("import config.wsgi", DJANGO_DEBUG="false")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Three Notebooks cannot start: DJANGO_SECRET_KEY is not set: with "
        "DJANGO_DEBUG off the site will not start without a secret key of its own."
    ]


def test_debug_off_with_a_key_starts_with_manifest_static_files():
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'])",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_a_nonsense_boolean_is_refused_in_one_line():
    result = run_python(MANAGE_CHECK, DJANGO_DEBUG="perhaps")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Three Notebooks cannot start: DJANGO_DEBUG must be true or false, "
        "not 'perhaps'."
    )


def test_allowed_hosts_come_from_the_environment():
    result = run_python(
        SETUP + "print(settings.ALLOWED_HOSTS)",
        DJANGO_ALLOWED_HOSTS="reader.school.example, www.reader.school.example",
    )
    assert (
        result.stdout.strip()
        == "['reader.school.example', 'www.reader.school.example']"
    )


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = SETUP + (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode)"
    )
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "5000", "IMMEDIATE"]


def test_postgres_is_chosen_through_database_url():
    result = run_python(
        SETUP + "print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://user:pw@db.example:5432/notebooks",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_whitenoise_comes_right_after_security_middleware():
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_a_nonsense_number_is_refused_in_one_line():
    result = run_python(MANAGE_CHECK, DJANGO_CONN_MAX_AGE="abc")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Three Notebooks cannot start: DJANGO_CONN_MAX_AGE must be a whole number, "
        "not 'abc'."
    )


def test_a_negative_connection_age_is_refused_in_one_line():
    result = run_python(MANAGE_CHECK, DJANGO_CONN_MAX_AGE="-5")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Three Notebooks cannot start: DJANGO_CONN_MAX_AGE must be at least 0, "
        "not '-5'."
    )


def test_the_connection_age_comes_from_the_environment():
    result = run_python(
        SETUP + "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        DATABASE_URL="postgres://user:pw@db.example:5432/notebooks",
        DJANGO_CONN_MAX_AGE=" 120 ",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "120"


# --- Several app servers: what they share ------------------------------------------


def test_uploads_wait_in_a_shared_folder_named_by_the_environment(tmp_path):
    shared = tmp_path / "shared-media"
    result = run_python(
        SETUP + "from django.core.files.storage import default_storage; "
        "print(settings.MEDIA_ROOT); print(default_storage.location)",
        DJANGO_MEDIA_ROOT=str(shared),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(shared), str(shared)]


def test_a_relative_media_root_is_refused_in_one_line():
    result = run_python(MANAGE_CHECK, DJANGO_MEDIA_ROOT="var/media")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Three Notebooks cannot start: DJANGO_MEDIA_ROOT must be an absolute path, "
        "not 'var/media'."
    )


def test_another_storage_for_uploads_is_chosen_by_settings():
    """Object storage (e.g. django-storages' S3 backend) is a class and its
    keyword options; an in-memory storage stands for it here."""
    result = run_python(
        SETUP + "from django.core.files.storage import default_storage; "
        "default_storage._setup(); w = default_storage._wrapped; "
        "print(type(w).__name__, w.base_url)",
        DJANGO_MEDIA_STORAGE="django.core.files.storage.InMemoryStorage",
        DJANGO_MEDIA_STORAGE_OPTIONS='{"base_url": "https://files.example/"}',
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["InMemoryStorage", "https://files.example/"]


def test_storage_options_that_are_not_a_json_object_are_refused_in_one_line():
    result = run_python(MANAGE_CHECK, DJANGO_MEDIA_STORAGE_OPTIONS="[1, 2]")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Three Notebooks cannot start: DJANGO_MEDIA_STORAGE_OPTIONS must be a JSON "
        "object, not '[1, 2]'."
    )


def test_with_redis_every_cache_and_the_sessions_are_shared_by_all_servers():
    """Sessions live in the database; the passage and page caches and the
    content generation in the one Redis: nothing in one process's memory."""
    result = run_python(
        SETUP + "print(settings.SESSION_ENGINE); "
        "print(*sorted({c['BACKEND'] for c in settings.CACHES.values()}))",
        REDIS_URL="redis://127.0.0.1:6379/2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.sessions.backends.db",
        "django_redis.cache.RedisCache",
    ]
