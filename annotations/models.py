"""What readers write: annotations on passages, their tags and replies.

An annotation's target is a range from (start passage, offset) to (end passage,
offset), offsets in Unicode code points of `Passage.text`, kept together with
the quoted text and its context so it can be re-anchored when a passage is
revised. A reply has no target of its own: it points at the annotation it
answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from classes.models import Course
from classes.selectors import (
    courses_taught_ids,
    member_course_ids,
    member_courses_teaching,
)
from reader.markdown import MAX_MARKDOWN_LENGTH
from reader.models import Edition, Passage, QuotedRange

# A note, reply or prompt: the one Markdown length limit (reader/markdown.py),
# also the preview's and assignment instructions'.
MAX_BODY_LENGTH = MAX_MARKDOWN_LENGTH
MAX_TAGS = 20
MAX_IMPORTED_IRI_LENGTH = 500
MAX_CREATOR_LENGTH = 150


class Motivation(models.TextChoices):
    HIGHLIGHTING = "highlighting", _("Highlight")
    COMMENTING = "commenting", _("Note")
    QUESTIONING = "questioning", _("Question")
    REPLYING = "replying", _("Reply")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private: only me")
    TEACHER = "teacher", _("My teachers")
    COURSE = "course", _("My class")
    PUBLIC = "public", _("Public: all signed-in readers")


class Colour(models.TextChoices):
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    BLUE = "blue", _("Blue")
    PINK = "pink", _("Pink")
    PURPLE = "purple", _("Purple")


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Tag(models.Model):
    """A reader's own tag; suggestions come from the reader's tags only."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="annotation_tags",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="tag_unique_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, eq=False)
class Viewer:
    """A signed-in reader as the visibility rule asks about them, read once.

    The rule names the reader's classes and readable editions. Named as
    subqueries (a plain user) they are read afresh by every query, but
    building them costs milliseconds of Python per `visible_to()`, and a part
    page asks the rule several times. A page that does passes a Viewer,
    made once per request: the same rule, with those sets as lists.
    """

    user: object
    member_courses: tuple[int, ...]
    taught_courses: tuple[int, ...]
    readable_editions: tuple[int, ...]

    @classmethod
    def of(cls, user: object, *, readable: Iterable[int] | None = None) -> object:
        """A Viewer for a signed-in user (two queries); anyone else as is
        (the rule asks nothing about anonymous visitors).

        `readable`: ids of editions the caller has already found `user` may
        read (reader.access), when only notes on those are wanted: one query
        fewer. Only ever editions checked so: naming another would show the
        reader others' notes on a text they may not read.
        """
        if not _signed_in(user) or isinstance(user, Viewer):
            return user
        roles = member_courses_teaching(user)
        return cls(
            user=user,
            member_courses=tuple(roles),
            taught_courses=tuple(pk for pk, teaches in roles.items() if teaches),
            readable_editions=tuple(
                Edition.objects.readable_by(user).values_list("pk", flat=True)
                if readable is None
                else readable
            ),
        )

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def pk(self) -> object:
        return self.user.pk


def _as_user(user: object) -> object:
    return user.user if isinstance(user, Viewer) else user


def _member_courses(user: object) -> object:
    if isinstance(user, Viewer):
        return user.member_courses
    return member_course_ids(user)


def _taught_courses(user: object) -> object:
    if isinstance(user, Viewer):
        return user.taught_courses
    return courses_taught_ids(user)


def _readable_editions(user: object) -> object:
    if isinstance(user, Viewer):
        return user.readable_editions
    return Edition.objects.readable_by(user).values("pk")


class AnnotationQuerySet(models.QuerySet):
    def visible_to(
        self, user: object, *, roots: bool = False, in_visible_threads: bool = False
    ) -> AnnotationQuerySet:
        """The one visibility rule, used by every page, the API and exports.

        Authors always see their own annotations. Others see one when it is
        on an edition they may read (`Edition.objects.readable_by`), shared
        with them and not hidden by a moderator: public (all signed-in
        readers; anonymous visitors only if the site allows it), `course`
        (the class's students and teachers) or `teacher` (the class's
        teachers). A reply also needs its thread's root to be visible, and
        under an "answer first" prompt a student sees classmates' replies
        only once they have replied themselves.

        `user` may be a `Viewer` (the same reader, their classes and editions
        read once for a request that asks this many times). `roots=True` is
        `.roots()` of the same, without building the rule for replies.
        `in_visible_threads=True` is for reading the replies of roots the
        caller has just read through this rule (a page of cards): the check
        that their root is visible, already made, is left out (compiling it
        is most of an empty part page's cost). The caller must filter
        `reply_to__in` those roots; anything else would widen the rule.
        """
        # Written as an OR of complete branches (own; public; class; teacher),
        # each led by a column an index serves (author; edition and
        # visibility; class), with nothing index-friendly beside the OR
        # that matches most rows (such as "is a root"): so SQLite reads
        # each branch through its index and unions the row ids (MULTI-INDEX
        # OR) and PostgreSQL ORs bitmaps, instead of scanning every
        # annotation of a part to find the few a reader may see.
        own = Q(author=_as_user(user)) if _signed_in(user) else None
        # Others' notes quote the text: only on an edition the reader may
        # read. A reader's own notes stay theirs even if they lose access.
        readable = Q(edition__in=_readable_editions(user))
        is_root = Q(reply_to__isnull=True)
        if roots:
            return self.filter(
                _any(
                    [own & is_root if own is not None else None]
                    + [
                        branch & readable & is_root
                        for branch in _shared_branches(user, "")
                    ]
                )
            )
        if in_visible_threads:
            in_thread = is_root | _answered_q(user)
        else:
            # A reply also needs its thread's root to be visible: read through
            # the join on `reply_to` that "answer first" makes anyway, so the
            # cost follows the replies read, not every visible root.
            root_visible = Q(reply_to__reply_to__isnull=True) & _any(
                [Q(reply_to__author=_as_user(user)) if own is not None else None]
                + _shared_branches(user, "reply_to__")
            )
            in_thread = is_root | (root_visible & _answered_q(user))
        return self.filter(
            _any(
                [own]
                + [
                    branch & readable & in_thread
                    for branch in _shared_branches(user, "")
                ]
            )
        )

    def roots(self) -> AnnotationQuerySet:
        return self.filter(reply_to__isnull=True)

    def in_part(self, part: object) -> AnnotationQuerySet:
        return self.filter(start_passage__part=part)

    def on_passages(self, passages: QuerySet) -> AnnotationQuerySet:
        """Notes that start on these passages, and replies to such notes
        (a reply has no target of its own: it sits where its thread does)."""
        return self.filter(
            Q(start_passage__in=passages) | Q(reply_to__start_passage__in=passages)
        )

    def in_reading_order(self) -> AnnotationQuerySet:
        return self.order_by(
            "start_passage__part__order",
            "start_passage__order",
            "start_offset",
            "created",
        )


def _signed_in(user: object) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _any(branches: list[Q | None]) -> Q:
    """The OR of these branches (None: a branch that matches nothing)."""
    present = [branch for branch in branches if branch is not None]
    if not present:
        return Q(pk__in=[])
    result = present[0]
    for branch in present[1:]:
        result |= branch
    return result


def _shared_branches(user: object, prefix: str) -> list[Q]:
    """Shared with `user` by someone else: one complete Q per way of sharing
    (public, the class, its teachers), so each can be read by an index."""
    visible = Q(**{f"{prefix}moderation": Moderation.VISIBLE})
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if not _signed_in(user):
        if getattr(settings, "THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC", False):
            return [public & visible & Q(**{f"{prefix}draft": False})]
        return []
    taught = _taught_courses(user)
    course = Q(**{f"{prefix}visibility": Visibility.COURSE}) & Q(
        **{f"{prefix}course__in": _member_courses(user)}
    )
    teacher = Q(**{f"{prefix}visibility": Visibility.TEACHER}) & Q(
        **{f"{prefix}course__in": taught}
    )
    # A teacher's highlight or prompt in an unpublished assignment is shared
    # with nobody but the class's teachers until the assignment is published.
    released = Q(**{f"{prefix}draft": False}) | Q(**{f"{prefix}course__in": taught})
    return [way & visible & released for way in (public, course, teacher)]


def _answered_q(user: object) -> Q:
    """Replies under an "answer first" prompt: visible once you answered."""
    if not _signed_in(user):
        return Q(reply_to__answer_first=False)
    author = _as_user(user)
    answered = Annotation.objects.filter(author=author, reply_to__isnull=False).values(
        "reply_to"
    )
    return (
        Q(reply_to__answer_first=False)
        | Q(reply_to__author=author)
        | Q(reply_to__in=answered)
        | Q(reply_to__course__in=_taught_courses(user))
    )


class Annotation(QuotedRange):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="annotations",
        verbose_name=_("author"),
    )
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="annotations",
        verbose_name=_("edition"),
    )
    # The target: a QuotedRange from (start_passage, start_offset) to
    # (end_passage, end_offset); a reply has none. Passages are protected: an
    # annotated passage cannot be deleted out from under its readers' notes.
    start_passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="annotations_starting",
        null=True,
        blank=True,
        verbose_name=_("start passage"),
    )
    end_passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="annotations_ending",
        null=True,
        blank=True,
        verbose_name=_("end passage"),
    )
    # Offsets, quote, context, revision and anchor state: see QuotedRange.

    motivation = models.CharField(
        _("motivation"), max_length=16, choices=Motivation.choices
    )
    body = models.TextField(_("note"), blank=True, max_length=MAX_BODY_LENGTH)
    # `body` rendered by render_markdown when it was written, so that a page
    # with thousands of notes does not run Markdown thousands of times. It is
    # sanitised again on output (reader.markdown.sanitise_html).
    body_html = models.TextField(_("note as HTML"), blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="annotations")
    colour = models.CharField(
        _("colour"), max_length=10, choices=Colour.choices, default=Colour.YELLOW
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PRIVATE,
    )
    # The class a `teacher` or `course` annotation is shared with.
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
        verbose_name=_("class"),
    )
    # Part of an unpublished assignment: only the class's teachers see it,
    # whatever its visibility says (set by the services that publish it).
    draft = models.BooleanField(_("draft"), default=False)
    # On a prompt: students see classmates' replies only after replying.
    answer_first = models.BooleanField(_("answer first"), default=False)
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    moderation = models.CharField(
        _("moderation"),
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.VISIBLE,
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    # An editor's note: public, numbered in the reader and in print. A reader's
    # note promoted with its author's consent stays credited to its author.
    editorial = models.BooleanField(_("editor's note"), default=False)
    # Deleting an annotation that others have replied to keeps it as a
    # tombstone, so their replies are not lost.
    deleted = models.DateTimeField(_("deleted"), null=True, blank=True)
    # Provenance of an imported annotation: the identity it had in the file
    # (its W3C `canonical`, else its `id`), so the same annotation is never
    # imported twice whoever exported it, and whom the file credits for it,
    # so a copy of someone else's note never passes as the importer's own.
    canonical = models.CharField(
        _("imported from"), max_length=MAX_IMPORTED_IRI_LENGTH, blank=True
    )
    original_creator = models.CharField(
        _("original creator"), max_length=MAX_CREATOR_LENGTH, blank=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        constraints = [
            # Either a reply (no target of its own) or a full target.
            models.CheckConstraint(
                condition=(
                    Q(reply_to__isnull=True)
                    & Q(start_passage__isnull=False)
                    & Q(start_offset__isnull=False)
                    & Q(end_passage__isnull=False)
                    & Q(end_offset__isnull=False)
                )
                | (
                    Q(reply_to__isnull=False)
                    & Q(start_passage__isnull=True)
                    & Q(end_passage__isnull=True)
                ),
                name="annotation_target_or_reply",
            ),
            models.CheckConstraint(
                condition=Q(motivation__in=[m.value for m in Motivation]),
                name="annotation_motivation_known",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[v.value for v in Visibility]),
                name="annotation_visibility_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["start_passage", "start_offset"], name="annotation_start"
            ),
            models.Index(fields=["author", "created"], name="annotation_author_recent"),
            models.Index(
                fields=["edition", "visibility"], name="annotation_edition_vis"
            ),
            models.Index(
                fields=["author", "canonical"], name="annotation_author_canonical"
            ),
        ]

    def __str__(self) -> str:
        what = self.get_motivation_display()
        return f"{what} by {self.author} on {self.start_passage or self.reply_to_id}"

    def get_absolute_url(self) -> str:
        passage = self.start_passage if self.reply_to_id is None else None
        if passage is None and self.reply_to is not None:
            passage = self.reply_to.start_passage
        base = passage.part.get_absolute_url() if passage else "/"
        return f"{base}#annotation-{self.pk}"

    def tags_in_order(self) -> list[Tag]:
        """Tags by name, from the prefetch (`tag_list`) when there is one."""
        cached = getattr(self, "tag_list", None)
        return cached if cached is not None else list(self.tags.order_by("name"))

    @property
    def is_reply(self) -> bool:
        return self.reply_to_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    @property
    def spans_passages(self) -> bool:
        return self.start_passage_id != self.end_passage_id


class Flag(models.Model):
    """A reader asks the moderators to look at a shared annotation."""

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="flags"
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    # Who settled the flag (by hiding or restoring the note), and when.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return f"{self.flagger} flagged {self.annotation_id}"


class ModerationLog(models.Model):
    """Who hid, restored, promoted or deleted what, and when."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        DELETE = "delete", _("Deleted")
        PROMOTE = "promote", _("Promoted to an editor's note")

    annotation_id = models.UUIDField(_("annotation"))
    annotation_author = models.CharField(_("author"), max_length=150)
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("moderation record")
        verbose_name_plural = _("moderation records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.annotation_id} by {self.actor}"


class PromotionRequest(models.Model):
    """Asking a reader's consent to publish their note as an editor's note."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the author")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="promotion_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.requested_by} asks to promote {self.annotation_id}"
