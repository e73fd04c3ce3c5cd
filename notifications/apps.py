from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .unread import unread_remember

        user_logged_in.connect(
            unread_remember, dispatch_uid="notifications.unread_remember"
        )
