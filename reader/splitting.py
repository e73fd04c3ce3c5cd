"""Split imported blocks into the novel's parts and keyed passages. Pure Python.

The novel has a fixed shape: an opening address to the wife, three notebooks,
notes written on the notebook's blank pages, the wife's letter, and the notes
that continue after it. An imported book marks the parts with headings whose
wording depends on the translation, so each part has a regular expression
(`PartPattern.pattern`) that curators can edit; the defaults cover the English
and German titles.

Passage keys are forever (readers annotate them), so re-importing a corrected
text must not renumber anything: `assign_keys` carries each key over to the
same or the most similar paragraph, and new paragraphs get numbers that were
never used before.

Nothing here raises on a bad book: everything that looks wrong becomes a
`SplitProblem`. Errors mean the split cannot be used as it stands; warnings are
for the curator to look at before accepting it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from reader.edition_files import KEY_RE, MAX_KEY_LENGTH, PART_KINDS, SLUG_RE
from reader.import_files import Block

# A paragraph this long is almost always several paragraphs that lost the blank
# lines between them.
MAX_PASSAGE_WORDS = 1000
# rapidfuzz.fuzz.ratio (0-100) from which an edited paragraph is "the same"
# paragraph and keeps its key.
SIMILARITY_CUTOFF = 60
# Unrecognised headings named in the warning; the rest are counted.
MAX_LISTED_HEADINGS = 3
# Longer "headings" are prose misread as headings; they never name a part, and
# not matching them keeps curator-written patterns away from long inputs.
MAX_HEADING_CHARS = 200
# Keys are prefix-NNN; the prefix leaves room for the number within the limit.
MAX_PREFIX_LENGTH = MAX_KEY_LENGTH - 10
PATTERN_FIELDS = ("slug", "kind", "key_prefix", "title", "short title", "pattern")


@dataclass(frozen=True)
class PartPattern:
    """One part of the novel and how to recognise its heading."""

    slug: str
    title: str
    short_title: str
    kind: str  # frame | notebook | letter
    key_prefix: str
    # Matched case-insensitively against the whole heading. "" marks the
    # implicit part: the text before the first recognised heading.
    pattern: str

    @property
    def implicit(self) -> bool:
        return not self.pattern


DEFAULT_PATTERNS: list[PartPattern] = [
    PartPattern(
        slug="opening-address",
        title="The Opening Address",
        short_title="Opening Address",
        kind="frame",
        key_prefix="address",
        pattern="",
    ),
    PartPattern(
        slug="black-notebook",
        title="The Black Notebook",
        short_title="Black Notebook",
        kind="notebook",
        key_prefix="black",
        pattern="(the )?black notebook|das schwarze heft",
    ),
    PartPattern(
        slug="white-notebook",
        title="The White Notebook",
        short_title="White Notebook",
        kind="notebook",
        key_prefix="white",
        pattern="(the )?white notebook|das wei(ß|ss)e heft",
    ),
    PartPattern(
        slug="gray-notebook",
        title="The Gray Notebook",
        short_title="Gray Notebook",
        kind="notebook",
        key_prefix="gray",
        pattern="(the )?gr[ae]y notebook|das graue heft",
    ),
    PartPattern(
        slug="final-notes",
        title="On the Blank Pages",
        short_title="Final Notes",
        kind="frame",
        key_prefix="final",
        pattern=(
            "(on )?the blank pages|blank pages|final notes"
            "|(auf )?den leeren seiten|die leeren seiten"
        ),
    ),
    PartPattern(
        slug="wifes-letter",
        title="My Wife’s Letter",
        short_title="Wife’s Letter",
        kind="letter",
        key_prefix="letter",
        pattern=(
            "my wife['’]?s letter|(the )?wife['’]?s letter"
            "|(der )?brief meiner frau|der brief"
        ),
    ),
    PartPattern(
        slug="final-notes-continued",
        title="On the Blank Pages, Continued",
        short_title="Final Notes, continued",
        kind="frame",
        key_prefix="after",
        pattern=(
            "(on the blank pages,? )?continued|after the letter"
            "|fortsetzung|nach dem brief"
        ),
    ),
]


@dataclass
class SplitPart:
    """A recognised part with its passages as (key, text, source line)."""

    pattern: PartPattern
    order: int  # the part's place in reading order, from 1
    heading_line: int | None  # None for the implicit opening part
    passages: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class SplitProblem:
    """An error blocks the import; a warning asks the curator to look."""

    level: str  # "error" | "warning"
    message: str


@dataclass
class SplitResult:
    """The parts in the order the file has them, and what looks wrong."""

    parts: list[SplitPart]
    problems: list[SplitProblem]

    @property
    def ok(self) -> bool:
        return not any(problem.level == "error" for problem in self.problems)


def split_blocks(
    blocks: Sequence[Block],
    patterns: Sequence[PartPattern] = DEFAULT_PATTERNS,
    *,
    previous: dict[str, list[tuple[str, str]]] | None = None,
) -> SplitResult:
    """Cut the blocks into parts at recognised headings and key the passages.

    `previous` maps a part slug to the (key, text) passages of an earlier
    import, so that keys survive a re-import (see `assign_keys`).
    """
    matchers = [
        (pattern, re.compile(pattern.pattern, re.IGNORECASE))
        for pattern in patterns
        if not pattern.implicit
    ]
    implicit = next((pattern for pattern in patterns if pattern.implicit), None)
    order_of = {pattern.slug: order for order, pattern in enumerate(patterns, 1)}

    parts: dict[str, SplitPart] = {}  # insertion order is the file's order
    paragraphs: dict[str, list[tuple[str, int]]] = {}
    errors: list[str] = []
    warnings: list[str] = []
    unrecognised: list[Block] = []
    dropped: list[Block] = []
    current: SplitPart | None = None

    for block in blocks:
        text = _fold(block.text)
        if not text:
            continue
        if block.kind == "heading":
            pattern = _recognise(text, matchers)
            if pattern is None:
                unrecognised.append(block)
            elif pattern.slug in parts:
                first = parts[pattern.slug]
                errors.append(
                    f"{pattern.title} appears twice: lines {first.heading_line} "
                    f"and {block.line}."
                )
                current = first  # keep its text together for the preview
            else:
                current = SplitPart(pattern, order_of[pattern.slug], block.line)
                parts[pattern.slug] = current
                paragraphs[pattern.slug] = []
            continue
        if current is None:
            if implicit is None:
                dropped.append(block)
                continue
            current = SplitPart(implicit, order_of[implicit.slug], None)
            parts[implicit.slug] = current
            paragraphs[implicit.slug] = []
        paragraphs[current.pattern.slug].append((text, block.line))

    previous = previous or {}
    for slug, part in parts.items():
        texts = [text for text, _line in paragraphs[slug]]
        keys = assign_keys(part.pattern.key_prefix, texts, previous.get(slug))
        part.passages = [
            (key, text, line)
            for key, (text, line) in zip(keys, paragraphs[slug], strict=True)
        ]

    if unrecognised:
        warnings.append(_unrecognised_warning(unrecognised))
    if dropped:
        warnings.append(
            f"{_count(len(dropped), 'paragraph')} before the first part heading "
            f"(from line {dropped[0].line}) were dropped: no part takes the text "
            "before its heading."
        )
    if not any(part.heading_line is not None for part in parts.values()) and matchers:
        return SplitResult(
            parts=list(parts.values()),
            problems=[
                SplitProblem(
                    "error",
                    "No parts recognised: none of the headings matches the part "
                    "patterns.",
                ),
                *(SplitProblem("warning", message) for message in warnings),
            ],
        )

    errors.extend(_order_errors(list(parts.values())))
    errors.extend(_duplicate_key_errors(list(parts.values())))
    missing = [pattern.title for pattern in patterns if pattern.slug not in parts]
    if missing:
        warnings.append(f"Missing: {'; '.join(missing)}.")
    for part in parts.values():
        if not part.passages:
            warnings.append(
                f"{part.pattern.title} (line {part.heading_line}) has a heading "
                "but no passages."
            )
        for key, text, _line in part.passages:
            words = len(text.split())
            if words > MAX_PASSAGE_WORDS:
                warnings.append(
                    f"Passage {key} is very long ({words:,} words); check that "
                    "its paragraphs are separated by blank lines."
                )
    return SplitResult(
        parts=list(parts.values()),
        problems=[SplitProblem("error", message) for message in errors]
        + [SplitProblem("warning", message) for message in warnings],
    )


def _fold(text: str) -> str:
    return " ".join(text.split())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _recognise(
    heading: str, matchers: list[tuple[PartPattern, re.Pattern[str]]]
) -> PartPattern | None:
    """The first part (in reading order) whose pattern matches the heading.

    Trailing punctuation is ignored, so "The Black Notebook." is recognised.
    """
    if len(heading) > MAX_HEADING_CHARS:
        return None
    heading = heading.rstrip(".:;, ")
    for pattern, regex in matchers:
        if regex.fullmatch(heading):
            return pattern
    return None


def _unrecognised_warning(headings: list[Block]) -> str:
    listed = ", ".join(
        f"“{_shorten(block.text)}” (line {block.line})"
        for block in headings[:MAX_LISTED_HEADINGS]
    )
    more = len(headings) - MAX_LISTED_HEADINGS
    tail = f", and {more} more" if more > 0 else ""
    verb = "matches" if len(headings) == 1 else "match"
    return (
        f"{_count(len(headings), 'heading')} {verb} no part and "
        f"{'was' if len(headings) == 1 else 'were'} ignored: {listed}{tail}."
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _order_errors(parts: list[SplitPart]) -> list[str]:
    """Name every part that comes after a part it should precede."""
    out_of_order = []
    latest: SplitPart | None = None
    for part in parts:
        if latest is not None and part.order < latest.order:
            out_of_order.append(
                f"{part.pattern.title} comes after {latest.pattern.title}"
            )
        elif latest is None or part.order > latest.order:
            latest = part
    if not out_of_order:
        return []
    return [f"Parts are out of reading order: {'; '.join(out_of_order)}."]


def _duplicate_key_errors(parts: list[SplitPart]) -> list[str]:
    """Keys carried over from a muddled earlier import could collide."""
    seen: set[str] = set()
    repeated: list[str] = []
    for part in parts:
        for key, _text, _line in part.passages:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
    if not repeated:
        return []
    return [f"These passage keys are used twice: {', '.join(repeated)}."]


# --- Keys ---------------------------------------------------------------------


def assign_keys(
    prefix: str,
    paragraphs: Sequence[str],
    previous: Sequence[tuple[str, str]] | None,
) -> list[str]:
    """Give each paragraph a key, keeping the keys of an earlier import.

    1. A paragraph whose text equals an earlier one takes its key.
    2. The remaining pairs that are similar (fuzz.ratio >= SIMILARITY_CUTOFF)
       are matched best first, as long as the matches stay in the earlier
       order: an edited paragraph keeps its key, and of the two halves of a
       split paragraph the more similar keeps it.
    3. Everything else gets a new key numbered after the highest number the
       prefix has used, so a deleted passage's key is never handed out again.
       For that to hold across many imports, `previous` should include the
       retired passages too.
    """
    texts = [_fold(text) for text in paragraphs]
    earlier = _unique_by_key(previous or [])
    matched: list[int | None] = [None] * len(texts)
    used = [False] * len(earlier)

    waiting: dict[str, deque[int]] = {}
    for index, (_key, text) in enumerate(earlier):
        waiting.setdefault(text, deque()).append(index)
    for position, text in enumerate(texts):
        if waiting.get(text):
            index = waiting[text].popleft()
            matched[position] = index
            used[index] = True

    _match_similar(texts, [text for _key, text in earlier], matched, used)

    next_number = _highest_number(prefix, [key for key, _text in earlier]) + 1
    keys: list[str] = []
    for index in matched:
        if index is None:
            keys.append(f"{prefix}-{next_number:03d}")
            next_number += 1
        else:
            keys.append(earlier[index][0])
    return keys


def _unique_by_key(previous: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Earlier passages with folded text, each key once (the first wins)."""
    seen: set[str] = set()
    unique = []
    for key, text in previous:
        if key not in seen:
            seen.add(key)
            unique.append((key, _fold(text)))
    return unique


def _match_similar(
    texts: list[str],
    earlier: list[str],
    matched: list[int | None],
    used: list[bool],
) -> None:
    """Pair unmatched paragraphs with similar earlier ones, best score first.

    Only pairs that keep the earlier order can be taken: a paragraph between
    two matched neighbours can only be an edit of an earlier paragraph that
    sat between them. Candidates are looked for only in that window, which
    keeps the quadratic comparison small on an ordinary re-import.
    """
    candidates: list[tuple[float, int, int]] = []
    before, after = _neighbour_bounds(matched, len(earlier))
    for position, text in enumerate(texts):
        if matched[position] is not None:
            continue
        for index in range(before[position] + 1, after[position]):
            if used[index]:
                continue
            score = fuzz.ratio(text, earlier[index], score_cutoff=SIMILARITY_CUTOFF)
            if score:
                candidates.append((-score, position, index))
    candidates.sort()
    for _score, position, index in candidates:
        if matched[position] is not None or used[index]:
            continue
        if not before[position] < index < after[position]:
            continue
        matched[position] = index
        used[index] = True
        before, after = _neighbour_bounds(matched, len(earlier))


def _neighbour_bounds(
    matched: list[int | None], count: int
) -> tuple[list[int], list[int]]:
    """For each position: the highest earlier index matched before it, and the
    lowest matched after it (-1 and `count` when there is none)."""
    before = []
    highest = -1
    for index in matched:
        before.append(highest)
        if index is not None:
            highest = max(highest, index)
    after = [count] * len(matched)
    lowest = count
    for position in range(len(matched) - 1, -1, -1):
        after[position] = lowest
        if matched[position] is not None:
            lowest = min(lowest, matched[position])
    return before, after


def _highest_number(prefix: str, keys: Iterable[str]) -> int:
    numbered = re.compile(rf"{re.escape(prefix)}-(\d+)")
    numbers = [int(m.group(1)) for key in keys if (m := numbered.fullmatch(key))]
    return max(numbers, default=0)


# --- Editing the patterns -----------------------------------------------------


def parse_patterns(text: str) -> list[PartPattern]:
    """Read the curator's textarea: one part per line, in reading order.

    Each line is `slug | kind | key_prefix | title | short title | regex`. The
    regex is the last field, so it may itself contain `|`. Blank lines and
    lines starting with `#` are ignored. Raise ValueError naming the line.
    """
    patterns: list[PartPattern] = []
    slugs: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [value.strip() for value in line.split("|", len(PATTERN_FIELDS) - 1)]
        if len(fields) != len(PATTERN_FIELDS):
            raise ValueError(
                f"Line {number}: expected {len(PATTERN_FIELDS)} fields separated "
                f"by “|” ({' | '.join(PATTERN_FIELDS)}), found {len(fields)}."
            )
        slug, kind, prefix, title, short_title, regex = fields
        _check_pattern_line(number, slug, kind, prefix, title, short_title, regex)
        if slug in slugs:
            raise ValueError(
                f"Line {number}: the slug “{slug}” is already used on line "
                f"{slugs[slug]}."
            )
        if prefix in prefixes:
            raise ValueError(
                f"Line {number}: the key prefix “{prefix}” is already used on "
                f"line {prefixes[prefix]}."
            )
        if not regex and patterns:
            raise ValueError(
                f"Line {number}: only the first part can have an empty pattern "
                "(the text before the first heading)."
            )
        slugs[slug] = number
        prefixes[prefix] = number
        patterns.append(PartPattern(slug, title, short_title, kind, prefix, regex))
    if not patterns:
        raise ValueError("No parts: write one line per part.")
    return patterns


def _check_pattern_line(
    number: int,
    slug: str,
    kind: str,
    prefix: str,
    title: str,
    short_title: str,
    regex: str,
) -> None:
    if not SLUG_RE.match(slug):
        raise ValueError(
            f"Line {number}: “{slug}” is not a slug (lower-case letters, digits "
            "and hyphens)."
        )
    if kind not in PART_KINDS:
        raise ValueError(
            f"Line {number}: the kind must be one of {', '.join(PART_KINDS)}, "
            f"not “{kind}”."
        )
    if not KEY_RE.match(prefix) or len(prefix) > MAX_PREFIX_LENGTH:
        raise ValueError(
            f"Line {number}: “{prefix}” is not a key prefix (lower-case letters, "
            f"digits and hyphens, at most {MAX_PREFIX_LENGTH} characters)."
        )
    if not title or not short_title:
        raise ValueError(f"Line {number}: the title and short title are required.")
    try:
        re.compile(regex, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(
            f"Line {number}: the pattern is not a valid regular expression ({exc})."
        ) from exc


def format_patterns(patterns: Iterable[PartPattern]) -> str:
    """The textarea text for `patterns`; `parse_patterns` reads it back."""
    lines = [
        f"# {' | '.join(PATTERN_FIELDS)}",
        "# One line per part, in reading order; an empty pattern takes the text",
        "# before the first recognised heading.",
    ]
    for pattern in patterns:
        fixed = (
            pattern.slug,
            pattern.kind,
            pattern.key_prefix,
            pattern.title,
            pattern.short_title,
        )
        if any("|" in value for value in fixed):
            raise ValueError(f"“|” cannot appear in the fields of {pattern.slug}.")
        lines.append(" | ".join((*fixed, pattern.pattern)).rstrip())
    return "\n".join(lines) + "\n"
