"""Split a passage's text into highlight segments. Pure Python.

Overlapping annotations are split at every boundary, so each segment carries
the ids of all annotations that cover it; the template renders each covered
segment as one <mark>. Work is O(n log n) in the number of ranges.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    ids: tuple[Hashable, ...]
    start: int

    @property
    def marked(self) -> bool:
        return bool(self.ids)


def split_segments(
    text: str, ranges: Iterable[tuple[Hashable, int, int]]
) -> list[Segment]:
    """Cut `text` at the ends of every (id, start, end) range.

    Ranges are clipped to the text; empty ones are ignored. The segments'
    texts joined give back `text` exactly, so the page's text content keeps
    the passage's coordinates.
    """
    length = len(text)
    events: dict[int, list[tuple[int, Hashable]]] = {}
    order: dict[Hashable, int] = {}
    for ident, start, end in ranges:
        start, end = max(0, start), min(length, end)
        if start >= end:
            continue
        order.setdefault(ident, len(order))
        events.setdefault(start, []).append((1, ident))
        events.setdefault(end, []).append((-1, ident))
    if not events:
        return [Segment(text, (), 0)] if text else []
    cuts = sorted({0, length, *events})
    active: dict[Hashable, int] = {}
    segments: list[Segment] = []
    for here, nxt in zip(cuts, cuts[1:], strict=False):
        for change, ident in events.get(here, ()):
            active[ident] = active.get(ident, 0) + change
            if active[ident] == 0:
                del active[ident]
        if here < nxt:
            ids = tuple(sorted(active, key=order.__getitem__))
            segments.append(Segment(text[here:nxt], ids, here))
    return segments
