from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Themes: the motif atlas")

    def ready(self) -> None:
        from reader.contributions import register_part_page_contributor

        from .views import part_page_motifs

        register_part_page_contributor(part_page_motifs)
        from . import reanchoring  # noqa: F401 - registers the revision handler
