"""The header's unread count, kept in a shared cache so that a page costs
no query for it: counted at log-in (or by the first page after the entry
expired), one added for each new notification, counted again when the
reader marks some read.

The cache is one for every worker and app server (the "notifications"
alias: a file on one machine, Redis with REDIS_URL), so what one process adds
every process sees. An entry lives ten minutes at most: a safety net for a
count that drifted (two additions racing on the file cache), not the way
counts change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.db import transaction

from .models import Notification

SECONDS = 600


def _cache() -> object:
    # Settings without the alias (a deployment's own, a test's) count in
    # the default cache.
    return caches["notifications" if "notifications" in settings.CACHES else "default"]


def _key(user_id: int, joined: object) -> str:
    # The account's creation time beside its id: a shared Redis outlives a
    # database (a test run's, a restored backup's), whose ids start again.
    stamp = joined.timestamp() if joined is not None else 0
    return f"unread:{user_id}:{stamp:.6f}"


def unread_count(user: AbstractBaseUser) -> int:
    key = _key(user.pk, user.date_joined)
    cache = _cache()
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_recipient(user).unread().count()
        cache.set(key, count, SECONDS)
    return count


def unread_added(users: Iterable[AbstractBaseUser]) -> None:
    """New notifications for these readers: once committed (a rolled-back
    one never counted), one more on each count that is cached. A count not
    cached is counted by the next page, from the database."""
    keys = [_key(user.pk, user.date_joined) for user in users]
    if not keys:
        return

    def add() -> None:
        cache = _cache()
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # not cached: nothing to add to
                pass

    transaction.on_commit(add, robust=True)


def unread_recount(user: AbstractBaseUser) -> None:
    """The reader marked notifications read (their own request, which may
    afford the query): count again, now and once committed."""

    def recount() -> None:
        key = _key(user.pk, user.date_joined)
        count = Notification.objects.for_recipient(user).unread().count()
        _cache().set(key, count, SECONDS)

    recount()
    transaction.on_commit(recount, robust=True)


def unread_remember(user: AbstractBaseUser, **kwargs: object) -> None:
    """At log-in (user_logged_in): count now, so the pages after ask
    nothing."""
    unread_count(user)
