"""Input an attacker (or a broken client) sends, each once a 500: answered
with a 4xx that says why, and nothing written half-way. Run on SQLite and on
PostgreSQL (.ci/run), which differ on NUL and surrogates."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import reply_create
from tests.factories import make_annotation

LIST = "/api/annotations/"
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000
LONG_INTEGER = "1" * 5000
TOO_DEEP = "The JSON is nested more than 32 levels deep."
TOO_LONG = "The JSON has a number longer than 50 characters."


def send(client, method, url, body):
    return getattr(client, method)(url, data=body, content_type="application/json")


def new(**overrides):
    data = {
        "edition": "test",
        "target": {
            "start": {"passage": "black-001", "offset": 0},
            "end": {"passage": "black-001", "offset": 7},
        },
        "motivation": "commenting",
        "body": "A note",
    }
    data.update(overrides)
    return data


# --- The API's JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        (DEEP_ARRAYS, TOO_DEEP),
        (DEEP_OBJECTS, TOO_DEEP),
        ('{"edition": "test", "course": ' + LONG_INTEGER + "}", TOO_LONG),
        ('{"edition": "test", "body": NaN}', "NaN is not a JSON number."),
    ],
)
@pytest.mark.parametrize("method", ["post", "patch"])
def test_the_api_refuses_json_beyond_the_limits_with_a_400(
    client, reader_user, passage, body, message, method
):
    note = make_annotation(reader_user, passage)
    client.force_login(reader_user)
    url = LIST if method == "post" else f"{LIST}{note.pk}/"
    response = send(client, method, url, body)
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("body", "half a pair \ud800"),
        ("body", "nul \x00 in a note"),
        ("tags", ["\udfff"]),
        ("edition", "te\x00st"),
    ],
)
def test_characters_that_are_not_text_are_refused_in_api_bodies(
    client, reader_user, edition, field, value
):
    """DRF's CharField refuses both (PostgreSQL would refuse NUL with a 500,
    and neither database can store a lone surrogate)."""
    client.force_login(reader_user)
    response = send(client, "post", LIST, json.dumps(new(**{field: value})))
    assert response.status_code == 400
    assert field in response.json()
    assert not Annotation.objects.exists()


def test_deleting_a_note_twice_answers_204_both_times_and_keeps_the_replies(
    client, reader_user, other_reader, passage
):
    """The first delete leaves a tombstone for Bob's reply; the second (a
    retry) changes nothing. It was a 500."""
    note = make_annotation(reader_user, passage, motivation="commenting")
    note.visibility = "public"
    note.save()
    reply = reply_create(author=other_reader, parent=note, body="Bob's answer")
    client.force_login(reader_user)
    assert client.delete(f"{LIST}{note.pk}/").status_code == 204
    note.refresh_from_db()
    deleted_at = note.deleted
    assert deleted_at is not None
    assert client.delete(f"{LIST}{note.pk}/").status_code == 204
    note.refresh_from_db()
    assert note.deleted == deleted_at
    assert Annotation.objects.get(pk=reply.pk).body == "Bob's answer"


def test_deleting_a_note_gone_altogether_twice_is_a_404_the_second_time(
    client, reader_user, passage
):
    note = make_annotation(reader_user, passage)
    client.force_login(reader_user)
    assert client.delete(f"{LIST}{note.pk}/").status_code == 204
    assert client.delete(f"{LIST}{note.pk}/").status_code == 404


def test_deleting_a_tombstone_on_its_page_again_is_not_an_error(
    client, reader_user, other_reader, passage
):
    note = make_annotation(reader_user, passage, motivation="commenting")
    note.visibility = "public"
    note.save()
    reply_create(author=other_reader, parent=note, body="Bob's answer")
    client.force_login(reader_user)
    url = reverse("annotations:delete", args=[note.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert Annotation.objects.filter(pk=note.pk, deleted__isnull=False).exists()


# --- NUL in the address -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "part=%00",
        "edition=%00",
        "passage=black%00",
        "tag=%00",
        "motivation=%00",
        "author=%00",
        "cursor=%00",
        "page_size=%00",
        "format=%00",
        "%00=1",
    ],
)
def test_a_nul_in_an_api_query_parameter_is_a_400(client, reader_user, edition, query):
    """PostgreSQL refused it with a 500 (text cannot hold NUL)."""
    client.force_login(reader_user)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "The address contains a NUL character."}


@pytest.mark.parametrize(
    "url",
    [
        "/notebook/?part=%00",
        "/read/test/black/?reattach=%00",
        "/read/test/black/?trace=%00",
        "/motifs/propose/?edition=%00",
        "/read/test/black/%00/",
    ],
)
def test_a_nul_in_a_page_address_is_a_400(client, reader_user, edition, url):
    client.force_login(reader_user)
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_an_address_without_nul_is_untouched(client, reader_user, edition):
    client.force_login(reader_user)
    assert client.get(f"{LIST}?part=black").status_code == 200


# --- Re-attaching -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        (DEEP_ARRAYS, TOO_DEEP),
        (DEEP_OBJECTS, TOO_DEEP),
        (
            '{"target": {"start": {"passage": "black-001", "offset": '
            + LONG_INTEGER
            + "}}}",
            TOO_LONG,
        ),
    ],
)
def test_reattaching_refuses_json_beyond_the_limits_with_a_400(
    client, reader_user, passage, body, message
):
    note = make_annotation(reader_user, passage, motivation="commenting")
    client.force_login(reader_user)
    response = send(
        client, "post", reverse("annotations:reattach", args=[note.pk]), body
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [message]}


# --- Importing a W3C file -------------------------------------------------------------


def upload(client, body: str | bytes):
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        reverse("annotations:import"),
        {"file": SimpleUploadedFile("notes.jsonld", data)},
    )


@pytest.mark.parametrize(
    "body, message",
    [
        (DEEP_ARRAYS, TOO_DEEP),
        (DEEP_OBJECTS, TOO_DEEP),
        ('{"type": "Annotation", "x": ' + LONG_INTEGER + "}", TOO_LONG),
    ],
)
def test_an_import_file_beyond_the_json_limits_is_refused_with_a_reason(
    client, reader_user, edition, body, message
):
    client.force_login(reader_user)
    response = upload(client, body)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors == [f"The file cannot be imported: {message}"]
    assert not Annotation.objects.exists()


def quoting(n: int, **extra) -> dict:
    item = {
        "@context": CONTEXT,
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": "Annotation",
        "target": {
            "source": "https://elsewhere.example/book.html",
            "selector": {"type": "TextQuoteSelector", "exact": "Passage 2 of Part 2"},
        },
    }
    item.update(extra)
    return item


def page_of(*items) -> str:
    return json.dumps(
        {"@context": CONTEXT, "id": "urn:x:p", "type": "AnnotationPage", "items": items}
    )


@pytest.mark.parametrize(
    "extra, char",
    [
        ({"body": {"type": "TextualBody", "value": "half \ud800 a pair"}}, "U+D800"),
        ({"bodyValue": "nul \x00 here"}, "U+0000"),
        (
            {"body": {"type": "TextualBody", "value": "t", "purpose": "tagging"}},
            None,
        ),
        ({"creator": {"type": "Person", "name": "\udc00"}}, "U+DC00"),
    ],
)
def test_an_imported_annotation_with_characters_that_are_not_text_is_skipped(
    client, reader_user, edition, extra, char
):
    """One annotation refused, by name, in the report; the others imported
    (the lone surrogate was a 500, NUL one on PostgreSQL)."""
    client.force_login(reader_user)
    response = upload(client, page_of(quoting(1, **extra), quoting(2)))
    assert response.status_code == 200
    report = response.context["report"]
    if char is None:
        assert len(report.imported) == 2
        return
    assert report.imported == ["urn:uuid:00000000-0000-4000-8000-000000000002"]
    [(label, reason)] = report.rejected
    assert label == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert char in reason and "not text" in reason
    assert Annotation.objects.count() == 1


def test_an_import_whose_id_is_not_text_is_reported_under_a_readable_label(
    client, reader_user, edition
):
    client.force_login(reader_user)
    response = upload(client, page_of(quoting(1, id="urn:x:\ud800")))
    assert response.status_code == 200
    [(label, _reason)] = response.context["report"].rejected
    assert label == "urn:x:\ufffd"
    assert not Annotation.objects.exists()


def ranged(edition, start: tuple[str, int], end: tuple[str, int], **extra) -> dict:
    def end_selector(key: str, offset: int) -> dict:
        # A point: the start's "start" or the end's "end" is what counts.
        return {
            "type": "CssSelector",
            "value": f"#{key}",
            "refinedBy": {
                "type": "TextPositionSelector",
                "start": offset,
                "end": offset,
            },
        }

    part = reverse("reader:part", kwargs={"edition": edition.slug, "part": "black"})
    return {
        "@context": CONTEXT,
        "id": "urn:x:ranged",
        "type": "Annotation",
        "target": {
            "source": f"http://testserver{part}",
            "selector": {
                "type": "RangeSelector",
                "startSelector": end_selector(*start),
                "endSelector": end_selector(*end),
            },
        },
        **extra,
    }


@pytest.mark.parametrize(
    "start, end",
    [
        (("black-002", 3), ("black-001", 5)),  # ends a passage before it starts
        (("black-001", 9), ("black-001", 2)),  # ends before it starts
        (("black-001", 2), ("black-001", 999)),  # runs past the passage
        (("black-001", 999), ("black-002", 5)),  # starts past the passage
        (("black-001", 2), ("black-001", 10**40)),  # a long number, not too long
    ],
)
def test_an_import_range_that_selects_no_text_is_skipped_saying_why(
    client, reader_user, edition, start, end
):
    client.force_login(reader_user)
    response = upload(client, json.dumps(ranged(edition, start, end)))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.imported == []
    [(label, reason)] = report.rejected
    assert label == "urn:x:ranged"
    assert "RangeSelector does not select text" in reason
    assert not Annotation.objects.exists()


def test_a_bad_range_with_a_quote_is_placed_by_its_quote(
    client, reader_user, edition, next_passage
):
    client.force_login(reader_user)
    item = ranged(edition, ("black-002", 3), ("black-001", 5))
    item["target"]["selector"] = [
        item["target"]["selector"],
        {"type": "TextQuoteSelector", "exact": "Passage 2 of Part 2"},
    ]
    response = upload(client, json.dumps(item))
    assert len(response.context["report"].imported) == 1
    assert Annotation.objects.get().start_passage == next_passage
