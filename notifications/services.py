"""Every write to notifications goes through these functions.

Apps with events call `notify` (or `notify_each`) inside their own
transaction, after their write: if the write rolls back, so does the
notification, and its e-mail is only queued once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import (
    DEFAULT_DELIVERY,
    MAX_KEY_LENGTH,
    Delivery,
    EmailPreference,
    Kind,
    Mail,
    Notification,
)
from .unread import unread_added, unread_recount

MAIL_FOR_DELIVERY = {
    Delivery.ON: Mail.PENDING,
    Delivery.DIGEST: Mail.DIGEST,
    Delivery.OFF: Mail.NONE,
}


def _check(kind: str, key: str) -> None:
    # Programming errors, not input: the callers are our own services.
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("a notification key is 1 to 200 characters")


def deliveries_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's e-mail choice for `kind` (their default where unset)."""
    ids = list(user_ids)
    chosen = dict(
        EmailPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, DEFAULT_DELIVERY[kind]) for pk in ids}


def delivery_choices(user: AbstractBaseUser) -> dict[str, str]:
    """The reader's e-mail choice for every kind, in one query."""
    chosen = dict(
        EmailPreference.objects.filter(user=user).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


def _queue_mail(ids: list[int]) -> None:
    """Send these notifications' mail off the request, once committed."""
    if not ids:
        return

    def enqueue() -> None:
        from .tasks import send_notification_mail

        send_notification_mail.enqueue(notification_ids=ids)

    # robust: a queue that is down never fails the reader's request; the
    # rows stay pending for `manage.py send_pending_mail`.
    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def notify(
    *,
    recipient: AbstractBaseUser | None,
    kind: str,
    key: str,
    actor: AbstractBaseUser | None = None,
    annotation: object | None = None,
    assignment: object | None = None,
) -> Notification | None:
    """Tell `recipient` about an event, once: the same `key` again (a retry,
    a double submit) finds the notification already made. Nobody is told of
    their own doing. Returns the notification, or None when none is due."""
    _check(kind, key)
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    delivery = deliveries_for([recipient.pk], kind)[recipient.pk]
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key,
        defaults={
            "kind": kind,
            "actor": actor,
            "annotation": annotation,
            "assignment": assignment,
            "mail": MAIL_FOR_DELIVERY[delivery],
        },
    )
    if created:
        unread_added([recipient])
        if notification.mail == Mail.PENDING:
            _queue_mail([notification.pk])
    return notification


@transaction.atomic
def notify_each(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    key: str,
    actor: AbstractBaseUser | None = None,
    annotation: object | None = None,
    assignment: object | None = None,
) -> int:
    """`notify` for many recipients of one event (a class), in a few queries
    whatever their number. Returns how many were told for the first time."""
    _check(kind, key)
    users = {
        user.pk: user
        for user in recipients
        if user.is_active and (actor is None or user.pk != actor.pk)
    }
    if not users:
        return 0
    told = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    deliveries = deliveries_for([pk for pk in users if pk not in told], kind)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                key=key,
                actor=actor,
                annotation=annotation,
                assignment=assignment,
                mail=MAIL_FOR_DELIVERY[delivery],
            )
            for pk, delivery in deliveries.items()
        ],
        # A concurrent retry of the same event may have told some meanwhile.
        ignore_conflicts=True,
    )
    unread_added(users[pk] for pk in deliveries)
    _queue_mail(
        list(
            Notification.objects.filter(
                recipient_id__in=list(deliveries), key=key, mail=Mail.PENDING
            ).values_list("pk", flat=True)
        )
    )
    return len(deliveries)


def feedback_released_key(assignment: object, released_at: datetime) -> str:
    """The key of a release's notifications: one per release moment."""
    return f"feedback:{assignment.pk}:{released_at.isoformat()}"


def feedback_released_notify(
    *,
    student: AbstractBaseUser,
    teacher: AbstractBaseUser | None,
    assignment: object,
    released_at: datetime,
    annotation: object | None = None,
) -> Notification | None:
    """For the grades: tell a student their feedback and grade on
    `assignment` are released. One notification per release (`released_at`,
    the moment it took effect): releasing the same again tells nobody twice.
    Call it inside the release's transaction, after its write."""
    return notify(
        recipient=student,
        kind=Kind.FEEDBACK_RELEASED,
        key=feedback_released_key(assignment, released_at),
        actor=teacher,
        assignment=assignment,
        annotation=annotation,
    )


def notification_mark_read(
    *, notification: Notification, user: AbstractBaseUser
) -> Notification:
    """Mark one of the reader's own notifications read (again: no change)."""
    if notification.recipient_id != user.pk:
        # The views look notifications up among the reader's own; this is
        # the rule's second line.
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        unread_recount(user)
    return notification


def notifications_mark_all_read(
    *, user: AbstractBaseUser, up_to: int | None = None
) -> int:
    """Mark the reader's unread notifications read: those up to the newest
    the page showed (`up_to`, its id), so one that arrived since stays
    unread. Returns how many."""
    unread = Notification.objects.for_recipient(user).unread()
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    count = unread.update(read_at=timezone.now())
    unread_recount(user)
    return count


@transaction.atomic
def email_preferences_save(*, user: AbstractBaseUser, choices: dict[str, str]) -> None:
    """Save a reader's e-mail choice per kind (kinds left out keep theirs)."""
    for kind, delivery in choices.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            raise ValueError(f"bad e-mail preference {kind}={delivery}")
        EmailPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )


@transaction.atomic
def email_unsubscribe(*, user: AbstractBaseUser, kind: str) -> list[str]:
    """Stop the mail of one kind, or of every kind a digest carries (`kind`
    "digest"). Mail already waiting for those kinds is not sent. Returns the
    kinds turned off."""
    if kind == "digest":
        choices = delivery_choices(user)
        kinds = [k for k, delivery in choices.items() if delivery == Delivery.DIGEST]
    else:
        kinds = [kind]
    email_preferences_save(user=user, choices=dict.fromkeys(kinds, Delivery.OFF))
    Notification.objects.filter(
        recipient=user, kind__in=kinds, mail__in=[Mail.PENDING, Mail.DIGEST]
    ).update(mail=Mail.SKIPPED)
    return kinds
