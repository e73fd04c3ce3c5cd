"""Work done off the request (django-tasks; see accounts/mail.py)."""

from __future__ import annotations

from django_tasks import task

from .mail import account_mail_send


@task()
def send_account_mail(
    *, kind: str, to: str, user_id: int | None, site: str, new_email: str = ""
) -> int:
    """Send one of the account's mails; the number sent."""
    return account_mail_send(
        kind=kind, to=to, user_id=user_id, site=site, new_email=new_email
    )
