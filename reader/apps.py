from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = _("Reader: editions and passages")

    def ready(self) -> None:
        from .models import Edition, Part, Passage
        from .page_cache import anonymous_pages_forget

        # An edition's audience, a part's title, a passage's text: anonymous
        # visitors' cached pages show them all (reader/page_cache.py).
        for model in (Edition, Part, Passage):
            for signal in (post_save, post_delete):
                signal.connect(
                    anonymous_pages_forget,
                    sender=model,
                    dispatch_uid=f"reader-pages-{model.__name__}-{signal is post_save}",
                )
