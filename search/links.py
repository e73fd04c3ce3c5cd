"""Where a search result opens in the reader: one rule for the page and the
API (static/js/reader.js paints `find`'s words in the passage;
static/js/annotate.js opens `note`'s card, or goes `at` its passage when the
card is not on the page)."""

from __future__ import annotations

from urllib.parse import urlencode


def passage_link(part_url: str, key: str, words: tuple[str, ...] = ()) -> str:
    query = f"?{urlencode({'find': ' '.join(words)})}" if words else ""
    return f"{part_url}{query}#{key}"


def note_link(part_url: str, note_pk: object, key: str) -> str:
    return f"{part_url}?{urlencode({'note': note_pk, 'at': key})}#card-{note_pk}"
