"""Admin for curators: annotations by state, the moderation queue, the log.

Nothing here deletes a reader's annotation except an explicit delete by a
curator, which Django asks to confirm and which is recorded in the log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Annotation, Flag, ModerationLog, PromotionRequest
from .services import annotation_delete_by_curator, annotation_hide, annotation_restore


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flags")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("open", _("Flagged, waiting")), ("any", _("Ever flagged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(
                Exists(Flag.objects.filter(annotation=OuterRef("pk"), resolved=False))
            )
        if self.value() == "any":
            return queryset.filter(
                Exists(Flag.objects.filter(annotation=OuterRef("pk")))
            )
        return queryset


class FlagInline(admin.TabularInline):
    model = Flag
    fields = ("flagger", "reason", "created", "resolved", "resolved_by", "resolved_at")
    readonly_fields = ("flagger", "reason", "created", "resolved_by", "resolved_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = (
        "short",
        "author",
        "motivation",
        "where",
        "visibility",
        "anchor_state",
        "moderation",
        "editorial",
        "created",
    )
    list_filter = (
        "anchor_state",
        "moderation",
        FlaggedFilter,
        "editorial",
        "motivation",
        "visibility",
        ("start_passage__part", admin.RelatedOnlyFieldListFilter),
        ("author", admin.RelatedOnlyFieldListFilter),
        ("course", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("exact", "body", "author__username", "start_passage__key")
    list_select_related = ("author", "start_passage__part")
    readonly_fields = (
        "id",
        "author",
        "edition",
        "start_passage",
        "start_offset",
        "end_passage",
        "end_offset",
        "exact",
        "prefix",
        "suffix",
        "passage_revision",
        "anchor_state",
        "motivation",
        "body",
        "visibility",
        "course",
        "reply_to",
        "moderation",
        "hidden_by",
        "hidden_at",
        "editorial",
        "deleted",
        "created",
        "modified",
    )
    exclude = ("body_html", "tags", "answer_first", "colour")
    inlines = [FlagInline]
    actions = ["hide", "restore"]
    list_per_page = 50

    @admin.display(description=_("annotation"))
    def short(self, annotation: Annotation) -> str:
        return Truncator(annotation.body or annotation.exact).chars(60)

    @admin.display(description=_("where"), ordering="start_passage__part__order")
    def where(self, annotation: Annotation) -> str:
        return annotation.start_passage.key if annotation.start_passage else _("reply")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Deleting is one explicit, confirmed act per note, never a bulk action.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Hide from everyone but their authors"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Annotation]) -> None:
        for annotation in queryset.select_related("author", "course"):
            annotation_hide(annotation=annotation, actor=request.user)
        n = queryset.count()
        messages.success(
            request, ngettext("%d note hidden.", "%d notes hidden.", n) % n
        )

    @admin.action(description=_("Restore"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Annotation]) -> None:
        for annotation in queryset.select_related("author", "course"):
            annotation_restore(annotation=annotation, actor=request.user)
        n = queryset.count()
        messages.success(
            request, ngettext("%d note restored.", "%d notes restored.", n) % n
        )

    def save_formset(
        self, request: HttpRequest, form: object, formset: object, change: bool
    ) -> None:
        # A flag ticked (or unticked) by hand records who did it, like one
        # settled by hiding or restoring.
        if formset.model is Flag:
            for flag_form in formset.forms:
                if "resolved" in flag_form.changed_data:
                    flag = flag_form.instance
                    flag.resolved_by = request.user if flag.resolved else None
                    flag.resolved_at = timezone.now() if flag.resolved else None
        super().save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Annotation) -> None:
        annotation_delete_by_curator(annotation=obj, curator=request.user)


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ("created", "action", "actor", "annotation_author", "excerpt")
    list_filter = ("action",)
    search_fields = ("annotation_author", "excerpt")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PromotionRequest)
class PromotionRequestAdmin(admin.ModelAdmin):
    list_display = ("annotation", "requested_by", "status", "created", "decided")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
