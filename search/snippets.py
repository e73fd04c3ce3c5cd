"""A note's snippet: a few words of what its author wrote, hits marked.

The engines mark hits in passages themselves (FTS5's `snippet()`,
PostgreSQL's `ts_headline`); a note is short and is found through its own
index, so its snippet is cut here, in Python, the same on both engines. The
engine decided that the note matches; this only chooses which words to
show and which to mark, so it may be approximate: words are compared with
case and accents folded, a prefix term (`mask*`) marks the words that begin
so, and a crude English suffix rule lets "masks" mark "mask" as the
stemmer matched it.

Pure: no Django, no HTML. The segments are (text, is a hit) pairs, as
`search.engines.snippet_segments` gives for passages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .query import ParsedQuery

ELLIPSIS = "…"
SNIPPET_WORDS = 30
# Words shown before the first hit, so that it reads in context.
LEAD_WORDS = 8

_WORD = re.compile(r"[^\W_]+")
# Longest first: "masked" loses "ed", not "d".
_SUFFIXES = ("ing", "ies", "es", "ed", "ly", "s")

Segments = tuple[tuple[str, bool], ...]


def fold(word: str) -> str:
    """Case and accents folded: "Kōbō" and "kobo" are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class _Matcher:
    """Which of a text's words the query's positive terms name."""

    def __init__(self, query: ParsedQuery) -> None:
        self.whole: set[str] = set()
        self.prefixes: list[str] = []
        for term in query.positive:
            words = [fold(w) for w in term.words]
            if term.prefix:
                self.prefixes.append(words[-1])
                words = words[:-1]
            self.whole.update(_stem(w) for w in words)

    def __call__(self, word: str) -> bool:
        folded = fold(word)
        return _stem(folded) in self.whole or any(
            folded.startswith(p) for p in self.prefixes
        )


def text_snippet(
    text: str, query: ParsedQuery, *, words: int = SNIPPET_WORDS
) -> tuple[Segments, bool]:
    """About `words` words of `text` around its first hit, as segments, and
    whether any word in it was a hit. With no hit, the text's beginning.
    Runs of white space (a note's paragraphs) read as one space."""
    text = " ".join(text.split())
    found = list(_WORD.finditer(text))
    if not found:
        return ((text, False),) if text else (), False
    is_hit = _Matcher(query)
    hits = [i for i, match in enumerate(found) if is_hit(match.group())]
    marked = set(hits)
    first = max(0, hits[0] - LEAD_WORDS) if hits else 0
    last = min(len(found), first + words) - 1
    start = 0 if first == 0 else found[first].start()
    end = len(text) if last == len(found) - 1 else found[last].end()
    segments: list[tuple[str, bool]] = []
    if start > 0:
        segments.append((ELLIPSIS, False))
    position = start
    for index in range(first, last + 1):
        match = found[index]
        if index in marked:
            segments.append((text[position : match.start()], False))
            segments.append((match.group(), True))
            position = match.end()
    segments.append((text[position:end], False))
    if end < len(text):
        segments.append((ELLIPSIS, False))
    return _joined(segments), bool(hits)


def _joined(segments: Sequence[tuple[str, bool]]) -> Segments:
    """Neighbours of the same kind made one; empty pieces dropped; the
    whitespace that a cut left at the ends taken off."""
    merged: list[tuple[str, bool]] = []
    for piece, hit in segments:
        if not piece:
            continue
        if merged and merged[-1][1] == hit:
            merged[-1] = (merged[-1][0] + piece, hit)
        else:
            merged.append((piece, hit))
    if merged and not merged[0][1]:
        merged[0] = (merged[0][0].lstrip(), False)
    if merged and not merged[-1][1]:
        merged[-1] = (merged[-1][0].rstrip(), False)
    return tuple((piece, hit) for piece, hit in merged if piece)
