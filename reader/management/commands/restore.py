"""manage.py restore FILE --yes: put an SQLite backup back, keeping a copy of
the database as it was."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from config.backups import BackupError, sqlite_restore
from reader.page_cache import anonymous_pages_forget

DEFAULT_FOLDER = settings.BASE_DIR / "var" / "backups"


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code has, and those its squashed ones replace
    (a database migrated before the squash records those)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return known


class Command(BaseCommand):
    help = (
        "Replace the SQLite database's content with a backup's (made by "
        "`manage.py backup`), all or nothing, after keeping a copy of the "
        "database as it was. PostgreSQL backups are restored with pg_restore."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the backup to restore")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="really replace the database (without it, nothing is done)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=DEFAULT_FOLDER,
            help=(
                "the folder for the copy of the database as it was "
                "(default: var/backups)"
            ),
        )

    def handle(self, *args: Any, file: Path, yes: bool, output: Path, **o: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                "restore is for SQLite. Restore a PostgreSQL backup with "
                "pg_restore (docs/DEPLOYMENT.md, Backups); nothing was changed."
            )
        database = Path(connection.settings_dict["NAME"])
        if not yes:
            raise CommandError(
                f"This replaces everything in {database} with {file}'s content "
                "(a copy of the database as it is is kept first). Run again with "
                "--yes to do it; nothing was changed."
            )
        known = known_migrations()
        # Our own connection must not hold the database while it is replaced.
        connection.close()
        try:
            restored = sqlite_restore(
                database=database, backup=file, folder=output, known_migrations=known
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # Anonymous visitors' cached pages showed the database as it was.
        anonymous_pages_forget()
        self.stdout.write(f"Restored {database} from {file}.")
        self.stdout.write(f"The database as it was is kept in {restored.previous}.")
        self.stdout.write(
            "Run `manage.py migrate` if the backup is older than this version."
        )
