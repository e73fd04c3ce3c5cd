"""JSON posted by the browser's scripts, read one way.

The API's viewsets have DRF for this; the few plain views that take JSON (a
note re-attached, a teacher's assignment items, reading-progress beacons) use
the two pieces here, with the same DRF serializers:

- `json_body(request, Serializer)` parses and validates the body. It is the
  only place such input is picked apart, so a view calls it after checking
  who is asking (a stranger gets their 403 or 404, not a lesson in our
  schema), and nothing after it needs a `try`.
- `@json_endpoint` answers a view's refusals in JSON: bad input and a
  service's `ValidationError` are 400 with the messages by field (as the API
  gives them), `PermissionDenied` is 403 with its reason. Anything else a
  service raises is a bug, and surfaces as one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import serializers

NON_FIELD_ERRORS = "non_field_errors"

Errors = dict[str, Any]


class JsonInputError(Exception):
    """The body is not the JSON the endpoint takes; `errors` say why, by field
    (nested as the serializer's fields are)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


def json_body(
    request: HttpRequest, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """The request's JSON object, validated by `serializer_class`.

    Raises `JsonInputError` when the body is not JSON, not an object, or not
    valid."""
    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise JsonInputError(
            {NON_FIELD_ERRORS: [_("The request body is not JSON.")]}
        ) from None
    if not isinstance(data, dict):
        raise JsonInputError({NON_FIELD_ERRORS: [_("Send a JSON object.")]})
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise JsonInputError(dict(serializer.errors))
    return dict(serializer.validated_data)


def validation_errors(exc: ValidationError) -> Errors:
    """A service's `ValidationError` as messages by field (the API's shape)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


def by_field(errors: Errors) -> Errors:
    """Refusals as the API words them: {"field": ["message", ...], ...}."""
    return errors


def in_one_line(errors: Errors) -> Errors:
    """Refusals as one sentence, {"error": "..."}, for a client that only
    logs them (a beacon)."""
    return {"error": " ".join(_lines(errors))}


def _lines(errors: object, field: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [
            line
            for name, nested in errors.items()
            for line in _lines(
                nested,
                field if name == NON_FIELD_ERRORS else f"{field}.{name}".strip("."),
            )
        ]
    if isinstance(errors, list):
        return [line for item in errors for line in _lines(item, field)]
    return [f"{field}: {errors}" if field else str(errors)]


View = Callable[..., HttpResponse]


def json_endpoint(
    view: View | None = None, *, errors: Callable[[Errors], Errors] = by_field
) -> Any:
    """Answer a JSON view's refusals in JSON (see the module's docstring).

    `errors` words a 400's body: `by_field` (the default) or `in_one_line`.
    Use bare (`@json_endpoint`) or with it (`@json_endpoint(errors=...)`)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except JsonInputError as exc:
                return JsonResponse(errors(exc.errors), status=400)
            except ValidationError as exc:
                return JsonResponse(errors(validation_errors(exc)), status=400)
            except PermissionDenied as exc:
                return JsonResponse({"detail": str(exc)}, status=403)

        return wrapper

    return decorate(view) if view is not None else decorate
