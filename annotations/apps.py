from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = _("Annotations")

    def ready(self) -> None:
        from . import reanchoring  # noqa: F401 - registers the revision handler
