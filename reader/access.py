"""Reaching an edition's content by its address, under the one rule
(`Edition.objects.readable_by`). Whatever a reader may not read does not
exist for them: 404, never 403, so not even a title leaks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Edition, Part, Passage


def readable_edition_or_404(user: object, slug: str) -> Edition:
    edition = Edition.objects.readable_by(user).filter(slug=slug).first()
    if edition is None:
        raise Http404
    return edition


def readable_part_or_404(user: object, edition: str, part: str) -> Part:
    parts = Part.objects.select_related("edition")
    return _readable_or_404(user, parts, edition__slug=edition, slug=part)


def readable_passage_or_404(user: object, edition: str, key: str) -> Passage:
    passages = Passage.objects.select_related("part__edition")
    return _readable_or_404(user, passages, edition__slug=edition, key=key)


def _readable_or_404(user: object, queryset: QuerySet, **lookup: str) -> Any:
    found = (
        queryset.filter(edition__in=Edition.objects.readable_by(user).values("pk"))
        .filter(**lookup)
        .first()
    )
    if found is None:
        raise Http404
    return found


def can_read(user: object, edition: Edition | int) -> bool:
    pk = edition.pk if isinstance(edition, Edition) else edition
    return Edition.objects.readable_by(user).filter(pk=pk).exists()
