from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_anonymous_pages(**signal: object) -> None:
    """Public notes and editor's notes are on anonymous visitors' pages only
    if the site shows them (THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC): only then
    does a note written, changed, moderated or deleted make those pages old.
    Any note, not only public ones: a public note made private must leave at
    once too, and a save does not say what the note was before."""
    if not settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC:
        return
    # A log-in saves the user's last_login; a rename shows on their cards.
    if signal.get("update_fields") == frozenset({"last_login"}):
        return
    from reader.page_cache import anonymous_pages_forget

    anonymous_pages_forget()


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = _("Annotations")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from . import reanchoring  # noqa: F401 - registers the revision handler
        from .models import Annotation, Tag

        for model in (Annotation, Tag, get_user_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    _forget_anonymous_pages,
                    sender=model,
                    dispatch_uid=f"notes-pages-{model.__name__}-{signal is post_save}",
                )
        m2m_changed.connect(
            _forget_anonymous_pages,
            sender=Annotation.tags.through,
            dispatch_uid="annotations-pages-tags",
        )
