"""Reads shared by the part page, the notebook and the exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)

from classes.selectors import teachers_by_course
from reader import anchoring
from reader.anchoring import AnchorState
from reader.models import Part, Passage

from .highlights import Segment, split_segments
from .models import Annotation, Motivation, Tag


def with_thread(
    queryset: QuerySet[Annotation], user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Annotation]:
    """Everything a card shows, in a constant number of queries."""
    return queryset.select_related(
        # The edition too: a card or notebook row links to the part.
        "author",
        "start_passage__part__edition",
        "end_passage",
    ).prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
        Prefetch(
            "replies",
            queryset=Annotation.objects.visible_to(user)
            .select_related("author")
            .order_by("created"),
            to_attr="visible_replies",
        ),
    )


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
    ids: str = ""
    css: str = ""
    describedby: str = ""
    note: str = ""  # the number of an editor's note marked here


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


@dataclass
class PartAnnotations:
    total: int
    cards: list[Annotation] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def part_annotations(
    *,
    user: AbstractBaseUser | AnonymousUser,
    part: Part,
    passages: list[Passage],
    filters: PartFilters,
) -> PartAnnotations:
    """The annotations a reader sees on a part, laid onto its passages.

    Every visible annotation becomes a highlight, read as plain tuples; only
    the first CARDS_PER_PASSAGE of each passage (the reader's own first) are
    loaded as cards. Sets `annotation_segments`, `annotation_cards`,
    `annotation_count` and `annotation_more` on each passage. Five queries,
    whether the part carries no annotation or thousands.
    """
    visible = Annotation.objects.visible_to(user).roots().in_part(part)
    if filters.show == "mine" and user.is_authenticated:
        visible = visible.filter(author=user)
    elif filters.show == "others" and user.is_authenticated:
        visible = visible.exclude(author=user)
    if filters.motivation:
        visible = visible.filter(motivation=filters.motivation)
    if filters.tag:
        visible = visible.filter(tags__name=filters.tag)

    # The quote is only needed where the text changed since the annotation
    # was made; elsewhere the database sends an empty string instead.
    fresh = Q(passage_revision=F("start_passage__revision"))
    quote = {
        name: Case(
            When(fresh, then=Value("")), default=F(name), output_field=TextField()
        )
        for name in ("exact", "prefix", "suffix")
    }
    rows = list(
        visible.order_by("start_offset", "created")
        .annotate(**{f"stale_{name}": expression for name, expression in quote.items()})
        .values_list(
            "pk",
            "start_passage_id",
            "start_offset",
            "end_passage_id",
            "end_offset",
            "colour",
            "motivation",
            "author_id",
            "deleted",
            "editorial",
            "anchor_state",
            "course_id",
            "passage_revision",
            "stale_exact",
            "stale_prefix",
            "stale_suffix",
        )
    )
    # The cards: per passage, the reader's own first, then in reading order.
    editorial_rows: dict[int, list] = defaultdict(list)
    own_rows: dict[int, list] = defaultdict(list)
    other_rows: dict[int, list] = defaultdict(list)
    for row in rows:
        # Editor's notes first, then the reader's own, then the rest.
        if row[9]:
            editorial_rows[row[1]].append(row[0])
        else:
            (own_rows if row[7] == user.pk else other_rows)[row[1]].append(row[0])
    card_ids = [
        pk
        for passage_id in {**editorial_rows, **own_rows, **other_rows}
        for pk in (
            editorial_rows[passage_id] + own_rows[passage_id] + other_rows[passage_id]
        )[:CARDS_PER_PASSAGE]
    ]
    # Django sends no query for an empty IN list; with no annotations the
    # (empty) subquery keeps the page's query count the same.
    selected = card_ids or visible.values("pk")
    cards = list(
        Annotation.objects.filter(pk__in=selected)
        .select_related("author")
        .only(*CARD_FIELDS)
    )
    _attach_threads(cards, selected, user)
    tag_names = sorted(
        set(
            Tag.objects.filter(annotations__in=visible.values("pk")).values_list(
                "name", flat=True
            )
        ),
        key=str.casefold,
    )

    # Who teaches the classes these annotations are shared with: a class
    # teacher's highlights and prompts look different. One query, always.
    teachers = teachers_by_course(visible.values("course_id"))
    index_of = {p.pk: i for i, p in enumerate(passages)}
    ranges: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    styles: dict[str, str] = {}
    own_ids: set[str] = set()
    anchor_states: dict[str, AnchorState] = {}
    # Where each highlight is now: (first passage index, start, last, end).
    placed_at: dict[str, tuple[int, int, int, int]] = {}
    editorial_order: list[tuple[int, int, str]] = []
    for (
        pk,
        start_id,
        start,
        end_id,
        end,
        colour,
        motivation,
        author_id,
        deleted,
        editorial,
        state,
        course_id,
        revision,
        exact,
        prefix,
        suffix,
    ) in rows:
        counts[start_id] += 1
        if deleted is not None or state == AnchorState.ORPHANED:
            continue
        first, last = index_of.get(start_id), index_of.get(end_id)
        if first is None or last is None:
            continue
        ident = str(pk)
        if revision != passages[first].revision:
            # The text changed since this was written: find the quote again,
            # or show no highlight rather than a wrong one.
            placed = _reanchor(passages, first, last, start, end, exact, prefix, suffix)
            anchor_states[ident] = placed[4]
            if placed[4] == AnchorState.ORPHANED:
                continue
            first, last, start, end = placed[:4]
        placed_at[ident] = (first, start, last, end)
        styles[ident] = f"hl-{colour} hl-{motivation}"
        if editorial:
            styles[ident] += " hl-editorial"
            editorial_order.append((first, start, ident))
        if (course_id, author_id) in teachers:
            styles[ident] += " hl-teacher"
        if author_id == user.pk:
            own_ids.add(ident)
        for index in range(first, last + 1):
            passage = passages[index]
            local_start = start if index == first else 0
            local_end = end if index == last else len(passage.text)
            ranges[passage.pk].append((ident, local_start, local_end))

    cards_by_passage: dict[int, list[Annotation]] = defaultdict(list)
    for card in sorted(
        cards,
        key=lambda a: (
            not a.editorial,
            a.author_id != user.pk,
            a.start_offset,
            a.created,
        ),
    ):
        cards_by_passage[card.start_passage_id].append(card)
    # Editor's notes are numbered in reading order through the part.
    numbers = {
        ident: n for n, (*_, ident) in enumerate(sorted(editorial_order), start=1)
    }
    carded_ids = {str(card.pk) for card in cards}
    for card in cards:
        card.current_anchor = anchor_states.get(str(card.pk), card.anchor_state)
        card.current_words = _changed_words(card, passages, placed_at.get(str(card.pk)))
        card.note_number = numbers.get(str(card.pk))
    for passage in passages:
        segments = split_segments(passage.text, ranges.get(passage.pk, ()))
        passage.annotation_segments = _merge(
            [_mark(s, styles, own_ids, carded_ids, numbers) for s in segments]
        )
        passage.annotation_cards = cards_by_passage.get(passage.pk, [])
        passage.annotation_count = counts.get(passage.pk, 0)
        passage.annotation_more = passage.annotation_count - len(
            passage.annotation_cards
        )
    return PartAnnotations(total=len(rows), cards=cards, tags=tag_names)


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
    user: AbstractBaseUser | AnonymousUser,
) -> None:
    """Tags and visible replies for a page of cards: two queries, always.

    Unlike prefetch_related, these run even when there is nothing to attach
    (`ids` is then a subquery), so the page costs the same number of queries
    with 0 or 5,000 notes.
    """
    tags: dict[object, list[Tag]] = defaultdict(list)
    through = Annotation.tags.through.objects.filter(annotation__in=ids)
    for row in through.select_related("tag").order_by("tag__name"):
        tags[row.annotation_id].append(row.tag)
    replies: dict[object, list[Annotation]] = defaultdict(list)
    for reply in (
        Annotation.objects.visible_to(user)
        .filter(reply_to__in=ids)
        .select_related("author")
        .order_by("created")
    ):
        replies[reply.reply_to_id].append(reply)
    for annotation in annotations:
        annotation.tag_list = tags.get(annotation.pk, [])
        annotation.visible_replies = replies.get(annotation.pk, [])


def _mark(
    segment: Segment,
    styles: dict[str, str],
    own: set[str],
    carded: set[str],
    numbers: dict[str, int],
) -> MarkedSegment:
    """How a segment is marked: the innermost annotation's colour and kind,
    whether any is the reader's own, and whether annotations overlap."""
    ids = segment.ids
    if not ids:
        return MarkedSegment(segment.text)
    css = styles[ids[-1]]
    if not own.isdisjoint(ids):
        css += " hl-own"
    if len(ids) > 1:
        css += " hl-overlap"
    return MarkedSegment(
        segment.text,
        # Every covering annotation's id; only cards on the page can
        # describe the highlight to a screen reader.
        " ".join(ids),
        css,
        " ".join(["card-" + i for i in ids if i in carded]),
        next((str(numbers[i]) for i in ids if i in numbers), ""),
    )


def _merge(segments: list[MarkedSegment]) -> list[MarkedSegment]:
    """Join neighbours that would render alike: fewer, longer <mark>s."""
    merged: list[MarkedSegment] = []
    for segment in segments:
        if merged and merged[-1][1:] == segment[1:]:
            merged[-1] = merged[-1]._replace(text=merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def own_tag_names(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(Tag.objects.filter(owner=user).values_list("name", flat=True))


def notebook_annotations(user: AbstractBaseUser) -> list[Annotation]:
    """Every root annotation of a reader's, in reading order, with threads."""
    return list(
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
