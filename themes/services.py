"""Every write to the motif atlas goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import anchoring
from reader.edition_files import EditionSourceError
from reader.models import Edition, Passage

from .catalogue import MotifSource
from .models import (
    DismissedSuggestion,
    Motif,
    MotifOccurrence,
    MotifProposal,
    ProposalStatus,
    Weight,
)

MAX_REASON_LENGTH = 2000


@dataclass
class CatalogueReport:
    motifs_created: list[str] = field(default_factory=list)
    motifs_updated: list[str] = field(default_factory=list)
    occurrences_created: int = 0
    occurrences_updated: int = 0
    occurrences_unchanged: int = 0
    occurrences_kept: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Motifs: {len(self.motifs_created)} added, "
            f"{len(self.motifs_updated)} updated. Occurrences: "
            f"{self.occurrences_created} added, {self.occurrences_updated} updated, "
            f"{self.occurrences_unchanged} unchanged."
        ]
        if self.occurrences_kept:
            out.append(
                "Catalogue occurrences no longer in the files, kept (remove them in "
                f"admin if they are wrong): {', '.join(self.occurrences_kept)}."
            )
        return out


def _quote_range(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote sits in a passage: it must occur exactly once."""
    count = text.count(quote)
    if count != 1:
        return None
    start = text.index(quote)
    return start, start + len(quote)


@transaction.atomic
def catalogue_load(*, motifs: list[MotifSource], edition: Edition) -> CatalogueReport:
    """Create or update motifs and their occurrences from the catalogue.

    Everything is checked against the edition first; any unknown passage or
    quote that is not (exactly once) in its passage stops the load with the
    file and line, and nothing is written. Loading twice changes nothing.
    """
    passages = {p.key: p for p in Passage.objects.filter(edition=edition)}
    planned: list[tuple[MotifSource, list[tuple]]] = []
    for motif in motifs:
        rows = []
        for occurrence in motif.occurrences:
            passage = passages.get(occurrence.passage_key)
            if passage is None:
                raise EditionSourceError(
                    motif.path,
                    occurrence.line,
                    f"unknown passage {occurrence.passage_key} "
                    f"in edition {edition.slug}",
                )
            span = None
            if occurrence.quote:
                span = _quote_range(passage.text, occurrence.quote)
                if span is None:
                    found = passage.text.count(occurrence.quote)
                    problem = "is not in" if found == 0 else f"occurs {found} times in"
                    raise EditionSourceError(
                        motif.path,
                        occurrence.line,
                        f"quote {occurrence.quote!r} {problem} passage {passage.key}",
                    )
            rows.append((occurrence, passage, span))
        planned.append((motif, rows))

    report = CatalogueReport()
    by_slug: dict[str, Motif] = {}
    for source, rows in planned:
        values = {
            "name": source.name,
            "summary": source.summary,
            "description": source.description,
            "group": source.group,
            "order": source.order,
            "colour": source.colour,
            "search_terms": ", ".join(source.search_terms),
            "source_title": source.source["title"],
            "source_author": source.source["author"],
            "source_year": source.source["year"],
            "source_locator": source.source["locator"],
            "source_public_domain": source.source_public_domain,
        }
        motif = Motif.objects.filter(slug=source.slug).first()
        if motif is None:
            motif = Motif(slug=source.slug, **values)
            motif.full_clean(exclude=["related"])
            motif.save()
            report.motifs_created.append(motif.slug)
        else:
            changed = [k for k, v in values.items() if getattr(motif, k) != v]
            if changed:
                for name in changed:
                    setattr(motif, name, values[name])
                motif.full_clean(exclude=["related"])
                motif.save(update_fields=changed)
                report.motifs_updated.append(motif.slug)
        by_slug[motif.slug] = motif
        _load_occurrences(motif, rows, report)

    for source, _rows in planned:
        motif = by_slug[source.slug]
        wanted = {by_slug[s].pk for s in source.related}
        current = set(motif.related.values_list("pk", flat=True))
        if wanted - current:
            motif.related.add(*(wanted - current))
    return report


def _load_occurrences(motif: Motif, rows: list[tuple], report: CatalogueReport) -> None:
    existing = {o.passage_id: o for o in motif.occurrences.all()}
    seen: set[int] = set()
    for occurrence, passage, span in rows:
        seen.add(passage.pk)
        values = _range_values(passage, span)
        values.update(
            {
                "note": occurrence.note,
                "weight": occurrence.weight,
                "from_catalogue": True,
            }
        )
        current = existing.get(passage.pk)
        if current is None:
            MotifOccurrence.objects.create(motif=motif, passage=passage, **values)
            report.occurrences_created += 1
            continue
        changed = [k for k, v in values.items() if getattr(current, k) != v]
        if changed:
            for name in changed:
                setattr(current, name, values[name])
            current.save(update_fields=changed)
            report.occurrences_updated += 1
        else:
            report.occurrences_unchanged += 1
    report.occurrences_kept += [
        f"{motif.slug}:{o.passage.key}"
        for pk, o in existing.items()
        if pk not in seen and o.from_catalogue
    ]


def _range_values(passage: Passage, span: tuple[int, int] | None) -> dict:
    if span is None:
        return {
            "start_offset": None,
            "end_offset": None,
            "exact": "",
            "prefix": "",
            "suffix": "",
            "passage_revision": passage.revision,
            "anchor_state": "exact",
        }
    quote = anchoring.build_quote(passage.text, *span)
    return {
        "start_offset": span[0],
        "end_offset": span[1],
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
        "passage_revision": passage.revision,
        # The catalogue's quote is checked against the text: whatever a
        # revision had orphaned, it is anchored again.
        "anchor_state": "exact",
    }


# --- Readers' proposals and curators' decisions ---------------------------------


@transaction.atomic
def proposal_create(
    *,
    proposer: AbstractBaseUser,
    motif: Motif,
    passage: Passage,
    reason: str,
    quote: str = "",
) -> MotifProposal:
    """A signed-in reader suggests that a passage (or a phrase) belongs to a motif."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say in a sentence why it belongs here.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("At most %d characters, please.") % MAX_REASON_LENGTH}
        )
    quote = " ".join((quote or "").split())
    span = None
    if quote:
        span = _quote_range(passage.text, quote)
        if span is None:
            raise ValidationError(
                {"quote": _("Quote words that appear exactly once in the passage.")}
            )
    if MotifOccurrence.objects.filter(motif=motif, passage=passage).exists():
        raise ValidationError(
            {"passage": _("This passage is already linked to %s.") % motif.name}
        )
    if MotifProposal.objects.filter(
        motif=motif, passage=passage, proposer=proposer, status=ProposalStatus.PENDING
    ).exists():
        raise ValidationError(
            {"passage": _("You have already proposed this; it waits for a curator.")}
        )
    proposal = MotifProposal(
        motif=motif,
        passage=passage,
        proposer=proposer,
        reason=reason,
        exact=quote,
        start_offset=span[0] if span else None,
        end_offset=span[1] if span else None,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


def _check_pending(proposal: MotifProposal) -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("This proposal was already decided."))


@transaction.atomic
def proposal_accept(
    *, proposal: MotifProposal, curator: AbstractBaseUser
) -> MotifOccurrence:
    """Turn a proposal into an occurrence credited to its proposer."""
    proposal = MotifProposal.objects.select_for_update().get(pk=proposal.pk)
    _check_pending(proposal)
    occurrence = MotifOccurrence.objects.filter(
        motif=proposal.motif, passage=proposal.passage
    ).first()
    if occurrence is None:
        occurrence = MotifOccurrence.objects.create(
            motif=proposal.motif,
            passage=proposal.passage,
            note=proposal.reason,
            weight=Weight.PASSING,
            proposed_by=proposal.proposer,
            **_range_values(proposal.passage, _proposed_span(proposal)),
        )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_by = curator
    proposal.decided = timezone.now()
    proposal.occurrence = occurrence
    proposal.save(update_fields=["status", "decided_by", "decided", "occurrence"])
    return occurrence


def _proposed_span(proposal: MotifProposal) -> tuple[int, int] | None:
    """The proposed words in the passage as it reads now: the passage may have
    been revised since. Words no longer found once make a whole-passage link."""
    if proposal.start_offset is None:
        return None
    text = proposal.passage.text
    if text[proposal.start_offset : proposal.end_offset] == proposal.exact:
        return proposal.start_offset, proposal.end_offset
    return _quote_range(text, proposal.exact) if proposal.exact else None


@transaction.atomic
def proposal_reject(*, proposal: MotifProposal, curator: AbstractBaseUser) -> None:
    proposal = MotifProposal.objects.select_for_update().get(pk=proposal.pk)
    _check_pending(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = curator
    proposal.decided = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided"])


@transaction.atomic
def suggestion_accept(
    *, motif: Motif, passage: Passage, curator: AbstractBaseUser, term: str
) -> MotifOccurrence:
    """A curator links a passage that the motif's search terms found."""
    occurrence, _created = MotifOccurrence.objects.get_or_create(
        motif=motif,
        passage=passage,
        defaults={
            "note": _("Found by the search term “%s”.") % term if term else "",
            "weight": Weight.PASSING,
            **_range_values(passage, None),
        },
    )
    return occurrence


@transaction.atomic
def suggestion_dismiss(
    *, motif: Motif, passage: Passage, curator: AbstractBaseUser
) -> DismissedSuggestion:
    """Not an occurrence: the suggestion will not come back."""
    dismissed, _created = DismissedSuggestion.objects.get_or_create(
        motif=motif, passage=passage, defaults={"dismissed_by": curator}
    )
    return dismissed
