"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable
from wsgiref.headers import Headers

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

# Seconds a client should wait before trying again: about one SQLite busy
# timeout, by when the long write ahead of it has usually finished.
RETRY_AFTER_SECONDS = 5


def is_database_locked(error: BaseException) -> bool:
    """SQLite's "database is locked": another writer held the database for
    longer than the busy timeout. Transient; the same request succeeds later."""
    return isinstance(error, OperationalError) and "locked" in str(error)


class DatabaseBusyMiddleware:
    """A write that found the database locked gets 503 and Retry-After, not a
    500: its transaction was rolled back, and it works again in a moment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_database_locked(exception):
            return None
        message = _(
            "The site is busy saving other readers' changes, and yours was not "
            "saved. Please try again in a few seconds."
        )
        if request.path.startswith("/api/") or "json" in request.headers.get(
            "Accept", ""
        ):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            # Rendered without the request: no context processor touches
            # the database that is busy.
            response = HttpResponse(
                render_to_string("503.html", {"message": message}), status=503
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


# Django has no setting for it: another site's page cannot load our pages,
# JSON or static files (as <img>, <script> and the like) and read them
# through a side channel (Spectre).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"


def static_file_headers(headers: Headers, path: str, url: str) -> None:
    """WhiteNoise's hook (WHITENOISE_ADD_HEADERS_FUNCTION) for the headers of
    a static file, which no middleware below WhiteNoise sees."""
    headers["Cross-Origin-Resource-Policy"] = CROSS_ORIGIN_RESOURCE_POLICY


class CrossOriginResourcePolicyMiddleware:
    """`Cross-Origin-Resource-Policy: same-origin` on every response the
    site's views make. A view that shares a resource on purpose sets its
    own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on whatever belongs to one visitor,
    so no shared proxy and no browser history keeps a copy: every response
    to a signed-in reader (a session cookie or an API token came with the
    request) and every response that sets a cookie (a login, a CSRF token
    for a form). My notebook, exports, the API, teachers' pages.

    A view that chose its own Cache-Control keeps it (the motif stylesheet,
    the health checks). Anonymous visitors' pages are left alone (the
    reader's page cache keeps them server-side only and sends no
    Cache-Control, see reader/page_cache.py), and so are static files,
    which WhiteNoise answers above this middleware with their long max-age.
    Placed above SessionMiddleware, so it sees the session cookie that
    middleware sets on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if self._is_private(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _is_private(request: HttpRequest, response: HttpResponse) -> bool:
        if response.cookies:
            return True
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return True
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
