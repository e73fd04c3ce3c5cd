"""Backups of the database, and restoring one (`manage.py backup`, `restore`).

SQLite: SQLite's online backup API copies the database page by page inside
one read transaction, so the copy is the database as it was at one moment,
while the site goes on serving (in WAL mode readers never block the writer,
nor the writer them). The copy is written beside its final name and renamed
when complete, so a backup folder never holds half a backup, and it is made a
single self-contained file (no -wal beside it).

Restoring goes the other way through the same API: it writes the backup into
the live database in one write transaction, which the site's own connections
wait for (busy timeout) and then read, so nothing ever sees half of it. It is
refused while it cannot be done safely: a file that is not an intact SQLite
database of this site, a backup made by newer code than this (migrations this
code does not know), or a database that stays busy. A copy of the database as
it was is always kept first.

PostgreSQL: `pg_dump` makes the backup when it is on the PATH (custom format,
restored with `pg_restore`, see docs/DEPLOYMENT.md); restoring one is
pg_restore's work, not ours, and `restore` says so.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

# How long a backup or restore waits for the site's writers to let go of the
# database before it gives up, changing nothing.
BUSY_SECONDS = 10.0
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot be done: the message says why, and
    that nothing was changed."""


class DatabaseBusy(BackupError):
    """The other side of the copy stayed locked for too long."""


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, *, busy_seconds: float
) -> None:
    """SQLite's online backup, every page in one step (one snapshot, one
    write transaction), given up once the database has been busy for
    `busy_seconds`: Python's backup() would otherwise retry for ever."""
    deadline = time.monotonic() + busy_seconds

    def give_up_when_busy_too_long(status: int, _remaining: int, _total: int) -> None:
        busy = status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        if busy and time.monotonic() > deadline:
            # Raising here aborts the backup; the target is left as it was.
            raise DatabaseBusy(_("the database stayed busy"))

    source.backup(target, progress=give_up_when_busy_too_long)


@dataclass(frozen=True)
class Restored:
    database: Path
    previous: Path  # the copy of the database as it was before the restore


def timestamped(folder: Path, prefix: str, suffix: str, now: datetime) -> Path:
    """A new file name in `folder`, by the time (UTC), never an existing one."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{prefix}-{stamp}{suffix}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{prefix}-{stamp}-{number}{suffix}"
    return candidate


def sqlite_backup(
    *, database: Path, folder: Path, prefix: str = "db", now: datetime | None = None
) -> Path:
    """Copy a live SQLite database to a new timestamped file in `folder`."""
    if not database.is_file():
        raise BackupError(_("There is no database at %(path)s.") % {"path": database})
    folder.mkdir(parents=True, exist_ok=True)
    target = timestamped(folder, prefix, ".sqlite3", now or timezone.now())
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(database, timeout=BUSY_SECONDS)
    try:
        copy = sqlite3.connect(partial)
        try:
            _copy(source, copy, busy_seconds=BUSY_SECONDS)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except (sqlite3.Error, DatabaseBusy) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            _("The backup failed (%(error)s); nothing was written.") % {"error": exc}
        ) from exc
    finally:
        source.close()
    os.replace(partial, target)
    return target


def _applied_migrations(connection: sqlite3.Connection) -> set[tuple[str, str]]:
    rows = connection.execute("SELECT app, name FROM django_migrations").fetchall()
    return {(app, name) for app, name in rows}


def check_sqlite_backup(
    backup: Path, *, known_migrations: Iterable[tuple[str, str]]
) -> None:
    """Refuse a file that is not an intact backup of this site that this code
    can run on."""
    if not backup.is_file():
        raise BackupError(_("There is no file at %(path)s.") % {"path": backup})
    with backup.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(
                _("%(path)s is not an SQLite database.") % {"path": backup}
            )
    # Read-only: checking a backup never changes it.
    connection = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (integrity,) = connection.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise BackupError(
                _("%(path)s is damaged (%(detail)s).")
                % {"path": backup, "detail": integrity}
            )
        try:
            applied = _applied_migrations(connection)
        except sqlite3.Error as exc:
            raise BackupError(
                _("%(path)s is not a database of this site (no migrations).")
                % {"path": backup}
            ) from exc
    finally:
        connection.close()
    unknown = sorted(applied - set(known_migrations))
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            _(
                "%(path)s was made by a newer version of the site (migrations "
                "this code does not have: %(names)s). Restore it with that version."
            )
            % {"path": backup, "names": names}
        )


def sqlite_restore(
    *,
    database: Path,
    backup: Path,
    folder: Path,
    known_migrations: Iterable[tuple[str, str]],
    busy_seconds: float = BUSY_SECONDS,
) -> Restored:
    """Replace the live database's content with the backup's, all or nothing,
    after keeping a copy of it in `folder`."""
    check_sqlite_backup(backup, known_migrations=known_migrations)
    if database.exists() and backup.resolve() == database.resolve():
        raise BackupError(_("That file is the database itself."))
    previous = sqlite_backup(database=database, folder=folder, prefix="before-restore")
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        live = sqlite3.connect(database, timeout=min(busy_seconds, 0.5))
        try:
            # One write transaction on the live database: the site's
            # connections wait for it, then see the backup whole.
            _copy(source, live, busy_seconds=busy_seconds)
        finally:
            live.close()
    except (sqlite3.Error, DatabaseBusy) as exc:
        raise BackupError(
            _(
                "The database could not be restored (%(error)s); nothing was "
                "changed. If the site is writing, try again, or stop it first."
            )
            % {"error": exc}
        ) from exc
    finally:
        source.close()
    return Restored(database=database, previous=previous)


def postgres_backup(
    *,
    settings_dict: dict[str, Any],
    folder: Path,
    now: datetime | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> Path:
    """Dump a PostgreSQL database with pg_dump (custom format) to a new
    timestamped file in `folder`."""
    pg_dump = which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            _(
                "pg_dump is not on the PATH: install PostgreSQL's client tools "
                "(the same major version as the server), or back up with pg_dump "
                "on the database server (docs/DEPLOYMENT.md, Backups)."
            )
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = timestamped(folder, "db", ".dump", now or timezone.now())
    partial = target.with_name(target.name + ".partial")
    # The password goes in the environment, never on a command line that
    # every user of the machine can read.
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    result = subprocess.run(  # noqa: S603 - pg_dump from the PATH, no shell
        [pg_dump, "--format=custom", "--no-password", f"--file={partial}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(
            _("pg_dump failed: %(error)s") % {"error": result.stderr.strip()}
        )
    os.replace(partial, target)
    return target
