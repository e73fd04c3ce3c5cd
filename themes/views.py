"""Atlas pages: the motif index, a motif's page, the matrix, proposals, and
the atlas's share of the reader's part page (motif chips and tracing)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reader.models import Part, Passage

from .forms import ProposalForm
from .models import Motif, MotifOccurrence
from .selectors import atlas_edition, motif_index, motif_matrix, motif_page
from .services import proposal_create


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    groups, spans = motif_index(request.user)
    return render(request, "themes/index.html", {"groups": groups, "spans": spans})


@require_GET
def motif_detail(request: HttpRequest, slug: str) -> HttpResponse:
    motif = get_object_or_404(Motif, slug=slug)
    return render(
        request,
        "themes/motif_detail.html",
        {"page": motif_page(motif, request.user)},
    )


@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    motifs, parts, _cells, maximum = motif_matrix(request.user)
    return render(
        request,
        "themes/matrix.html",
        {"motifs": motifs, "parts": parts, "maximum": maximum},
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """Propose that a passage (or a phrase of it) belongs to a motif."""
    data = request.POST if request.method == "POST" else None
    edition = request.GET.get("edition") or getattr(
        atlas_edition(request.user), "slug", ""
    )
    form = ProposalForm(
        data,
        user=request.user,
        edition=edition,
        initial={
            "passage": request.GET.get("passage", ""),
            "quote": request.GET.get("quote", ""),
            "start": request.GET.get("start", ""),
            "end": request.GET.get("end", ""),
            "motif": request.GET.get("motif", ""),
            "edition": edition,
        },
    )
    if data is not None and form.is_valid():
        try:
            proposal = proposal_create(
                proposer=request.user,
                motif=form.cleaned_data["motif"],
                passage=form.cleaned_data["passage"],
                quote=form.cleaned_data["quote"],
                reason=form.cleaned_data["reason"],
                position=form.selected_position(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Thank you: your link to “%s” waits for a curator.")
                % proposal.motif.name,
            )
            return redirect(proposal.passage.get_absolute_url())
    return render(
        request,
        "themes/propose.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def part_page_motifs(
    request: HttpRequest, part: Part, passages: list[Passage]
) -> dict[str, Any]:
    """Motif chips on each passage, and tracing one motif through the book."""
    occurrences = list(
        MotifOccurrence.objects.filter(passage__part=part)
        .select_related("motif")
        .order_by("motif__order", "motif__name")
    )
    chips: dict[int, list[MotifOccurrence]] = {}
    for occurrence in occurrences:
        chips.setdefault(occurrence.passage_id, []).append(occurrence)
    for passage in passages:
        passage.motif_chips = chips.get(passage.pk, [])

    trace = None
    slug = request.GET.get("trace", "")
    if slug:
        trace = _trace(slug, part, passages)
    return {"motif_trace": trace}


def _trace(slug: str, part: Part, passages: list[Passage]) -> dict[str, Any] | None:
    motif = Motif.objects.filter(slug=slug).first()
    if motif is None:
        return None
    stops = list(
        motif.occurrences.filter(passage__edition_id=part.edition_id)
        .select_related("motif", "passage__part__edition")
        .in_reading_order()
    )
    here = [i for i, o in enumerate(stops) if o.passage.part_id == part.pk]
    traced = {stops[i].passage_id for i in here}
    for passage in passages:
        passage.is_traced = passage.pk in traced
    for index, occurrence in enumerate(stops):
        occurrence.previous_stop = stops[index - 1] if index > 0 else None
        occurrence.next_stop = stops[index + 1] if index + 1 < len(stops) else None
    by_passage = {stops[i].passage_id: stops[i] for i in here}
    for passage in passages:
        passage.trace_stop = by_passage.get(passage.pk)
    before = stops[here[0] - 1] if here and here[0] > 0 else None
    after = stops[here[-1] + 1] if here and here[-1] + 1 < len(stops) else None
    if not here:
        # Not in this part: offer the nearest stops around it.
        before = next(
            (o for o in reversed(stops) if o.passage.part.order < part.order), None
        )
        after = next((o for o in stops if o.passage.part.order > part.order), None)
    return {
        "motif": motif,
        "total": len(stops),
        "in_part": len(here),
        "first_here": stops[here[0]] if here else None,
        "before": before,
        "after": after,
    }
