"""Typed readers for environment variables, and the error they raise.

Kept apart from settings.py so that manage.py and the WSGI entry point can
catch `SettingsError` and stop with one line instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ImproperlyConfigured):
    """The environment does not describe a site that can start."""


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; refuse anything that is neither."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read a whole number; refuse anything else (and anything below `minimum`)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {raw!r}.")
    return value


_RATE = re.compile(r"^\d+/\d*[smhd]$")


def env_rate(name: str, default: str) -> str:
    """Read a throttle rate, "count/period" (10/h, 5/15m); refuse others."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if not _RATE.match(value):
        raise SettingsError(
            f"{name} must be a rate such as 10/h or 5/15m "
            f"(a count, then s, m, h or d), not {raw!r}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json_object(name: str, default: dict) -> dict:
    """Read a JSON object (keyword options for a backend); refuse anything else."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a JSON object, not {raw!r}.") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{name} must be a JSON object, not {raw!r}.")
    return value


def env_absolute_path(name: str, default: Path) -> Path:
    """Read a folder's absolute path: a relative one would depend on the
    directory each process happens to start in."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    path = Path(raw.strip())
    if not path.is_absolute():
        raise SettingsError(f"{name} must be an absolute path, not {raw!r}.")
    return path


def exit_on_settings_error(exc: SettingsError) -> None:
    """Stop the process with the explanation alone."""
    raise SystemExit(f"Three Notebooks cannot start: {exc}")
