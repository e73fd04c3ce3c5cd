"""The atlas's share of the reader's part page: motif chips on passages, and
tracing one motif through the book (see reader.contributions)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reader.contributions import (
    EMPTY,
    Contribution,
    PartPage,
    PartSlots,
    PassageSlots,
)
from reader.markdown import format_escaped
from reader.models import Part, Passage

from .models import Motif, MotifOccurrence, Weight

PROPOSE_LINK = (
    '<a class="propose-link" href="{url}?edition={edition}&amp;passage={key}">'
    "{label}</a>"
)
# A passage's motif chips, as themes/_passage_motifs.html renders them when
# no motif is traced through the passage: composed here, once per chip, not a
# template render per passage (most of a signed-in page's templating).
CHIPS = (
    '\n  <ul class="chip-list motif-chips" aria-label="{label}">\n    {chips}'
    "\n  </ul>\n  \n  \n"
)
CHIP = (
    '<li><a class="motif-chip motif-{motif}{central}" '
    'href="{url}#occurrence-{key}">{name}</a> <a class="trace-link" '
    'href="?trace={slug}#{key}" aria-label="{trace}" title="{trace_title}">'
    "⇢</a></li>"
)
# What themes:motif's <slug:slug> matches: such a slug is put in the reversed
# URL as it is (reverse() would quote nothing in it).
URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class MotifsContribution(Contribution):
    """Motif chips on each passage, and ?trace=<motif> through the book."""

    carried_parameters = ("trace",)

    def __init__(self) -> None:
        # By passage id: the motifs it carries, in the atlas's order.
        self.chips: dict[int, list[MotifOccurrence]] = {}
        # ?trace=<slug>: the motif's stops around this part (None if none).
        self.trace: dict[str, Any] | None = None
        # By passage id, the traced motif's stops in this part.
        self.stops: dict[int, MotifOccurrence] = {}

    def prepare_part(self, page: PartPage) -> None:
        occurrences = (
            MotifOccurrence.objects.filter(passage__part=page.part)
            .select_related("motif")
            .order_by("motif__order", "motif__name")
        )
        for occurrence in occurrences:
            self.chips.setdefault(occurrence.passage_id, []).append(occurrence)
        slug = page.request.GET.get("trace", "")
        if slug:
            self.trace = self._trace(slug, page.part)

    def _trace(self, slug: str, part: Part) -> dict[str, Any] | None:
        motif = Motif.objects.filter(slug=slug).first()
        if motif is None:
            return None
        stops = list(
            motif.occurrences.filter(passage__edition_id=part.edition_id)
            .select_related("motif", "passage__part__edition")
            .in_reading_order()
        )
        here = [i for i, o in enumerate(stops) if o.passage.part_id == part.pk]
        for index, occurrence in enumerate(stops):
            occurrence.previous_stop = stops[index - 1] if index > 0 else None
            occurrence.next_stop = stops[index + 1] if index + 1 < len(stops) else None
        self.stops = {stops[i].passage_id: stops[i] for i in here}
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

    def chips_on(self, passage: Passage) -> list[MotifOccurrence]:
        return self.chips.get(passage.pk, [])

    def stop_at(self, passage: Passage) -> MotifOccurrence | None:
        """The traced motif's stop on this passage, if any."""
        return self.stops.get(passage.pk)

    def is_traced(self, passage: Passage) -> bool:
        return passage.pk in self.stops

    def render_part(self, page: PartPage) -> PartSlots:
        slots = PartSlots(
            before_passages=page.render(
                "themes/_part_trace.html", {"motif_trace": self.trace}
            ),
            # The traced motif's colour (its class, from the motif stylesheet).
            classes=(f"motif-{self.trace['motif'].pk}",) if self.trace else (),
        )
        signed_in = page.request.user.is_authenticated
        # One link per passage, composed rather than a template include each.
        propose_url = reverse("themes:propose")
        propose_label = _("Propose a motif")
        edition = page.part.edition.slug
        chip_list = _ChipList()
        for _number, passage in page.rendered:
            chips, stop = self.chips_on(passage), self.stop_at(passage)
            context = {"passage": passage, "chips": chips, "stop": stop}
            if stop:
                # A traced motif's stop (a few passages): the template.
                after_meta = page.render("themes/_passage_motifs.html", context)
            elif chips:
                after_meta = chip_list.render(passage, chips)
            else:
                after_meta = EMPTY
            slots.passages[passage.key] = PassageSlots(
                classes=("is-traced",) if self.is_traced(passage) else (),
                meta=(
                    format_escaped(
                        PROPOSE_LINK,
                        url=propose_url,
                        edition=edition,
                        key=passage.key,
                        label=propose_label,
                    )
                    if signed_in
                    else EMPTY
                ),
                after_meta=after_meta,
            )
        return slots


class _ChipList:
    """Motif chips composed for one page: labels translated and the motif
    URL reversed once, not once per chip."""

    def __init__(self) -> None:
        marker = "motif-slug"
        self.marker = marker
        self.url = reverse("themes:motif", kwargs={"slug": marker})
        self.label = _("Motifs in this passage")
        self.trace_title = _("Trace this motif")

    def _url(self, motif: Motif) -> str:
        if URL_SLUG.fullmatch(motif.slug):
            return self.url.replace(self.marker, motif.slug)
        return motif.get_absolute_url()

    def render(self, passage: Passage, chips: list[MotifOccurrence]) -> SafeString:
        return format_escaped(
            CHIPS,
            label=self.label,
            chips=format_escaped(
                "{}" * len(chips),
                *(
                    format_escaped(
                        CHIP,
                        central=" is-central" if o.weight == Weight.CENTRAL else "",
                        motif=o.motif_id,
                        url=self._url(o.motif),
                        key=passage.key,
                        name=o.motif.name,
                        slug=o.motif.slug,
                        trace=_("Trace %(name)s") % {"name": o.motif.name},
                        trace_title=self.trace_title,
                    )
                    for o in chips
                ),
            ),
        )
