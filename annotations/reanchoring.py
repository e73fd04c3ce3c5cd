"""Readers' annotations follow passage revisions (see reader/reanchoring.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from reader.reanchoring import anchored_rows
from reader.revisions import register_anchored

from .models import Annotation


def _with_a_range() -> QuerySet:
    # A reply has no range of its own: it follows the note it answers.
    return Annotation.objects.roots().select_related("author")


def _author(annotation: Annotation) -> str:
    return annotation.author.get_username()


register_anchored(anchored_rows(label="annotations", rows=_with_a_range, who=_author))
