"""The motif atlas: motifs, where they occur, and readers' proposals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reader.models import Passage, QuotedRange


class MotifQuerySet(models.QuerySet):
    def with_counts(self, editions: models.QuerySet | None = None) -> MotifQuerySet:
        """Occurrence counts; with `editions`, only those in them (a reader
        counts only the passages they may read)."""
        only = (
            None
            if editions is None
            else Q(occurrences__passage__edition__in=editions.values("pk"))
        )
        # Meta.ordering is dropped from GROUP BY queries: order explicitly.
        return self.annotate(
            occurrence_count=Count("occurrences", filter=only, distinct=True)
        ).order_by("order", "name")


class Motif(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    summary = models.CharField(_("summary"), max_length=240)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Markdown, in the project's own words."),
    )
    group = models.CharField(_("group"), max_length=80, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#7a4b9c")
    order = models.PositiveIntegerField(_("order"), default=0)
    related = models.ManyToManyField(
        "self", blank=True, verbose_name=_("related motifs")
    )
    search_terms = models.CharField(
        _("search terms"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated words used to suggest passages not yet linked."),
    )
    source_title = models.CharField(_("source title"), max_length=200, blank=True)
    source_author = models.CharField(_("source author"), max_length=200, blank=True)
    source_year = models.CharField(_("source year"), max_length=40, blank=True)
    source_locator = models.CharField(_("source locator"), max_length=200, blank=True)
    source_public_domain = models.BooleanField(
        _("source is public domain"), default=False
    )
    # What the catalogue loader last wrote here (see reader/provenance.py): a
    # curator's edit since is kept by the next load.
    loaded_fingerprint = models.CharField(
        _("fingerprint of the loaded values"),
        max_length=64,
        blank=True,
        editable=False,
    )

    objects = MotifQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("motif")
        verbose_name_plural = _("motifs")
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="motif_colour_hex"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("themes:motif", kwargs={"slug": self.slug})

    @property
    def terms(self) -> list[str]:
        return [t.strip() for t in self.search_terms.split(",") if t.strip()]

    @property
    def has_source(self) -> bool:
        return bool(self.source_title)


class Weight(models.TextChoices):
    CENTRAL = "central", _("Central")
    PASSING = "passing", _("Passing")


class OccurrenceQuerySet(models.QuerySet):
    def in_reading_order(self) -> OccurrenceQuerySet:
        return self.order_by("passage__part__order", "passage__order", "start_offset")


class MotifOccurrence(QuotedRange):
    """A motif at work in a passage, optionally in a quoted phrase of it.

    The phrase is a QuotedRange inside the one passage, anchored like
    annotations; without one, the offsets are empty and the whole passage is
    meant. After a revision `anchor_state` says whether the phrase survived
    where it was, moved, or vanished (the link to the passage stays; the
    quote is kept for the record).
    """

    FIRST_PASSAGE = LAST_PASSAGE = "passage"

    motif = models.ForeignKey(
        Motif,
        on_delete=models.CASCADE,
        related_name="occurrences",
        verbose_name=_("motif"),
    )
    passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="motif_occurrences",
        verbose_name=_("passage"),
    )
    # The QuotedRange's fields, but with the labels they were created with
    # and a revision that is never empty (an occurrence always has a passage).
    start_offset = models.PositiveIntegerField(_("start"), null=True, blank=True)
    end_offset = models.PositiveIntegerField(_("end"), null=True, blank=True)
    passage_revision = models.PositiveIntegerField(_("passage revision"), default=1)
    note = models.TextField(_("curator's note"), blank=True, help_text=_("Markdown."))
    weight = models.CharField(
        _("weight"), max_length=10, choices=Weight.choices, default=Weight.PASSING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="motif_occurrences_proposed",
        verbose_name=_("proposed by"),
    )
    from_catalogue = models.BooleanField(_("from the bundled catalogue"), default=False)
    # What the catalogue loader last wrote here (see reader/provenance.py): a
    # curator's edit since is kept by the next load.
    loaded_fingerprint = models.CharField(
        _("fingerprint of the loaded values"),
        max_length=64,
        blank=True,
        editable=False,
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["motif", "passage__part__order", "passage__order"]
        verbose_name = _("motif occurrence")
        verbose_name_plural = _("motif occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["motif", "passage"], name="occurrence_once_per_passage"
            ),
            models.CheckConstraint(
                condition=(
                    Q(start_offset__isnull=True, end_offset__isnull=True)
                    | Q(start_offset__isnull=False, end_offset__isnull=False)
                ),
                name="occurrence_range_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motif} in {self.passage.key}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a curator")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


class MotifProposal(models.Model):
    """A reader's suggestion that a passage (or phrase) belongs to a motif."""

    motif = models.ForeignKey(
        Motif,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("motif"),
    )
    passage = models.ForeignKey(
        Passage, on_delete=models.PROTECT, related_name="motif_proposals"
    )
    start_offset = models.PositiveIntegerField(null=True, blank=True)
    end_offset = models.PositiveIntegerField(null=True, blank=True)
    exact = models.TextField(_("quote"), blank=True)
    reason = models.TextField(_("why"))
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="motif_proposals",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="motif_proposals_decided",
    )
    decided = models.DateTimeField(null=True, blank=True)
    occurrence = models.OneToOneField(
        MotifOccurrence, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("motif proposal")
        verbose_name_plural = _("motif proposals")

    def __str__(self) -> str:
        return f"{self.motif} in {self.passage.key} (by {self.proposer})"


class DismissedSuggestion(models.Model):
    """A search match a curator looked at and decided is not an occurrence."""

    motif = models.ForeignKey(Motif, on_delete=models.CASCADE, related_name="dismissed")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["motif", "passage"], name="suggestion_dismissed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.motif} not in {self.passage.key}"
