from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _index_after_migrate(using: str = "default", **signal: object) -> None:
    """A migration that remakes an indexed table on SQLite drops its
    triggers (search/schema.py): put the index back and fill it, so a
    migrated database is always searchable and kept in step."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .engines import search_language
    from .schema import install, is_installed

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.migration_qs.filter(app="search").exists():
        return  # migrating backwards past the index, or not there yet
    if not is_installed(connection):
        install(connection, search_language())


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the checks

        post_migrate.connect(
            _index_after_migrate, sender=self, dispatch_uid="search-index-installed"
        )
