from __future__ import annotations

from django.http import HttpRequest

from .unread import unread_count


def _unread(request: HttpRequest) -> int:
    """Read once per request (the shared cache, else one query)."""
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(request.user)
    return request._unread_notifications


def inbox(request: HttpRequest) -> dict[str, object]:
    """The header's bell. A callable, so a page that does not show the
    header asks nothing; nothing at all for a visitor who is not signed in
    (whose pages may come from the anonymous page cache)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: _unread(request)}
