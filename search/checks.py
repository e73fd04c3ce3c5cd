"""Say at start-up when searching cannot fold accents on PostgreSQL."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy as _

from .schema import LANGUAGES


@register("database")
def search_configured(app_configs: object = None, **kwargs: object) -> list:
    problems = []
    language = getattr(settings, "THREE_NOTEBOOKS_SEARCH_LANGUAGE", "english")
    if language not in LANGUAGES:
        problems.append(
            CheckWarning(
                _("THREE_NOTEBOOKS_SEARCH_LANGUAGE must be one of: %s.")
                % ", ".join(LANGUAGES),
                id="search.W002",
            )
        )
    if connection.vendor != "postgresql":
        return problems
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
            present = cursor.fetchone() is not None
    except DatabaseError:
        return problems
    if not present:
        problems.append(
            CheckWarning(
                _(
                    "PostgreSQL's unaccent extension is not installed: searches "
                    "do not fold accents (“Kobo” does not find “Kōbō”)."
                ),
                hint=_(
                    "Run CREATE EXTENSION unaccent as the database's owner, "
                    "then manage.py rebuild_search_index."
                ),
                id="search.W001",
            )
        )
    return problems
