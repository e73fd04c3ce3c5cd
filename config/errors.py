"""Error pages that depend on who asks: the API answers in JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address under /api/ that names nothing (an id that is not a UUID, a
    slug with a space) is a JSON 404, as the API's other refusals are and as
    its schema says; elsewhere, the site's 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
