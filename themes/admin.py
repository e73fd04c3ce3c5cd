"""Admin for curators: motifs with their occurrences, readers' proposals, and
suggestions found by each motif's search terms."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from reader.markdown import render_markdown
from reader.models import Passage

from .models import (
    DismissedSuggestion,
    Motif,
    MotifOccurrence,
    MotifProposal,
    ProposalStatus,
)
from .selectors import motif_suggestions
from .services import (
    proposal_accept,
    proposal_reject,
    suggestion_accept,
    suggestion_dismiss,
)


class OccurrenceInline(admin.TabularInline):
    model = MotifOccurrence
    fields = ("passage", "weight", "exact", "note", "proposed_by")
    readonly_fields = ("proposed_by",)
    autocomplete_fields = ("passage",)
    extra = 0
    ordering = ("passage__part__order", "passage__order")


@admin.register(Motif)
class MotifAdmin(admin.ModelAdmin):
    list_display = ("name", "group", "order", "occurrence_count", "suggestions_link")
    list_filter = ("group",)
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("related",)
    readonly_fields = ("description_preview",)
    inlines = [OccurrenceInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "summary", "group", "order", "colour")}),
        (_("Description"), {"fields": ("description", "description_preview")}),
        (_("Links"), {"fields": ("related", "search_terms")}),
        (
            _("Source"),
            {
                "fields": (
                    "source_title",
                    "source_author",
                    "source_year",
                    "source_locator",
                    "source_public_domain",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Motif]:
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("passages"), ordering="occurrence_count")
    def occurrence_count(self, motif: Motif) -> int:
        return motif.occurrence_count

    @admin.display(description=_("preview"))
    def description_preview(self, motif: Motif) -> str:
        # The one renderer: what readers will see on the motif page.
        return render_markdown(motif.description)

    @admin.display(description=_("suggest occurrences"))
    def suggestions_link(self, motif: Motif) -> str:
        if not motif.terms:
            return "—"
        url = reverse("admin:themes_motif_suggestions", args=[motif.pk])
        return format_html('<a href="{}">{}</a>', url, _("Suggestions"))

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/suggestions/",
                view(self.suggestions_view),
                name="themes_motif_suggestions",
            ),
            path(
                "<int:pk>/suggestions/decide/",
                view(require_POST(self.suggestion_decide_view)),
                name="themes_motif_suggestion_decide",
            ),
            *super().get_urls(),
        ]

    def suggestions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        motif = get_object_or_404(Motif, pk=pk)
        if not self.has_change_permission(request, motif):
            return HttpResponse(status=403)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "motif": motif,
            "suggestions": motif_suggestions(motif, request.user),
            "title": _("Suggested passages for %s") % motif.name,
        }
        return TemplateResponse(request, "admin/themes/motif/suggestions.html", context)

    def suggestion_decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        motif = get_object_or_404(Motif, pk=pk)
        if not self.has_change_permission(request, motif):
            return HttpResponse(status=403)
        passage = get_object_or_404(Passage, pk=request.POST.get("passage"))
        if request.POST.get("decision") == "accept":
            suggestion_accept(
                motif=motif,
                passage=passage,
                curator=request.user,
                term=request.POST.get("term", ""),
            )
            messages.success(request, _("%s linked.") % passage.key)
        else:
            suggestion_dismiss(motif=motif, passage=passage, curator=request.user)
            messages.info(
                request,
                _("%s dismissed; it will not be suggested again.") % passage.key,
            )
        return HttpResponseRedirect(
            reverse("admin:themes_motif_suggestions", args=[pk])
        )


@admin.register(MotifOccurrence)
class MotifOccurrenceAdmin(admin.ModelAdmin):
    list_display = ("motif", "passage", "weight", "exact", "proposed_by")
    list_filter = ("motif", "weight")
    search_fields = ("passage__key", "exact", "note")
    # In reading order: the range's fields come from QuotedRange, which would
    # otherwise put them first.
    fields = (
        "motif",
        "passage",
        "start_offset",
        "end_offset",
        "exact",
        "prefix",
        "suffix",
        "passage_revision",
        "anchor_state",
        "note",
        "weight",
        "proposed_by",
        "from_catalogue",
    )
    autocomplete_fields = ("passage",)
    list_select_related = ("motif", "passage", "proposed_by")


@admin.register(MotifProposal)
class MotifProposalAdmin(admin.ModelAdmin):
    """The moderation queue: pending proposals first."""

    list_display = (
        "motif",
        "passage",
        "exact",
        "reason",
        "proposer",
        "status",
        "created",
    )
    list_filter = ("status", "motif")
    search_fields = ("reason", "exact", "passage__key", "proposer__username")
    list_select_related = ("motif", "passage", "proposer")
    readonly_fields = (
        "motif",
        "passage",
        "exact",
        "reason",
        "proposer",
        "status",
        "decided_by",
        "decided",
        "occurrence",
        "created",
    )
    fields = readonly_fields
    actions = ["accept", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MotifProposal]:
        waiting_first = Case(
            When(status=ProposalStatus.PENDING, then=Value(0)), default=Value(1)
        )
        return super().get_queryset(request).order_by(waiting_first, "-created")

    @admin.action(description=_("Accept: link the passage, crediting the reader"))
    def accept(self, request: HttpRequest, queryset: QuerySet[MotifProposal]) -> None:
        self._decide(request, queryset, proposal_accept, _("accepted"))

    @admin.action(description=_("Reject"))
    def reject(self, request: HttpRequest, queryset: QuerySet[MotifProposal]) -> None:
        self._decide(request, queryset, proposal_reject, _("rejected"))

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[MotifProposal],
        service: Callable[..., object],
        verb: str,
    ) -> None:
        done, skipped = 0, 0
        for proposal in queryset:
            try:
                service(proposal=proposal, curator=request.user)
            except ValidationError:
                skipped += 1
            else:
                done += 1
        messages.success(
            request, _("%(n)d proposals %(verb)s.") % {"n": done, "verb": verb}
        )
        if skipped:
            messages.warning(
                request,
                _("%d were already decided and were left as they were.") % skipped,
            )


@admin.register(DismissedSuggestion)
class DismissedSuggestionAdmin(admin.ModelAdmin):
    list_display = ("motif", "passage", "dismissed_by", "created")
    list_filter = ("motif",)
