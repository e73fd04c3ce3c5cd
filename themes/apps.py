from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Themes: the motif atlas")

    def ready(self) -> None:
        from reader.page_cache import anonymous_pages_forget

        from . import reanchoring  # noqa: F401 - registers the revision handler
        from .models import Motif, MotifOccurrence

        # The motif chips on a part page (a motif's name, colour and order,
        # its occurrences): the reader's cached anonymous pages show them.
        for model in (Motif, MotifOccurrence):
            for signal in (post_save, post_delete):
                signal.connect(
                    anonymous_pages_forget,
                    sender=model,
                    dispatch_uid=f"themes-pages-{model.__name__}-{signal is post_save}",
                )
