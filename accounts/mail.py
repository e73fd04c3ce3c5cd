"""An account's own mail: the link that verifies an address, the notice that
an address is changing, the password reset. Sent off the request by a task
(django-tasks; `manage.py db_worker` runs it, `make run` sends it at once),
so a slow mail server never slows a page, and a reset asked for an address
no account has costs the request exactly what one for a real account does.

The request queues only what is not secret (the kind, the address, the
account's id, the site's address): the worker makes the links' tokens
itself, so the task table never holds a working link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

KINDS = ("email_verification", "email_change_notice", "password_reset")


def account_mail_later(
    *,
    kind: str,
    to: str,
    request: HttpRequest,
    user: Any = None,
    new_email: str = "",
) -> None:
    """Queue one of the account's mails (see the module's docstring)."""
    from .tasks import send_account_mail

    if kind not in KINDS:
        raise ValueError(kind)
    send_account_mail.enqueue(
        kind=kind,
        to=to,
        user_id=user.pk if user is not None else None,
        site=request.build_absolute_uri("/").rstrip("/"),
        new_email=new_email,
    )


def _send(*, to: str, template: str, context: dict[str, Any]) -> None:
    subject = render_to_string(f"accounts/{template}_subject.txt", context)
    body = render_to_string(f"accounts/{template}_email.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def account_mail_send(
    *, kind: str, to: str, user_id: int | None, site: str, new_email: str = ""
) -> int:
    """Make and send a queued mail; the number sent (0 when the account is
    gone, or no account has the address a reset was asked for)."""
    from .services import email_link_make

    if kind == "password_reset":
        where = urlsplit(site)
        sent = 0
        for user in PasswordResetForm().get_users(to):
            # To the account's own address, as typed there (not as asked).
            address = getattr(user, user.get_email_field_name())
            _send(
                to=address,
                template="password_reset",
                context={
                    "email": address,
                    "domain": where.netloc,
                    "site_name": where.netloc,
                    "protocol": where.scheme,
                    "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                    "user": user,
                    "token": default_token_generator.make_token(user),
                },
            )
            sent += 1
        return sent
    users = get_user_model().objects.filter(pk=user_id)
    if kind != "email_verification":
        # (An account waiting for its address to be verified is not active.)
        users = users.filter(is_active=True)
    user = users.first()
    if user is None:
        return 0
    if kind == "email_verification":
        token = email_link_make(user=user, email=to)
        context = {
            "user": user,
            "link": site + reverse("accounts:email_confirm", args=[token]),
            "changing": to.lower() != (user.email or "").lower(),
        }
    else:
        context = {"user": user, "new_email": new_email}
    _send(to=to, template=kind, context=context)
    return 1
