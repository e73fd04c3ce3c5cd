"""Reads shared by the part page, the notebook and the exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr

from classes.models import Course
from reader import anchoring
from reader.anchoring import AnchorState
from reader.models import Part, Passage

from .models import Annotation, Colour, Motivation, Tag, Viewer


def thread_prefetches(user: object) -> list[Prefetch]:
    """A card's tags (by name) and the replies `user` may see, for
    annotations `user` may see (so the replies' roots are not checked again).
    `with_thread` reads them with a queryset; the search, onto notes it has
    already read."""
    return [
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
        Prefetch(
            "replies",
            queryset=Annotation.objects.visible_to(user, in_visible_threads=True)
            .select_related("author")
            .order_by("created"),
            to_attr="visible_replies",
        ),
    ]


def with_thread(
    queryset: QuerySet[Annotation], user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Annotation]:
    """Everything a card shows, in a constant number of queries.

    `queryset` holds annotations `user` may see (through the visibility rule,
    or their own), so their replies are read without checking it again.
    """
    return queryset.select_related(
        # The edition too: a card or notebook row links to the part.
        "author",
        "start_passage__part__edition",
        "end_passage",
    ).prefetch_related(*thread_prefetches(user))


@dataclass(frozen=True)
class PartFilters:
    show: str = "all"  # all | mine | others
    motivation: str = ""
    tag: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> PartFilters:
        show = query.get("show", "all")
        motivation = query.get("motivation", "")
        return cls(
            show=show if show in ("all", "mine", "others") else "all",
            motivation=motivation
            if motivation in (m.value for m in Motivation if m != Motivation.REPLYING)
            else "",
            tag=query.get("tag", "")[:40],
        )

    @property
    def active(self) -> bool:
        return self != PartFilters()


class MarkedSegment(NamedTuple):
    text: str
    # The annotations it covers, innermost last (not in the page's HTML).
    ids: tuple[str, ...] = ()
    css: str = ""
    note: str = ""  # the number of an editor's note marked here


class MarkAbout(NamedTuple):
    """What a highlight's marks tell a screen reader of it (see
    annotations.cards.mark_descriptions)."""

    motivation: str
    author: str
    note_start: str
    editorial: bool
    number: int | None = None


DEFAULT_COLOUR = Colour.YELLOW
# Cards shown beside each passage; the rest are one link away. A margin
# cannot hold more, and this bounds a page's cost however busy the part is.
CARDS_PER_PASSAGE = 3
# What a card shows (annotations.cards); the rest is not loaded.
CARD_FIELDS = (
    "author__username",
    "start_passage_id",
    "start_offset",
    "exact",
    "motivation",
    "body_html",
    "colour",
    "visibility",
    "anchor_state",
    "deleted",
    "created",
    "moderation",
    "editorial",
    "end_passage_id",
    "end_offset",
    "course_id",
    "original_creator",
)


class HighlightRow(NamedTuple):
    """One visible root annotation on a part, as much as its highlight needs.

    Read for every annotation of the part (thousands, on a busy one), so a
    plain tuple from the database with names, not a model instance.
    """

    # The id as text, as str(UUID) writes it: a busy part has thousands, and
    # a UUID object made for each, only to be written out, cost more than
    # reading them.
    pk: str
    start_passage_id: int
    start_offset: int
    end_passage_id: int
    end_offset: int
    colour: str
    motivation: str
    author_id: int
    deleted: datetime | None
    editorial: bool
    anchor_state: str
    course_id: int | None
    passage_revision: int
    # Written by a teacher of the class it is shared with: a class teacher's
    # highlights and prompts look different.
    by_teacher: bool
    # Who wrote it and the start of its note: what a screen reader says of
    # its highlight (annotations.cards.mark_description).
    author_name: str
    note_start: str
    # The quote, only where the text changed since the annotation was made
    # (elsewhere "": it is not needed, so the database does not send it).
    exact: str
    prefix: str
    suffix: str


HIGHLIGHT_FIELDS = (
    "ident",
    *HighlightRow._fields[1:-3],
    "stale_exact",
    "stale_prefix",
    "stale_suffix",
)


@dataclass
class PartAnnotations:
    """What a reader may see of the annotations on a part: every highlight,
    the cards worth loading, the tags in use, and who teaches which class."""

    rows: list[HighlightRow] = field(default_factory=list)
    cards: list[Annotation] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # The classes the reader teaches (their teachers moderate there).
    taught_courses: tuple[int, ...] = ()
    # Counted apart when `rows` holds only what some passages show.
    counted: int | None = None

    @property
    def total(self) -> int:
        return len(self.rows) if self.counted is None else self.counted


def part_annotations(
    *,
    user: AbstractBaseUser | AnonymousUser,
    part: Part,
    filters: PartFilters,
    passages: list[Passage] | None = None,
) -> PartAnnotations:
    """The annotations a reader sees on a part of an edition they may read
    (checked by reader.access; lay them out with `part_layout`).

    Every visible annotation is read as a highlight row; only the first
    CARDS_PER_PASSAGE of each passage (editor's notes, then the reader's own,
    then the rest) are loaded as cards. The same number of queries whether
    the part carries no annotation or thousands.

    `passages`: only what these passages show, for their rows alone (after a
    save): see `_reaching`. The total and the tags are still the part's.
    """
    # The reader's classes read once, not rebuilt as subqueries by every
    # query below (most of an empty page's cost). Notes on a part are on its
    # edition, which the page found readable before it came here.
    viewer = Viewer.of(user, readable=[part.edition_id])
    visible = _filtered(
        Annotation.objects.visible_to(viewer, roots=True).in_part(part),
        user,
        filters,
    )
    shown = visible if passages is None else _reaching(visible, passages)
    rows = _highlight_rows(shown)
    card_ids = _card_ids(rows, user)
    # Django sends no query for an empty IN list; with no annotations a
    # subquery that matches nothing keeps the page's query count the same.
    selected = card_ids or Annotation.objects.filter(pk__isnull=True).values("pk")
    cards = list(
        Annotation.objects.filter(pk__in=selected)
        .select_related("author")
        .only(*CARD_FIELDS)
    )
    _attach_threads(cards, selected, viewer)
    tag_names = sorted(
        set(
            Tag.objects.filter(annotations__in=visible.values("pk")).values_list(
                "name", flat=True
            )
        ),
        key=str.casefold,
    )
    return PartAnnotations(
        rows=rows,
        cards=cards,
        tags=tag_names,
        taught_courses=getattr(viewer, "taught_courses", ()),
        counted=None if passages is None else visible.count(),
    )


def _reaching(
    visible: QuerySet[Annotation], passages: list[Passage]
) -> QuerySet[Annotation]:
    """What some passages of a part show, exactly as the whole part would:
    every highlight that reaches them (a stored range; re-anchoring at read
    time keeps a highlight inside it), every annotation starting where one of
    those starts (a passage's cards are chosen among all of its own), and
    every editor's note (they are numbered through the part)."""
    orders = [p.order for p in passages]
    low, high = min(orders), max(orders)
    reaching = visible.filter(
        Q(start_passage__order__range=(low, high))
        | Q(start_passage__order__lte=high, end_passage__order__gte=low)
    )
    return visible.filter(
        Q(start_passage__in=reaching.values("start_passage")) | Q(editorial=True)
    )


def _filtered(
    visible: QuerySet[Annotation],
    user: AbstractBaseUser | AnonymousUser,
    filters: PartFilters,
) -> QuerySet[Annotation]:
    if filters.show == "mine" and user.is_authenticated:
        visible = visible.filter(author=user)
    elif filters.show == "others" and user.is_authenticated:
        visible = visible.exclude(author=user)
    if filters.motivation:
        visible = visible.filter(motivation=filters.motivation)
    if filters.tag:
        visible = visible.filter(tags__name=filters.tag)
    return visible


# Enough of a note for its first words, read for every highlight on a part.
NOTE_START_CHARS = 60


def _highlight_rows(visible: QuerySet[Annotation]) -> list[HighlightRow]:
    # The quote is only needed where the text changed since the annotation
    # was made; elsewhere the database sends an empty string instead.
    fresh = Q(passage_revision=F("start_passage__revision"))
    quote = {
        name: Case(
            When(fresh, then=Value("")), default=F(name), output_field=TextField()
        )
        for name in ("exact", "prefix", "suffix")
    }
    by_teacher = Exists(
        Course.teachers.through.objects.filter(
            course_id=OuterRef("course_id"), user_id=OuterRef("author_id")
        )
    )
    rows = (
        visible.order_by("start_offset", "created")
        .annotate(
            ident=Cast("id", output_field=TextField()),
            by_teacher=by_teacher,
            author_name=F("author__username"),
            note_start=Substr("body", 1, NOTE_START_CHARS),
            **{f"stale_{name}": expression for name, expression in quote.items()},
        )
        .values_list(*HIGHLIGHT_FIELDS)
    )
    make = HighlightRow._make
    return [make((_uuid_text(row[0]), *row[1:])) for row in rows]


def _uuid_text(value: str) -> str:
    """A UUID read as text, written as str(UUID) writes it: PostgreSQL sends
    it so, SQLite (which stores 32 hex digits) without the dashes."""
    if len(value) == 36:
        return value
    value = value.lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _card_ids(
    rows: list[HighlightRow], user: AbstractBaseUser | AnonymousUser
) -> list[str]:
    """The cards: per passage, editor's notes first, then the reader's own,
    then the rest, in reading order."""
    # Once: request.user is a lazy object, slow to ask thousands of times.
    user_pk = user.pk
    editorial_rows: dict[int, list[str]] = defaultdict(list)
    own_rows: dict[int, list[str]] = defaultdict(list)
    other_rows: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.editorial:
            editorial_rows[row.start_passage_id].append(row.pk)
        else:
            own = row.author_id == user_pk
            (own_rows if own else other_rows)[row.start_passage_id].append(row.pk)
    return [
        pk
        for passage_id in {**editorial_rows, **own_rows, **other_rows}
        for pk in (
            editorial_rows[passage_id] + own_rows[passage_id] + other_rows[passage_id]
        )[:CARDS_PER_PASSAGE]
    ]


# Not frozen: made for every annotation on a busy part, and a frozen
# dataclass costs three times as much to build.
@dataclass(slots=True)
class Highlight:
    """A highlight where it lies now: from `start` in passage number `first`
    to `end` in passage number `last` (indexes into the passages laid out)."""

    ident: str
    first: int
    start: int
    last: int
    end: int
    # Its classes: colour and kind, editor's note, a teacher's.
    css: str
    own: bool = False
    editorial: bool = False
    # An editor's note's number, shown at its first mark.
    note: int | None = None


@dataclass
class PassageAnnotations:
    """The annotations laid onto one passage."""

    segments: list[MarkedSegment] = field(default_factory=list)
    cards: list[Annotation] = field(default_factory=list)
    # Every visible annotation that starts here, carded or not.
    count: int = 0

    @property
    def more(self) -> int:
        """How many are not shown as cards here (one link away)."""
        return self.count - len(self.cards)


@dataclass
class PartLayout:
    """A part's annotations laid onto its passages."""

    total: int
    tags: list[str]
    cards: list[Annotation]
    # By passage id.
    passages: dict[int, PassageAnnotations]
    # The classes the reader teaches (their teachers moderate there).
    taught_courses: tuple[int, ...] = ()
    # Each highlight shown, by id: what its marks describe.
    about: dict[str, MarkAbout] = field(default_factory=dict)

    def on(self, passage: Passage) -> PassageAnnotations:
        return self.passages.get(passage.pk) or PassageAnnotations()


def part_layout(
    found: PartAnnotations,
    *,
    passages: list[Passage],
    user: AbstractBaseUser | AnonymousUser,
) -> PartLayout:
    """Lay a part's annotations onto its passages (in order): each highlight
    where its words are now, styled and numbered, and each passage's cards.

    A highlight whose passage changed since it was made is re-anchored here,
    at read time: it follows its words, or shows no highlight rather than a
    wrong one. No query.
    """
    index_of = {p.pk: i for i, p in enumerate(passages)}
    counts: dict[int, int] = defaultdict(int)
    highlights: list[Highlight] = []
    anchor_states: dict[str, AnchorState] = {}
    # Once: request.user is a lazy object, slow to ask thousands of times.
    user_pk = user.pk
    # Classes by look: a busy part has thousands of highlights, few looks.
    styles: dict[tuple[str, str, bool, bool], str] = {}
    for row in found.rows:
        counts[row.start_passage_id] += 1
        placed = _place(row, passages, index_of, anchor_states)
        if placed is None:
            continue
        look = (row.colour, row.motivation, row.editorial, row.by_teacher)
        css = styles.get(look)
        if css is None:
            css = styles[look] = _css(row)
        first, start, last, end = placed
        highlights.append(
            Highlight(
                row.pk,
                first,
                start,
                last,
                end,
                css,
                row.author_id == user_pk,
                row.editorial,
            )
        )
    _number(highlights)
    numbers = {h.ident: h.note for h in highlights if h.note is not None}
    placed_at = {h.ident: (h.first, h.start, h.last, h.end) for h in highlights}
    for card in found.cards:
        card.current_anchor = anchor_states.get(str(card.pk), card.anchor_state)
        card.current_words = _changed_words(card, passages, placed_at.get(str(card.pk)))
        card.note_number = numbers.get(str(card.pk))
        card.mark_range = _range_in_first(passages, placed_at.get(str(card.pk)))
    cards_by_passage: dict[int, list[Annotation]] = defaultdict(list)
    for card in sorted(
        found.cards,
        key=lambda a: (
            not a.editorial,
            a.author_id != user_pk,
            a.start_offset,
            a.created,
        ),
    ):
        cards_by_passage[card.start_passage_id].append(card)
    segments = highlight_segments(passages, highlights)
    about = {
        row.pk: MarkAbout(
            row.motivation,
            row.author_name,
            row.note_start,
            row.editorial,
            numbers.get(row.pk),
        )
        for row in found.rows
        if row.pk in placed_at
    }
    return PartLayout(
        total=found.total,
        tags=found.tags,
        cards=found.cards,
        taught_courses=found.taught_courses,
        about=about,
        passages={
            passage.pk: PassageAnnotations(
                segments=segments[passage.pk],
                cards=cards_by_passage.get(passage.pk, []),
                count=counts.get(passage.pk, 0),
            )
            for passage in passages
        },
    )


def _place(
    row: HighlightRow,
    passages: list[Passage],
    index_of: dict[int, int],
    anchor_states: dict[str, AnchorState],
) -> tuple[int, int, int, int] | None:
    """Where a highlight lies now (first passage index, start, last, end), or
    None when it shows none: deleted, orphaned, or not in these passages.
    Notes in `anchor_states` what a read-time re-anchoring found."""
    if row.deleted is not None or row.anchor_state == AnchorState.ORPHANED:
        return None
    first, last = index_of.get(row.start_passage_id), index_of.get(row.end_passage_id)
    if first is None or last is None:
        return None
    start, end = row.start_offset, row.end_offset
    if row.passage_revision != passages[first].revision:
        # The text changed since this was written: find the quote again,
        # or show no highlight rather than a wrong one.
        placed = _reanchor(
            passages, first, last, start, end, row.exact, row.prefix, row.suffix
        )
        anchor_states[row.pk] = placed[4]
        if placed[4] == AnchorState.ORPHANED:
            return None
        first, last, start, end = placed[:4]
    return first, start, last, end


def _css(row: HighlightRow) -> str:
    # The defaults need no class (a mark is yellow; a plain highlight has no
    # underline): a busy part has thousands of marks.
    classes = []
    if row.colour != DEFAULT_COLOUR:
        classes.append(f"hl-{row.colour}")
    if row.motivation != Motivation.HIGHLIGHTING:
        classes.append(f"hl-{row.motivation}")
    if row.editorial:
        classes.append("hl-editorial")
    if row.by_teacher:
        classes.append("hl-teacher")
    return " ".join(classes)


def _number(highlights: list[Highlight]) -> None:
    """Editor's notes are numbered in reading order through the part."""
    editorial = sorted(
        (h.first, h.start, h.ident, n) for n, h in enumerate(highlights) if h.editorial
    )
    for number, (*_, index) in enumerate(editorial, start=1):
        highlights[index].note = number


def highlight_segments(
    passages: list[Passage],
    highlights: Iterable[Highlight],
    *,
    overlaps: bool = True,
) -> dict[int, list[MarkedSegment]]:
    """Each passage's text cut into marked segments (by passage id).

    A highlight across passages marks the end of its first, the whole of
    those between, and the start of its last. `overlaps`: whether
    overlapping highlights are marked as such.
    """
    # By passage index: (id, start, end) of each highlight reaching it.
    ranges: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    styles: dict[str, str] = {}
    own_ids: set[str] = set()
    numbers: dict[str, int] = {}
    for highlight in highlights:
        ident = highlight.ident
        styles[ident] = highlight.css
        if highlight.own:
            own_ids.add(ident)
        if highlight.note:
            numbers[ident] = highlight.note
        first, last = highlight.first, highlight.last
        if first == last:
            ranges[first].append((ident, highlight.start, highlight.end))
            continue
        for index in range(first, last + 1):
            local_start = highlight.start if index == first else 0
            local_end = highlight.end if index == last else len(passages[index].text)
            ranges[index].append((ident, local_start, local_end))
    look = _Look(styles, own_ids, numbers, overlaps)
    return {
        passage.pk: _marked_segments(passage.text, ranges.get(index, ()), look)
        for index, passage in enumerate(passages)
    }


@dataclass(slots=True)
class _Look:
    """What decides how a segment is marked (see `_marked_segments`)."""

    styles: dict[str, str]
    own: set[str]
    numbers: dict[str, int]
    overlaps: bool


def _marked_segments(
    text: str, ranges: Iterable[tuple[str, int, int]], look: _Look
) -> list[MarkedSegment]:
    """The text cut at the ends of every range (as
    `annotations.highlights.split_segments` cuts it), each segment marked
    and neighbours that render alike joined: fewer, longer <mark>s, a joined
    segment covering both's annotations. In one pass: a busy part has
    thousands of segments, and the three steps apart cost most of its layout.

    A segment is marked by its innermost annotation's colour and kind,
    whether any is the reader's own, whether annotations overlap and an
    editor's note's number. A joined segment's ids are all it covers: its
    mark is described by each (annotations.cards.marked_text).
    """
    length = len(text)
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for ident, start, end in ranges:
        if start < 0:
            start = 0
        if end > length:
            end = length
        if start >= end:
            continue
        starts.setdefault(start, []).append(ident)
        ends.setdefault(end, []).append(ident)
    if not starts:
        return [MarkedSegment(text)] if text else []
    cuts = sorted({0, length, *starts, *ends})
    styles, own, numbers = look.styles, look.own, look.numbers
    overlaps = look.overlaps
    # Insertion-ordered: the ids in the order they became active.
    active: dict[str, int] = {}
    merged: list[MarkedSegment] = []
    # The run of alike segments being joined: its texts, its ids (a tuple,
    # or a dict once segments with other ids join it), and how it renders.
    run_texts: list[str] = []
    run_ids: tuple[str, ...] | dict[str, None] = ()
    run_look: tuple[str, str] | None = None
    for here, nxt in zip(cuts, cuts[1:], strict=False):
        for ident in ends.get(here, ()):
            count = active.pop(ident, 0) - 1
            if count > 0:
                active[ident] = count
        for ident in starts.get(here, ()):
            active[ident] = active.pop(ident, 0) + 1
        piece = text[here:nxt]
        if active:
            ids = tuple(active)
            style = styles[ids[-1]]
            css = "hl " + style if style else "hl"
            if not own.isdisjoint(ids):
                css += " hl-own"
            if overlaps and len(ids) > 1:
                css += " hl-overlap"
            note = ""
            if numbers and not numbers.keys().isdisjoint(ids):
                note = next(str(numbers[i]) for i in ids if i in numbers)
            segment_look: tuple[str, str] | None = (css, note)
        else:
            ids = ()
            segment_look = None
        if run_texts and segment_look == run_look:
            run_texts.append(piece)
            if ids != run_ids:
                if isinstance(run_ids, tuple):
                    run_ids = dict.fromkeys(run_ids)
                run_ids.update(dict.fromkeys(ids))
            continue
        if run_texts:
            merged.append(_run(run_texts, run_ids, run_look))
        run_texts, run_ids, run_look = [piece], ids, segment_look
    merged.append(_run(run_texts, run_ids, run_look))
    return merged


def _run(
    texts: list[str],
    ids: tuple[str, ...] | dict[str, None],
    look: tuple[str, str] | None,
) -> MarkedSegment:
    text = texts[0] if len(texts) == 1 else "".join(texts)
    if look is None:
        return MarkedSegment(text)
    return MarkedSegment(text, tuple(ids), *look)


def _range_in_first(
    passages: list[Passage], placed: tuple[int, int, int, int] | None
) -> str:
    """Where a highlight lies in its first passage ("start end"), for the
    page's script to find the card of a clicked mark; "" when it shows none."""
    if placed is None:
        return ""
    first, start, last, end = placed
    return f"{start} {end if first == last else len(passages[first].text)}"


def _changed_words(
    annotation: Annotation,
    passages: list[Passage],
    placed: tuple[int, int, int, int] | None,
) -> str:
    """The words an annotation points at now, if they differ from the words
    it quoted ("" when they are the same, or it points at none): a revision
    may have changed them, and only then is there a Then and a Now to show."""
    if placed is None:
        return ""
    first, start, last, end = placed
    if first == last:
        words = passages[first].text[start:end]
    else:
        words = anchoring.SEPARATOR.join(
            [passages[first].text[start:]]
            + [p.text for p in passages[first + 1 : last]]
            + [passages[last].text[:end]]
        )
    if words == annotation.exact:
        return ""
    if first == last:
        return words
    return f"{passages[first].text[start:]} … {passages[last].text[:end]}"


def _reanchor(
    passages: list[Passage],
    first: int,
    last: int,
    start: int,
    end: int,
    exact: str,
    prefix: str,
    suffix: str,
) -> tuple[int, int, int, int, AnchorState]:
    """Where a stored range lies in the passages' current text, if anywhere."""
    placement = anchoring.resolve_in_span(
        [p.text for p in passages[first : last + 1]],
        start,
        end,
        anchoring.Quote(exact=exact, prefix=prefix, suffix=suffix),
    )
    if placement.first is None or placement.last is None:
        return first, last, start, end, AnchorState.ORPHANED
    return (
        first + placement.first,
        first + placement.last,
        placement.start_offset,
        placement.end_offset,
        placement.state,
    )


def _attach_threads(
    annotations: list[Annotation],
    ids: list | QuerySet,
    user: AbstractBaseUser | AnonymousUser | Viewer,
) -> None:
    """Tags and visible replies for a page of cards: two queries, always.

    Unlike prefetch_related, these run even when there is nothing to attach
    (`ids` is then a subquery), so the page costs the same number of queries
    with 0 or 5,000 notes. `ids` name roots `user` may see (the cards).
    """
    tags: dict[object, list[Tag]] = defaultdict(list)
    through = Annotation.tags.through.objects.filter(annotation__in=ids)
    for row in through.select_related("tag").order_by("tag__name"):
        tags[row.annotation_id].append(row.tag)
    replies: dict[object, list[Annotation]] = defaultdict(list)
    for reply in (
        Annotation.objects.visible_to(user, in_visible_threads=True)
        .filter(reply_to__in=ids)
        .select_related("author")
        .order_by("created")
    ):
        replies[reply.reply_to_id].append(reply)
    for annotation in annotations:
        annotation.tag_list = tags.get(annotation.pk, [])
        annotation.visible_replies = replies.get(annotation.pk, [])


def own_tag_names(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(Tag.objects.filter(owner=user).values_list("name", flat=True))


def notebook_roots(user: AbstractBaseUser) -> QuerySet[Annotation]:
    """Every root annotation of a reader's, in reading order, with threads
    (tags and visible replies prefetched, also chunk by chunk under
    `.iterator(chunk_size=...)`)."""
    return (
        with_thread(Annotation.objects.filter(author=user, reply_to__isnull=True), user)
        .select_related("edition")
        .order_by(
            "edition__title",
            "start_passage__part__order",
            "start_passage__order",
            "start_offset",
            "created",
        )
    )


def notebook_parts(user: AbstractBaseUser) -> list[Part]:
    """The parts a reader has notes on, in reading order, each with `notes`:
    how many of the reader's own notes start there. Two queries: the count
    groups the reader's notes by one small integer (grouping by every column
    of the part and its edition made the database sort them all), then the
    few parts are read by key."""
    counts = dict(
        Annotation.objects.filter(author=user, reply_to__isnull=True)
        .values_list("start_passage__part_id")
        .annotate(notes=Count("pk"))
        .order_by()
    )
    parts = list(
        Part.objects.filter(pk__in=counts)
        .select_related("edition")
        .order_by("edition__title", "order")
    )
    for part in parts:
        part.notes = counts[part.pk]
    return parts


def notebook_orphans(user: AbstractBaseUser) -> QuerySet[Annotation]:
    """A reader's notes whose words a revision removed, in reading order."""
    return (
        Annotation.objects.filter(
            author=user, reply_to__isnull=True, anchor_state=AnchorState.ORPHANED
        )
        .select_related("start_passage__part__edition")
        .order_by(
            "edition__title",
            "start_passage__part__order",
            "start_passage__order",
            "start_offset",
            "created",
        )
    )


def replies_to_others(user: AbstractBaseUser) -> QuerySet[Annotation]:
    """A reader's replies in other readers' threads: theirs to keep, wherever
    the thread is (their replies in their own threads come with the root)."""
    return (
        Annotation.objects.filter(author=user, reply_to__isnull=False)
        .exclude(reply_to__author=user)
        .select_related(
            "author",
            "edition",
            "reply_to__author",
            "reply_to__start_passage__part__edition",
            "reply_to__end_passage",
        )
    )
