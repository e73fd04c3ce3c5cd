"""ASGI entry point."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

from config.env import SettingsError, exit_on_settings_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_asgi_application()
except SettingsError as exc:
    exit_on_settings_error(exc)
