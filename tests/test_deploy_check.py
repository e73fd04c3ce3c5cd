"""`manage.py check --deploy` is clean under the documented production
settings: debug off, a secret key of its own, the site's host names. HSTS
and the HTTPS redirect are then on by default, with no setting to add."""

from __future__ import annotations

import ast
import secrets

from tests.test_settings import SETUP, run_python

CHECK_DEPLOY = "import sys, runpy; sys.argv = {argv!r}; " + (
    "runpy.run_path('manage.py', run_name='__main__')"
)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "notebooks.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://notebooks.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "true",
}


def check_deploy(**env: str):
    argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return run_python(CHECK_DEPLOY.format(argv=argv), **env)


def test_check_deploy_has_no_warnings_under_the_production_settings():
    result = check_deploy(**PRODUCTION, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


def test_check_deploy_has_no_warnings_with_hsts_preload_either():
    result = check_deploy(
        **PRODUCTION,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    # Nothing about security is silenced then (only, without Redis,
    # django-ratelimit's note that it does not know our database cache).
    silenced = run_python(
        SETUP + "print(settings.SILENCED_SYSTEM_CHECKS)",
        **PRODUCTION,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_HSTS_PRELOAD="true",
    )
    assert "security." not in silenced.stdout
    assert silenced.stdout.strip().startswith("[")


def test_without_preload_only_its_warning_is_silenced():
    result = run_python(
        SETUP + "print(settings.SILENCED_SYSTEM_CHECKS)",
        **PRODUCTION,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    silenced = ast.literal_eval(result.stdout.strip())
    assert [c for c in silenced if c.startswith("security.")] == ["security.W021"]


def test_check_deploy_still_warns_when_https_is_turned_off():
    result = check_deploy(
        **PRODUCTION,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
