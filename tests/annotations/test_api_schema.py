"""The OpenAPI schema says what the API does: what a create requires, what
may be null, the W3C representation, and the refusals."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

LIST = "/api/annotations/"
DETAIL = "/api/annotations/{id}/"


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_creating_a_note_requires_its_edition_and_target_and_a_reply_its_parent(
    schema,
):
    """Omitting the target is a 400, so the schema must not call it optional."""
    body = schema["paths"][LIST]["post"]["requestBody"]["content"]["application/json"]
    kinds = component(schema, body["schema"])["oneOf"]
    required = [set(component(schema, kind).get("required", [])) for kind in kinds]
    assert required == [{"edition", "target"}, {"reply_to"}]


def test_an_update_does_not_offer_what_it_refuses_to_change(schema):
    for method in ("put", "patch"):
        operation = schema["paths"][DETAIL][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        fields = set(component(schema, body)["properties"])
        assert fields == {"motivation", "body", "tags", "colour", "visibility"}


def test_a_motif_occurrences_proposer_may_be_null(schema):
    """The catalogue's own occurrences have nobody who proposed them."""
    occurrence = schema["components"]["schemas"]["Occurrence"]
    assert occurrence["properties"]["proposed_by"]["nullable"] is True


@pytest.mark.parametrize(
    "path, method, status, kind",
    [
        (LIST, "get", "200", "AnnotationCollection"),
        (LIST, "post", "201", "annotation"),
        (DETAIL, "get", "200", "annotation"),
        (DETAIL, "put", "200", "annotation"),
        (DETAIL, "patch", "200", "annotation"),
    ],
)
def test_the_w3c_representation_is_documented(schema, path, method, status, kind):
    operation = schema["paths"][path][method]
    content = operation["responses"][status]["content"]["application/ld+json"]
    w3c = component(schema, content["schema"])
    assert {"@context", "id", "type"} <= set(w3c["required"])
    assert kind in w3c["description"]
    formats = [p for p in operation["parameters"] if p["name"] == "format"]
    assert formats[0]["schema"]["enum"] == ["json", "jsonld"]


@pytest.mark.parametrize(
    "path, method, statuses",
    [
        (LIST, "get", {"400", "404", "414", "429", "503"}),
        (LIST, "post", {"400", "403", "404", "413", "415", "429"}),
        (DETAIL, "get", {"400", "404", "429"}),
        (DETAIL, "patch", {"400", "403", "404", "413", "415", "429"}),
        (DETAIL, "delete", {"400", "403", "404", "429"}),
        ("/api/motifs/", "get", {"400", "404", "414", "429"}),
    ],
)
def test_refusals_are_documented_with_their_shape(schema, path, method, statuses):
    # 413/414 come from config/limits.py, 429 from the throttles, 503 from a
    # busy database: all {"detail": ...}, like DRF's own refusals.
    responses = schema["paths"][path][method]["responses"]
    assert statuses <= set(responses)
    for status in statuses:
        content = responses[status]["content"]
        assert set(content) == {"application/json", "application/ld+json"}
        assert content["application/json"]["schema"]["$ref"].endswith(
            ("/Error", "/ValidationErrors")
        )


def test_a_throttled_answer_documents_when_to_try_again(schema):
    for path in (LIST, DETAIL, "/api/motifs/"):
        for operation in schema["paths"][path].values():
            if isinstance(operation, dict) and "responses" in operation:
                assert "Retry-After" in operation["responses"]["429"]["headers"]
