"""The header's unread count, kept in a shared cache so that a page costs
no query for it: counted once (at log-in, or when a change forgot it),
forgotten by every write that changes it.

The cache is one for every worker and app server (the "notifications"
alias: a file on one machine, Redis with REDIS_URL), so a count forgotten by
one process is forgotten for all. An entry lives ten minutes at most: a
safety net, not the way counts change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.db import transaction

from .models import Notification

CACHE = "notifications"
SECONDS = 600


def _key(user_id: int, joined: object) -> str:
    # The account's creation time beside its id: a shared Redis outlives a
    # database (a test run's, a restored backup's), whose ids start again.
    stamp = joined.timestamp() if joined is not None else 0
    return f"unread:{user_id}:{stamp:.6f}"


def unread_count(user: AbstractBaseUser) -> int:
    key = _key(user.pk, user.date_joined)
    cache = caches[CACHE]
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_recipient(user).unread().count()
        cache.set(key, count, SECONDS)
    return count


def unread_forget(users: Iterable[AbstractBaseUser]) -> None:
    """A write changed these readers' counts: forget them now (this process's
    next page) and again once committed (a page that counted meanwhile saw
    the count from before the write)."""
    keys = [_key(user.pk, user.date_joined) for user in users]
    if not keys:
        return

    def forget() -> None:
        caches[CACHE].delete_many(keys)

    forget()
    transaction.on_commit(forget, robust=True)


def unread_remember(user: AbstractBaseUser, **kwargs: object) -> None:
    """At log-in (user_logged_in): count now, so the pages after ask
    nothing."""
    unread_count(user)
