from __future__ import annotations

from django.http import HttpRequest

from .models import Notification


def unread_count(request: HttpRequest) -> int:
    """The reader's unread notifications: one query, once per request."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = Notification.objects.for_recipient(request.user).unread().count()
        request._unread_notifications = cached
    return cached


def inbox(request: HttpRequest) -> dict[str, object]:
    """The header's bell. A callable, so a page that does not show the
    header asks nothing; nothing at all for a visitor who is not signed in
    (whose pages may come from the anonymous page cache)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(request)}
