from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = _("Annotations")

    def ready(self) -> None:
        from reader.contributions import register_part_page_contributor

        from .views import part_page_annotations

        register_part_page_contributor(part_page_annotations)
        from . import reanchoring  # noqa: F401 - registers the revision handler
