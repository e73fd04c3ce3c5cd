"""/api/annotations/: the cast against every action, JSON and JSON-LD."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotations.models import Annotation
from tests.annotations.w3c_suite import must_schema_failures, require_suite
from tests.factories import make_annotation

LIST = "/api/annotations/"
W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def detail(annotation) -> str:
    return f"/api/annotations/{annotation.pk}/"


def post(client, data, **extra):
    return client.post(
        LIST, data=json.dumps(data), content_type="application/json", **extra
    )


def patch(client, annotation, data):
    return client.patch(
        detail(annotation), data=json.dumps(data), content_type="application/json"
    )


def new(**overrides):
    data = {
        "edition": "test",
        "target": {
            "start": {"passage": "black-001", "offset": 21},
            "end": {"passage": "black-001", "offset": 35},
        },
        "motivation": "commenting",
        "body": "A *note*",
        "tags": ["mask"],
        "visibility": "public",
    }
    data.update(overrides)
    return data


# --- Reading --------------------------------------------------------------------


def test_a_reader_lists_own_and_public_annotations_only(
    client, reader_user, other_reader, passage
):
    mine = make_annotation(reader_user, passage)
    public = make_annotation(other_reader, passage, visibility="public")
    private = make_annotation(other_reader, passage)
    client.force_login(reader_user)
    ids = {a["id"] for a in client.get(LIST).json()["results"]}
    assert ids == {str(mine.pk), str(public.pk)}
    assert str(private.pk) not in ids


def test_anonymous_visitors_list_nothing_by_default(client, reader_user, passage):
    make_annotation(reader_user, passage, visibility="public")
    assert client.get(LIST).json()["results"] == []


def test_someone_elses_private_annotation_is_404(
    client, reader_user, other_reader, passage
):
    private = make_annotation(other_reader, passage)
    client.force_login(reader_user)
    assert client.get(detail(private)).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author=me", {"mine"}),
        ("passage=black-002", {"second"}),
        ("part=letter", {"letter"}),
        ("tag=mask", {"mine"}),
        ("motivation=questioning", {"second"}),
        ("edition=nope", set()),
    ],
)
def test_list_filters(client, reader_user, other_reader, edition, query, expected):
    from reader.models import Passage

    made = {
        "mine": make_annotation(
            reader_user, Passage.objects.get(key="black-001"), tags=("mask",)
        ),
        "second": make_annotation(
            other_reader,
            Passage.objects.get(key="black-002"),
            motivation="questioning",
            visibility="public",
        ),
        "letter": make_annotation(
            other_reader, Passage.objects.get(key="letter-001"), visibility="public"
        ),
    }
    client.force_login(reader_user)
    ids = {a["id"] for a in client.get(f"{LIST}?{query}").json()["results"]}
    assert ids == {str(made[name].pk) for name in expected}


def test_lists_are_cursor_paginated(client, reader_user, passage):
    for i in range(5):
        make_annotation(reader_user, passage, i, i + 5)
    client.force_login(reader_user)
    first = client.get(f"{LIST}?page_size=2").json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert not {a["id"] for a in first["results"]} & {
        a["id"] for a in second["results"]
    }


def test_json_ld_is_negotiated_with_the_w3c_profile(client, reader_user, passage):
    note = make_annotation(reader_user, passage, 21, 35, motivation="commenting")
    client.force_login(reader_user)
    response = client.get(detail(note), HTTP_ACCEPT=W3C)
    assert response["Content-Type"] == W3C
    data = response.json()
    assert data["type"] == "Annotation"
    assert data["id"].endswith(detail(note))
    target = data["target"]
    assert target["source"].endswith("/read/test/p/black-001/text")
    selectors = {s["type"]: s for s in target["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == passage.text[21:35]
    assert (
        selectors["TextPositionSelector"]["start"],
        selectors["TextPositionSelector"]["end"],
    ) == (21, 35)


def test_a_list_in_json_ld_is_an_annotation_collection(client, reader_user, passage):
    make_annotation(reader_user, passage)
    client.force_login(reader_user)
    data = client.get(LIST, HTTP_ACCEPT=W3C).json()
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 1
    assert data["first"]["type"] == "AnnotationPage"
    assert len(data["first"]["items"]) == 1


def test_a_span_across_passages_targets_its_part_as_plain_text(
    client, reader_user, edition, passage, next_passage
):
    span = make_annotation(reader_user, passage, 40, 10, end_passage=next_passage)
    client.force_login(reader_user)
    target = client.get(detail(span), HTTP_ACCEPT=W3C).json()["target"]
    assert target["source"].endswith("/read/test/black/text")
    selectors = {s["type"]: s for s in target["selector"]}
    assert set(selectors) == {"TextQuoteSelector", "TextPositionSelector"}
    # The part's text is its passages, one per line: black-002 starts after
    # black-001 and its line break.
    start = selectors["TextPositionSelector"]["start"]
    end = selectors["TextPositionSelector"]["end"]
    assert (start, end) == (40, len(passage.text) + 1 + 10)
    assert selectors["TextQuoteSelector"]["exact"] == span.exact


def test_every_exported_annotation_meets_the_w3c_musts(
    client, reader_user, other_reader, passage, next_passage
):
    require_suite()
    note = make_annotation(
        reader_user,
        passage,
        21,
        35,
        motivation="commenting",
        tags=("a", "b"),
        visibility="public",
    )
    make_annotation(reader_user, passage, 40, 10, end_passage=next_passage)
    make_annotation(reader_user, passage, 1, 4)
    client.force_login(other_reader)
    post(client, {"reply_to": str(note.pk), "body": "Reply"})
    client.force_login(reader_user)
    items = client.get(LIST, HTTP_ACCEPT=W3C).json()["first"]["items"]
    assert len(items) == 4
    for item in items:
        document = {"@context": "http://www.w3.org/ns/anno.jsonld", **item}
        assert must_schema_failures(document) == [], item["id"]


# --- Writing --------------------------------------------------------------------


def test_a_reader_creates_an_annotation(client, reader_user, passage):
    client.force_login(reader_user)
    response = post(client, new())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["target"]["exact"] == passage.text[21:35]
    assert data["body_html"] == "<p>A <em>note</em></p>"
    assert data["tags"] == ["mask"]
    assert Annotation.objects.get().author == reader_user


def test_anonymous_visitors_cannot_create(client, edition):
    assert post(client, new()).status_code == 403
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            new(
                target={
                    "start": {"passage": "zzz-001", "offset": 0},
                    "end": {"passage": "black-001", "offset": 3},
                }
            ),
            "start_passage",
        ),
        (
            new(
                target={
                    "start": {"passage": "black-001", "offset": 0},
                    "end": {"passage": "black-001", "offset": 9999},
                }
            ),
            "end_offset",
        ),
        (
            new(
                target={
                    "start": {"passage": "black-001", "offset": -1},
                    "end": {"passage": "black-001", "offset": 3},
                }
            ),
            "target",
        ),
        (
            new(
                target={
                    "start": {"passage": "black-001", "offset": 0},
                    "end": {"passage": "black-001", "offset": 5},
                    "exact": "wrong",
                }
            ),
            "exact",
        ),
        (new(body="x" * 10_001), "body"),
        (new(visibility="world"), "visibility"),
        (new(visibility="course"), "visibility"),
        (new(colour="plaid"), "colour"),
        (new(edition="nope"), "edition"),
        ({"edition": "test"}, "target"),
        (new(motivation="commenting", body=""), "body"),
        (new(tags="mask"), "tags"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(
    client, reader_user, edition, data, field
):
    client.force_login(reader_user)
    response = post(client, data)
    assert response.status_code == 400
    assert field in response.json()
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_malformed_json_is_a_400(client, reader_user, edition, body):
    client.force_login(reader_user)
    response = client.post(LIST, data=body, content_type="application/json")
    assert response.status_code == 400


def test_the_author_updates_and_deletes(client, reader_user, passage):
    note = make_annotation(reader_user, passage, motivation="commenting")
    client.force_login(reader_user)
    response = patch(
        client, note, {"body": "Changed", "tags": ["x"], "visibility": "public"}
    )
    assert response.status_code == 200
    assert response.json()["body"] == "Changed"
    assert client.delete(detail(note)).status_code == 204
    assert not Annotation.objects.exists()


def test_the_target_cannot_be_changed(client, reader_user, passage):
    note = make_annotation(reader_user, passage)
    client.force_login(reader_user)
    response = patch(client, note, {"target": new()["target"]})
    assert response.status_code == 400
    assert "target" in response.json()


@pytest.mark.parametrize("who", ["other", "curator", "anonymous"])
def test_nobody_else_updates_or_deletes(
    client, reader_user, other_reader, curator, passage, who
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    if who != "anonymous":
        client.force_login(other_reader if who == "other" else curator)
    assert patch(client, note, {"body": "Mine now"}).status_code == 403
    assert client.delete(detail(note)).status_code == 403
    note.refresh_from_db()
    assert note.body == "A note."


def test_replies_through_the_api(client, reader_user, other_reader, passage):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    client.force_login(other_reader)
    response = post(client, {"reply_to": str(note.pk), "body": "Agreed"})
    assert response.status_code == 201
    assert response.json()["reply_to"] == str(note.pk)
    private = make_annotation(reader_user, passage)
    assert post(client, {"reply_to": str(private.pk), "body": "Hm"}).status_code == 404


def test_session_writes_need_the_csrf_token(reader_user, edition):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    assert post(client, new()).status_code == 403
    assert not Annotation.objects.exists()


def test_scripts_use_a_token_without_csrf(reader_user, edition):
    token = Token.objects.create(user=reader_user)
    client = Client(enforce_csrf_checks=True)
    response = post(client, new(), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201
    assert Annotation.objects.get().author == reader_user


# --- Schema and docs ---------------------------------------------------------------


def test_the_openapi_schema_describes_annotations(client, db):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/annotations/" in response.content


def test_the_api_docs_page_serves_its_assets_locally(client, db):
    html = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(a.startswith("/static/") for a in assets if a.endswith((".js", ".css")))
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "/static/drf_spectacular_sidecar/" in html


# --- Throttled -------------------------------------------------------------------


def test_anonymous_requests_are_limited_per_address(client, edition, throttle_rates):
    from django.test import Client

    throttle_rates(api_anon="2/m")
    assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(LIST)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="203.0.113.9").get(LIST).status_code == 200


def test_a_readers_requests_are_limited_per_account_from_any_address(
    client, reader_user, other_reader, edition, throttle_rates
):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    throttle_rates(api_user="2/m")
    client.force_login(reader_user)
    assert client.get(LIST).status_code == 200
    # The same account by token, from elsewhere: the same count.
    token = Token.objects.create(user=reader_user)
    script = Client(REMOTE_ADDR="203.0.113.9")
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert script.get(LIST, **auth).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert script.get(LIST, **auth).status_code == 429
    # A classmate at the same address is not affected.
    classmate = Client()
    classmate.force_login(other_reader)
    assert classmate.get(LIST).status_code == 200


def test_writes_have_a_stricter_limit_than_reads(
    client, reader_user, passage, throttle_rates
):
    throttle_rates(api_write="2/m")
    client.force_login(reader_user)
    assert post(client, new()).status_code == 201
    assert post(client, new()).status_code == 201
    response = post(client, new())
    assert response.status_code == 429
    assert response["Retry-After"]
    assert Annotation.objects.count() == 2
    # Reading goes on.
    assert client.get(LIST).status_code == 200
