"""Annotations' share of the reader's part page: highlights in the text,
cards beside it, filters and the annotate dialog (see reader.contributions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reader.anchoring import AnchorState
from reader.contributions import (
    EMPTY,
    Contribution,
    PartPage,
    PartSlots,
    PassageSlots,
)
from reader.markdown import format_escaped

from .cards import CardRenderer, MarkDescriber, marked_text
from .forms import AnnotationDialogForm
from .models import Annotation, Colour, Motivation
from .selectors import (
    PartFilters,
    PartLayout,
    own_tag_names,
    part_annotations,
    part_layout,
)
from .services import OPEN_VISIBILITIES

NOTE_COUNT = '<a class="note-count" href="#notes-{key}">{label}</a>'
PASSAGE_NOTES = (
    '<aside class="passage-notes" id="notes-{key}" aria-label="{label}">\n'
    "  {cards}\n  {more}\n</aside>"
)
MORE_NOTES = '<a class="more-notes" href="{url}">{label}</a>'


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


@dataclass(frozen=True)
class CardAddenda:
    """Offered by an app above this one: more to show at the foot of some
    cards and replies (teaching adds a teacher's private feedback). `render`
    takes the annotation and the card it sits on (itself, or the note a
    reply answers) and returns HTML, EMPTY for most."""

    render: Callable[[Annotation, Annotation], SafeString]


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
        # A few rows only (after a save): read only what they show.
        only = None if page.only is None else [p for _, p in page.rendered]
        found = part_annotations(
            user=user, part=page.part, filters=self.filters, passages=only
        )
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
        # One renderer for the page: it also knows whether the reader
        # moderates (asked once).
        addenda = page.offered(CardAddenda)
        renderer = CardRenderer(
            request,
            taught=layout.taught_courses,
            addenda=addenda.render if addenda else None,
        )
        slots = PartSlots(
            classes=("has-annotations",),
            header=page.render("annotations/_part_header.html", context),
            passages=self._passages(page, layout, renderer),
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
                    "can_write_editorial": renderer.moderator,
                    "class_notes": class_notes,
                },
            )
            slots.scripts = page.render(
                "annotations/_part_scripts.html", {"annotation_form": form}
            )
        return slots

    def _passages(
        self, page: PartPage, layout: PartLayout, renderer: CardRenderer
    ) -> dict[str, PassageSlots]:
        """Each passage's marks, note count and cards, composed in Python:
        a template include per passage cost more than the rest of the page."""
        request = page.request
        edition = page.part.edition.slug
        # reverse() once per page: keys are slugs, safe in a path.
        marker = "passage-key"
        more_url = reverse("annotations:passage", args=[edition, marker])
        query = "?" + request.GET.urlencode() if request.GET else ""
        slots: dict[str, PassageSlots] = {}
        carded = {str(card.pk) for card in layout.cards}
        describer = MarkDescriber(layout.about, carded)
        for number, passage in page.rendered:
            shown = layout.on(passage)
            # Ids by the passage's number: the same when its row is sent
            # again after a save, and unique on the part's page (a key, a
            # slug, has no ".").
            described, descriptions = describer.passage(f"{number}.", shown.segments)
            text = marked_text(shown.segments, described)
            if not shown.count:
                slots[passage.key] = PassageSlots(text=text, after_meta=descriptions)
                continue
            count = ngettext(
                "%(counter)s annotation", "%(counter)s annotations", shown.count
            ) % {"counter": shown.count}
            more = EMPTY
            if shown.more:
                more = format_escaped(
                    MORE_NOTES,
                    url=more_url.replace(marker, passage.key) + query,
                    label=ngettext(
                        "%(counter)s more annotation on this passage",
                        "%(counter)s more annotations on this passage",
                        shown.more,
                    )
                    % {"counter": shown.more},
                )
            slots[passage.key] = PassageSlots(
                text=text,
                meta=format_escaped(NOTE_COUNT, key=passage.key, label=count),
                after_meta=descriptions,
                aside=format_escaped(
                    PASSAGE_NOTES,
                    key=passage.key,
                    label=_("Annotations on ¶%(n)s") % {"n": number},
                    cards=renderer.cards(shown.cards),
                    more=more,
                ),
            )
        return slots
