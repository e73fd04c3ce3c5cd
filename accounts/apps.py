from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_tables(using: str = "default", **kwargs: Any) -> None:
    """After `migrate`: the table the throttles count in (CACHES["throttles"]
    without Redis), so that every way of setting up a site (make setup, make
    serve, a deployment's own `migrate`) has it. Idempotent."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and reading preferences")

    def ready(self) -> None:
        post_migrate.connect(
            create_cache_tables, sender=self, dispatch_uid="accounts.cache_tables"
        )
