"""manage.py create_demo_accounts: a reader, a teacher and a curator to try."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import demo_accounts_create


class Command(BaseCommand):
    help = "Create or reset the demo accounts (local use only: needs DJANGO_DEBUG)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have published passwords; they are only made "
                "with DJANGO_DEBUG=true, never on a deployed site."
            )
        self.stdout.write("Demo accounts (for local use only):")
        for username, password, groups in demo_accounts_create():
            role = ", ".join(groups) or "reader"
            self.stdout.write(f"  {username:<8} password {password:<20} ({role})")
