"""Every write to the motif atlas goes through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reader import anchoring
from reader.anchoring import AnchorState
from reader.edition_files import EditionSourceError
from reader.models import Edition, Passage
from reader.page_cache import anonymous_pages_forget_once
from reader.provenance import Holder, differing, fingerprint, holder

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


# What the catalogue owns on a motif (and its related links) and on an
# occurrence; an occurrence's range follows the passage.
MOTIF_FIELDS = (
    "name",
    "summary",
    "description",
    "group",
    "order",
    "colour",
    "search_terms",
    "source_title",
    "source_author",
    "source_year",
    "source_locator",
    "source_public_domain",
)
OCCURRENCE_FIELDS = ("weight", "note", "exact")


@dataclass
class CatalogueReport:
    motifs_created: list[str] = field(default_factory=list)
    motifs_updated: list[str] = field(default_factory=list)
    occurrences_created: int = 0
    occurrences_updated: int = 0
    occurrences_unchanged: int = 0
    occurrences_kept: list[str] = field(default_factory=list)
    # Curators' work: kept (or, with force, replaced), one line each.
    motifs_curated: int = 0
    occurrences_curated: int = 0
    curated_kept: list[str] = field(default_factory=list)
    curated_forced: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kept = " kept as a curator edited them"
        out = [
            f"Motifs: {len(self.motifs_created)} added, "
            f"{len(self.motifs_updated)} updated"
            + (f", {self.motifs_curated}{kept}" if self.motifs_curated else "")
            + f". Occurrences: {self.occurrences_created} added, "
            f"{self.occurrences_updated} updated, "
            f"{self.occurrences_unchanged} unchanged"
            + (
                f", {self.occurrences_curated}{kept}"
                if self.occurrences_curated
                else ""
            )
            + "."
        ]
        out += self.curated_kept + self.curated_forced + self.unplaced
        if self.occurrences_kept:
            out.append(
                "Catalogue occurrences no longer in the files, kept (remove them in "
                f"admin if they are wrong): {', '.join(self.occurrences_kept)}."
            )
        return out


def _curated_line(label: str, held: Holder, names: list[str], *, forced: bool) -> str:
    whose = (
        "the curator's"
        if held is Holder.CURATOR
        else "the database's (changed before loads recorded theirs)"
    )
    if forced:
        return f"{label}: replaced {whose} {', '.join(names)} (--force)."
    return (
        f"{label}: kept {whose} {', '.join(names)}; the bundled file differs "
        "(use --force to replace it)."
    )


def _quote_range(
    text: str, quote: str, near: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """Where a motif's quote sits in a passage, placed as a note's words are
    (`anchoring.locate`): where it occurs once, or at the position `near`
    while that still holds it. None when it is not there, or occurs more
    than once and nothing says which: never a guess."""
    start, end = near if near is not None else (None, None)
    found = anchoring.locate(text, anchoring.Quote(quote, "", ""), start, end)
    if found.start is None or found.end is None:
        return None
    return found.start, found.end


def _related_slugs() -> dict[int, set[str]]:
    """Every motif's related motifs, by slug, in one query."""
    through = Motif.related.through
    related: dict[int, set[str]] = {}
    for from_pk, to_slug in through.objects.values_list(
        "from_motif_id", "to_motif__slug"
    ):
        related.setdefault(from_pk, set()).add(to_slug)
    return related


def _motif_state(motif: Motif, fields: Sequence[str], related: set[str]) -> dict:
    return {
        **{name: getattr(motif, name) for name in fields},
        "related": sorted(related),
    }


# Not placed: a catalogue quote missing from a passage a curator revised.
UNPLACED = (-1, -1)


@transaction.atomic
@anonymous_pages_forget_once()
def catalogue_load(
    *, motifs: list[MotifSource], edition: Edition, force: bool = False
) -> CatalogueReport:
    """Create or update motifs and their occurrences from the catalogue.

    Everything is checked against the edition first; any unknown passage or
    quote that is not (exactly once) in its passage stops the load with the
    file and line, and nothing is written. Loading twice changes nothing.

    A curator's work is never undone: a motif or occurrence edited in admin
    since the last load is kept and reported unless `force` (see
    reader/provenance.py); a quote missing from a passage a curator revised
    is reported, not an error, and its occurrence left as the revision left it.
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
                if span is None and not passage.holds_loaded_text:
                    span = UNPLACED
                elif span is None:
                    found = passage.text.count(occurrence.quote)
                    problem = "is not in" if found == 0 else f"occurs {found} times in"
                    raise EditionSourceError(
                        motif.path,
                        occurrence.line,
                        f"quote {occurrence.quote!r} {problem} passage {passage.key}",
                    )
            rows.append((occurrence, passage, span))
        planned.append((motif, rows))

    # The related links the files ask for, both ways (the relation is mutual).
    wanted: dict[str, set[str]] = {m.slug: set(m.related) for m in motifs}
    for source in motifs:
        for other in source.related:
            wanted[other].add(source.slug)

    report = CatalogueReport()
    related = _related_slugs()
    by_slug: dict[str, Motif] = {}
    writable: set[str] = set()
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
            writable.add(motif.slug)
        else:
            have = related.get(motif.pk, set())
            current = _motif_state(motif, MOTIF_FIELDS, have)
            # The loader adds links and never removes one.
            bundled = {**values, "related": sorted(have | wanted[source.slug])}
            held = holder(
                stored=motif.loaded_fingerprint, current=current, bundled=bundled
            )
            curated = held in (Holder.CURATOR, Holder.UNKNOWN)
            if curated:
                names = differing(current, bundled)
                report.motifs_curated += not force
                (report.curated_forced if force else report.curated_kept).append(
                    _curated_line(motif.slug, held, names, forced=force)
                )
            if force or not curated:
                writable.add(motif.slug)
                changed = [k for k, v in values.items() if getattr(motif, k) != v]
                if changed:
                    for name in changed:
                        setattr(motif, name, values[name])
                    motif.full_clean(exclude=["related"])
                    motif.save(update_fields=changed)
                    report.motifs_updated.append(motif.slug)
        by_slug[motif.slug] = motif
        _load_occurrences(motif, rows, report, force=force)

    for source, _rows in planned:
        motif = by_slug[source.slug]
        if motif.slug not in writable:
            continue
        # A link to a motif a curator edited would change that motif too.
        add = {by_slug[s].pk for s in wanted[source.slug] if s in writable}
        current = set(motif.related.values_list("pk", flat=True))
        if add - current:
            motif.related.add(*(add - current))

    # What the loader leaves in each motif it wrote is what it owns next time.
    related = _related_slugs()
    for slug in writable:
        motif = by_slug[slug]
        state = _motif_state(motif, MOTIF_FIELDS, related.get(motif.pk, set()))
        stamp = fingerprint(state)
        if motif.loaded_fingerprint != stamp:
            Motif.objects.filter(pk=motif.pk).update(loaded_fingerprint=stamp)
    return report


def _load_occurrences(
    motif: Motif, rows: list[tuple], report: CatalogueReport, *, force: bool
) -> None:
    existing = {o.passage_id: o for o in motif.occurrences.all()}
    seen: set[int] = set()
    for occurrence, passage, span in rows:
        seen.add(passage.pk)
        current = existing.get(passage.pk)
        label = f"{motif.slug}:{passage.key}"
        if span == UNPLACED:
            left = (
                "the occurrence is left as the revision re-anchored it"
                if current is not None
                else "it is not linked"
            )
            report.unplaced.append(
                f"{label}: the catalogue's quote {occurrence.quote!r} is not in the "
                f"passage as a curator revised it; {left} (fix the catalogue)."
            )
            continue
        owned = {
            "weight": occurrence.weight,
            "note": occurrence.note,
            "exact": occurrence.quote,
        }
        values = _range_values(passage, span)
        values.update(
            {
                "note": occurrence.note,
                "weight": occurrence.weight,
                "from_catalogue": True,
                "loaded_fingerprint": fingerprint(owned),
            }
        )
        if current is None:
            MotifOccurrence.objects.create(motif=motif, passage=passage, **values)
            report.occurrences_created += 1
            continue
        have = {name: getattr(current, name) for name in OCCURRENCE_FIELDS}
        held = holder(stored=current.loaded_fingerprint, current=have, bundled=owned)
        if held in (Holder.CURATOR, Holder.UNKNOWN):
            names = differing(have, owned)
            (report.curated_forced if force else report.curated_kept).append(
                _curated_line(label, held, names, forced=force)
            )
            if not force:
                report.occurrences_curated += 1
                continue
        changed = [k for k, v in values.items() if getattr(current, k) != v]
        if changed:
            for name in changed:
                setattr(current, name, values[name])
            current.save(update_fields=changed)
        if set(changed) - {"loaded_fingerprint"}:
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
            "anchor_state": AnchorState.EXACT,
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
        "anchor_state": AnchorState.EXACT,
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
    position: tuple[int, int] | None = None,
) -> MotifProposal:
    """A signed-in reader suggests that a passage (or a phrase) belongs to a motif.

    The phrase is placed as a note's words are: where it occurs once, or at
    `position` (the offsets the reader selected it at) while that holds it,
    so words the passage has more than once are proposed where they were
    selected. Typed words found several times, with nothing to say which,
    are refused rather than guessed at."""
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
        span = _quote_range(passage.text, quote, position)
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
    if proposal.start_offset is None or proposal.end_offset is None:
        return None
    if not proposal.exact:
        return None
    return _quote_range(
        proposal.passage.text,
        proposal.exact,
        (proposal.start_offset, proposal.end_offset),
    )


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
