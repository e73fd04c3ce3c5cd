"""Refuse to migrate a database that stopped half-way through a history
this project has since replaced.

classes.0001_initial, annotations.0001_annotations_on_classes and
teaching.0001_assignments_on_classes replace annotations' and teaching's
migrations of before the classes app, whose files are gone (they live on in
tests/classes/before/). A database that applied all of those counts the new
ones as applied; one that applied none is new. One that applied some would
be migrated on a guess, so `migrate` stops first and says what to do.
"""

from __future__ import annotations

from django.core.checks import Error, register
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


@register("database")
def replaced_history_complete(databases=None, **kwargs) -> list[Error]:  # noqa: ANN001
    errors: list[Error] = []
    for alias in databases or []:
        connection = connections[alias]
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            continue
        applied = set(recorder.applied_migrations())
        loader = MigrationLoader(None, ignore_no_migrations=True)
        gone: set[tuple[str, str]] = set()
        for key, migration in loader.replacements.items():
            # Names a new-history database recorded when it applied `key`
            # say nothing about an old history.
            if key in applied:
                continue
            gone |= {m for m in migration.replaces if m not in loader.disk_migrations}
        done = gone & applied
        if done and done != gone:
            missing = ", ".join(f"{app}.{name}" for app, name in sorted(gone - done))
            errors.append(
                Error(
                    f"Database {alias!r} stopped part-way through migrations "
                    f"this release replaces (not applied: {missing}).",
                    hint=(
                        "Migrate it first with the release before the classes "
                        "app (the one whose teaching migrations end with "
                        "0003_course_licensed_editions), then with this one."
                    ),
                    id="classes.E001",
                )
            )
    return errors
