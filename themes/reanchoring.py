"""Motif occurrences' quoted phrases follow passage revisions (see
reader/reanchoring.py). An occurrence without a phrase links the whole
passage and has nothing to follow."""

from __future__ import annotations

from django.db.models import QuerySet

from reader.reanchoring import anchored_rows
from reader.revisions import register_anchored

from .models import MotifOccurrence


def _with_a_phrase() -> QuerySet:
    return MotifOccurrence.objects.filter(start_offset__isnull=False).select_related(
        "motif"
    )


def _motif(occurrence: MotifOccurrence) -> str:
    return occurrence.motif.name


register_anchored(
    anchored_rows(label="motif occurrences", rows=_with_a_phrase, who=_motif)
)
