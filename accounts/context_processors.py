from __future__ import annotations

from django.http import HttpRequest

from .preferences import preferences_for


def reading_preferences(request: HttpRequest) -> dict[str, object]:
    """Every page is rendered in the reader's theme, font size and width."""
    return {"reading_prefs": preferences_for(request)}
