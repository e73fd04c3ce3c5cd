"""Following a passage revision: motif occurrences' quoted phrases."""

from __future__ import annotations

from django.db import transaction

from annotations import anchoring
from annotations.reanchoring import Placement, earlier_texts, place, texts_it_was_on
from reader.models import Passage
from reader.revisions import Anchored, Effect, register_anchored

from .models import MotifOccurrence


def _quoted(passage_ids: list[int]) -> list[MotifOccurrence]:
    return list(
        MotifOccurrence.objects.filter(
            passage_id__in=passage_ids, start_offset__isnull=False
        ).select_related("motif", "passage")
    )


def _quote(occurrence: MotifOccurrence) -> anchoring.Quote:
    return anchoring.Quote(occurrence.exact, occurrence.prefix, occurrence.suffix)


def _placed(
    occurrence: MotifOccurrence,
    passage: Passage,
    old: str,
    new: str,
    earlier: dict[int, dict[int, str]],
) -> Placement:
    """Where an occurrence's phrase is after the edit from old to new.

    An orphan is followed from the text it was anchored on, so a revision
    that brings its phrase back (a revert) puts it back on it.
    """
    old_texts: dict[int, str] | None = {passage.pk: old}
    if occurrence.anchor_state == "orphaned":
        old_texts = texts_it_was_on(
            span=[passage],
            revision=occurrence.passage_revision,
            texts={passage.pk: old},
            earlier=earlier,
            start_offset=occurrence.start_offset,
            end_offset=occurrence.end_offset,
            quote=_quote(occurrence),
        )
        if old_texts is None:
            return Placement("orphaned")
    return place(
        span_old=[passage],
        old_texts=old_texts,
        new_texts={passage.pk: new},
        start_offset=occurrence.start_offset,
        end_offset=occurrence.end_offset,
        quote=_quote(occurrence),
    )


def _history(occurrences: list[MotifOccurrence]) -> dict[int, dict[int, str]]:
    return earlier_texts(
        o.passage_id for o in occurrences if o.anchor_state == "orphaned"
    )


def preview(new_texts: dict[int, str]) -> dict[int, Effect]:
    effects: dict[int, Effect] = {}
    occurrences = _quoted(list(new_texts))
    earlier = _history(occurrences)
    for occurrence in occurrences:
        passage = occurrence.passage
        placement = _placed(
            occurrence, passage, passage.text, new_texts[passage.pk], earlier
        )
        effect = effects.setdefault(passage.pk, Effect("motif occurrences"))
        effect.count(
            placement.state, occurrence.motif.name, occurrence.exact, placement.words
        )
    return effects


@transaction.atomic
def apply(passages: list[Passage], old_texts: dict[int, str]) -> None:
    by_pk = {p.pk: p for p in passages}
    occurrences = _quoted(list(by_pk))
    earlier = _history(occurrences)
    for occurrence in occurrences:
        passage = by_pk[occurrence.passage_id]
        placement = _placed(
            occurrence, passage, old_texts[passage.pk], passage.text, earlier
        )
        if placement.state == "orphaned":
            # The link to the passage stays; the phrase is kept for the record,
            # with the offsets and revision it had, to follow if it returns.
            if occurrence.anchor_state != "orphaned":
                occurrence.anchor_state = "orphaned"
                occurrence.save(update_fields=["anchor_state"])
            continue
        occurrence.passage_revision = passage.revision
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
