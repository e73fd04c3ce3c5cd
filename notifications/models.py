"""What a reader hears about: one row per event and recipient.

An event (a reply, a published assignment, a due date) reaches a recipient
once, however often the code that reports it runs: every notification has a
`key` naming its event, unique per recipient (`notifications.services.notify`).
The app imports no other app: its targets are named by string, and the apps
that have events call `notify` after their own writes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_KEY_LENGTH = 200


class Kind(models.TextChoices):
    REPLY = "reply", _("A reply to my note")
    THREAD_REPLY = "thread_reply", _("A reply in a thread I replied in")
    PROMPT_ANSWER = "prompt_answer", _("An answer to my prompt")
    FEEDBACK_RELEASED = "feedback_released", _("Feedback or a grade released")
    ASSIGNMENT_PUBLISHED = "assignment_published", _("An assignment published")
    DUE_SOON = "due_soon", _("An assignment due within 24 hours")
    OVERDUE = "overdue", _("An assignment overdue")
    PROMOTION_REQUEST = (
        "promotion_request",
        _("A request to make my note an editor's note"),
    )
    PROMOTION_ANSWER = (
        "promotion_answer",
        _("An author's answer to my request to promote their note"),
    )
    NOTE_HIDDEN = "note_hidden", _("My note hidden by a moderator")
    NOTE_RESTORED = "note_restored", _("My note restored")


class Delivery(models.TextChoices):
    """How a reader wants a kind of notification by e-mail."""

    ON = "on", _("Each by e-mail")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("In the inbox only")


# Until a reader chooses: every kind at once, except replies in others'
# threads, which can be many (a busy public thread).
DEFAULT_DELIVERY: dict[str, str] = {kind.value: Delivery.ON.value for kind in Kind} | {
    Kind.THREAD_REPLY.value: Delivery.DIGEST.value
}


class Mail(models.TextChoices):
    """Where a notification's e-mail stands."""

    NONE = "none", _("No mail")
    PENDING = "pending", _("To send")
    DIGEST = "digest", _("For the digest")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user: object) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # The event, e.g. "reply:<reply id>": a retried event finds its row.
    key = models.CharField(_("event"), max_length=MAX_KEY_LENGTH)
    # Who caused it; kept when they leave (the inbox says "someone").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # What it is about. A deleted note or assignment takes its notifications
    # with it: nothing points at what is gone.
    annotation = models.ForeignKey(
        "annotations.Annotation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("note"),
    )
    assignment = models.ForeignKey(
        "teaching.Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignment"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mail = models.CharField(
        _("e-mail"), max_length=8, choices=Mail.choices, default=Mail.NONE
    )
    mailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            # The bell's count: a reader's unread rows only.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created"], name="notification_inbox"),
            # The mail queue and the digest: only rows still waiting.
            models.Index(
                fields=["mail"],
                condition=Q(mail__in=["pending", "digest"]),
                name="notification_mail_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.key})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """A reader's choice for one kind; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preferences",
        verbose_name=_("reader"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    delivery = models.CharField(_("e-mail"), max_length=8, choices=Delivery.choices)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="email_preference_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.delivery}"
