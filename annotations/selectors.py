"""Reads shared by the part page, the notebook and the exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from reader.models import Part, Passage

from .highlights import split_segments
from .models import Annotation, Motivation, Tag


def with_thread(
    queryset: QuerySet[Annotation], user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Annotation]:
    """Everything a card shows, in a constant number of queries."""
    return queryset.select_related(
        "author", "start_passage__part", "end_passage"
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


@dataclass
class MarkedSegment:
    text: str
    ids: str = ""
    css: str = ""
    describedby: str = ""


@dataclass
class PartAnnotations:
    annotations: list[Annotation]
    by_passage: dict[int, list[Annotation]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def part_annotations(
    *,
    user: AbstractBaseUser | AnonymousUser,
    part: Part,
    passages: list[Passage],
    filters: PartFilters,
) -> PartAnnotations:
    """The annotations a reader sees on a part, laid onto its passages.

    Sets `annotation_segments`, `annotation_cards` and `annotation_count` on
    each passage. Three queries, however many passages and annotations.
    """
    queryset = (
        Annotation.objects.visible_to(user)
        .roots()
        .in_part(part)
        .select_related("author", "start_passage", "end_passage")
        .in_reading_order()
    )
    if filters.show == "mine" and user.is_authenticated:
        queryset = queryset.filter(author=user)
    elif filters.show == "others" and user.is_authenticated:
        queryset = queryset.exclude(author=user)
    if filters.motivation:
        queryset = queryset.filter(motivation=filters.motivation)
    if filters.tag:
        queryset = queryset.filter(tags__name=filters.tag)
    annotations = list(queryset)
    _attach_threads(annotations, queryset, user)

    order_index = {p.order: i for i, p in enumerate(passages)}
    ranges: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    cards: dict[int, list[Annotation]] = defaultdict(list)
    by_id = {}
    for annotation in annotations:
        by_id[str(annotation.pk)] = annotation
        start, end = annotation.start_passage, annotation.end_passage
        cards[start.pk].append(annotation)
        if annotation.is_deleted:
            continue
        first = order_index.get(start.order)
        last = order_index.get(end.order)
        if first is None or last is None:
            continue
        for index in range(first, last + 1):
            passage = passages[index]
            local_start = annotation.start_offset if passage.pk == start.pk else 0
            local_end = (
                annotation.end_offset if passage.pk == end.pk else len(passage.text)
            )
            ranges[passage.pk].append((str(annotation.pk), local_start, local_end))

    own_id = user.pk if user.is_authenticated else None
    for passage in passages:
        segments = split_segments(passage.text, ranges.get(passage.pk, ()))
        passage.annotation_segments = [_mark(s, by_id, own_id) for s in segments]
        passage.annotation_cards = cards.get(passage.pk, [])
        passage.annotation_count = len(passage.annotation_cards)
    tag_names = sorted(
        {t.name for a in annotations for t in a.tag_list}, key=str.casefold
    )
    return PartAnnotations(annotations=annotations, by_passage=cards, tags=tag_names)


def _attach_threads(
    annotations: list[Annotation],
    queryset: QuerySet[Annotation],
    user: AbstractBaseUser | AnonymousUser,
) -> None:
    """Tags and visible replies for a page of cards: two queries, always.

    Unlike prefetch_related, these run even when there is nothing to attach,
    so the page costs the same number of queries with 0 or 5,000 notes.
    """
    ids = queryset.values("pk")
    tags: dict[object, list[Tag]] = defaultdict(list)
    through = Annotation.tags.through.objects.filter(annotation__in=ids).select_related(
        "tag"
    )
    for row in through.order_by("tag__name"):
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
    segment: object, by_id: dict[str, Annotation], own_id: object
) -> MarkedSegment:
    if not segment.ids:
        return MarkedSegment(segment.text)
    covering = [by_id[i] for i in segment.ids]
    top = covering[-1]
    css = [f"hl-{top.colour}", f"hl-{top.motivation}"]
    if any(a.author_id == own_id for a in covering):
        css.append("hl-own")
    if len(covering) > 1:
        css.append("hl-overlap")
    return MarkedSegment(
        text=segment.text,
        ids=" ".join(segment.ids),
        css=" ".join(css),
        describedby=" ".join(f"card-{i}" for i in segment.ids),
    )


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
