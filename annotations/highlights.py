"""Split a passage's text into highlight segments. Pure Python.

Overlapping annotations are split at every boundary, so each segment carries
the ids of all annotations that cover it; the template renders each covered
segment as one <mark>. Work is O(n log n) in the number of boundaries plus
the size of the output.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
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
    the passage's coordinates. A segment's ids are in the order their ranges
    began (the last is the innermost, most recently started one).
    """
    length = len(text)
    starts: dict[int, list[Hashable]] = {}
    ends: dict[int, list[Hashable]] = {}
    for ident, start, end in ranges:
        start, end = max(0, start), min(length, end)
        if start >= end:
            continue
        starts.setdefault(start, []).append(ident)
        ends.setdefault(end, []).append(ident)
    if not starts:
        return [Segment(text, (), 0)] if text else []
    cuts = sorted({0, length, *starts, *ends})
    # Insertion-ordered: a dict keeps the ids in the order they became active.
    active: dict[Hashable, int] = {}
    segments: list[Segment] = []
    for here, nxt in zip(cuts, cuts[1:], strict=False):
        for ident in ends.get(here, ()):
            count = active.pop(ident, 0) - 1
            if count > 0:
                active[ident] = count
        for ident in starts.get(here, ()):
            active[ident] = active.pop(ident, 0) + 1
        segments.append(Segment(text[here:nxt], tuple(active), here))
    return segments
