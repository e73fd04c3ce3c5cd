"""A note's snippet: a few words of what its author wrote, hits marked.

The engines mark hits in passages themselves (FTS5's `snippet()`,
PostgreSQL's `ts_headline`); a note is short and is found through its own
index, so its snippet is cut here, in Python, the same on both engines. The
engine decided that the note matches; this only chooses which words to
show and which to mark, so it may be approximate: words are compared with
case and accents folded, a prefix term (`mask*`) marks the words that begin
so, a phrase's words are marked only where they stand together, and a
crude English suffix rule lets "masks" mark "mask" as the stemmer matched
it.

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


def _word_matches(token: str, word: str, *, prefix: bool) -> bool:
    """Does a text's (folded) token stand for a query's (folded) word?"""
    if prefix:
        return token.startswith(word)
    return token == word or _stem(token) == _stem(word)


def _hits(tokens: Sequence[str], query: ParsedQuery) -> set[int]:
    """The indexes of the tokens a positive term names: each word of a
    one-word term wherever it stands, a phrase's words only where they
    stand together and in order."""
    folded = [fold(token) for token in tokens]
    hits: set[int] = set()
    for term in query.positive:
        words = [fold(word) for word in term.words]
        size = len(words)
        for start in range(len(folded) - size + 1):
            if all(
                _word_matches(
                    folded[start + n],
                    word,
                    prefix=term.prefix and n == size - 1,
                )
                for n, word in enumerate(words)
            ):
                hits.update(range(start, start + size))
    return hits


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
    marked = _hits([match.group() for match in found], query)
    first = max(0, min(marked) - LEAD_WORDS) if marked else 0
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
            gap = text[position : match.start()]
            # Hits a space apart are one mark: a phrase reads as one.
            joined = index - 1 in marked and position > start and gap == " "
            segments.append((gap, joined))
            segments.append((match.group(), True))
            position = match.end()
    segments.append((text[position:end], False))
    if end < len(text):
        segments.append((ELLIPSIS, False))
    return _joined(segments), bool(marked)


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
