"""Reads for the atlas: each a fixed number of queries, however large."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from reader.models import Edition, Part, Passage

from . import charts
from .models import DismissedSuggestion, Motif, MotifOccurrence, Weight


def atlas_edition(user: object) -> Edition | None:
    """The edition the atlas charts: the one the home page opens."""
    readable = Edition.objects.readable_by(user)
    return (
        readable.filter(slug=settings.THREE_NOTEBOOKS_DEFAULT_EDITION).first()
        or readable.first()
    )


def part_spans(edition: Edition | None) -> tuple[list[Part], list[charts.PartSpan]]:
    if edition is None:
        return [], []
    parts = list(edition.parts.annotate(n=Count("passages")).order_by("order"))
    return parts, [charts.PartSpan(p.short_title, p.n) for p in parts]


@dataclass
class MotifGroup:
    name: str
    motifs: list[Motif]


def motif_index(user: object) -> tuple[list[MotifGroup], list[charts.PartSpan]]:
    """All motifs, grouped, each with its occurrence count and a strip."""
    edition = atlas_edition(user)
    parts, spans = part_spans(edition)
    part_index = {p.pk: i for i, p in enumerate(parts)}
    motifs = list(Motif.objects.with_counts(Edition.objects.readable_by(user)))
    hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if edition is not None:
        positions = MotifOccurrence.objects.filter(
            passage__edition=edition
        ).values_list("motif_id", "passage__part_id", "passage__order")
        order_in_part = _order_index(edition)
        for motif_id, part_id, order in positions:
            if part_id in part_index:
                hits[motif_id].append(
                    (part_index[part_id], order_in_part[(part_id, order)])
                )
    groups: dict[str, MotifGroup] = {}
    for motif in motifs:
        motif.strip = charts.strip(spans, hits.get(motif.pk, []))
        groups.setdefault(motif.group or "", MotifGroup(motif.group, [])).motifs.append(
            motif
        )
    return list(groups.values()), spans


def _order_index(edition: Edition) -> dict[tuple[int, int], int]:
    """(part id, passage order) → position of the passage within its part."""
    index: dict[tuple[int, int], int] = {}
    counters: dict[int, int] = defaultdict(int)
    for part_id, order in (
        Passage.objects.filter(edition=edition)
        .order_by("part__order", "order")
        .values_list("part_id", "order")
    ):
        index[(part_id, order)] = counters[part_id]
        counters[part_id] += 1
    return index


@dataclass
class MotifPage:
    motif: Motif
    occurrences: list[MotifOccurrence]
    related: list[Motif]
    chart: charts.BarChart | None
    table: list[tuple[str, int, int]]


def motif_page(motif: Motif, user: object) -> MotifPage:
    readable = Edition.objects.readable_by(user)
    occurrences = list(
        motif.occurrences.select_related("passage__part__edition", "proposed_by")
        .filter(passage__edition__in=readable.values("pk"))
        .in_reading_order()
    )
    related = list(motif.related.with_counts(readable).order_by("order", "name"))
    edition = atlas_edition(user)
    parts, spans = part_spans(edition)
    counts = {p.pk: [0, 0] for p in parts}
    for occurrence in occurrences:
        if occurrence.passage.part_id in counts:
            slot = 0 if occurrence.weight == Weight.CENTRAL else 1
            counts[occurrence.passage.part_id][slot] += 1
    series = [tuple(counts[p.pk]) for p in parts]
    chart = charts.bars_by_part(spans, series) if parts else None
    table = [(p.title, c, s) for p, (c, s) in zip(parts, series, strict=True)]
    for occurrence in occurrences:
        occurrence.excerpt = _excerpt(occurrence)
    return MotifPage(motif, occurrences, related, chart, table)


@dataclass(frozen=True)
class Excerpt:
    before: str
    quote: str
    after: str


def _excerpt(occurrence: MotifOccurrence, context: int = 160) -> Excerpt:
    """The passage around the quote (or its opening, for a whole passage)."""
    text = occurrence.passage.text
    if (
        occurrence.start_offset is None
        or occurrence.exact != text[occurrence.start_offset : occurrence.end_offset]
    ):
        short = (
            text
            if len(text) <= 2 * context
            else text[: 2 * context].rsplit(" ", 1)[0] + " …"
        )
        return Excerpt(short, "", "")
    start, end = occurrence.start_offset, occurrence.end_offset
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    if start > context:
        before = "… " + before.split(" ", 1)[-1]
    if end + context < len(text):
        after = after.rsplit(" ", 1)[0] + " …"
    return Excerpt(before, text[start:end], after)


def motif_matrix(
    user: object,
) -> tuple[list[Motif], list[Part], dict[tuple[int, int], int], int]:
    """Motifs × parts: how many passages of each part carry each motif."""
    edition = atlas_edition(user)
    parts = list(edition.parts.order_by("order")) if edition else []
    motifs = list(Motif.objects.with_counts(Edition.objects.readable_by(user)))
    cells: dict[tuple[int, int], int] = {}
    if edition is not None:
        for motif_id, part_id, n in (
            MotifOccurrence.objects.filter(passage__edition=edition)
            .values_list("motif_id", "passage__part_id")
            .annotate(n=Count("pk"))
        ):
            cells[(motif_id, part_id)] = n
    maximum = max(cells.values(), default=1)
    for motif in motifs:
        motif.cells = [(part, cells.get((motif.pk, part.pk), 0)) for part in parts]
    return motifs, parts, cells, maximum


@dataclass(frozen=True)
class Suggestion:
    passage: Passage
    term: str


def motif_suggestions(motif: Motif, user: object, limit: int = 100) -> list[Suggestion]:
    """Passages matching the motif's search terms, not linked, not dismissed."""
    terms = motif.terms
    if not terms:
        return []
    matches = Q()
    for term in terms:
        matches |= Q(text__icontains=term)
    linked = motif.occurrences.values("passage_id")
    dismissed = DismissedSuggestion.objects.filter(motif=motif).values("passage_id")
    candidates = (
        Passage.objects.filter(
            matches, edition__in=Edition.objects.readable_by(user).values("pk")
        )
        .exclude(pk__in=linked)
        .exclude(pk__in=dismissed)
        .select_related("part")
        .order_by("edition", "part__order", "order")[: limit * 2]
    )
    found = []
    for passage in candidates:
        term = next(
            (
                t
                for t in terms
                if re.search(rf"\b{re.escape(t)}", passage.text, re.IGNORECASE)
            ),
            None,
        )
        if term:
            found.append(Suggestion(passage, term))
    return found[:limit]


# A colour as the database constraint motif_colour_hex allows it; anything
# else is left out of the stylesheet rather than written into CSS.
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def colour_stylesheet() -> str:
    """Each motif's colour as a rule for its class, `.motif-<id>`: chips,
    bars and pages take `--motif` from it. A stylesheet rather than
    style="--motif: ..." attributes, which the Content-Security-Policy
    refuses (style-src without 'unsafe-inline')."""
    rules = [
        f".motif-{pk} {{ --motif: {colour}; }}"
        for pk, colour in Motif.objects.order_by("pk").values_list("pk", "colour")
        if HEX_COLOUR.fullmatch(colour)
    ]
    heading = "/* Motif colours (themes.selectors.colour_stylesheet) */"
    return "\n".join([heading, *rules]) + "\n"
