"""manage.py backup: a consistent copy of the database, while the site runs."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.backups import BackupError, postgres_backup, sqlite_backup

DEFAULT_FOLDER = settings.BASE_DIR / "var" / "backups"


class Command(BaseCommand):
    help = (
        "Back up the database to a new timestamped file. SQLite: SQLite's online "
        "backup API, consistent while the site runs. PostgreSQL: pg_dump (custom "
        "format, for pg_restore) when it is on the PATH."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=DEFAULT_FOLDER,
            help="the folder for the backup (default: var/backups)",
        )

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        database = connection.settings_dict
        try:
            if connection.vendor == "sqlite":
                made = sqlite_backup(database=Path(database["NAME"]), folder=output)
            elif connection.vendor == "postgresql":
                made = postgres_backup(settings_dict=database, folder=output)
            else:
                raise BackupError(f"No backup for {connection.vendor} databases.")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(made))
