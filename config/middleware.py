"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.template.loader import render_to_string
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


class NullCharacterMiddleware:
    """A NUL character in the address (its path, or a query parameter's name
    or value) is a 400, before any view runs.

    No address of ours has one, and PostgreSQL's text cannot hold one: a
    filter that passed it to a query (`?part=%00`) failed there with a 500
    (SQLite answered nothing found). Forms already refuse NUL in what they
    take; this is the one check for what views read from the address
    themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            message = _("The address contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(
                message, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
