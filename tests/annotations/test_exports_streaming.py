"""The notebook's exports stream: the same files as before, read a chunk at
a time (the queries grow by chunks, not by rows), links without a reverse()
per row, JSON without indentation."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import exports
from annotations.models import Annotation
from annotations.services import annotation_delete, reply_create
from reader.models import Passage
from tests.annotations.before import exports as before
from tests.annotations.w3c_suite import must_schema_failures
from tests.factories import make_annotation, make_edition, make_part, make_passages

FORMATS = ("md", "csv", "jsonld")


def url(fmt):
    return reverse("annotations:export", args=[fmt])


@pytest.fixture
def rich_notebook(reader_user, other_reader, edition):
    """Every kind of item an export holds, on two editions."""
    p = {p.key: p for p in Passage.objects.all()}
    second = make_edition("second", title="Another edition")
    other_passage = make_passages(make_part(second, 1, slug="only"), 2)[0]
    note = make_annotation(
        reader_user,
        p["black-001"],
        21,
        35,
        motivation="commenting",
        body='=HYPERLINK("x")',
        visibility="public",
        tags=("mask", "face"),
    )
    make_annotation(reader_user, p["black-001"], 40, 10, end_passage=p["black-002"])
    make_annotation(reader_user, p["opening-002"], motivation="questioning")
    make_annotation(reader_user, p["letter-003"], colour="pink", tags=("face",))
    make_annotation(reader_user, other_passage, body="On *another* edition")
    orphan = make_annotation(reader_user, p["letter-001"], body="orphaned")
    Annotation.objects.filter(pk=orphan.pk).update(anchor_state="orphaned")
    tomb = make_annotation(
        reader_user, p["black-003"], motivation="commenting", visibility="public"
    )
    reply_create(author=other_reader, parent=tomb, body="Bob answers")
    annotation_delete(annotation=tomb, user=reader_user)
    reply_create(author=other_reader, parent=note, body="Their reply")
    reply_create(author=reader_user, parent=note, body="+my own reply")
    for key in ("opening-001", "black-002", "letter-002"):
        theirs = make_annotation(
            other_reader,
            p[key],
            motivation="questioning",
            body=f"Bob on {key}",
            visibility="public",
        )
        reply_create(author=reader_user, parent=theirs, body=f"Alice on {key}")
        reply_create(author=reader_user, parent=theirs, body=f"-Again on {key}")
    Annotation.objects.filter(body="Bob on black-002").update(visibility="private")
    return reader_user


def old_export(user, fmt):
    request = RequestFactory().get(url(fmt))
    request.user = user
    annotations = before.notebook_annotations(user)
    replies = before.replies_in_reading_order(
        exports.replies_to_others(user)  # the read is unchanged
    )
    if fmt == "md":
        return before.to_markdown(annotations, replies, user=user)
    if fmt == "csv":
        return before.to_csv(annotations, replies, request=request)
    return before.to_jsonld(annotations, replies, request=request)


@pytest.mark.parametrize("chunk", [2, 500])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_streamed_export_holds_what_the_old_export_held(
    client, rich_notebook, monkeypatch, fmt, chunk
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", chunk, raising=False)
    monkeypatch.setattr(exports, "PIECE_SIZE", 100, raising=False)  # many pieces
    client.force_login(rich_notebook)
    response = client.get(url(fmt))
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) > 1
    body = b"".join(pieces).decode()
    old = old_export(rich_notebook, fmt)
    if fmt == "md":
        assert body == old
        assert "A note you can no longer see" in body and "Alice on letter-002" in body
    elif fmt == "csv":
        assert body == old
        assert list(csv.DictReader(io.StringIO(body))) == list(
            csv.DictReader(io.StringIO(old))
        )
    else:
        assert "\n" not in body  # no indentation
        assert json.loads(body) == json.loads(old)
        assert json.loads(body)["total"] == 14


def test_the_streamed_jsonld_validates_against_the_w3c_schemas(client, rich_notebook):
    client.force_login(rich_notebook)
    exported = json.loads(client.get(url("jsonld")).getvalue())
    for item in exported["first"]["items"]:
        assert must_schema_failures({"@context": exported["@context"], **item}) == []


def test_links_are_those_reverse_builds(rf):
    from annotations.w3c import W3CLinks

    request = rf.get("/", HTTP_HOST="testserver:8000")
    links = W3CLinks(request)
    pk = "7d1c3a52-8f0e-4b9a-9a55-0c1d2e3f4a5b"
    absolute = request.build_absolute_uri
    assert links.annotation(pk=pk) == absolute(
        reverse("api:annotation-detail", kwargs={"pk": pk})
    )
    kwargs = {"edition": "my-ed_1", "key": "black-001"}
    assert links.passage_text(**kwargs) == absolute(
        reverse("reader:passage_text", kwargs=kwargs)
    )
    kwargs = {"edition": "my-ed_1", "part": "white-notebook"}
    assert links.part_text(**kwargs) == absolute(
        reverse("reader:part_text", kwargs=kwargs)
    )


def queries_for(client, fmt):
    with CaptureQueriesContext(connection) as captured:
        client.get(url(fmt)).getvalue()
    return len(captured)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_exports_queries_grow_by_chunks_not_by_rows(
    client, reader_user, other_reader, edition, monkeypatch, fmt
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4, raising=False)
    passages = list(Passage.objects.order_by("pk"))
    client.force_login(reader_user)

    def add(n):
        for i in range(n):
            note = make_annotation(
                reader_user,
                passages[i % 9],
                motivation="commenting",
                body=f"Note {i}",
                visibility="public",
                tags=("t",),
            )
            reply_create(author=reader_user, parent=note, body="Mine")
            theirs = make_annotation(other_reader, passages[i % 9], visibility="public")
            reply_create(author=reader_user, parent=theirs, body="To Bob")

    add(1)
    one = queries_for(client, fmt)
    add(3)  # 4 of each: one chunk still
    assert queries_for(client, fmt) == one
    add(1)  # a second chunk
    per_chunk = queries_for(client, fmt) - one
    assert 0 < per_chunk <= 4
    add(7)  # 12 of each: three chunks
    assert queries_for(client, fmt) == one + 2 * per_chunk
