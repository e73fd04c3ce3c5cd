"""The words a reader selected travel with the target; the server refuses a
target whose text is not them (a page older than a revision, a client's
miscount), with a 400 naming `quote`, and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import TargetInput, annotation_create, annotation_reattach
from reader.models import Passage
from reader.services import revision_apply
from tests.factories import make_annotation

LIST = "/api/annotations/"


def target(start=21, end=35, quote=None, end_key="black-001"):
    data = {
        "start": {"passage": "black-001", "offset": start},
        "end": {"passage": end_key, "offset": end},
    }
    if quote is not None:
        data["quote"] = quote
    return data


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


# --- The service ------------------------------------------------------------------


def test_words_that_are_not_the_text_at_the_offsets_are_refused(
    reader_user, edition, passage
):
    with pytest.raises(ValidationError) as info:
        annotation_create(
            author=reader_user,
            edition=edition,
            target=TargetInput("black-001", 21, "black-001", 35),
            quote=passage.text[0:14],
        )
    assert "quote" in info.value.message_dict
    assert not Annotation.objects.exists()


def test_the_words_are_compared_whitespace_aside_across_passages(
    reader_user, edition, passage, next_passage
):
    # The browser's selection runs passages together with line breaks and
    # spaces of its own; the stored quote joins them with one line break.
    selected = f"  {passage.text[40:]}\n\n \n{next_passage.text[:10]} "
    annotation = annotation_create(
        author=reader_user,
        edition=edition,
        target=TargetInput("black-001", 40, "black-002", 10),
        quote=selected,
    )
    assert annotation.exact == passage.text[40:] + "\n" + next_passage.text[:10]


def test_a_zero_width_no_break_space_is_whitespace_as_in_the_browser(
    reader_user, edition
):
    # annotate.js collapses JavaScript's \s, which holds U+FEFF, to a space.
    passage = Passage.objects.get(key="black-003")
    revision_apply({passage: "One\ufefftwo three."})
    passage.refresh_from_db()
    assert passage.text == "One\ufefftwo three."
    annotation = annotation_create(
        author=reader_user,
        edition=edition,
        target=TargetInput("black-003", 0, "black-003", 14),
        quote="One two three.",
    )
    assert annotation.exact == passage.text


def test_a_word_more_than_the_offsets_hold_is_refused(
    reader_user, edition, passage, next_passage
):
    # The old part page sent a passage's first words as its start when a drag
    # began beside it: the words no longer match, so nothing is written.
    with pytest.raises(ValidationError) as info:
        annotation_create(
            author=reader_user,
            edition=edition,
            target=TargetInput("black-001", 0, "black-002", 10),
            quote=next_passage.text[:10],
        )
    assert "quote" in info.value.message_dict
    assert not Annotation.objects.exists()


def test_reattaching_checks_the_words_too(reader_user, edition):
    passage = Passage.objects.get(key="black-002")
    revision_apply({passage: "The antimony mould was cold. He looked at the mask."})
    passage.refresh_from_db()
    note = make_annotation(
        reader_user, passage, 4, 18, motivation="commenting", body="On the mould"
    )
    revision_apply({passage: "He looked at the window instead."})
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"
    with pytest.raises(ValidationError) as info:
        annotation_reattach(
            annotation=note,
            user=reader_user,
            target=TargetInput("black-002", 17, "black-002", 23),
            quote="instead",
        )
    assert "quote" in info.value.message_dict
    note.refresh_from_db()
    assert (note.anchor_state, note.exact) == ("orphaned", "antimony mould")
    annotation_reattach(
        annotation=note,
        user=reader_user,
        target=TargetInput("black-002", 17, "black-002", 23),
        quote=" window ",
    )
    note.refresh_from_db()
    assert (note.anchor_state, note.exact) == ("exact", "window")


# --- Over HTTP: the API and the reader's JSON endpoints -------------------------


def test_the_api_refuses_a_quote_that_is_not_the_text_with_a_400(
    client, reader_user, passage
):
    client.force_login(reader_user)
    response = post(
        client,
        LIST,
        {
            "edition": "test",
            "target": target(quote="these are not the words"),
            "visibility": "public",
        },
    )
    assert response.status_code == 400
    assert "quote" in response.json()
    assert not Annotation.objects.exists()


def test_the_api_takes_the_selected_words_and_still_works_without_them(
    client, reader_user, passage
):
    client.force_login(reader_user)
    words = passage.text[21:35].replace(" ", "\n  ")
    with_words = post(client, LIST, {"edition": "test", "target": target(quote=words)})
    assert with_words.status_code == 201, with_words.json()
    without = post(client, LIST, {"edition": "test", "target": target()})
    assert without.status_code == 201, without.json()
    assert [a.exact for a in Annotation.objects.all()] == [passage.text[21:35]] * 2


def test_the_reattach_endpoint_refuses_other_words_with_a_400(
    client, reader_user, edition
):
    passage = Passage.objects.get(key="black-002")
    note = make_annotation(
        reader_user, passage, 0, 7, motivation="commenting", body="On it"
    )
    revision_apply({passage: "He looked at the window instead."})
    note.refresh_from_db()
    client.force_login(reader_user)
    response = post(
        client,
        reverse("annotations:reattach", args=[note.pk]),
        {
            "target": {
                "start": {"passage": "black-002", "offset": 17},
                "end": {"passage": "black-002", "offset": 23},
                "quote": "instead",
            }
        },
    )
    assert response.status_code == 400
    assert "quote" in response.json()
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"
