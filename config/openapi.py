"""The OpenAPI schema's refusals, stated once for every operation.

drf-spectacular documents what a view answers when all goes well; the 4xx
answers come from DRF, the project's middleware and the services, the same
for every viewset, so they are added here (SPECTACULAR_SETTINGS'
POSTPROCESSING_HOOKS) rather than repeated on each view. A client (and the
schemathesis run in tests/test_api_schema_fuzz.py) reads from them which
answers to expect, and in what shape.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "Why the request was refused, in one sentence.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "description": (
        'Why the request was refused: {"detail": "..."} for a body or an '
        "address that could not be read (not JSON, nested too deeply, a NUL "
        "character), else the messages by field, "
        '{"field": ["message", ...], ...}, nested as the input is.'
    ),
    "additionalProperties": True,
}
WRITES = {"post", "put", "patch", "delete"}
# Errors are answered in the representation asked for, like successes.
MEDIA_TYPES = ("application/json", "application/ld+json")


def _response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media: {"schema": schema} for media in MEDIA_TYPES},
    }


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


def _retry_later(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**_response(description, schema), "headers": RETRY_AFTER}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the 400, 403, 404, 413, 414, 415, 429 and 503 answers every
    API operation may give (config/limits.py, the throttles in
    config/throttling.py, config/middleware.py's busy database)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    components["ValidationErrors"] = INVALID
    error = {"$ref": "#/components/schemas/Error"}
    invalid = {"$ref": "#/components/schemas/ValidationErrors"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault("400", _response("Bad request", invalid))
            responses.setdefault(
                "404",
                _response(
                    "Not found, or not visible to you (also an unknown format "
                    "or an invalid cursor)",
                    error,
                ),
            )
            if method in WRITES:
                responses.setdefault(
                    "403",
                    _response(
                        "Not signed in, not yours to change, or the CSRF check "
                        "failed (a session without its token)",
                        error,
                    ),
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "413",
                    _response("The body is larger than the site accepts", error),
                )
                responses.setdefault(
                    "415", _response("A body in a media type not listed", error)
                )
            responses.setdefault(
                "414", _response("The query string is too long", error)
            )
            responses.setdefault(
                "429",
                _retry_later("Too many requests from this address or account", error),
            )
            responses.setdefault(
                "503",
                _retry_later("The database is busy: nothing was saved", error),
            )
    return result
