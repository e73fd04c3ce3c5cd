"""Admin for curators: editions, parts and passages in reading order."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Edition, Part, Passage, PassageRead, PassageRevision
from .services import passage_revise


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
    readonly_fields = ("edition", "part", "key", "revision", "modified")
    fields = ("edition", "part", "order", "key", "text", "revision", "modified")
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

    def save_model(
        self, request: HttpRequest, obj: Passage, form: ModelForm, change: bool
    ) -> None:
        if change and "text" in form.changed_data:
            new_text = obj.text
            # Save the other fields with the old text, then revise the text
            # so the old one is kept (the admin view runs in one transaction).
            obj.text = form.initial["text"]
            super().save_model(request, obj, form, change)
            passage_revise(passage=obj, text=new_text)
        else:
            super().save_model(request, obj, form, change)


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
