"""Every size limit on what a client sends is answered in words, not with a
bare 400 or a 500 (config/limits.py lists them)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from config import limits
from reader.markdown import MAX_MARKDOWN_LENGTH
from tests.factories import make_annotation
from tests.hang import hang_detector

PREVIEW = "/markdownx/markdownify/"


def test_the_preview_refuses_the_issues_megabytes_of_emphasis_with_a_413(
    client, reader_user
):
    client.force_login(reader_user)
    response = client.post(PREVIEW, {"content": "*a" * 600_000})
    assert response.status_code == 413
    assert "at most 10,000 characters" in response.content.decode()


def test_the_preview_renders_the_longest_note_even_a_pathological_one(
    client, reader_user
):
    client.force_login(reader_user)
    # A hang detector, not a timing: 5 s is far above the bounded render
    # (this took 16 s before the renderer's work budgets).
    with hang_detector():
        response = client.post(PREVIEW, {"content": "[" * MAX_MARKDOWN_LENGTH})
    assert response.status_code == 200
    assert response.content.decode() == "<p>" + "[" * MAX_MARKDOWN_LENGTH + "</p>"


def test_the_preview_of_nothing_is_empty_not_a_500(client, reader_user):
    client.force_login(reader_user)
    response = client.post(PREVIEW, {})
    assert response.status_code == 200
    assert response.content == b""


def test_the_preview_is_still_a_post_behind_login(client, reader_user):
    assert client.post(PREVIEW, {"content": "a"}).status_code == 302
    client.force_login(reader_user)
    assert client.get(PREVIEW).status_code == 405


def test_an_over_size_api_body_is_a_413_in_json_and_writes_nothing(
    client, reader_user, passage, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client.force_login(reader_user)
    body = {
        "edition": passage.edition.slug,
        "target": {
            "start": {"passage": passage.key, "offset": 0},
            "end": {"passage": passage.key, "offset": 7},
        },
        "motivation": "commenting",
        "body": "a",
        "padding": "x" * 60_000,
    }
    response = client.post(
        "/api/annotations/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large (at most 48 KB)."}
    assert not Annotation.objects.exists()


def test_an_over_size_form_post_is_a_413_page_saying_so(client, reader_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client.force_login(reader_user)
    response = client.post(PREVIEW, {"content": "a" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "The request is too large (at most 1 MB)." in response.content.decode()


def test_an_over_size_upload_is_a_413_before_it_is_read(
    client, reader_user, monkeypatch
):
    monkeypatch.setattr(limits, "MAX_UPLOAD_REQUEST_BYTES", 100_000)
    client.force_login(reader_user)
    upload = SimpleUploadedFile("notes.json", b"[" + b" " * 200_000 + b"]")
    response = client.post(reverse("annotations:import"), {"file": upload})
    assert response.status_code == 413
    assert "The upload is too large (at most 97 KB)." in response.content.decode()


def test_form_fields_over_the_memory_limit_in_an_upload_are_a_413_in_words(
    client, reader_user, settings
):
    # Fields beside a file are held in memory: Django's own limit, raised
    # while the view reads them, answered by handler400 in words.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(reader_user)
    upload = SimpleUploadedFile("notes.json", b"[]")
    response = client.post(
        reverse("annotations:import"), {"file": upload, "extra": "x" * 20_000}
    )
    assert response.status_code == 413
    assert "The request is too large (at most 9 KB)." in response.content.decode()


def test_too_many_fields_is_a_400_that_says_so(client, reader_user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(reader_user)
    response = client.post(PREVIEW, {f"f{i}": "x" for i in range(20)})
    assert response.status_code == 400
    assert "Too many fields in the request (at most 10)." in response.content.decode()


@pytest.mark.parametrize("path", ["/api/annotations/", "/"])
def test_an_over_long_query_string_is_a_414_in_words(client, db, path):
    response = client.get(path, {"keys": "black-001," * 1000})
    assert response.status_code == 414
    text = response.content.decode()
    assert "The address is too long (at most 8192 characters after the ?)." in text
    if path.startswith("/api/"):
        assert response.json()["detail"].startswith("The address is too long")


def test_a_query_string_at_the_limit_is_answered_as_usual(client, db):
    query = "q=" + "a" * (limits.MAX_QUERY_STRING_BYTES - 2)
    assert client.get("/api/annotations/?" + query).status_code == 200


def test_the_edit_form_refuses_a_wall_of_tags_and_changes_nothing(
    client, reader_user, passage
):
    note = make_annotation(reader_user, passage, motivation="commenting", tags=("a",))
    client.force_login(reader_user)
    response = client.post(
        reverse("annotations:edit", args=[note.pk]),
        {
            "motivation": "commenting",
            "body": "Changed.",
            "tags": "a, " * 1000,
            "colour": "yellow",
            "visibility": "private",
        },
    )
    assert response.status_code == 400
    assert "tags" in response.context["form"].errors
    note.refresh_from_db()
    assert note.body == "A note."


def test_a_note_longer_than_the_limit_is_refused_by_the_api_naming_the_field(
    client, reader_user, passage
):
    client.force_login(reader_user)
    body = {
        "edition": passage.edition.slug,
        "target": {
            "start": {"passage": passage.key, "offset": 0},
            "end": {"passage": passage.key, "offset": 7},
        },
        "motivation": "commenting",
        "body": "[a](" * (MAX_MARKDOWN_LENGTH // 4) + "a",
    }
    response = client.post(
        "/api/annotations/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Annotation.objects.exists()


def test_a_note_at_the_limit_of_the_issues_links_is_saved_and_shown_as_typed(
    client, reader_user, passage
):
    client.force_login(reader_user)
    text = "[a](" * (MAX_MARKDOWN_LENGTH // 4)
    body = {
        "edition": passage.edition.slug,
        "target": {
            "start": {"passage": passage.key, "offset": 0},
            "end": {"passage": passage.key, "offset": 7},
        },
        "motivation": "commenting",
        "body": text,
    }
    with hang_detector():
        response = client.post(
            "/api/annotations/", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 201
    note = Annotation.objects.get()
    assert note.body == text
    assert note.body_html == f"<p>{text}</p>"
