"""The search index's one write: building it again.

Day to day the database keeps the index in step by itself (search/schema.py):
nothing here runs when a passage, motif or note is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from annotations.models import Annotation
from reader.models import Passage
from themes.models import Motif

from .engines import search_language
from .schema import install


@dataclass(frozen=True)
class IndexReport:
    language: str
    passages: int
    motifs: int
    annotations: int


def search_index_rebuild(*, language: str | None = None) -> IndexReport:
    """Drop the index and its triggers, make them again and fill them from
    the tables (idempotent): for a database restored from elsewhere, after
    changing THREE_NOTEBOOKS_SEARCH_LANGUAGE, or to be sure."""
    chosen = language or search_language()
    install(connection, chosen)
    return IndexReport(
        language=chosen,
        passages=Passage.objects.count(),
        motifs=Motif.objects.count(),
        annotations=Annotation.objects.count(),
    )
