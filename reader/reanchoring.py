"""Following a passage revision: every quoted range on the revised passages.

The one routine for rows with a quoted range (a `QuotedRange` model:
readers' annotations, motif occurrences). It loads what the pure anchoring
module needs (the passages a range spans, their old and new texts, an
orphan's earlier texts), asks `anchoring.place` where the words are now and,
when applying, saves the rows. Apps register their rows with
`anchored_rows`; reader.revisions runs the same code for the curator's
preview and for the revision itself, so what the preview predicts is exactly
what applying does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from . import anchoring
from .anchoring import AnchorState
from .models import Passage, PassageRevision, QuotedRange
from .revisions import Anchored, Effect


def earlier_texts(passage_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Every text these passages had before their current one, by revision."""
    texts: dict[int, dict[int, str]] = defaultdict(dict)
    for passage_id, revision, text in PassageRevision.objects.filter(
        passage_id__in=set(passage_ids)
    ).values_list("passage_id", "revision", "text"):
        texts[passage_id][revision] = text
    return texts


@dataclass(frozen=True)
class _Rows:
    """What one app anchors: its rows with a range, and whose each one is."""

    label: str
    rows: Callable[[], QuerySet]
    who: Callable[[QuotedRange], str]

    def touching(self, passage_ids: Iterable[int]) -> list[QuotedRange]:
        ids = list(passage_ids)
        queryset = self.rows()
        first, last = queryset.model.FIRST_PASSAGE, queryset.model.LAST_PASSAGE
        return list(
            queryset.filter(
                Q(**{f"{first}_id__in": ids}) | Q(**{f"{last}_id__in": ids})
            ).select_related(first, last)
        )


def _first(row: QuotedRange) -> Passage:
    return getattr(row, row.FIRST_PASSAGE)


def _last(row: QuotedRange) -> Passage:
    return getattr(row, row.LAST_PASSAGE)


def _spans(rows: list[QuotedRange]) -> dict[int, list[Passage]]:
    """Each part's passages in order, for the parts where a range crosses
    from one passage into others (a range in one passage spans just it)."""
    parts = {_first(r).part_id for r in rows if _first(r).pk != _last(r).pk}
    by_part: dict[int, list[Passage]] = defaultdict(list)
    if parts:
        for passage in Passage.objects.filter(part_id__in=parts).order_by("order"):
            by_part[passage.part_id].append(passage)
    return by_part


def _span(row: QuotedRange, by_part: dict[int, list[Passage]]) -> list[Passage]:
    start, end = _first(row), _last(row)
    if start.pk == end.pk:
        return [start]
    return [p for p in by_part[start.part_id] if start.order <= p.order <= end.order]


def _placed(
    row: QuotedRange,
    span: list[Passage],
    old_texts: list[str],
    new_texts: list[str],
    earlier: dict[int, dict[int, str]],
) -> anchoring.Placement:
    """Where a row's words are after the edit from old to new texts.

    An orphan is followed from the text it was anchored on, so a revision
    that brings its words back (a revert) puts it back on them.
    """
    if row.is_orphaned:
        found = anchoring.texts_it_was_on(
            texts=old_texts,
            earlier=[earlier.get(p.pk, {}) for p in span],
            revision=row.passage_revision,
            start_offset=row.start_offset,
            end_offset=row.end_offset,
            quote=row.quote,
        )
        if found is None:
            return anchoring.Placement(AnchorState.ORPHANED)
        old_texts = found
    return anchoring.place(
        old_texts=old_texts,
        new_texts=new_texts,
        start_offset=row.start_offset,
        end_offset=row.end_offset,
        quote=row.quote,
    )


def _orphans_history(
    rows: list[QuotedRange], by_part: dict[int, list[Passage]]
) -> dict[int, dict[int, str]]:
    orphans = [r for r in rows if r.is_orphaned]
    return earlier_texts(p.pk for r in orphans for p in _span(r, by_part))


def _preview(spec: _Rows, new_texts: dict[int, str]) -> dict[int, Effect]:
    rows = spec.touching(new_texts)
    by_part = _spans(rows)
    earlier = _orphans_history(rows, by_part)
    effects: dict[int, Effect] = {}
    for row in rows:
        span = _span(row, by_part)
        placement = _placed(
            row,
            span,
            [p.text for p in span],
            [new_texts.get(p.pk, p.text) for p in span],
            earlier,
        )
        changed = next(p.pk for p in span if p.pk in new_texts)
        effects.setdefault(changed, Effect(spec.label)).count(
            placement.state, spec.who(row), row.exact, placement.words
        )
    return effects


def _apply(spec: _Rows, passages: list[Passage], old_texts: dict[int, str]) -> None:
    """Re-anchor every row on freshly revised passages.

    Orphans too: a revision that brings their words back (a revert) puts
    them back on them. An orphan keeps the revision and offsets it was
    anchored on, so that it can be followed from there; its link to the
    passage and its quote stay, for the record.
    """
    with transaction.atomic():
        rows = spec.touching(p.pk for p in passages)
        by_part = _spans(rows)
        earlier = _orphans_history(rows, by_part)
        for row in rows:
            span = _span(row, by_part)
            placement = _placed(
                row,
                span,
                [old_texts.get(p.pk, p.text) for p in span],
                [p.text for p in span],
                earlier,
            )
            if placement.is_orphaned:
                if not row.is_orphaned:
                    row.anchor_state = AnchorState.ORPHANED
                    row.save(update_fields=["anchor_state"])
                continue
            first = span[placement.first]
            setattr(row, row.FIRST_PASSAGE, first)
            setattr(row, row.LAST_PASSAGE, span[placement.last])
            row.start_offset = placement.start_offset
            row.end_offset = placement.end_offset
            row.passage_revision = first.revision
            # Exact: its quote, at the offsets it had. A range that moved once
            # and is left alone by this revision is exact on its new offsets;
            # one whose words came back as they were is exact again.
            row.anchor_state = placement.state
            row.save(
                update_fields=list(
                    dict.fromkeys(
                        [
                            row.FIRST_PASSAGE,
                            "start_offset",
                            row.LAST_PASSAGE,
                            "end_offset",
                            "passage_revision",
                            "anchor_state",
                        ]
                    )
                )
            )


def anchored_rows(
    *,
    label: str,
    rows: Callable[[], QuerySet],
    who: Callable[[QuotedRange], str],
) -> Anchored:
    """The revision handler for an app's rows with a quoted range.

    `rows()` is the app's queryset of rows that have a range (e.g. not
    replies), `who(row)` what the preview names each by (its author, its
    motif).
    """
    spec = _Rows(label, rows, who)
    return Anchored(
        label,
        lambda new_texts: _preview(spec, new_texts),
        lambda passages, old_texts: _apply(spec, passages, old_texts),
    )
