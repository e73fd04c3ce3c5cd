"""Run JSON through the W3C Web Annotation test suite's own JSON Schemas.

The suite (https://github.com/w3c/web-annotation-tests) is a set of draft-04
"assertion" schemas listed in `.test` files, with shared definitions in
`definitions/*.json` that they reach through relative `$ref`s such as
"id.json#/definitions/idValueFound". It lives outside the repository (the
production server never sees it), so tests read it in place, from `suite_dir()`.

Semantics, taken from the suite's runner (WPT annotation-model/JSONtest.js):

* An assertion passes when the schema's verdict matches its `expectedResult`
  ("valid" unless stated): an assertion expecting "invalid" passes when the
  schema rejects the document.
* A `.test` file's `skipFailures` lists assertion types (the optionals' "should"
  and "may") whose failures only mean "feature not used": those schemas are
  written to fail when an optional key is absent. annotationMusts.test has
  none, and every MUST assertion expects "valid", so there any rejection is a
  real failure.
* `onUnexpectedResult` "...AndSkip" skips the rest of the current list after a
  failure and "...AndAbort" stops the run; "...AndContinue" goes on.
* `format` is asserted. The suite was written for Ajv, which checks "uri" and
  "date-time"; jsonschema silently ignores both unless optional packages are
  installed, which would let "not a uri" and "yesterday" through. So this
  module supplies its own checkers (an absolute URI; RFC 3339 date-time, whose
  timezone is mandatory) rather than depend on what happens to be installed.
* `$ref` siblings are ignored, as draft-04 says (jsonschema's default). Ajv
  before 5.0 applied them; on every sample of the suite both readings give the
  same verdicts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT4

SETTING = "THREE_NOTEBOOKS_W3C_SUITE_DIR"
MUSTS_TEST = "annotations/annotationMusts.test"
DEFAULT_SUITE_DIR = (
    Path(__file__).resolve().parents[2].parent / "shared" / "w3c-web-annotation-tests"
)

# Ajv's "uri" shape: a scheme, a colon, no whitespace.
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*")
_DATE_TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:[Zz]|[+-](\d{2}):(\d{2}))"
)

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI_RE.fullmatch(value) is not None


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time: calendar-valid, seconds up to 60, zone required."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME_RE.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    zone_hour, zone_minute = match.group(7), match.group(8)
    zone_ok = zone_hour is None or (int(zone_hour) < 24 and int(zone_minute) < 60)
    return hour < 24 and minute < 60 and second <= 60 and zone_ok


def suite_dir() -> Path:
    """Where the suite is: the Django setting, the environment, or beside us.

    Django is imported here, not at module level, so the harness also works
    from plain scripts; an unconfigured Django just means "no setting".
    """
    configured: object = None
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        try:
            configured = getattr(settings, SETTING, None)
        except ImproperlyConfigured:
            configured = None
    except ImportError:
        configured = None
    if configured:
        return Path(str(configured))
    from_env = os.environ.get(SETTING)
    if from_env:
        return Path(from_env)
    return DEFAULT_SUITE_DIR


def require_suite() -> Path:
    """The suite's directory, or skip the test (fail it on CI) if it is absent.

    A developer without the suite checked out still gets a green run; CI, which
    is meant to have it, must not pass by skipping everything.
    """
    root = suite_dir()
    if not (root / MUSTS_TEST).is_file():
        reason = (
            f"W3C web-annotation-tests suite not found at {root} (no {MUSTS_TEST}); "
            f"set {SETTING} to its checkout"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return root


@lru_cache(maxsize=4)
def _registry(root: Path) -> Registry:
    """The shared definitions, under the relative ids their `$ref`s use."""
    resources = []
    for path in sorted((root / "definitions").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = DRAFT4.create_resource(contents)
        resources.append((contents.get("id", path.name), resource))
    return Registry().with_resources(resources)


@lru_cache(maxsize=16)
def _test_file(root: Path, test_file: str) -> tuple[dict[str, Any], list[Any]]:
    """A `.test` file and its assertion schemas, nested lists preserved."""
    test = json.loads((root / test_file).read_text(encoding="utf-8"))
    folder = (root / test_file).parent

    def load(entry: Any) -> Any:
        if isinstance(entry, list):
            return [load(item) for item in entry]
        if isinstance(entry, str):
            return _assertion(root, folder, entry)
        if isinstance(entry, dict) and "assertionFile" in entry:
            loaded = dict(_assertion(root, folder, entry["assertionFile"]))
            loaded.update({k: v for k, v in entry.items() if k != "assertionFile"})
            return loaded
        return dict(entry, assertionFile="(inline)")

    return test, load(test.get("assertions", []))


def _assertion(root: Path, folder: Path, name: str) -> dict[str, Any]:
    # As JSONtest.js: a bare file name is beside the .test file; a path with a
    # slash is relative to the suite's root.
    path = folder / name if "/" not in name else root / name
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["assertionFile"] = name
    return schema


def _walk(
    assertions: list[Any], document: object, root: Path, skip_types: set[str]
) -> Iterator[str | None]:
    """Yield a failure message per failing assertion; None means "abort"."""
    registry = _registry(root)
    for assertion in assertions:
        if isinstance(assertion, list):
            for outcome in _walk(assertion, document, root, skip_types):
                if outcome is None:
                    yield None
                    return
                yield outcome
            continue
        schema = {k: v for k, v in assertion.items() if k != "assertionFile"}
        validator = Draft4Validator(
            schema, registry=registry, format_checker=FORMAT_CHECKER
        )
        valid = validator.is_valid(document)
        expected = assertion.get("expectedResult", "valid")
        if valid == (expected == "valid"):
            continue
        if assertion.get("assertionType") not in skip_types:
            why = assertion.get("errorMessage") or assertion.get("title", "")
            if valid:
                detail = "the schema accepted it but expects it to be invalid"
            else:
                error = best_match(validator.iter_errors(document))
                where = error.json_path if error is not None else "$"
                detail = f"{error.message if error else 'invalid'} (at {where})"
            yield f"{assertion['assertionFile']}: {why} -- {detail}"
        action = assertion.get("onUnexpectedResult", "failAndContinue")
        if action.endswith("AndAbort"):
            yield None
            return
        if action.endswith("AndSkip"):
            return


def assertion_failures(document: object, test_file: str = MUSTS_TEST) -> list[str]:
    """Failures of `document` against every assertion a suite `.test` lists."""
    root = require_suite()
    test, assertions = _test_file(root, test_file)
    skip_types = set(test.get("skipFailures", []))
    return [m for m in _walk(assertions, document, root, skip_types) if m is not None]


def must_schema_failures(annotation: dict[str, Any]) -> list[str]:
    """For each MUST assertion `annotation` fails: the file, why, and the error."""
    return assertion_failures(annotation, MUSTS_TEST)


def sample_names(kind: str, *patterns: str) -> list[str]:
    """Sample file names under tools/samples/<kind>, for parametrizing tests.

    With the suite absent this returns a single placeholder, so the test runs
    once and `require_suite()` skips it (or fails it on CI) with a reason,
    rather than pytest quietly reporting an empty parameter set.
    """
    folder = suite_dir() / "tools" / "samples" / kind
    if not folder.is_dir():
        return ["<suite missing>"]
    names = {p.name for pattern in patterns for p in folder.glob(pattern)}
    return sorted(names, key=_natural_key)


def sample_text(kind: str, name: str) -> str:
    return (require_suite() / "tools" / "samples" / kind / name).read_text(
        encoding="utf-8"
    )


def _natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
