from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes: who is in which class")

    def ready(self) -> None:
        # The reader sits below this app (a class reads an edition), so it
        # cannot import it; it asks whoever registered here which editions a
        # reader may open as a member of a class (reader/audiences.py).
        from reader.audiences import register_class_audience

        from . import checks  # noqa: F401 - registers the migration check
        from .audiences import CourseAudience

        register_class_audience(CourseAudience())
