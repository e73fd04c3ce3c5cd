"""Ranges over consecutive passages: one text for the quote, local offsets
for storing it.

A range may run from one passage of a part into the next ones. It is stored
as (first passage, offset) to (last passage, offset), and its quote is
resolved in the passages' texts joined by `SEPARATOR` (a `Document`), so a
quote can cross a passage break. `Placement` is where a range lies now, in
the stored, local form.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .quotes import Anchor, AnchorState, Quote, resolve

SEPARATOR = "\n"
"""Joins passage texts into a Document; passage texts never contain it."""


@dataclass(frozen=True)
class Document:
    """Consecutive passages of one part, joined so one anchor can span them.

    Positions in `text` are "global"; (passage index, offset) pairs are
    "local", the form annotations store. The separator between passages
    belongs to no passage: read as a start it is the next passage's offset 0,
    read as an end the previous passage's last offset.
    """

    text: str
    starts: tuple[int, ...]

    def to_global(self, index: int, offset: int) -> int:
        """Global position of `offset` in passage `index` (0 <= offset <= len)."""
        if not 0 <= index < len(self.starts):
            raise ValueError(
                f"passage index {index} out of range: the document has "
                f"{len(self.starts)} passages"
            )
        length = self._passage_length(index)
        if not 0 <= offset <= length:
            raise ValueError(
                f"offset {offset} out of range for passage {index} of length {length}"
            )
        return self.starts[index] + offset

    def to_local(self, position: int) -> tuple[int, int]:
        """(passage index, offset) of a global position read as a START.

        The separator belongs to no passage, so a start on it (the end of a
        passage) moves on to the next passage's start: a range starting at a
        passage's very end would put an empty sliver of itself in that passage.
        """
        index, offset = self._locate(position)
        if index + 1 < len(self.starts) and offset == self._passage_length(index):
            return index + 1, 0
        return index, offset

    def to_local_end(self, position: int) -> tuple[int, int]:
        """(passage index, offset) of a global position read as an END.

        The mirror of `to_local`: an end on a separator, or just after it at
        the next passage's offset 0, stays at the end of the passage before.
        """
        index, offset = self._locate(position)
        if offset == 0 and index > 0:
            return index - 1, self._passage_length(index - 1)
        return index, offset

    def _locate(self, position: int) -> tuple[int, int]:
        if not self.starts:
            raise ValueError("the document has no passages")
        if not 0 <= position <= len(self.text):
            raise ValueError(
                f"position {position} out of range: need 0 <= position <= "
                f"{len(self.text)}"
            )
        index = bisect_right(self.starts, position) - 1
        return index, position - self.starts[index]

    def _passage_length(self, index: int) -> int:
        if index + 1 < len(self.starts):
            return self.starts[index + 1] - len(SEPARATOR) - self.starts[index]
        return len(self.text) - self.starts[index]


def join_passages(texts: Sequence[str]) -> Document:
    """Join passage texts into a Document, recording where each begins.

    Raises ValueError if a text contains the separator, which would make the
    offsets ambiguous.
    """
    starts: list[int] = []
    position = 0
    for index, text in enumerate(texts):
        if SEPARATOR in text:
            raise ValueError(f"passage {index} contains the separator {SEPARATOR!r}")
        starts.append(position)
        position += len(text) + len(SEPARATOR)
    return Document(text=SEPARATOR.join(texts), starts=tuple(starts))


@dataclass(frozen=True)
class Placement:
    """Where a stored range lies now, over the passages it was resolved in.

    `first` and `last` index those passages, the offsets are local to them
    (as a range is stored), and `words` are the text it covers now. An
    orphan has no place: all None, no words.
    """

    state: AnchorState
    first: int | None = None
    start_offset: int | None = None
    last: int | None = None
    end_offset: int | None = None
    words: str = ""

    @property
    def is_orphaned(self) -> bool:
        return self.state == AnchorState.ORPHANED


ORPHANED = Placement(AnchorState.ORPHANED)


def stored_range(
    texts: Sequence[str], start_offset: int, end_offset: int
) -> tuple[Document, int, int]:
    """The passages' texts joined, and a stored range in it (global offsets).

    The offsets are those of the first and the last passage; an offset past
    the end of its passage's text (the text has shrunk since) is read as the
    end of it.
    """
    document = join_passages(texts)
    start = document.to_global(0, min(start_offset, len(texts[0])))
    end = document.to_global(len(texts) - 1, min(end_offset, len(texts[-1])))
    return document, start, end


def resolve_in_document(document: Document, anchor: Anchor) -> Placement:
    """`resolve` a quote in joined passages, as a range in local offsets."""
    resolution = resolve(document.text, anchor)
    if resolution.start is None or resolution.end is None:
        return ORPHANED
    return local_placement(document, resolution.state, resolution.start, resolution.end)


def resolve_in_span(
    texts: Sequence[str], start_offset: int, end_offset: int, quote: Quote
) -> Placement:
    """Where a stored range lies in the current texts of its passages.

    `texts` are the passages from the range's first to its last, as they read
    now; the range is resolved as one anchor over their joined text (see
    `resolve`), so a quote is found again across passage breaks too.
    """
    document, start, end = stored_range(texts, start_offset, end_offset)
    return resolve_in_document(
        document, Anchor(start=start, end=max(start, end), quote=quote)
    )


def local_placement(
    document: Document, state: AnchorState, start: int, end: int
) -> Placement:
    """A range given in global offsets of `document`, in local ones."""
    first, local_start = document.to_local(start)
    last, local_end = document.to_local_end(end)
    return Placement(
        state, first, local_start, last, local_end, document.text[start:end]
    )
