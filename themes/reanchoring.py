"""Following a passage revision: motif occurrences' quoted phrases."""

from __future__ import annotations

from django.db import transaction

from annotations import anchoring
from annotations.reanchoring import place
from reader.models import Passage
from reader.revisions import Anchored, Effect, register_anchored

from .models import MotifOccurrence


def _quoted(passage_ids: list[int]) -> list[MotifOccurrence]:
    return list(
        MotifOccurrence.objects.filter(
            passage_id__in=passage_ids, start_offset__isnull=False
        )
        .exclude(anchor_state="orphaned")
        .select_related("motif", "passage")
    )


def _quote(occurrence: MotifOccurrence) -> anchoring.Quote:
    return anchoring.Quote(occurrence.exact, occurrence.prefix, occurrence.suffix)


def preview(new_texts: dict[int, str]) -> dict[int, Effect]:
    effects: dict[int, Effect] = {}
    for occurrence in _quoted(list(new_texts)):
        passage = occurrence.passage
        placement = place(
            span_old=[passage],
            old_texts={passage.pk: passage.text},
            new_texts={passage.pk: new_texts[passage.pk]},
            start_offset=occurrence.start_offset,
            end_offset=occurrence.end_offset,
            quote=_quote(occurrence),
        )
        effect = effects.setdefault(passage.pk, Effect("motif occurrences"))
        effect.count(
            placement.state, occurrence.motif.name, occurrence.exact, placement.words
        )
    return effects


@transaction.atomic
def apply(passages: list[Passage], old_texts: dict[int, str]) -> None:
    by_pk = {p.pk: p for p in passages}
    for occurrence in _quoted(list(by_pk)):
        passage = by_pk[occurrence.passage_id]
        placement = place(
            span_old=[passage],
            old_texts={passage.pk: old_texts[passage.pk]},
            new_texts={passage.pk: passage.text},
            start_offset=occurrence.start_offset,
            end_offset=occurrence.end_offset,
            quote=_quote(occurrence),
        )
        occurrence.passage_revision = passage.revision
        if placement.state == "orphaned":
            # The link to the passage stays; the phrase is kept for the record.
            occurrence.anchor_state = "orphaned"
            occurrence.save(update_fields=["anchor_state", "passage_revision"])
            continue
        occurrence.start_offset = placement.start_offset
        occurrence.end_offset = placement.end_offset
        occurrence.anchor_state = placement.state
        occurrence.save(
            update_fields=[
                "start_offset",
                "end_offset",
                "anchor_state",
                "passage_revision",
            ]
        )


register_anchored(Anchored("motif occurrences", preview, apply))
