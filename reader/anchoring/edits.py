"""Following an edit: where a range's words are after a passage revision.

A revision knows the old text as well as the new, so the edit itself is
followed (a word diff), rather than the quote searched for afresh: see
`place`. Used alike for preview and apply, for annotations and motif
occurrences (reader/reanchoring.py), so what a curator's preview predicts is
exactly what the revision does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from rapidfuzz import fuzz

from .quotes import CONTEXT_LENGTH, Anchor, AnchorState, Quote, resolve
from .spans import (
    ORPHANED,
    SEPARATOR,
    Document,
    Placement,
    join_passages,
    local_placement,
    stored_range,
)


def place(
    *,
    old_texts: Sequence[str],
    new_texts: Sequence[str],
    start_offset: int,
    end_offset: int,
    quote: Quote,
) -> Placement:
    """Where a range lies after an edit, in the passages it now spans.

    `old_texts` and `new_texts` are the texts, before and after the edit, of
    the passages now from the range's first to its last (offsets in the old
    texts). A revision knows the old text as well as the new, so the edit
    itself is followed first (a word diff): words untouched by the edit are
    found exactly where the edit put them, even when the same words occur
    elsewhere; words the edit deleted are orphaned rather than looked for
    elsewhere; words the edit changed are followed only while they stay close
    to what was quoted. Only when the stored range no longer matched the old
    text (it was already stale) is the quote searched for by `resolve`.
    """
    new_doc = join_passages(new_texts)
    # The passages between the first and the last may be new (a paragraph
    # split off in this revision), so the range was made without them. That
    # is checked, never guessed: the stored range must give back the quote.
    ranges = [stored_range(old_texts, start_offset, end_offset)]
    if len(old_texts) > 2 and not _gives(ranges[0], quote):
        outer = [old_texts[0], old_texts[-1]]
        ranges.insert(0, stored_range(outer, start_offset, end_offset))
    old_doc, start, end = next((r for r in ranges if _gives(r, quote)), ranges[-1])
    if _gives((old_doc, start, end), quote):
        followed = follow_edit(old_doc.text, new_doc.text, start, end)
        if followed is None or not followed[2]:
            merged = _across_merged_break(old_doc.text, new_doc.text, start, quote)
            if merged is not None:
                return _placement(new_doc, merged, start_offset, end_offset)
        if followed is None:
            return ORPHANED
        new_start, new_end, intact = followed
        if not intact:
            new_start, new_end = _whole_words(
                new_doc.text, new_start, new_end, old_doc.text, start, end
            )
        words = new_doc.text[new_start:new_end]
        if not (intact and words == quote.exact) and not _still_their_words(
            old_doc.text, new_doc.text, (start, end), (new_start, new_end)
        ):
            return ORPHANED
        resolved = (new_start, new_end, intact and words == quote.exact)
    else:
        resolution = resolve(
            new_doc.text, Anchor(start=start, end=max(start, end), quote=quote)
        )
        if resolution.start is None or resolution.end is None:
            return ORPHANED
        resolved = (
            resolution.start,
            resolution.end,
            resolution.state == AnchorState.EXACT,
        )
    return _placement(new_doc, resolved, start_offset, end_offset)


def _gives(stored: tuple[Document, int, int], quote: Quote) -> bool:
    doc, start, end = stored
    return start < end and doc.text[start:end] == quote.exact


def _placement(
    new_doc: Document,
    resolved: tuple[int, int, bool],
    start_offset: int,
    end_offset: int,
) -> Placement:
    """Exact only for the same words at the same stored offsets."""
    new_start, new_end, same_words = resolved
    moved = local_placement(new_doc, AnchorState.MOVED, new_start, new_end)
    if same_words and (
        moved.first,
        moved.start_offset,
        moved.last,
        moved.end_offset,
    ) == (0, start_offset, len(new_doc.starts) - 1, end_offset):
        return replace(moved, state=AnchorState.EXACT)
    return moved


# Changed words are followed while they stay this close (rapidfuzz ratio, 0-100)
# to what was quoted: a fixed typo, a changed letter or a re-punctuated clause;
# a quote that lost a clause or more is orphaned rather than shrunk onto what
# is left. A word swapped for another is judged by `_a_word_swapped` instead:
# in a six-word quote one new word already costs the ratio more than this.
MIN_FOLLOW_SIMILARITY = 90

WORDS_PER_SWAPPED_WORD = 6
"""A quote may have one word swapped for another per this many of its words
(one in a quote of 6 to 11 words, two from 12), and never so many that fewer
than two of its own words are left: a two-word quote that lost a word is
half someone else's words, and is orphaned."""

# A word, with the apostrophes and hyphens inside it ("superintendent's",
# "yo-yo"), so that swapping it for another counts as one word.
WORD_RE = re.compile(r"\w+(?:[’'-]\w+)*")


def _still_their_words(
    old: str, new: str, quoted: tuple[int, int], followed: tuple[int, int]
) -> bool:
    """Are the words the edit put in place of old[quoted] still the reader's?

    Only if the edit touched nothing around them: their sentence, and
    `CONTEXT_LENGTH` code points beyond it on each side, are character for
    character what they were (see `_surroundings_kept`). Then a fixed typo
    (the words stay within MIN_FOLLOW_SIMILARITY) is followed, and so is a
    word swapped for another (one in WORDS_PER_SWAPPED_WORD, with at least
    two of the quote's own words left).
    """
    words = new[followed[0] : followed[1]]
    if not words.strip() or not _surroundings_kept(old, new, quoted, followed):
        return False
    exact = old[quoted[0] : quoted[1]]
    if fuzz.ratio(words, exact) >= MIN_FOLLOW_SIMILARITY:
        return True
    was, now = WORD_RE.findall(exact), WORD_RE.findall(words)
    if len(was) != len(now):
        return False
    swapped = sum(a != b for a, b in zip(was, now, strict=True))
    allowed = max(1, len(was) // WORDS_PER_SWAPPED_WORD)
    return swapped <= allowed and len(was) - swapped >= 2


def _surroundings_kept(
    old: str, new: str, quoted: tuple[int, int], followed: tuple[int, int]
) -> bool:
    """Is everything around the changed quote as it was?

    Around means the rest of its sentence and `CONTEXT_LENGTH` code points of
    the sentence on each side of it (no further: an edit two sentences away
    is not this quote's business), or up to the edge of the text (where the
    new text must end too). The diff lined the changed words up with the
    quote; this shows it is the same place in the same sentence. A sentence
    deleted and a near copy of it added elsewhere, even right beside where it
    was (two sentences swapped), is lined up the same way, but what stands
    around the copy is not what stood around the quote.
    """
    (start, end), (new_start, new_end) = quoted, followed
    begin, stop = _sentence_around(old, start, end)
    previous_begin = _sentence_around(old, begin - 1, begin - 1)[0] if begin else 0
    next_stop = (
        _sentence_around(old, stop + 1, stop + 1)[1] if stop < len(old) else stop
    )
    low = max(previous_begin, begin - CONTEXT_LENGTH)
    high = min(next_stop, stop + CONTEXT_LENGTH)
    new_low = new_start - (start - low)
    new_high = new_end + (high - end)
    # Neighbours that stand elsewhere in the text too (repetitive prose) do
    # not tell one place from another: then the sentence must also keep its
    # place in the order of sentences, or it may have moved past its twin.
    neighbours = [old[previous_begin:begin].strip(), old[stop:next_stop].strip()]
    if any(old.count(n) > 1 or new.count(n) > 1 for n in neighbours if n):
        new_begin = new_start - (start - begin)
        if _sentences_before(old, begin) != _sentences_before(new, new_begin):
            return False
    return (
        new_low >= 0
        and new[new_low:new_start] == old[low:start]
        and new[new_end:new_high] == old[end:high]
        and (low > 0 or new_low == 0)
        and (high < len(old) or new_high == len(new))
    )


def _sentences_before(text: str, position: int) -> int:
    return sum(1 for _ in SENTENCE_END_RE.finditer(text, 0, max(0, position)))


# The end of a sentence: terminal punctuation and any closing quotes, before a
# space or the end of the text (CJK full stops need no space), or a passage
# break in a quote over several passages.
SENTENCE_END_RE = re.compile(
    r"[.?!…][”’\"')\]]*(?=\s|$)|[。！？][」』”’)）]*|" + re.escape(SEPARATOR)
)


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence(s) holding text[start:end] begin and end."""
    begin = 0
    for match in SENTENCE_END_RE.finditer(text, 0, start):
        begin = match.end()
    stop = len(text)
    for match in SENTENCE_END_RE.finditer(text, start):
        if match.end() >= end:
            stop = match.end()
            break
    return begin, stop


def _whole_words(
    new: str, new_start: int, new_end: int, old: str, start: int, end: int
) -> tuple[int, int]:
    """A quote that began or ended on a word boundary keeps doing so when an
    edit changed the word at its edge (a diff may cut "purely" as "pure|ly")."""
    if (start == 0 or not old[start - 1].isalnum()) and old[start].isalnum():
        while (
            new_start > 0 and new[new_start - 1].isalnum() and new[new_start].isalnum()
        ):
            new_start -= 1
    if (end == len(old) or not old[end].isalnum()) and old[end - 1].isalnum():
        while (
            new_end < len(new) and new[new_end].isalnum() and new[new_end - 1].isalnum()
        ):
            new_end += 1
    return new_start, new_end


TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")


@lru_cache(maxsize=512)
def _opcodes(old: str, new: str) -> tuple[tuple[str, int, int, int, int], ...]:
    """The edit from old to new, word by word, in character offsets.

    Diffing words rather than characters keeps an inserted or deleted
    sentence whole instead of letting its letters align with the quote's.
    """
    old_tokens = [m.span() for m in TOKEN_RE.finditer(old)]
    new_tokens = [m.span() for m in TOKEN_RE.finditer(new)]
    matcher = difflib.SequenceMatcher(
        a=[old[a:b] for a, b in old_tokens],
        b=[new[a:b] for a, b in new_tokens],
        autojunk=False,
    )

    def at(tokens: list[tuple[int, int]], index: int, length: int) -> int:
        return tokens[index][0] if index < len(tokens) else length

    return tuple(
        (
            tag,
            at(old_tokens, i1, len(old)),
            at(old_tokens, i2, len(old)),
            at(new_tokens, j1, len(new)),
            at(new_tokens, j2, len(new)),
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    )


def _across_merged_break(
    old: str, new: str, start: int, quote: Quote
) -> tuple[int, int, bool] | None:
    """A quote over a passage break, after the two passages were merged.

    The break became a space and the quoted words run on from where the
    quote began (the next passage's text was appended to this one). Only the
    quote's first position is followed through the edit; the words there must
    be the quote's exactly, with the break read as a space.
    """
    if SEPARATOR not in quote.exact:
        return None
    joined = quote.exact.replace(SEPARATOR, " ")
    for tag, i1, i2, j1, _j2 in _opcodes(old, new):
        if tag == "equal" and i1 <= start < i2:
            new_start = j1 + (start - i1)
            if new[new_start : new_start + len(joined)] == joined:
                return new_start, new_start + len(joined), False
            return None
    return None


def follow_edit(
    old: str, new: str, start: int, end: int
) -> tuple[int, int, bool] | None:
    """Map old[start:end] into `new` through the edit between them.

    Returns (new start, new end, intact), where intact means the quoted words
    stand in `new` untouched, or None when the edit deleted the quoted words,
    deleted some of them, or inserted new words among them: those are no
    longer the words the reader quoted, and a shrunk or stretched highlight
    would mislead. Changed letters and swapped words are followed (the
    caller checks how close).

    A diff can often place an edit in more than one way: a sentence inserted
    before a quote that begins with the same words ("It was a plan. It was a
    small errand.") reads as well as words inserted inside it after "It was
    a". Where an edit at or inside the quote's edge can be read as lying just
    outside it, with the same new text, it is: the quote is intact.
    """
    ops = _opcodes(old, new)
    mapped = _map_through(ops, old, new, start, end)
    if mapped is not None and mapped[2]:
        return mapped
    exact = old[start:end]
    for candidate in _readings_outside(ops, start, end, mapped, old):
        if (
            0 <= candidate
            and new[candidate : candidate + len(exact)] == exact
            # Not "onto a" read in "onto about": whole words stay whole.
            and _word_edge(old, start) <= _word_edge(new, candidate)
            and _word_edge(old, end) <= _word_edge(new, candidate + len(exact))
        ):
            return candidate, candidate + len(exact), True
    return mapped


def _word_edge(text: str, position: int) -> bool:
    """Is `position` between words (or at an edge of the text)?"""
    return not (
        0 < position < len(text)
        and text[position - 1].isalnum()
        and text[position].isalnum()
    )


def _readings_outside(
    ops: tuple[tuple[str, int, int, int, int], ...],
    start: int,
    end: int,
    mapped: tuple[int, int, bool] | None,
    old: str,
) -> list[int]:
    """Where the quote would start in the new text if an edit that touches it
    lay just before it or just after it instead (the caller checks the words
    are there): at the mapped edges, and beside each such edit. An edit that
    touches the quote's sentence counts too: a diff may split one inserted
    sentence into a change inside the quote and the rest after its full stop.
    """
    length = end - start
    starts = [mapped[0], mapped[1] - length] if mapped else []
    begin, stop = _sentence_around(old, start, end)
    touched = any(
        tag != "equal" and i1 <= end and i2 >= start for tag, i1, i2, _, _ in ops
    )
    for tag, i1, i2, j1, j2 in ops:
        beside = touched and i1 <= stop + 1 and i2 >= begin
        if tag != "equal" and (i1 <= end and i2 >= start or beside):
            # The edit ending where the quote starts, or starting where it ends.
            starts += [j2 - (i2 - start), j1 - (i1 - start)]
    return starts


def _map_through(
    ops: tuple[tuple[str, int, int, int, int], ...],
    old: str,
    new: str,
    start: int,
    end: int,
) -> tuple[int, int, bool] | None:
    """follow_edit, reading the edit as the word diff aligned it."""
    new_start = new_end = None
    intact = True
    for tag, i1, i2, j1, j2 in ops:
        if tag == "insert":
            if start < i1 < end:
                if _has_word(new[j1:j2]):
                    return None  # new words inside the quote
                intact = False
            continue
        if i2 <= start or i1 >= end:
            continue
        lost = old[max(start, i1) : min(end, i2)]
        if tag == "equal":
            if new_start is None:
                new_start = j1 + (max(start, i1) - i1)
            new_end = j1 + (min(end, i2) - i1)
            intact = intact and i1 <= start and i2 >= end
            continue
        intact = False
        if tag == "delete":
            if _has_word(lost):
                return None  # some of the quoted words are gone
            continue
        # A replacement: a changed letter, or words swapped one for one, is
        # followed; one that shrinks or grows the quoted words is not.
        inside = start <= i1 and i2 <= end
        one_for_one = len(WORD_RE.findall(lost)) == len(WORD_RE.findall(new[j1:j2]))
        if not (inside and one_for_one) and abs(len(lost) - (j2 - j1)) > max(
            3, len(lost) // 2
        ):
            return None
        if new_start is None:
            new_start = j1
        new_end = j2
    if new_start is None or new_end is None or new_end <= new_start:
        return None
    return new_start, new_end, intact


def _has_word(text: str) -> bool:
    """At least two letters or digits in a row: a word, not punctuation."""
    run = 0
    for char in text:
        run = run + 1 if char.isalnum() else 0
        if run >= 2:
            return True
    return False


def texts_it_was_on(
    *,
    texts: Sequence[str],
    earlier: Sequence[Mapping[int, str]],
    revision: int | None,
    start_offset: int,
    end_offset: int,
    quote: Quote,
) -> list[str] | None:
    """The texts an orphan's stored range was made on, or None if not found.

    An orphan keeps the offsets it had in the text that lost its words, and
    the revision of its first passage it was anchored on. When a later
    revision brings the words back (a revert, say), they are followed from
    that text through the edit to now, like any other: a look-alike elsewhere
    is still no reason to move. `texts` are the texts of the passages from
    the range's first to its last just before the edit being followed,
    `earlier` each one's kept earlier texts by revision. The first passage is
    tried at `revision`, then at every earlier one; the others at `texts`,
    then newest first; each until its part of the stored range gives back
    its part of the quote. Checked, never guessed: None unless every part
    does.
    """
    parts = quote.exact.split(SEPARATOR)
    if len(parts) == len(texts):
        outer = list(range(len(texts)))
    elif len(parts) == 2:
        # A passage split off inside the range since: only its ends are
        # checked here, `place` makes sure the range gives back the quote.
        outer = [0, len(texts) - 1]
    else:
        return None
    ends: list[tuple[int | None, int | None]] = [(None, None)] * len(outer)
    ends[0] = (start_offset, None)
    ends[-1] = (ends[-1][0], end_offset)
    found = list(texts)
    for nth, (index, (start, end), part) in enumerate(
        zip(outer, ends, parts, strict=True)
    ):
        history = earlier[index]
        # The first passage's revision is recorded: its text, then earlier
        # ones (an occurrence orphaned before this was recorded kept the
        # revision that lost its words). The others: newest first.
        newest = revision if nth == 0 and revision is not None else None
        if newest is None or newest not in history:
            candidates = [texts[index]]
        else:
            candidates = [history[newest]]
        candidates += [
            history[r]
            for r in sorted(history, reverse=True)
            if newest is None or r < newest
        ]
        text = next((t for t in candidates if t[start:end] == part), None)
        if text is None:
            return None
        found[index] = text
    return found
