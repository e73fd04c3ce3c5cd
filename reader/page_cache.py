"""Whole pages for visitors who are not signed in, cached until anything
they show changes.

An anonymous visitor's contents and part pages are the same for every such
visitor in the same language and reading preferences, so the response is
kept in Django's cache and served without a query. Django's own
`cache_page` would be wrong here twice over: it varies on the whole Cookie
header (a csrftoken or any other cookie makes every visitor a new entry, and
an attacker's random cookies fill the cache), and it can only expire
entries, so a revised passage or an edition made curators-only would be
served for the whole timeout; it also sends `Cache-Control: max-age`, which
lets browsers and shared proxies keep a copy no server can take back.

Instead every key names a **content generation**: a random token kept in
the `generations` cache (shared by all workers and app servers: Redis with
REDIS_URL, otherwise a file cache on this machine, see config/settings.py).
Whatever changes what an anonymous page shows calls `anonymous_pages_forget`
(the reader's own models, and through their signals the motifs and, when
anonymous visitors see them, the public annotations: those apps call it, the
reader imports none of them). A new token makes every cached page unreachable
at once, on every server. The short timeout is a safety net only (a change
made by hand in the database).

What varies the page besides the content: the path (only requests without a
query string are cached: every query, down to the log-in link's ?next=,
shows in the page), the host and scheme, the active language, the functions
named in THREE_NOTEBOOKS_ANONYMOUS_PAGES_VARY_ON (the reading preferences,
from their cookie, normalised so the key space stays small), whether
anonymous visitors see public notes, and the static files' manifest (a
deploy renames them). The response must set no cookie and use no CSRF token:
such a page belongs to one visitor and is never stored.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache as memoized
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.module_loading import import_string

# Bump when what is stored, or how the key is made, changes.
PAGE_FORMAT = 1
GENERATION_KEY = "reader:pages:generation"
# The generation never expires by itself; if a cache loses it (eviction, a
# restart), a new one is made, which is a miss, never a stale page.
GENERATION_SECONDS = None

View = Callable[..., HttpResponse]


def _generations() -> Any:
    return caches["generations"] if "generations" in settings.CACHES else cache


def _new_generation() -> str:
    generation = secrets.token_hex(8)
    _generations().set(GENERATION_KEY, generation, GENERATION_SECONDS)
    return generation


def current_generation() -> str:
    generation = _generations().get(GENERATION_KEY)
    if generation is None:
        _generations().add(GENERATION_KEY, secrets.token_hex(8), GENERATION_SECONDS)
        generation = _generations().get(GENERATION_KEY) or _new_generation()
    return generation


_batch = threading.local()


@contextmanager
def anonymous_pages_forget_once() -> Iterator[None]:
    """Forget the pages once for all the changes made inside, at its end
    (and at the commit): a load or an import saves hundreds of rows, and each
    would write the shared cache again. Use it (or decorate with it) where
    nothing inside reads an anonymous page."""
    if getattr(_batch, "active", False):
        yield
        return
    _batch.active, _batch.changed = True, False
    try:
        yield
    finally:
        changed = _batch.changed
        _batch.active, _batch.changed = False, False
        if changed:
            anonymous_pages_forget()


def anonymous_pages_forget(**_signal: object) -> None:
    """Forget every cached anonymous page: call it (or connect it to a
    model's signals) whenever something such a page shows changes.

    It makes a new generation now, so this process and this transaction
    never read an old page, and again when the transaction commits: a
    visitor served between the two may have rendered the page from the data
    as it was before the commit, and stored it under the first new
    generation; the second one makes that page unreachable.
    """
    if getattr(_batch, "active", False):
        _batch.changed = True
        return
    _new_generation()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    pending = getattr(connection, "run_on_commit", [])
    # Once per transaction is enough (an import saves thousands of rows).
    if not any(entry[1] is _new_generation for entry in pending):
        transaction.on_commit(_new_generation)


@memoized
def _variations() -> tuple[Callable[[HttpRequest], object], ...]:
    return tuple(
        import_string(path)
        for path in getattr(settings, "THREE_NOTEBOOKS_ANONYMOUS_PAGES_VARY_ON", ())
    )


def _page_seconds() -> int:
    # A safety net only: every change the site makes forgets the pages at
    # once. 0 turns the cache off.
    return settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS


def _cacheable_request(request: HttpRequest) -> bool:
    if _page_seconds() <= 0:
        return False
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    # A session (a signed-in reader, or messages waiting for a visitor) or
    # messages kept in their cookie: the page is this visitor's own.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies:
        return False
    if getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies:
        return False
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


def page_key(request: HttpRequest, generation: str) -> str:
    manifest = getattr(staticfiles_storage, "manifest_hash", "")
    database = settings.DATABASES["default"]
    parts = [
        str(PAGE_FORMAT),
        generation,
        # Another site's database on the same Redis is another site.
        f"{database.get('HOST')}:{database.get('PORT')}/{database.get('NAME')}",
        request.scheme,
        request.get_host(),
        request.path,
        translation.get_language() or settings.LANGUAGE_CODE,
        str(settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC),
        manifest,
        *(repr(vary(request)) for vary in _variations()),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"reader:page:{PAGE_FORMAT}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        # The page used the CSRF token (a form): it is this visitor's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def anonymous_page_cache(view: View) -> View:
    """Serve the view's page from the cache to visitors who are not signed
    in (see the module's docstring for what the key holds)."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: object, **kwargs: object) -> Any:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # The generation is read before the page is built: a change made
        # while it is built makes a new one, so the page is never found.
        key = page_key(request, current_generation())
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            stored = (response.content, response["Content-Type"])
            cache.set(key, stored, _page_seconds())
        return response

    return cached_view
