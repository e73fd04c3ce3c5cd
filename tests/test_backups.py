"""manage.py backup and restore: a consistent copy while the site runs, and a
restore that gives back exactly what was backed up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config.backups import (
    BackupError,
    check_sqlite_backup,
    postgres_backup,
    sqlite_backup,
    sqlite_restore,
)

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    """manage.py on a database file of the test's own, as an operator runs it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_DEBUG="true")
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def shell(code: str, *, database: Path) -> None:
    result = manage("shell", "-c", code, database=database)
    assert result.returncode == 0, result.stderr


def contents(database: Path) -> list[str]:
    """Every table's schema and every row, as SQL: equal lists, equal data."""
    connection = sqlite3.connect(database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


MAKE_USER = (
    "from django.contrib.auth.models import User; "
    "User.objects.create_user({name!r}, email={name!r} + '@school.example')"
)


def test_back_up_write_more_restore_and_the_database_equals_the_backup(tmp_path):
    database, folder = tmp_path / "db.sqlite3", tmp_path / "backups"
    assert manage("migrate", "--noinput", database=database).returncode == 0
    shell(MAKE_USER.format(name="alice"), database=database)
    backed_up = manage("backup", "--output", str(folder), database=database)
    assert backed_up.returncode == 0, backed_up.stderr
    backup = Path(backed_up.stdout.strip())
    assert backup.parent == folder and backup.name.startswith("db-")
    assert contents(backup) == contents(database)
    at_backup = contents(backup)

    # More is written: a new row, a changed row, a deleted row.
    shell(
        MAKE_USER.format(name="bob") + "; "
        "User.objects.filter(username='alice').update(first_name='Alice'); "
        "from django.contrib.auth.models import Group; "
        "Group.objects.filter(name='Teachers').delete()",
        database=database,
    )
    written = contents(database)
    assert written != at_backup

    refused = manage("restore", str(backup), database=database)
    assert refused.returncode == 1
    assert "--yes" in refused.stderr
    assert contents(database) == written

    restored = manage(
        "restore", str(backup), "--yes", "--output", str(folder), database=database
    )
    assert restored.returncode == 0, restored.stderr
    assert contents(database) == at_backup
    # The database as it was before the restore is kept.
    (previous,) = folder.glob("before-restore-*.sqlite3")
    assert contents(previous) == written


def make_live(path: Path) -> sqlite3.Connection:
    """An SQLite database as the site runs it (WAL), with a row committed."""
    live = sqlite3.connect(path, isolation_level=None)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE django_migrations (app TEXT, name TEXT)")
    live.execute("INSERT INTO django_migrations VALUES ('reader', '0001_initial')")
    live.execute("CREATE TABLE note (body TEXT)")
    live.execute("INSERT INTO note VALUES ('committed')")
    return live


def rows(path: Path) -> list[tuple[str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT body FROM note ORDER BY body").fetchall()
    finally:
        connection.close()


def test_a_backup_taken_during_a_write_holds_what_was_committed_only(tmp_path):
    live = make_live(tmp_path / "db.sqlite3")
    live.execute("BEGIN IMMEDIATE")
    live.execute("INSERT INTO note VALUES ('not yet committed')")
    backup = sqlite_backup(database=tmp_path / "db.sqlite3", folder=tmp_path / "b")
    live.execute("COMMIT")
    assert rows(backup) == [("committed",)]
    # A single file, readable without the live database's -wal beside it.
    assert not backup.with_name(backup.name + "-wal").exists()
    assert not list((tmp_path / "b").glob("*.partial"))


def test_two_backups_in_the_same_second_are_two_files(tmp_path):
    make_live(tmp_path / "db.sqlite3").close()
    first = sqlite_backup(database=tmp_path / "db.sqlite3", folder=tmp_path / "b")
    second = sqlite_backup(database=tmp_path / "db.sqlite3", folder=tmp_path / "b")
    assert first != second and first.exists() and second.exists()


def test_a_restore_waits_for_a_writer_then_gives_up_changing_nothing(tmp_path):
    database = tmp_path / "db.sqlite3"
    live = make_live(database)
    backup = sqlite_backup(database=database, folder=tmp_path / "b")
    live.execute("INSERT INTO note VALUES ('written after the backup')")
    live.execute("BEGIN IMMEDIATE")  # the site is writing, and does not stop
    with pytest.raises(BackupError, match="nothing was changed"):
        sqlite_restore(
            database=database,
            backup=backup,
            folder=tmp_path / "b",
            known_migrations={("reader", "0001_initial")},
            busy_seconds=0.3,
        )
    live.execute("ROLLBACK")
    assert rows(database) == [("committed",), ("written after the backup",)]


def test_a_file_that_is_not_a_backup_of_this_site_is_refused(tmp_path):
    known = {("reader", "0001_initial")}
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(BackupError, match="not an SQLite database"):
        check_sqlite_backup(text, known_migrations=known)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(BackupError, match="not a database of this site"):
        check_sqlite_backup(other, known_migrations=known)
    with pytest.raises(BackupError, match="no file"):
        check_sqlite_backup(tmp_path / "missing.sqlite3", known_migrations=known)


def test_a_backup_from_a_newer_version_is_refused_changing_nothing(tmp_path):
    database = tmp_path / "db.sqlite3"
    make_live(database).close()
    newer = tmp_path / "newer.sqlite3"
    make_live(newer).execute(
        "INSERT INTO django_migrations VALUES ('reader', '0099_from_the_future')"
    )
    with pytest.raises(BackupError, match="reader.0099_from_the_future"):
        sqlite_restore(
            database=database,
            backup=newer,
            folder=tmp_path / "b",
            known_migrations={("reader", "0001_initial")},
        )
    assert rows(database) == [("committed",)]
    assert not (tmp_path / "b").exists()


def test_without_pg_dump_a_postgres_backup_says_where_to_look(tmp_path):
    with pytest.raises(BackupError, match="pg_dump is not on the PATH"):
        postgres_backup(
            settings_dict={"NAME": "notebooks"},
            folder=tmp_path,
            which=lambda _name: None,
        )
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_restore_refuses_on_postgres_and_names_pg_restore(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("runs on PostgreSQL: on SQLite, restore restores")
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", str(tmp_path / "x.dump"), "--yes")


@pytest.mark.django_db
def test_on_postgres_backup_runs_pg_dump(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (CI's second pass)")
    from io import StringIO

    out = StringIO()
    call_command("backup", "--output", str(tmp_path), stdout=out)
    dump = Path(out.getvalue().strip())
    assert dump.parent == tmp_path and dump.suffix == ".dump"
    assert dump.read_bytes().startswith(b"PGDMP")
