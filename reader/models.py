"""The edition as readers see it: editions, parts, passages and reading progress.

`Passage.text` is the coordinate space of every anchor in the project, so it is
plain Unicode text, one paragraph, and its `key` never changes once published.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Length
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .anchoring import AnchorState, Quote
from .audiences import class_audience
from .provenance import fingerprint

# Reading time is estimated from characters rather than counted words, so the
# database can add it up: about 6 characters a word (with its space) at 200
# words a minute, a gentle pace for study reading.
CHARACTERS_PER_MINUTE = 1200


# Whoever may see an edition's passages in admin may read them on the site:
# curators check an unpublished edition before anyone else reads it.
CURATOR_PERMISSION = ("reader", "view_passage")


class Audience(models.TextChoices):
    CURATORS = "curators", _("Unpublished: curators only")
    EVERYONE = "everyone", _("Everyone, signed in or not")
    SIGNED_IN = "signed_in", _("Signed-in readers")
    CLASSES = "classes", _("Members of chosen classes")


def _signed_in(user: object) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


class EditionQuerySet(models.QuerySet):
    def readable_by(self, user: object) -> EditionQuerySet:
        """The one rule for who may read an edition (its text, its passages,
        anything that quotes or links to them).

        Everyone reads an edition open to everyone; signed-in readers also
        read one open to them; the students and teachers of the chosen
        classes read a class edition; curators read every edition, published
        or not. One query however it is used: the checks are subqueries.
        """
        everyone = Q(audience=Audience.EVERYONE)
        if not _signed_in(user):
            return self.filter(everyone)
        if getattr(user, "is_superuser", False):
            return self.all()
        app_label, codename = CURATOR_PERMISSION
        curator = Exists(
            Permission.objects.filter(
                Q(user=user) | Q(group__user=user),
                content_type__app_label=app_label,
                codename=codename,
            )
        )
        # Classes are an app above this one: it answers through the
        # audience it registered (reader/audiences.py).
        in_my_classes = class_audience().editions_read_as_member(user)
        return self.filter(
            everyone
            | Q(audience=Audience.SIGNED_IN)
            | Q(audience=Audience.CLASSES, pk__in=in_my_classes)
            | Q(curator)
        )


class Edition(models.Model):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=200)
    language = models.CharField(_("language"), max_length=16, default="en")
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    rights_note = models.TextField(
        _("rights note"),
        blank=True,
        help_text=_("Markdown. Who wrote this text and on what terms it is shown."),
    )
    # A new edition is for curators only until one of them decides who may
    # read it (`edition_publish`): a licensed text is never public by default.
    audience = models.CharField(
        _("who may read it"),
        max_length=16,
        choices=Audience.choices,
        default=Audience.CURATORS,
    )
    # What the loader last wrote here (see reader/provenance.py): a curator's
    # change since is kept by the next load.
    loaded_fingerprint = models.CharField(
        _("fingerprint of the loaded values"),
        max_length=64,
        blank=True,
        editable=False,
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reader:edition", kwargs={"edition": self.slug})

    @property
    def is_published(self) -> bool:
        return self.audience != Audience.CURATORS


class PartQuerySet(models.QuerySet):
    def with_reading_stats(self, user: object | None = None) -> PartQuerySet:
        """Annotate passage counts, characters and, for a user, passages read.

        Each figure is a subquery, so the table of contents costs one query
        however many parts and passages there are.
        """
        passages = Passage.objects.filter(part=OuterRef("pk")).order_by()
        qs = self.annotate(
            passage_count=Coalesce(
                Subquery(passages.values("part").annotate(n=Count("pk")).values("n")),
                0,
            ),
            character_count=Coalesce(
                Subquery(
                    passages.values("part").annotate(n=Sum(Length("text"))).values("n")
                ),
                0,
            ),
        )
        if user is not None and getattr(user, "is_authenticated", False):
            reads = PassageRead.objects.filter(
                user=user, passage__part=OuterRef("pk")
            ).order_by()
            qs = qs.annotate(
                read_count=Coalesce(
                    Subquery(
                        reads.values("passage__part")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            )
        return qs


class Part(models.Model):
    class Kind(models.TextChoices):
        FRAME = "frame", _("Frame")
        NOTEBOOK = "notebook", _("Notebook")
        LETTER = "letter", _("Letter")

    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="parts",
        verbose_name=_("edition"),
    )
    order = models.PositiveIntegerField(_("order"))
    slug = models.SlugField(_("slug"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(
        _("short title"),
        max_length=100,
        help_text=_("Used in citations, e.g. “Black Notebook, ¶14”."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # What the loader last wrote here (see reader/provenance.py): a curator's
    # change since is kept by the next load.
    loaded_fingerprint = models.CharField(
        _("fingerprint of the loaded values"),
        max_length=64,
        blank=True,
        editable=False,
    )

    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "slug"], name="part_slug_unique_in_edition"
            ),
            models.UniqueConstraint(
                fields=["edition", "order"], name="part_order_unique_in_edition"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["frame", "notebook", "letter"]),
                name="part_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "reader:part", kwargs={"edition": self.edition.slug, "part": self.slug}
        )

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the part; needs `with_reading_stats()`."""
        characters = getattr(self, "character_count", 0) or 0
        return max(1, round(characters / CHARACTERS_PER_MINUTE)) if characters else 0

    @property
    def read_percent(self) -> int:
        """Share of the part's passages the reader has seen; needs stats."""
        total = getattr(self, "passage_count", 0)
        read = getattr(self, "read_count", 0)
        return round(100 * read / total) if total else 0


class PassageQuerySet(models.QuerySet):
    def in_reading_order(self) -> PassageQuerySet:
        return self.order_by("part__order", "order", "pk")

    def in_range(self, start: Passage, end: Passage) -> PassageQuerySet:
        """Passages from `start` to `end` in reading order, across parts."""
        after_start = Q(part__order__gt=start.part.order) | Q(
            part__order=start.part.order, order__gte=start.order
        )
        before_end = Q(part__order__lt=end.part.order) | Q(
            part__order=end.part.order, order__lte=end.order
        )
        return self.filter(
            after_start & before_end, edition_id=start.edition_id
        ).in_reading_order()


class Passage(models.Model):
    # The edition is also reachable through the part; it is stored here so
    # the database itself guarantees that a key is unique in its edition.
    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="passages",
        verbose_name=_("edition"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.CASCADE, related_name="passages", verbose_name=_("part")
    )
    order = models.PositiveIntegerField(_("order"))
    key = models.SlugField(
        _("key"),
        max_length=64,
        help_text=_("Stable identifier, e.g. black-014. Never renumbered or reused."),
    )
    text = models.TextField(_("text"), help_text=_("Plain text, one paragraph."))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    # What the loader last wrote here (see reader/provenance.py): a curator's
    # change since is kept by the next load.
    loaded_fingerprint = models.CharField(
        _("fingerprint of the loaded text"),
        max_length=64,
        blank=True,
        editable=False,
    )

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["part__order", "order"]
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "key"], name="passage_key_unique_in_edition"
            ),
        ]
        indexes = [models.Index(fields=["part", "order"], name="passage_reading_order")]

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return f"{self.part.get_absolute_url()}#{self.key}"

    @property
    def holds_loaded_text(self) -> bool:
        """Is the text the one the loader last wrote (no curator's revision)?

        Passages are only created by the loader, so one never revised and
        loaded before fingerprints were kept holds the loader's text too.
        """
        if self.loaded_fingerprint:
            return fingerprint(self.text) == self.loaded_fingerprint
        return self.revision == 1


class PassageRevision(models.Model):
    """A text a passage had before it was changed, kept so nothing is lost."""

    passage = models.ForeignKey(
        Passage,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("passage"),
    )
    revision = models.PositiveIntegerField(_("revision"))
    text = models.TextField(_("text"))
    replaced = models.DateTimeField(_("replaced"), auto_now_add=True)

    class Meta:
        ordering = ["passage", "revision"]
        verbose_name = _("passage revision")
        verbose_name_plural = _("passage revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["passage", "revision"], name="passage_revision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passage.key} r{self.revision}"


ANCHOR_STATE_CHOICES = [
    (AnchorState.EXACT.value, _("Exact")),
    (AnchorState.MOVED.value, _("Moved")),
    (AnchorState.ORPHANED.value, _("Orphaned")),
]


class QuotedRange(models.Model):
    """A range of passage text, kept by position and by quote: what readers'
    annotations and motif occurrences point at (see reader/anchoring).

    The offsets are code points in the first and the last passage's text;
    the quote with its context lets the range be found again when a revision
    changes the text (reader/reanchoring.py), and `anchor_state` says how
    that went. Where the range begins and ends is named by the subclass:
    `FIRST_PASSAGE` and `LAST_PASSAGE` are its foreign keys to Passage.
    """

    FIRST_PASSAGE = "start_passage"
    LAST_PASSAGE = "end_passage"

    start_offset = models.PositiveIntegerField(_("start offset"), null=True, blank=True)
    end_offset = models.PositiveIntegerField(_("end offset"), null=True, blank=True)
    exact = models.TextField(_("quote"), blank=True)
    prefix = models.CharField(_("text before"), max_length=64, blank=True)
    suffix = models.CharField(_("text after"), max_length=64, blank=True)
    passage_revision = models.PositiveIntegerField(
        _("passage revision"), null=True, blank=True
    )
    anchor_state = models.CharField(
        _("anchor"),
        max_length=10,
        choices=ANCHOR_STATE_CHOICES,
        default=AnchorState.EXACT.value,
    )

    class Meta:
        abstract = True

    @property
    def quote(self) -> Quote:
        return Quote(exact=self.exact, prefix=self.prefix, suffix=self.suffix)

    @property
    def is_orphaned(self) -> bool:
        """Its words are no longer in the text (it is kept, with its quote)."""
        return self.anchor_state == AnchorState.ORPHANED


class PassageReadQuerySet(models.QuerySet):
    def last_for(self, user: object, edition: Edition) -> PassageRead | None:
        """Where `user` stopped reading `edition`: the latest, furthest passage."""
        return (
            self.filter(user=user, passage__edition=edition)
            .select_related("passage__part")
            .order_by("-last_seen", "-passage__part__order", "-passage__order")
            .first()
        )


class PassageRead(models.Model):
    """A signed-in reader has had this passage on screen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="passage_reads",
        verbose_name=_("reader"),
    )
    passage = models.ForeignKey(
        Passage,
        on_delete=models.CASCADE,
        related_name="reads",
        verbose_name=_("passage"),
    )
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    objects = PassageReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage read")
        verbose_name_plural = _("passages read")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "passage"], name="passage_read_once_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "last_seen"], name="read_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} read {self.passage.key}"
