"""Admin for curators: editions, parts and passages in reading order."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Edition, Part, Passage, PassageRead, PassageRevision
from .revisions import revision_apply, revision_preview


class PartInline(admin.TabularInline):
    model = Part
    fields = ("order", "title", "slug", "kind", "short_title", "summary")
    extra = 0
    show_change_link = True
    ordering = ("order",)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "author", "language", "published")
    list_filter = ("published", "language")
    search_fields = ("title", "slug", "author")
    inlines = [PartInline]


class PassageInline(admin.TabularInline):
    """Passages of a part, read-only here: text changes are revisions, made
    one passage at a time so the old text is kept."""

    model = Passage
    fields = ("order", "key", "excerpt", "revision")
    readonly_fields = ("order", "key", "excerpt", "revision")
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("order",)

    @admin.display(description=_("text"))
    def excerpt(self, passage: Passage) -> str:
        return Truncator(passage.text).words(16)

    def has_add_permission(self, request: HttpRequest, obj: Part | None = None) -> bool:
        return False


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("title", "edition", "order", "kind", "slug")
    list_filter = ("edition", "kind")
    search_fields = ("title", "slug")
    ordering = ("edition", "order")
    inlines = [PassageInline]


class PassageRevisionInline(admin.TabularInline):
    model = PassageRevision
    fields = ("revision", "text", "replaced")
    readonly_fields = ("revision", "text", "replaced")
    extra = 0
    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Passage | None = None
    ) -> bool:
        return False


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ("key", "part_title", "order", "excerpt", "revision", "view_link")
    list_display_links = ("key",)
    list_filter = ("edition", "part__kind", "part")
    search_fields = ("key", "text")
    ordering = ("edition", "part__order", "order")
    list_select_related = ("part", "edition")
    readonly_fields = (
        "edition",
        "part",
        "key",
        "text",
        "revise_link",
        "revision",
        "modified",
    )
    fields = (
        "edition",
        "part",
        "order",
        "key",
        "text",
        "revise_link",
        "revision",
        "modified",
    )
    inlines = [PassageRevisionInline]
    list_per_page = 100

    @admin.display(description=_("part"), ordering="part__order")
    def part_title(self, passage: Passage) -> str:
        return passage.part.short_title

    @admin.display(description=_("text"))
    def excerpt(self, passage: Passage) -> str:
        return Truncator(passage.text).words(14)

    @admin.display(description=_("read"))
    def view_link(self, passage: Passage) -> str:
        return format_html(
            '<a href="{}">{}</a>', passage.get_absolute_url(), _("open in reader")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Passages arrive through load_edition (and, later, the importer),
        # which assign keys that must never be reused.
        return False

    @admin.display(description=_("revise"))
    def revise_link(self, passage: Passage) -> str:
        if not passage.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:reader_passage_revise", args=[passage.pk]),
            _("Revise the text (preview its effect on annotations first)"),
        )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/revise/",
                self.admin_site.admin_view(self.revise_view),
                name="reader_passage_revise",
            ),
            *super().get_urls(),
        ]

    def revise_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Edit a passage's text: preview the diff and what happens to every
        annotation and motif occurrence on it, then apply, all or nothing."""
        passage = get_object_or_404(Passage.objects.select_related("part"), pk=pk)
        if not self.has_change_permission(request, passage):
            raise PermissionDenied
        text = request.POST.get("text", passage.text)
        preview = None
        if request.method == "POST":
            if not " ".join(text.split()):
                messages.error(request, _("A passage cannot be empty."))
            elif request.POST.get("action") == "apply":
                revision_apply({passage: text})
                messages.success(
                    request,
                    _("Revised %(key)s. Annotations were re-anchored; none deleted.")
                    % {"key": passage.key},
                )
                return HttpResponseRedirect(
                    reverse("admin:reader_passage_change", args=[passage.pk])
                )
            else:
                previews = revision_preview({passage: text})
                preview = previews[0] if previews else None
                if preview is None:
                    messages.info(request, _("The text is unchanged."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": passage,
            "passage": passage,
            "text": text,
            "preview": preview,
            "title": _("Revise %s") % passage.key,
        }
        return TemplateResponse(request, "admin/reader/passage/revise.html", context)


@admin.register(PassageRead)
class PassageReadAdmin(admin.ModelAdmin):
    list_display = ("user", "passage", "first_seen", "last_seen")
    list_filter = ("passage__edition",)
    search_fields = ("user__username", "passage__key")
    list_select_related = ("user", "passage")
    readonly_fields = ("user", "passage", "first_seen", "last_seen")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PassageRead]:
        return super().get_queryset(request).order_by("-last_seen")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
