"""E-mail for notifications: who may get it, the signed unsubscribe link,
and sending (called by the task in tasks.py, never by a request)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import email_verified

from .display import RELATED, summary, target_url
from .models import Delivery, Kind, Mail, Notification
from .services import delivery_choices

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# What the digest's link turns off: every kind the reader gets as a digest.
DIGEST = "digest"
# A token is a user id and a kind, signed: far below this.
MAX_TOKEN_LENGTH = 200


def can_email(user: AbstractBaseUser) -> bool:
    """May mail go to this user's address? Only an active account's address
    that was verified by its link (`accounts.selectors.email_verified`),
    whether or not the site asks for verification at sign-up."""
    if not (user.is_active and user.email):
        return False
    return email_verified(user)


def unsubscribe_token(user: AbstractBaseUser, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; `signing.BadSignature` if it was not
    ours or was changed, ValueError if it is not what we sign."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise signing.BadSignature("too long")
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or value[1] not in (*Kind.values, DIGEST)
    ):
        raise ValueError("not an unsubscribe token")
    return value[0], value[1]


def absolute(path: str) -> str:
    return settings.THREE_NOTEBOOKS_SITE_URL.rstrip("/") + path


def unsubscribe_url(user: AbstractBaseUser, kind: str) -> str:
    return absolute(
        reverse(
            "notifications:unsubscribe",
            kwargs={"token": unsubscribe_token(user, kind)},
        )
    )


def _message(
    user: AbstractBaseUser, kind: str, subject: str, template: str, context: dict
) -> EmailMessage:
    link = unsubscribe_url(user, kind)
    body = render_to_string(
        template,
        {
            **context,
            "user": user,
            "unsubscribe_url": link,
            "settings_url": absolute(reverse("notifications:settings")),
            "inbox_url": absolute(reverse("notifications:inbox")),
        },
    )
    return EmailMessage(
        # One line, whatever a title held: a header may not break.
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        # RFC 2369 and RFC 8058: mail programs offer "Unsubscribe", which
        # POSTs to the link, no log-in needed.
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notification_message(notification: Notification) -> EmailMessage:
    text = summary(notification)
    return _message(
        notification.recipient,
        notification.kind,
        _("Three Notebooks: %(summary)s") % {"summary": text},
        "notifications/email/notification.txt",
        {
            "summary": text,
            "url": absolute(target_url(notification)),
            "kind_label": Kind(notification.kind).label,
        },
    )


def _claim(pks: Iterable[int], state: str) -> list[int]:
    """Take rows waiting in `state` for this sender (marked sent before the
    mail goes, so two workers never send one mail twice)."""
    claimed = []
    for pk in pks:
        if Notification.objects.filter(pk=pk, mail=state).update(
            mail=Mail.SENT, mailed_at=timezone.now()
        ):
            claimed.append(pk)
    return claimed


def _give_back(pks: list[int], state: str) -> None:
    Notification.objects.filter(pk__in=pks).update(mail=state, mailed_at=None)


def _skip(pks: list[int]) -> None:
    Notification.objects.filter(pk__in=pks).update(mail=Mail.SKIPPED)


def pending_mail_send(notification_ids: Iterable[int] | None = None) -> int:
    """Send the mail of pending notifications (these, or all): each once,
    and only if the reader still wants it and may get it. Returns how many
    were sent."""
    waiting = Notification.objects.filter(mail=Mail.PENDING)
    if notification_ids is not None:
        waiting = waiting.filter(pk__in=list(notification_ids))
    claimed = _claim(waiting.values_list("pk", flat=True), Mail.PENDING)
    sent = 0
    rows = Notification.objects.filter(pk__in=claimed).select_related(
        "recipient", *RELATED
    )
    for notification in rows:
        user = notification.recipient
        wanted = delivery_choices(user)[notification.kind] == Delivery.ON
        if not (wanted and can_email(user)):
            _skip([notification.pk])
            continue
        try:
            with translation.override(settings.LANGUAGE_CODE):
                notification_message(notification).send()
        except Exception:
            # Left for the next run (manage.py send_pending_mail).
            logger.exception("notification mail %s not sent", notification.pk)
            _give_back([notification.pk], Mail.PENDING)
            continue
        sent += 1
    return sent


def digest_send() -> int:
    """Send each reader one mail with the notifications they chose to get
    as a daily digest and not had yet. Returns how many mails were sent."""
    by_user: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in Notification.objects.filter(mail=Mail.DIGEST).values_list(
        "pk", "recipient_id"
    ):
        by_user[user_id].append(pk)
    sent = 0
    for pks in by_user.values():
        with transaction.atomic():
            claimed = _claim(pks, Mail.DIGEST)
        rows = list(
            Notification.objects.filter(pk__in=claimed)
            .select_related("recipient", *RELATED)
            .order_by("created", "pk")
        )
        if not rows:
            continue
        user = rows[0].recipient
        choices = delivery_choices(user)
        wanted = [n for n in rows if choices[n.kind] == Delivery.DIGEST]
        _skip([n.pk for n in rows if n not in wanted])
        if not wanted or not can_email(user):
            _skip([n.pk for n in wanted])
            continue
        items = [
            {"summary": summary(n), "url": absolute(target_url(n))} for n in wanted
        ]
        message = _message(
            user,
            DIGEST,
            _("Three Notebooks: your daily digest"),
            "notifications/email/digest.txt",
            {"items": items},
        )
        try:
            with translation.override(settings.LANGUAGE_CODE):
                message.send()
        except Exception:
            logger.exception("digest for user %s not sent", user.pk)
            _give_back([n.pk for n in wanted], Mail.DIGEST)
            continue
        sent += 1
    return sent
