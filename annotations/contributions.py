"""Annotations' share of the reader's part page: highlights in the text,
cards beside it, filters and the annotate dialog (see reader.contributions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest

from reader.anchoring import AnchorState
from reader.contributions import Contribution, PartPage, PartSlots, PassageSlots

from .cards import CardRenderer, marked_text
from .forms import AnnotationDialogForm
from .models import Annotation, Colour, Motivation
from .selectors import (
    PartFilters,
    PartLayout,
    own_tag_names,
    part_annotations,
    part_layout,
)
from .services import OPEN_VISIBILITIES, can_moderate


@dataclass(frozen=True)
class ClassNotes:
    """Offered by an app above this one when a part is read as a class's
    work (an assignment): new notes default to the class, and may be sent
    to another endpoint than the annotation API (a teacher's notes become
    the assignment's)."""

    course: Model
    # Whether the reader teaches that class.
    teacher: bool = False
    api_url: str = ""


def _reattach_target(request: HttpRequest) -> Annotation | None:
    """?reattach=<id>: the reader is choosing new words for an orphaned note."""
    pk = request.GET.get("reattach", "")
    if not pk or not request.user.is_authenticated:
        return None
    try:
        return (
            Annotation.objects.filter(pk=pk, author=request.user, reply_to__isnull=True)
            .exclude(anchor_state=AnchorState.EXACT)
            .first()
        )
    except ValidationError:
        return None


class AnnotationsContribution(Contribution):
    """Highlights, cards and filters on the part page."""

    def __init__(self) -> None:
        # None when this reader sees no annotations (anonymous, by default).
        self.layout: PartLayout | None = None
        self.filters = PartFilters()
        self.reattach: Annotation | None = None

    def prepare_part(self, page: PartPage) -> None:
        user = page.request.user
        if not (user.is_authenticated or settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC):
            return
        self.filters = PartFilters.from_query(page.request.GET)
        found = part_annotations(user=user, part=page.part, filters=self.filters)
        self.layout = part_layout(found, passages=page.passages, user=user)
        self.reattach = _reattach_target(page.request)

    def render_part(self, page: PartPage) -> PartSlots:
        request, layout = page.request, self.layout
        if layout is None:
            header = page.render(
                "annotations/_part_header.html", {"annotations_enabled": False}
            )
            return PartSlots(header=header)
        user = request.user
        context = {
            "annotations_enabled": True,
            "can_annotate": user.is_authenticated,
            "annotation_filters": self.filters,
            "annotation_total": layout.total,
            "annotation_tags": layout.tags,
            "motivation_choices": [
                (m.value, m.label) for m in Motivation if m != Motivation.REPLYING
            ],
            "reattach": self.reattach,
        }
        slots = PartSlots(
            classes=("has-annotations",),
            header=page.render("annotations/_part_header.html", context),
            passages=self._passages(page, layout),
        )
        if user.is_authenticated:
            form = AnnotationDialogForm()
            class_notes = page.offered(ClassNotes)
            slots.after_article = page.render(
                "annotations/_annotate_dialog.html",
                {
                    **context,
                    "own_tags": own_tag_names(user),
                    "colour_choices": Colour.choices,
                    "visibility_choices": [
                        (v.value, v.label) for v in OPEN_VISIBILITIES
                    ],
                    "annotation_form": form,
                    "can_write_editorial": can_moderate(user),
                    "class_notes": class_notes,
                },
            )
            slots.scripts = page.render(
                "annotations/_part_scripts.html", {"annotation_form": form}
            )
        return slots

    def _passages(self, page: PartPage, layout: PartLayout) -> dict[str, PassageSlots]:
        renderer = CardRenderer(page.request, taught=layout.taught_courses)
        slots: dict[str, PassageSlots] = {}
        for number, passage in enumerate(page.passages, start=1):
            shown = layout.on(passage)
            text = marked_text(shown.segments)
            if not shown.count:
                slots[passage.key] = PassageSlots(text=text)
                continue
            context = {
                "passage": passage,
                "number": number,
                "count": shown.count,
                "more": shown.more,
            }
            slots[passage.key] = PassageSlots(
                text=text,
                meta=page.render("annotations/_note_count.html", context),
                aside=page.render(
                    "annotations/_passage_notes.html",
                    {**context, "cards": renderer.cards(shown.cards)},
                ),
            )
        return slots
