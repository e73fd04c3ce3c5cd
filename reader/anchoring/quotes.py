"""Resolving a quote in a text: where a stored anchor lies now, if anywhere.

A range stores a position and the quote `build_quote` makes of it; `resolve`
re-computes it against the text as it reads now, and `locate` places words
given as they stand in a text.

An anchor keeps two descriptions of the same range, as the W3C Web Annotation
model does: a position (code point offsets, a TextPositionSelector) and a quote
with up to `CONTEXT_LENGTH` code points of context on each side (a
TextQuoteSelector). The position is exact but brittle; the quote survives edits
elsewhere in the text. `resolve` tries, in order:

1. the stored position still holds the quote: `EXACT`;
2. the quote occurs verbatim elsewhere, once, or the context picks one
   occurrence (a short quote only where its context agrees): `MOVED`;
3. a fuzzy match, judged on the quote first and the context second: `MOVED`;
4. otherwise `ORPHANED`.

A wrong anchor is worse than an orphan: an orphan can be re-attached by its
author or a curator, a wrong anchor silently points readers at text the
annotation is not about. So every step refuses weak evidence, and ambiguity
that the context cannot settle ends in an orphan rather than a guess.

Two measures, both from rapidfuzz. The quote is scored by normalised Indel
similarity (`fuzz.ratio` / 100: twice the longest common subsequence over the
sum of the lengths), so text added to or lost from the quote both count. Each
side of the context is scored by coverage: the share of the stored prefix or
suffix found, in order, in the current text beside the candidate. The
thresholds below were calibrated on the bundled study edition (the numbers are
quoted where each is defined) by re-anchoring random quotes of its paragraphs
through simulated revisions: inserting or deleting other sentences, fixing a
typo inside the quote, and deleting or replacing the quoted sentence. Of
36,000 deleted or replaced quotes none was re-anchored, and every fixed typo
was. The price is paid by short quotes: when another sentence of the paragraph
was deleted, 12% of them were orphaned (8% when one was inserted), because the
edited sentence sat right beside the quote and one side of its context can
vouch for nothing on its own. Long quotes were never orphaned by those edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

CONTEXT_LENGTH = 32
"""Code points of context kept on each side of a quote (fewer at text edges)."""

SHORT_QUOTE_LENGTH = 16
"""Quotes shorter than this are never re-anchored on their text alone.

A verbatim occurrence of a short quote is weak evidence. Across the study
edition's 57,000 code points, a phrase starting on a word recurs somewhere else
94% of the time at 4 code points, 14% at 12 and 4% at 16. So a short quote
needs its context to agree on both sides before it is accepted anywhere, even
at its stored offsets; a longer quote found once moves on its own.
"""

MIN_CONTEXT_SIMILARITY = 0.75
"""Context at least this similar "supports" a candidate.

Two unrelated 32 code point stretches of the study edition cover each other
0.44 at the median and under 0.66 in 99.9% of pairs; 0.75 stays clear of that,
while a word or short clause inserted beside the quote still leaves it above.
Long quotes need the length-weighted mean of both sides to reach it, short
ones each side (see `_supported`).
"""

CONTEXT_MARGIN = 0.10
"""Context "clearly picks" a candidate when it beats the others by this much."""

MIN_QUOTE_SIMILARITY = 0.80
"""A fuzzy match must resemble the quote at least this much.

0.8 allows a fixed typo, a changed word or a re-punctuated clause, but not a
different sentence built from the same words: a quote that loses a third of its
text to the edit falls below it.
"""

QUOTE_TIE_MARGIN = 0.10
"""Fuzzy candidates this close on the quote are told apart by context instead.

One word changed in a 25 code point quote costs about 0.08: candidates that
close are equally plausible as text, and the context is the better witness
of which one the reader marked.
"""

STRONG_QUOTE_SIMILARITY = 0.90
"""A quote that kept no context at all (it was the whole text) can only be
confirmed by itself: a fuzzy match of it is accepted at this similarity, if it
is not short. Without this, highlighting a whole paragraph and then fixing a
typo in it would orphan the highlight. A quote that did keep context gets no
such pass, however similar the match: a near-copy of a deleted sentence
elsewhere in the passage would otherwise inherit its annotations.
"""

CONTEXT_SLACK = 8
"""How far beyond the stored context's length its match may reach, so a word
inserted right beside the quote only costs the context what it displaced."""

MAX_FUZZY_SEARCHES = 32
"""Bound on the alignment searches for fuzzy candidates, so text that is
nothing but near-copies of the quote cannot make re-anchoring slow.

Each search is one rapidfuzz alignment of the quote against what is left of
the text: well under a millisecond for a sentence in a paragraph, about 20 ms
for a 1,000 code point quote in a whole part, about a second for a 4,000 code
point one (a quote spanning several long passages), which only a quote that
is not found verbatim ever pays.
"""

_COARSE_SIMILARITY = 0.60
# partial_ratio_alignment compares windows as long as the quote, so a quote that
# grew or shrank scores lower there than after its boundaries are refined:
# search loosely, then hold the refined match to MIN_QUOTE_SIMILARITY.


class AnchorState(StrEnum):
    """What re-anchoring found; stored on the annotation as `anchor_state`.

    A StrEnum (a str and an Enum), so its members compare equal to the values
    the model's choices store.
    """

    EXACT = "exact"
    MOVED = "moved"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Quote:
    """A W3C TextQuoteSelector: the quoted text and its surroundings.

    `prefix` and `suffix` are shorter than `CONTEXT_LENGTH` only where the text
    ends, so an empty one means "the quote touched the edge of the text".
    """

    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Anchor:
    """A stored range: code point offsets (end exclusive) plus its quote.

    Not validated on construction: anchors are read back from the database and
    may describe text that has since changed, which `resolve` must survive.
    """

    start: int
    end: int
    quote: Quote


@dataclass(frozen=True)
class Resolution:
    """Where an anchor lies in the current text, and how sure we are.

    `score` is the similarity of the resolved text to the quote: 1.0 whenever
    the quote was found verbatim, the fuzzy similarity for a fuzzy match, and
    0.0 for an orphan (whose offsets are None).
    """

    state: AnchorState
    start: int | None
    end: int | None
    score: float


_ORPHANED = Resolution(AnchorState.ORPHANED, None, None, 0.0)


@dataclass(frozen=True)
class _Candidate:
    """A place the quote might now be, with the evidence for it."""

    start: int
    end: int
    quote_similarity: float
    # Length-weighted mean coverage of prefix and suffix: what ranks candidates.
    # None when the quote kept no context (it was the whole text).
    context: float | None
    # The less similar of the (non-empty) sides: what a short quote must pass.
    weaker_side: float | None


def build_quote(text: str, start: int, end: int) -> Quote:
    """Quote `text[start:end]` with up to `CONTEXT_LENGTH` code points around it.

    Raises ValueError for an empty or out-of-range span and for a span of only
    whitespace, which no reader means to annotate and which could never be
    re-anchored with any confidence.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(
            f"invalid span {start}:{end}: need 0 <= start < end <= {len(text)} "
            "(the length of the text in code points)"
        )
    exact = text[start:end]
    if exact.isspace():
        raise ValueError(f"span {start}:{end} holds only whitespace")
    return Quote(
        exact=exact,
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
    )


def resolve(text: str, anchor: Anchor) -> Resolution:
    """Re-anchor a stored anchor against the current text.

    Never raises for a stored anchor, however stale: offsets out of range just
    skip the first step, and a quote with nothing to find is an orphan.
    """
    exact = anchor.quote.exact
    if not exact or exact.isspace():
        return _ORPHANED
    if _still_holds(text, anchor):
        return Resolution(AnchorState.EXACT, anchor.start, anchor.end, 1.0)
    found = _find_verbatim(text, anchor) or _find_fuzzy(text, anchor)
    if found is None:
        return _ORPHANED
    return Resolution(AnchorState.MOVED, found.start, found.end, found.quote_similarity)


def _still_holds(text: str, anchor: Anchor) -> bool:
    """Step 1: the stored offsets still hold the quote.

    A short quote must also keep its context, when it kept any: "He" at the
    same offset is as likely the next sentence's "He", moved up because the
    quoted sentence was deleted, as the same word.
    """
    start, end, quote = anchor.start, anchor.end, anchor.quote
    if not (0 <= start < end <= len(text) and text[start:end] == quote.exact):
        return False
    if len(quote.exact) >= SHORT_QUOTE_LENGTH:
        return True
    here = _candidate(text, start, end, quote, 1.0)
    return here.context is None or _supported(here, short=True)


def _find_verbatim(text: str, anchor: Anchor) -> _Candidate | None:
    """Step 2: the quote occurs verbatim elsewhere.

    A long quote occurring once is accepted as it is; otherwise the context has
    to pick the occurrence, and a short quote's occurrence is not even a
    candidate unless its context supports it.
    """
    quote = anchor.quote
    length = len(quote.exact)
    candidates = [
        _candidate(text, start, start + length, quote, 1.0)
        for start in _occurrences(text, quote.exact)
    ]
    if length < SHORT_QUOTE_LENGTH:
        candidates = [c for c in candidates if _supported(c, short=True)]
    return _pick(candidates, anchor.start)


def _find_fuzzy(text: str, anchor: Anchor) -> _Candidate | None:
    """Step 3: the best approximate match, if it is good enough and confirmed.

    Every candidate must reach `MIN_QUOTE_SIMILARITY` and be confirmed by its
    context; see `STRONG_QUOTE_SIMILARITY` for a quote that kept none.
    """
    quote = anchor.quote
    short = len(quote.exact) < SHORT_QUOTE_LENGTH
    eligible = [
        candidate
        for candidate in _fuzzy_candidates(text, quote)
        if _supported(candidate, short=short)
        or (
            candidate.context is None
            and not short
            and candidate.quote_similarity >= STRONG_QUOTE_SIMILARITY
        )
    ]
    return _pick(eligible, anchor.start)


def _pick(candidates: list[_Candidate], old_start: int) -> _Candidate | None:
    """Choose among acceptable candidates: quote first, context second.

    One candidate is taken as it is. Among several, those within
    `QUOTE_TIE_MARGIN` of the best quote similarity are compared on context;
    the context must support the winner, and candidates it cannot separate
    (within `CONTEXT_MARGIN`) are settled by nearness to the old position,
    still only among those the context supports. No support: no guess.
    """
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    best_quote = max(c.quote_similarity for c in candidates)
    leaders = [
        c for c in candidates if c.quote_similarity >= best_quote - QUOTE_TIE_MARGIN
    ]
    if len(leaders) == 1:
        return leaders[0]
    best_context = max(c.context or 0.0 for c in leaders)
    if best_context < MIN_CONTEXT_SIMILARITY:
        return None
    bar = max(best_context - CONTEXT_MARGIN, MIN_CONTEXT_SIMILARITY)
    contenders = [c for c in leaders if (c.context or 0.0) >= bar]
    return min(contenders, key=lambda c: (abs(c.start - old_start), c.start))


def _supported(candidate: _Candidate, *, short: bool) -> bool:
    """Does the context around a candidate confirm it?

    For a long quote the mean of both sides must reach MIN_CONTEXT_SIMILARITY.
    A short quote needs both sides to: when the quoted sentence is deleted,
    the text before it now runs straight into the text after it, so one side
    of the context agrees at many wrong places, and a short quote ("She",
    "the") readily turns up at one of them.
    """
    value = candidate.weaker_side if short else candidate.context
    return value is not None and value >= MIN_CONTEXT_SIMILARITY


def _candidate(
    text: str, start: int, end: int, quote: Quote, quote_similarity: float
) -> _Candidate:
    """Weigh the context around `text[start:end]` against the stored one.

    Each side scores the share of its stored context found, in order, in the
    current text next to the candidate, looking up to `CONTEXT_SLACK` code
    points further out so that a word inserted right beside the quote does
    not hide the context behind it. The mean weights the sides by length. An
    empty side carries no weight and no vote: a quote that began the text
    says nothing about text inserted before it since.
    """
    sides = []
    if quote.prefix:
        reach = len(quote.prefix) + CONTEXT_SLACK
        before = text[max(0, start - reach) : start]
        sides.append((len(quote.prefix), _coverage(quote.prefix, before)))
    if quote.suffix:
        after = text[end : end + len(quote.suffix) + CONTEXT_SLACK]
        sides.append((len(quote.suffix), _coverage(quote.suffix, after)))
    if not sides:
        return _Candidate(start, end, quote_similarity, None, None)
    total = sum(weight for weight, _ in sides)
    mean = sum(weight * value for weight, value in sides) / total
    weaker = min(value for _, value in sides)
    return _Candidate(start, end, quote_similarity, mean, weaker)


def _coverage(stored: str, current: str) -> float:
    """Share of `stored` found in order in `current` (LCS / len(stored))."""
    return LCSseq.similarity(stored, current) / len(stored)


def _occurrences(text: str, exact: str) -> list[int]:
    """Every start of `exact` in `text`, overlapping ones included."""
    starts = []
    position = text.find(exact)
    while position != -1:
        starts.append(position)
        position = text.find(exact, position + 1)
    return starts


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100


def _fuzzy_candidates(text: str, quote: Quote) -> list[_Candidate]:
    """Non-overlapping approximate matches of the quote, best first per region.

    rapidfuzz finds the best-aligned window in a region; its ends are refined,
    and the search goes on in what is left on either side, so a passage that
    repeats a sentence yields every copy for the context to judge.
    """
    exact = quote.exact
    # The shortest text that can still reach MIN_QUOTE_SIMILARITY.
    shortest = len(exact) * MIN_QUOTE_SIMILARITY / (2 - MIN_QUOTE_SIMILARITY)
    candidates: list[_Candidate] = []
    regions = [(0, len(text))]
    searches = 0
    while regions and searches < MAX_FUZZY_SEARCHES:
        low, high = regions.pop()
        if high - low < max(1, shortest):
            continue
        searches += 1
        alignment = fuzz.partial_ratio_alignment(
            exact, text[low:high], score_cutoff=_COARSE_SIMILARITY * 100
        )
        if alignment is None:
            continue
        start, end = low + alignment.dest_start, low + alignment.dest_end
        regions.extend([(low, start), (end, high)])
        span = _refine(text, quote, start, end, low, high)
        if span is None:
            continue
        similarity = _similarity(exact, text[span[0] : span[1]])
        if similarity >= MIN_QUOTE_SIMILARITY:
            candidates.append(_candidate(text, *span, quote, similarity))
    return candidates


def _refine(
    text: str, quote: Quote, start: int, end: int, low: int, high: int
) -> tuple[int, int] | None:
    """Fit an aligned window to the text the quote now corresponds to.

    The window is as long as the quote, but an edit may have made the quoted
    text longer or shorter: each end is scanned in turn for the best `_fit`,
    within [low, high] and by up to half the quote's length (the most a match
    above MIN_QUOTE_SIMILARITY can differ by), until neither moves. Then an end the
    quote had on a word boundary is put back on one, so "She" is not matched
    to the "he" inside "The", and whitespace the quote did not begin or end
    with is trimmed, so a highlight does not swallow a neighbouring space.
    None if no such span is left.
    """
    exact = quote.exact
    slack = max(4, len(exact) // 2)
    best = _fit(exact, text[start:end])
    for _ in range(4):
        moved = False
        for new_end in range(max(start + 1, end - slack), min(high, end + slack) + 1):
            score = _fit(exact, text[start:new_end])
            if score > best:
                best, end, moved = score, new_end, True
        for new_start in range(max(low, start - slack), min(end, start + slack)):
            score = _fit(exact, text[new_start:end])
            if score > best:
                best, start, moved = score, new_start, True
        if not moved:
            break
    if _on_boundary(quote.prefix[-1:], exact[:1]):
        options = _boundaries_around(text, start, low, end)
        start = max(options, key=lambda s: _fit(exact, text[s:end]), default=-1)
        if start < 0:
            return None
    if _on_boundary(exact[-1:], quote.suffix[:1]):
        options = _boundaries_around(text, end, start + 1, high)
        end = max(options, key=lambda e: _fit(exact, text[start:e]), default=-1)
        if end < 0:
            return None
    if not exact[0].isspace():
        while start < end and text[start].isspace():
            start += 1
    if not exact[-1].isspace():
        while end > start and text[end - 1].isspace():
            end -= 1
    return (start, end) if start < end else None


def _fit(exact: str, window: str) -> float:
    """How well a window fits the quote, for placing its ends.

    Similarity alone would rather drop the quote's first words than span
    words inserted among them ("counted the boats" is closer to "boats" than
    to "counted all of the fishing boats"); a small bonus for each quoted
    character the window covers tips near-ties towards keeping all of it.
    """
    covered = LCSseq.similarity(exact, window) / len(exact)
    return _similarity(exact, window) + 0.1 * covered


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _on_boundary(before: str, after: str) -> bool:
    """Is there a word boundary between two characters ("" at a text edge)?"""
    return not (before and after and _is_word(before) and _is_word(after))


def _at_boundary(text: str, position: int) -> bool:
    before = text[position - 1] if position > 0 else ""
    return _on_boundary(before, text[position : position + 1])


def _boundaries_around(text: str, position: int, low: int, high: int) -> list[int]:
    """`position` if it is on a word boundary, else the nearest boundary on
    each side of it within [low, high]."""
    if _at_boundary(text, position):
        return [position]
    left, right = position, position
    while left > low and not _at_boundary(text, left):
        left -= 1
    while right < high and not _at_boundary(text, right):
        right += 1
    return [p for p in (left, right) if _at_boundary(text, p)]


def locate(
    text: str, quote: Quote, start: int | None = None, end: int | None = None
) -> Resolution:
    """Place words given as they stand in `text`, not followed from an older
    text: a motif's quote, or a proposal's words in a passage revised since.

    The caller has already said which text the words are in, so found there
    once they are the place, however short. Otherwise they are placed as
    `resolve` places a note's quote: at the position, if one is given and
    still holds them, else at the occurrence the context picks. Never
    fuzzily: words given as they stand are found verbatim or not at all.
    """
    exact = quote.exact
    if not exact or exact.isspace():
        return _ORPHANED
    anchor = Anchor(
        start=-1 if start is None else start,
        end=-1 if end is None else end,
        quote=quote,
    )
    if _still_holds(text, anchor):
        return Resolution(AnchorState.EXACT, anchor.start, anchor.end, 1.0)
    starts = _occurrences(text, exact)
    if len(starts) == 1:
        return Resolution(AnchorState.MOVED, starts[0], starts[0] + len(exact), 1.0)
    found = _find_verbatim(text, anchor)
    if found is None:
        return _ORPHANED
    return Resolution(AnchorState.MOVED, found.start, found.end, 1.0)
