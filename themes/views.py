"""Atlas pages: the motif index, a motif's page, the matrix and proposals
(the atlas's share of the reader's part page is in contributions)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .forms import ProposalForm
from .models import Motif
from .selectors import (
    atlas_edition,
    colour_stylesheet,
    motif_index,
    motif_matrix,
    motif_page,
)
from .services import proposal_create


@require_GET
def colours(request: HttpRequest) -> HttpResponse:
    """The motifs' colours as CSS (every page links it). Revalidated on each
    page (no-cache, a 304 while no colour changed): a curator's new colour
    shows at once, and the file is the same for everyone."""
    css = colour_stylesheet()
    etag = quote_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True)
    return response


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
