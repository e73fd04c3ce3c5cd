from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Themes: the motif atlas")

    def ready(self) -> None:
        from . import reanchoring  # noqa: F401 - registers the revision handler
