"""The importer meets the W3C suite's samples: it never crashes on a valid
annotation of some other text, and never imports an invalid one."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from tests.annotations.w3c_suite import require_suite, sample_names, sample_text


def upload(client, text: str):
    return client.post(
        reverse("annotations:import"),
        {"file": SimpleUploadedFile("sample.jsonld", text.encode("utf-8"))},
    )


@pytest.mark.parametrize("name", sample_names("correct", "anno*.json"))
def test_a_valid_annotation_of_another_text_is_reported_not_for_this_edition(
    client, reader_user, edition, name
):
    require_suite()
    client.force_login(reader_user)
    response = upload(client, sample_text("correct", name))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.imported == []
    assert report.rejected
    for _label, reason in report.rejected:
        assert "not for this edition" in str(reason) or "reply" in str(reason)
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("name", sample_names("incorrect", "*.json"))
def test_an_invalid_sample_is_never_imported_and_says_why(
    client, reader_user, edition, name
):
    require_suite()
    client.force_login(reader_user)
    response = upload(client, sample_text("incorrect", name))
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        report = response.context["report"]
        assert report.imported == []
        assert report.rejected and all(reason for _label, reason in report.rejected)
    else:
        assert "not valid JSON" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_notebook_export_meets_the_w3c_musts(
    client, reader_user, passage, next_passage
):
    from annotations.services import reply_create
    from tests.annotations.w3c_suite import must_schema_failures
    from tests.factories import make_annotation

    require_suite()
    note = make_annotation(
        reader_user, passage, 21, 35, motivation="questioning", tags=("x",)
    )
    make_annotation(reader_user, passage, 40, 10, end_passage=next_passage)
    reply_create(author=reader_user, parent=note, body="Answering myself")
    client.force_login(reader_user)
    exported = json.loads(
        client.get(reverse("annotations:export", args=["jsonld"])).content
    )
    items = exported["first"]["items"]
    assert len(items) == 3
    for item in items:
        assert must_schema_failures({"@context": exported["@context"], **item}) == []
