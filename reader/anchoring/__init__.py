"""Anchoring: where a quoted range of passage text lies, as the text changes.

One pure module (no Django) that works on texts, used by everything that
points at words in passages: readers' annotations, motif occurrences, the
importers, the part page's check at read time, and revisions (through
reader/reanchoring.py, which loads the texts and saves the rows).

- `quotes`: a quote and its context, `resolve` (position, then the quote
  verbatim where its context agrees, then a fuzzy match above thresholds,
  else an orphan) and `locate` (words given as they stand in a text).
- `spans`: a range over consecutive passages (`Document`, `resolve_in_span`)
  and `Placement`, where a range lies now in local offsets.
- `edits`: following a revision's edit word by word (`place`, `follow_edit`)
  and finding the text an orphan was made on (`texts_it_was_on`).

`AnchorState` is the one declaration of a range's state; nothing outside
this package spells its values.
"""

from __future__ import annotations

from .edits import follow_edit, place, texts_it_was_on
from .quotes import (
    CONTEXT_LENGTH,
    MIN_QUOTE_SIMILARITY,
    Anchor,
    AnchorState,
    Quote,
    Resolution,
    build_quote,
    locate,
    resolve,
)
from .spans import (
    SEPARATOR,
    Document,
    Placement,
    join_passages,
    local_placement,
    resolve_in_document,
    resolve_in_span,
)

__all__ = [
    "CONTEXT_LENGTH",
    "MIN_QUOTE_SIMILARITY",
    "SEPARATOR",
    "Anchor",
    "AnchorState",
    "Document",
    "Placement",
    "Quote",
    "Resolution",
    "build_quote",
    "follow_edit",
    "join_passages",
    "local_placement",
    "locate",
    "place",
    "resolve",
    "resolve_in_document",
    "resolve_in_span",
    "texts_it_was_on",
]
