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


def selector_types(annotation: dict) -> set[str]:
    """The selector types of an annotation's targets, refinements included."""
    found: set[str] = set()
    targets = annotation.get("target")
    pending = [
        t.get("selector")
        for t in (targets if isinstance(targets, list) else [targets])
        if isinstance(t, dict)
    ]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending += value
        elif isinstance(value, dict):
            found.add(value.get("type"))
            pending += [value.get(k) for k in ("refinedBy", "startSelector")]
            pending.append(value.get("endSelector"))
    return found


UNSUPPORTED = {"XPathSelector", "CssSelector", "SvgSelector", "DataPositionSelector"}


@pytest.mark.parametrize("name", sample_names("correct", "anno*.json"))
def test_a_valid_annotation_of_another_text_is_refused_with_the_true_reason(
    client, reader_user, edition, name
):
    require_suite()
    client.force_login(reader_user)
    text = sample_text("correct", name)
    response = upload(client, text)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.imported == []
    assert report.rejected
    types = selector_types(json.loads(text))
    for _label, reason in report.rejected:
        reason = str(reason)
        if "reply" in reason:
            continue
        if "TextQuoteSelector" in types:
            assert "its quote was not found" in reason
            continue
        # No quote to look for: the reason never blames one.
        assert "quote was not found" not in reason
        unsupported = types & UNSUPPORTED
        if unsupported:
            assert all(t in reason for t in unsupported), reason
            assert "add a TextQuoteSelector" in reason
        elif "FragmentSelector" in types:
            assert "FragmentSelector" in reason and "names no passage here" in reason
        elif "TextPositionSelector" in types:
            assert "TextPositionSelector" in reason
        else:
            assert "not for this edition" in reason
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
        client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    )
    items = exported["first"]["items"]
    assert len(items) == 3
    for item in items:
        assert must_schema_failures({"@context": exported["@context"], **item}) == []
