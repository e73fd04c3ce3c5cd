"""WSGI entry point, used by gunicorn (make serve)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from config.env import SettingsError, exit_on_settings_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except SettingsError as exc:
    exit_on_settings_error(exc)
