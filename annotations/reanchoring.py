"""Following a passage revision: where each annotation's words are now.

Used by reader.revisions for both the curator's preview and the revision
itself, so what the preview predicts is exactly what applying does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from reader.models import Passage, PassageRevision
from reader.revisions import Anchored, Effect, EffectItem, register_anchored

from . import anchoring
from .models import AnchorState, Annotation


@dataclass(frozen=True)
class Placement:
    state: str
    start: Passage | None = None
    start_offset: int | None = None
    end: Passage | None = None
    end_offset: int | None = None
    words: str = ""


def place(
    *,
    span_old: list[Passage],
    old_texts: dict[int, str],
    new_texts: dict[int, str],
    start_offset: int,
    end_offset: int,
    quote: anchoring.Quote,
) -> Placement:
    """Where a range over `span_old` (offsets in the old texts) lies now."""
    old_doc = anchoring.join_passages([old_texts[p.pk] for p in span_old])
    new_doc = anchoring.join_passages([new_texts[p.pk] for p in span_old])
    start = old_doc.to_global(0, min(start_offset, len(old_texts[span_old[0].pk])))
    end = old_doc.to_global(
        len(span_old) - 1, min(end_offset, len(old_texts[span_old[-1].pk]))
    )
    resolution = anchoring.resolve(
        new_doc.text, anchoring.Anchor(start=start, end=max(start, end), quote=quote)
    )
    if resolution.state == anchoring.AnchorState.ORPHANED:
        return Placement(AnchorState.ORPHANED)
    first, local_start = new_doc.to_local(resolution.start)
    last, local_end = new_doc.to_local_end(resolution.end)
    state = (
        AnchorState.EXACT
        if resolution.state == anchoring.AnchorState.EXACT
        and (first, local_start, last, local_end)
        == (0, start_offset, len(span_old) - 1, end_offset)
        else AnchorState.MOVED
    )
    return Placement(
        state,
        span_old[first],
        local_start,
        span_old[last],
        local_end,
        new_doc.text[resolution.start : resolution.end],
    )


def _touching(passage_ids: Iterable[int]) -> list[Annotation]:
    ids = list(passage_ids)
    return list(
        Annotation.objects.filter(reply_to__isnull=True)
        .filter(Q(start_passage_id__in=ids) | Q(end_passage_id__in=ids))
        .select_related("author", "start_passage", "end_passage")
    )


def _spans(annotations: list[Annotation]) -> dict[int, list[Passage]]:
    """Each part's passages in order, for the parts these annotations are in."""
    parts = {a.start_passage.part_id for a in annotations}
    by_part: dict[int, list[Passage]] = defaultdict(list)
    for passage in Passage.objects.filter(part_id__in=parts).order_by("order"):
        by_part[passage.part_id].append(passage)
    return by_part


def _span(annotation: Annotation, by_part: dict[int, list[Passage]]) -> list[Passage]:
    start, end = annotation.start_passage, annotation.end_passage
    return [p for p in by_part[start.part_id] if start.order <= p.order <= end.order]


def _quote(annotation: Annotation) -> anchoring.Quote:
    return anchoring.Quote(
        exact=annotation.exact, prefix=annotation.prefix, suffix=annotation.suffix
    )


def preview(new_texts: dict[int, str]) -> dict[int, Effect]:
    annotations = _touching(new_texts)
    by_part = _spans(annotations)
    effects: dict[int, Effect] = {}
    for annotation in annotations:
        span = _span(annotation, by_part)
        old_texts = {p.pk: p.text for p in span}
        placement = place(
            span_old=span,
            old_texts=old_texts,
            new_texts={p.pk: new_texts.get(p.pk, p.text) for p in span},
            start_offset=annotation.start_offset,
            end_offset=annotation.end_offset,
            quote=_quote(annotation),
        )
        changed = next(p.pk for p in span if p.pk in new_texts)
        effect = effects.setdefault(changed, Effect("annotations"))
        if placement.state == AnchorState.EXACT:
            effect.exact += 1
            continue
        if placement.state == AnchorState.MOVED:
            effect.moved += 1
        else:
            effect.orphaned += 1
        effect.items.append(
            EffectItem(
                placement.state,
                annotation.author.get_username(),
                annotation.exact,
                placement.words,
            )
        )
    return effects


@transaction.atomic
def apply(passages: list[Passage]) -> None:
    """Re-anchor every annotation on freshly revised passages."""
    revised = {p.pk: p for p in passages}
    previous = {
        r.passage_id: r.text
        for r in PassageRevision.objects.filter(passage__in=passages).order_by(
            "revision"
        )
    }  # the latest earlier text of each (later rows overwrite earlier ones)
    annotations = _touching(revised)
    by_part = _spans(annotations)
    for annotation in annotations:
        if annotation.anchor_state == AnchorState.ORPHANED:
            # Its words were lost in an earlier revision: only its author or
            # a curator can re-attach it, never a guess.
            continue
        span = _span(annotation, by_part)
        placement = place(
            span_old=span,
            old_texts={
                p.pk: previous.get(p.pk, p.text) if p.pk in revised else p.text
                for p in span
            },
            new_texts={p.pk: p.text for p in span},
            start_offset=annotation.start_offset,
            end_offset=annotation.end_offset,
            quote=_quote(annotation),
        )
        if placement.state == AnchorState.ORPHANED:
            annotation.anchor_state = AnchorState.ORPHANED
            annotation.save(update_fields=["anchor_state"])
            continue
        annotation.start_passage = placement.start
        annotation.start_offset = placement.start_offset
        annotation.end_passage = placement.end
        annotation.end_offset = placement.end_offset
        annotation.passage_revision = placement.start.revision
        if (
            placement.state == AnchorState.MOVED
            or annotation.anchor_state != AnchorState.EXACT
        ):
            annotation.anchor_state = AnchorState.MOVED
        annotation.save(
            update_fields=[
                "start_passage",
                "start_offset",
                "end_passage",
                "end_offset",
                "passage_revision",
                "anchor_state",
            ]
        )


register_anchored(Anchored("annotations", preview, apply))
