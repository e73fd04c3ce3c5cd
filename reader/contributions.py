"""Apps to the right of the reader add to its part page through here.

The reader knows nothing about annotations, motifs or classes; each of those
apps registers a contributor in its AppConfig.ready(). A contributor gets the
request, the part and its passages (in order) and returns extra template
context; it may also set attributes on the passages it was given. Each must
make a constant number of queries, whatever the number of passages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from .models import Part, Passage

PartPageContributor = Callable[[HttpRequest, Part, list[Passage]], dict[str, Any]]

_contributors: list[PartPageContributor] = []


def register_part_page_contributor(contributor: PartPageContributor) -> None:
    if contributor not in _contributors:
        _contributors.append(contributor)


def part_page_context(
    request: HttpRequest, part: Part, passages: list[Passage]
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for contributor in _contributors:
        context.update(contributor(request, part, passages))
    return context


ContentsContributor = Callable[[HttpRequest, list[Part]], dict[str, Any]]

_contents_contributors: list[ContentsContributor] = []


def register_contents_contributor(contributor: ContentsContributor) -> None:
    """The same, for the table of contents (its parts, in order)."""
    if contributor not in _contents_contributors:
        _contents_contributors.append(contributor)


def contents_context(request: HttpRequest, parts: list[Part]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for contributor in _contents_contributors:
        context.update(contributor(request, parts))
    return context
