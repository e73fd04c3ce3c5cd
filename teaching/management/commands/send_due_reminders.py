"""manage.py send_due_reminders: for cron (e.g. hourly). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from teaching.notices import due_reminders_send, released_grades_send


class Command(BaseCommand):
    help = (
        "Tell students of assignments due within 24 hours and of overdue ones "
        "they have not marked done. Safe to run as often as you like: nobody "
        "is told twice of the same due date. Also tells students of feedback "
        "and grades whose release date has come."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        told = due_reminders_send()
        released = released_grades_send()
        self.stdout.write(
            f"Due within 24 hours: {told['due_soon']} told; "
            f"overdue: {told['overdue']} told; "
            f"grades released: {released} told."
        )
