"""JSON posted by the browser's scripts, read one way.

The API's viewsets have DRF for this; the few plain views that take JSON (a
note re-attached, a teacher's assignment items, reading-progress beacons) use
the two pieces here, with the same DRF serializers:

- `json_body(request, Serializer)` parses and validates the body. It is the
  only place such input is picked apart, so a view calls it after checking
  who is asking (a stranger gets their 403 or 404, not a lesson in our
  schema), and nothing after it needs a `try`.
- `json_loads(text)` is the one JSON parser for what a client sends: these
  views, the API (`BoundedJSONParser`, DRF's parser for every viewset) and
  the notebook's import file. It refuses, as a `JsonLimitError` with a
  sentence saying why, what would cost the server more than the text's
  size: nesting deeper than `MAX_JSON_DEPTH` (Python's parser recurses, and
  a RecursionError is a 500), a number longer than `MAX_JSON_NUMBER_LENGTH`
  (Python refuses integers of more than 4,300 digits with a ValueError,
  and a long one is quadratic to convert), more than `max_values` values,
  and NaN or Infinity, which are not JSON.
- `@json_endpoint` answers a view's refusals in JSON: bad input and a
  service's `ValidationError` are 400 with the messages by field (as the API
  gives them), `PermissionDenied` is 403 with its reason. Anything else a
  service raises is a bug, and surfaces as one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

NON_FIELD_ERRORS = "non_field_errors"

Errors = dict[str, Any]

# Deeper than any document we take (a W3C annotation collection is about
# ten levels deep), far below Python's recursion limit.
MAX_JSON_DEPTH = 32
# Characters in one number: a 64-bit integer has 20, a double's longest
# exact form about 25; the margin is for another tool's long decimals.
MAX_JSON_NUMBER_LENGTH = 50
# Values (each string, number, list, object ...) in a request body: an
# annotation with twenty tags has about fifty. An import file has its own
# limit (annotations.forms).
MAX_JSON_VALUES = 10_000


class JsonLimitError(ValueError):
    """JSON text that is well-formed, or would be, but beyond what we take;
    the message is a sentence for the person who sent it."""


def json_loads(
    text: str | bytes | bytearray,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_values: int = MAX_JSON_VALUES,
) -> Any:
    """Parse JSON from a client, within the limits above.

    Raises `json.JSONDecodeError` (a ValueError) for text that is not JSON,
    `UnicodeDecodeError` for bytes that are not UTF-8 (or -16, -32), and
    `JsonLimitError` for JSON beyond the limits."""
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        # The C parser checks the interpreter's recursion limit as it goes
        # down, so hostile nesting stops here, long before the stack ends.
        raise JsonLimitError(_too_deep(max_depth)) from None
    _check_shape(value, max_depth=max_depth, max_values=max_values)
    return value


def _too_deep(max_depth: int) -> str:
    return _("The JSON is nested more than %(n)d levels deep.") % {"n": max_depth}


def _check_number(text: str) -> None:
    if len(text) > MAX_JSON_NUMBER_LENGTH:
        raise JsonLimitError(
            _("The JSON has a number longer than %(n)d characters.")
            % {"n": MAX_JSON_NUMBER_LENGTH}
        )


def _parse_int(text: str) -> int:
    _check_number(text)
    return int(text)


def _parse_float(text: str) -> float:
    _check_number(text)
    return float(text)


def _reject_constant(name: str) -> float:
    raise JsonLimitError(_("%(name)s is not a JSON number.") % {"name": name})


def _check_shape(value: Any, *, max_depth: int, max_values: int) -> None:
    """Walk the parsed value without recursion: depth and number of values."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > max_values:
            raise JsonLimitError(
                _("The JSON has more than %(n)d values.") % {"n": max_values}
            )
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        # Depth counts objects and lists: a string in the deepest is fine.
        if depth > max_depth:
            raise JsonLimitError(_too_deep(max_depth))
        stack.extend((child, depth + 1) for child in children)


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, parsing with `json_loads` (REST_FRAMEWORK's
    DEFAULT_PARSER_CLASSES): the API takes JSON within the same limits as
    every other view, and refuses the rest with a 400 saying why."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        try:
            return json_loads(stream.read().decode(encoding))
        except JsonLimitError as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:  # not JSON, or not in its charset
            raise ParseError(_("JSON parse error - %s") % exc) from None


# Characters a JSON string may carry that are not text anywhere we store
# it: a lone surrogate (half of a pair; not encodable as UTF-8) and NUL
# (PostgreSQL's text refuses it).
_NOT_TEXT_RE = re.compile("[\x00\ud800-\udfff]")


def text_only(text: str) -> str:
    """`text` with each character that is not text replaced by U+FFFD, to be
    shown back (a label in a report) without breaking the page."""
    return _NOT_TEXT_RE.sub("\ufffd", text)


def character_not_text(value: Any) -> str | None:
    """The first character in any string of a parsed JSON value (keys too)
    that cannot be stored as text, as "U+D800", or None."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found = _NOT_TEXT_RE.search(node)
            if found:
                return f"U+{ord(found.group()):04X}"
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


class JsonInputError(Exception):
    """The body is not the JSON the endpoint takes; `errors` say why, by field
    (nested as the serializer's fields are)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


class StringField(serializers.CharField):
    """A CharField that takes JSON strings only.

    DRF's turns a number into its digits ("5"); a list or an object it
    refuses, but only as long as its type check stays. A note is what the
    reader typed, so anything but a string is a 400 here, as the schema
    says (`type: string`)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def json_body(
    request: HttpRequest, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """The request's JSON object, validated by `serializer_class`.

    Raises `JsonInputError` when the body is not JSON, not an object, or not
    valid."""
    try:
        data = json_loads(request.body or b"null")
    except JsonLimitError as exc:
        raise JsonInputError({NON_FIELD_ERRORS: [str(exc)]}) from None
    except ValueError:  # not JSON, or bytes that are not text
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
