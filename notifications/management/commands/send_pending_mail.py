"""manage.py send_pending_mail: send mail whose task was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.mail import pending_mail_send


class Command(BaseCommand):
    help = (
        "Send the notification mail still waiting (normally sent by the task "
        "queue, manage.py db_worker; this catches any it could not take). "
        "Each mail goes once, however often this runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Mails sent: {pending_mail_send()}.")
