"""What a reader typed, made into a query no engine can choke on.

Every search goes through `parse_query`: the reader's words are read here
(never handed to FTS5 or PostgreSQL as syntax), and each engine writes its
own query from the words alone, every word quoted or made of letters and
digits only. So no input can raise: quotes, `*`, `-`, `NEAR`, `AND`/`OR`/
`NOT`, parentheses and colons are either the few operators below or plain
text. What is understood:

- words: all must be there; case and accents do not count ("Kobo" finds
  "Kōbō") and English words are stemmed ("masks" finds "mask");
- "a phrase in quotes": these words in this order (an unclosed quote runs
  to the end);
- `mask*`: words that begin so;
- `-word` or `-"a phrase"`: leave out what has it (only beside something
  to look for);
- anything else (punctuation, operators of either engine's syntax) is not
  an operator: `face-to-face` is the phrase "face to face", `NEAR` the word.

Input is cut at MAX_QUERY_LENGTH characters (`truncated` says so, for the
page to tell the reader) and at MAX_TERMS terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The longest search read, in characters: longer input is cut here, and the
# result says it was (`ParsedQuery.truncated`).
MAX_QUERY_LENGTH = 200
# More terms than a reader types in a search box: the rest are dropped.
MAX_TERMS = 32

# A word as both engines' tokenizers see one: letters and digits, with
# anything else between words. Underscores are not letters to PostgreSQL.
_WORD = re.compile(r"[^\W_]+")
# A chunk outside quotes: an optional minus, then anything up to a space or a
# quote.
_CHUNK = re.compile(r'(-?)([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """Words that must stand together (one word, or a phrase)."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word may go on (`mask*`)
    negated: bool = False  # leave out what has it

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what was read (after cutting)
    terms: tuple[Term, ...] = ()
    truncated: bool = False
    # Why there is nothing to search for, in words for the reader ("" if
    # there is, or if the box was simply empty).
    error: str = ""

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    def __bool__(self) -> bool:
        """Is there something to search for?"""
        return bool(self.positive)

    @property
    def words(self) -> tuple[str, ...]:
        """The words looked for, for marking them on the page."""
        return tuple(w for t in self.positive for w in t.words)


def _term(chunk: str, *, negated: bool, phrase: bool) -> Term | None:
    prefix = not phrase and chunk.endswith("*")
    words = tuple(w.casefold() for w in _WORD.findall(chunk))
    if not words:
        return None
    return Term(words=words, prefix=prefix, negated=negated)


def parse_query(raw: object) -> ParsedQuery:
    """Read a search box's input; never raises."""
    text = raw if isinstance(raw, str) else ""
    # "ō" typed as "o" and a combining macron is one letter, as in the text.
    text = unicodedata.normalize("NFC", text[: MAX_QUERY_LENGTH * 4])
    # Control characters are never words; NUL would upset SQLite's C strings.
    text = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in text).strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    terms: list[Term] = []
    rest = text
    while rest and len(terms) < MAX_TERMS:
        rest = rest.lstrip()
        if not rest:
            break
        negated = False
        if rest.startswith('-"'):
            negated, rest = True, rest[1:]
        if rest.startswith('"'):
            end = rest.find('"', 1)
            inside, rest = (rest[1:], "") if end < 0 else (rest[1:end], rest[end + 1 :])
            term = _term(inside, negated=negated, phrase=True)
        else:
            match = _CHUNK.match(rest)
            if match is None:  # a lone quote was handled above: cannot happen
                rest = rest[1:]
                continue
            rest = rest[match.end() :]
            term = _term(match.group(2), negated=bool(match.group(1)), phrase=False)
        if term is not None and term not in terms:
            terms.append(term)
    if len(terms) >= MAX_TERMS:
        truncated = True
    parsed = ParsedQuery(text=text, terms=tuple(terms), truncated=truncated)
    if terms and not parsed.positive:
        return ParsedQuery(
            text=text,
            terms=tuple(terms),
            truncated=truncated,
            error=str(_("Say what to look for, not only what to leave out (-word).")),
        )
    if text and not terms:
        return ParsedQuery(
            text=text,
            truncated=truncated,
            error=str(_("Type a word to look for: letters or digits.")),
        )
    return parsed


# --- Each engine's syntax, from the words alone ------------------------------


def _fts5_term(term: Term) -> str:
    # Words are letters and digits only, and quoted: FTS5 reads no operator
    # in them (NEAR, AND, OR, NOT are words here).
    quoted = '"' + " ".join(term.words) + '"'
    return quoted + " *" if term.prefix else quoted


def to_fts5(query: ParsedQuery) -> str:
    """FTS5's MATCH expression: every positive term, none of the negative."""
    expression = " AND ".join(_fts5_term(t) for t in query.positive)
    if len(query.positive) > 1:
        expression = f"({expression})"
    for term in query.negative:
        expression += f" NOT {_fts5_term(term)}"
    return expression


def to_websearch(terms: tuple[Term, ...]) -> str:
    """PostgreSQL's websearch_to_tsquery text for terms without a prefix:
    phrases in quotes, `-` before what is left out; it never raises."""
    parts = []
    for term in terms:
        words = " ".join(term.words)
        text = f'"{words}"' if term.is_phrase else words
        parts.append(f"-{text}" if term.negated else text)
    return " ".join(parts)


def to_tsquery_prefix(term: Term) -> str:
    """PostgreSQL's to_tsquery text for a prefix term (websearch has no
    prefixes): letters and digits only, so nothing in it is an operator."""
    words = [f"'{w}'" for w in term.words]
    words[-1] += ":*"
    text = " <-> ".join(words)
    return f"!({text})" if term.negated else text
