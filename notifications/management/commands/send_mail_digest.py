"""manage.py send_mail_digest: for cron, once a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.mail import digest_send


class Command(BaseCommand):
    help = (
        "Send each reader who chose a daily digest one mail with what they "
        "have not had yet. Run it again and nobody gets the same item twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Digests sent: {digest_send()}.")
