"""How much a request may ask of the site: every size limit, in one place.

Whatever a client sends is bounded before it is read, and a request over a
limit is answered with the limit in words (JSON under /api/ and to clients
that send or accept JSON, a short page otherwise), never a bare 400 or a 500:

=====================================  ============  =========================
What                                   Limit         Answer, where enforced
=====================================  ============  =========================
Address query string (`?keys=`,       8,192 bytes   414, RequestLimitsMiddleware
`?part=`, `?q=` ...; about what                     (MAX_QUERY_STRING_BYTES)
reverse proxies accept)
A NUL character in the path or a       none          400, RequestLimitsMiddleware
query parameter (PostgreSQL's text
cannot hold one)
JSON sent to the API and the           32 levels,    400 (config.json_input
reader's scripts, import files         numbers of    .json_loads)
                                       50 chars,
                                       10,000 values
                                       (500,000 in
                                       an import)
Query and form fields, per request     1,000         400, Django's
                                                    DATA_UPLOAD_MAX_NUMBER_FIELDS
                                                    (handler400 below)
Request body, not a file upload        2.5 MB        413, RequestLimitsMiddleware
(JSON, forms)                                       (DATA_UPLOAD_MAX_MEMORY_SIZE)
Request body with file uploads         25 MB         413, RequestLimitsMiddleware
                                                    (MAX_UPLOAD_REQUEST_BYTES)
Annotation import file                 5 MB          400 with the form's error
                                                    (annotations.forms
                                                    .MAX_IMPORT_BYTES)
Edition import file (admin)            20 MB         the form's error
                                                    (reader.import_files
                                                    .MAX_UPLOAD_BYTES)
Note, reply, prompt, assignment        10,000        400 naming the field:
instructions, Markdown preview         characters    services, forms, API, the
                                                    preview's 413
                                                    (reader.markdown
                                                    .MAX_MARKDOWN_LENGTH)
Tags on a note                         20 of 40      400 (annotations.models
                                       characters    .MAX_TAGS, annotations
                                                    .services.MAX_TAG_LENGTH)
Markdown parsing work per render       budgets       plain text instead
                                                    (reader.markdown)
=====================================  ============  =========================
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

# About what reverse proxies accept in a request line (nginx's default buffer
# is 8 KB): a longer address would not reach us behind one anyway. The longest
# the site makes itself is a motif proposal with a selected phrase in it.
MAX_QUERY_STRING_BYTES = 8192
# The largest file anyone uploads (an edition, 20 MB) and its form around it.
MAX_UPLOAD_REQUEST_BYTES = 25 * 1024 * 1024


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "json" in request.headers.get("Accept", "")
        or "json" in request.headers.get("Content-Type", "")
    )


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The answer to a request over a limit: what the limit is, in words."""
    if wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    # Rendered without the request: nothing of the refused request is read.
    return HttpResponse(
        render_to_string("refused.html", {"message": message}), status=status
    )


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return _("%d KB") % (size // 1024)
    return _("%s MB") % f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class RequestLimitsMiddleware:
    """Refuse an address with a NUL character, an over-long address or an
    over-size body before anything reads it (Django would read the body up
    to its limit, then answer a bare 400; a multipart upload has no overall
    limit there at all)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            # No address of ours has one, and PostgreSQL's text cannot hold
            # one: a filter that passed it to a query (`?part=%00`) failed
            # there with a 500 (SQLite found nothing). Forms refuse NUL in
            # what they take; this is the one check for what views read
            # from the address themselves.
            return refusal(request, _("The address contains a NUL character."), 400)
        query = request.META.get("QUERY_STRING", "")
        if len(query.encode("utf-8", "surrogateescape")) > MAX_QUERY_STRING_BYTES:
            return refusal(
                request,
                _("The address is too long (at most %d characters after the ?).")
                % MAX_QUERY_STRING_BYTES,
                414,
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(
                request, _("The Content-Length header is not a number."), 400
            )
        multipart = request.content_type == "multipart/form-data"
        limit = (
            MAX_UPLOAD_REQUEST_BYTES
            if multipart
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if limit is not None and length > limit:
            return refusal(request, _too_big_message(limit, multipart), 413)
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    """A NUL character in the path, or a query parameter's name or value."""
    return "\x00" in request.path or any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in request.GET.lists()
    )


def _too_big_message(limit: int, multipart: bool) -> str:
    if multipart:
        return _("The upload is too large (at most %s).") % _size(limit)
    return _("The request is too large (at most %s).") % _size(limit)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django's limits on what it reads (raised while reading the
    body or the fields) answered in words; any other 400 as Django's own."""
    if isinstance(exception, RequestDataTooBig):
        return refusal(
            request,
            _too_big_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, False),
            413,
        )
    if isinstance(exception, TooManyFieldsSent):
        return refusal(
            request,
            _("Too many fields in the request (at most %d).")
            % settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            400,
        )
    if isinstance(exception, TooManyFilesSent):
        return refusal(
            request,
            _("Too many files in the request (at most %d).")
            % settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            400,
        )
    return defaults.bad_request(request, exception)
