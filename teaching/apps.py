from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachingConfig(AppConfig):
    name = "teaching"
    verbose_name = _("Teaching: classes and assignments")

    def ready(self) -> None:
        from reader.contributions import (
            register_contents_contributor,
            register_part_page_contributor,
        )

        from .views import contents_assignment, part_page_assignment

        register_part_page_contributor(part_page_assignment)
        register_contents_contributor(contents_assignment)
