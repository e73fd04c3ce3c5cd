"""schemathesis against /api/schema/: the live WSGI app, every operation,
signed in with a token and then anonymous. No server error, and every answer
as the schema documents it (status, media type, body shape, headers).

Bounded: MAX_EXAMPLES per operation and mode, drawn the same on every run
(the suite's derandomized Hypothesis profile, tests/conftest.py)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer as JSONRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from config.wsgi import application
from tests.factories import make_annotation

MAX_EXAMPLES = 25
# Uncompressed answers: the checks read the body as sent (GZipMiddleware
# would compress it for a client that accepts gzip).
PLAIN = {"Accept-Encoding": "identity"}
# Every check but two: positive_data_acceptance (a valid-looking note on a
# passage that does not exist is rightly a 400) and negative_data_rejection
# (DRF ignores a page_size it cannot read, as it always has, rather than
# refusing the request).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
]
# Cases sent, by who sent them (printed with -s; the report's numbers).
SENT: Counter[str] = Counter()


def _served_schema() -> dict:
    """What /api/schema/ serves, made by the generator its view calls.

    Made when the module is collected (schemathesis.pytest.from_fixture does
    not run under pytest 9), where no database may be touched: asking the
    view itself would pass through the API's throttles, which count in the
    database. tests/annotations/test_api_schema.py checks the view."""
    generated = SchemaGenerator(api_version="1").get_schema(request=None, public=True)
    return json.loads(JSONRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = application
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, modes=["positive", "negative"], deterministic=True
)
schema.config.checks.update(included_check_names=CHECKS)


@pytest.fixture(autouse=True)
def notes(db, edition, reader_user, other_reader):
    """Something to list and find: a note of the token's owner, and someone
    else's public one."""
    passage = edition.passages.get(key="black-001")
    make_annotation(reader_user, passage, motivation="commenting", body="Mine")
    make_annotation(other_reader, passage, visibility="public", motivation="commenting")


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """The WSGI handler closes the database connection after each request
    (request_finished); on PostgreSQL that would end the test's transaction.
    Django's test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def count_cases():
    yield
    print(f"\nschemathesis cases sent: {dict(SENT)}")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_a_signed_in_reader_as_documented(case, reader_user):
    token = Token.objects.get_or_create(user=reader_user)[0]
    SENT["token"] += 1
    case.call_and_validate(headers={**PLAIN, "Authorization": f"Token {token.key}"})


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_an_anonymous_visitor_as_documented(case):
    SENT["anonymous"] += 1
    case.call_and_validate(headers=PLAIN)
