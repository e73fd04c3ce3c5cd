"""Creating, replying, editing and deleting: one way each, validated."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import Annotation, Tag
from annotations.services import (
    TargetInput,
    annotation_create,
    annotation_delete,
    annotation_update,
    reply_create,
)
from tests.factories import make_annotation


def create(
    author, edition, start_key="black-001", start=0, end_key="black-001", end=7, **kw
):
    return annotation_create(
        author=author,
        edition=edition,
        target=TargetInput(start_key, start, end_key, end),
        **kw,
    )


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_highlight_keeps_its_quote_context_and_revision(
    reader_user, edition, passage
):
    annotation = create(reader_user, edition, start=21, end=35)
    assert annotation.exact == passage.text[21:35]
    assert annotation.prefix == passage.text[:21]
    assert annotation.suffix == passage.text[35:]
    assert annotation.passage_revision == passage.revision
    assert annotation.anchor_state == "exact"
    assert annotation.visibility == "private"


def test_a_range_may_span_consecutive_passages(
    reader_user, edition, passage, next_passage
):
    annotation = create(reader_user, edition, "black-001", 40, "black-002", 10)
    assert annotation.exact == passage.text[40:] + "\n" + next_passage.text[:10]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_key": "black-999"}, "start_passage"),
        ({"end_key": "white-404"}, "end_passage"),
        ({"end_key": "letter-001"}, "end_passage"),  # another part
        ({"start": 10, "end": 5}, "end_passage"),  # ends before it starts
        ({"end": 999}, "end_offset"),
        ({"start": 3, "end": 3}, "end_offset"),
    ],
)
def test_a_bad_target_is_refused_naming_the_field(reader_user, edition, kwargs, field):
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, **kwargs)
    assert field in field_errors(info)
    assert not Annotation.objects.exists()


def test_a_quote_that_does_not_match_the_offsets_is_refused(reader_user, edition):
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, exact="something else")
    assert "exact" in field_errors(info)


def test_only_spaces_cannot_be_annotated(reader_user, edition, passage):
    space = passage.text.index(" ")
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, start=space, end=space + 1)
    assert "exact" in field_errors(info)


@pytest.mark.parametrize("motivation", ["commenting", "questioning"])
def test_notes_and_questions_need_words(reader_user, edition, motivation):
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, motivation=motivation, body="   ")
    assert "body" in field_errors(info)


def test_an_overlong_note_is_refused(reader_user, edition):
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, motivation="commenting", body="x" * 10_001)
    assert "body" in field_errors(info)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"visibility": "everyone"}, "visibility"),
        ({"visibility": "course"}, "visibility"),
        ({"colour": "octarine"}, "colour"),
        ({"motivation": "replying"}, "motivation"),
        ({"tags": "not-a-list"}, "tags"),
        ({"tags": ["x" * 41]}, "tags"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(
    reader_user, edition, kwargs, field
):
    with pytest.raises(ValidationError) as info:
        create(reader_user, edition, **kwargs)
    assert field in field_errors(info)
    assert not Annotation.objects.exists()
    assert not Tag.objects.exists()


def test_tags_are_cleaned_deduplicated_and_reused(reader_user, edition):
    first = create(reader_user, edition, tags=["#mask", " light ", "Mask", ""])
    assert sorted(t.name for t in first.tags.all()) == ["light", "mask"]
    second = create(reader_user, edition, tags=["MASK"])
    assert [t.pk for t in second.tags.all()] == [
        Tag.objects.get(owner=reader_user, name="mask").pk
    ]


def test_tags_belong_to_their_reader(reader_user, other_reader, edition):
    create(reader_user, edition, tags=["mask"])
    create(other_reader, edition, tags=["mask"])
    assert Tag.objects.filter(name="mask").count() == 2


# --- Replies ----------------------------------------------------------------


def test_a_reply_joins_the_thread_and_shares_its_visibility(
    reader_user, other_reader, passage
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    reply = reply_create(author=other_reader, parent=note, body="I agree.")
    answer = reply_create(author=reader_user, parent=reply, body="Thanks.")
    assert reply.reply_to == note and answer.reply_to == note
    assert reply.visibility == "public"
    assert reply.start_passage is None


def test_nobody_replies_to_what_they_cannot_see(reader_user, other_reader, passage):
    note = make_annotation(reader_user, passage, motivation="commenting")
    with pytest.raises(PermissionDenied):
        reply_create(author=other_reader, parent=note, body="Peeking.")


def test_an_empty_reply_is_refused(reader_user, passage):
    note = make_annotation(reader_user, passage, motivation="commenting")
    with pytest.raises(ValidationError):
        reply_create(author=reader_user, parent=note, body="")


# --- Editing and deleting -----------------------------------------------------


def test_the_author_edits_note_tags_colour_and_visibility(
    reader_user, other_reader, passage
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    reply = reply_create(author=other_reader, parent=note, body="Yes.")
    annotation_update(
        annotation=note,
        editor=reader_user,
        body="Changed",
        tags=["new"],
        colour="green",
        visibility="private",
    )
    note.refresh_from_db()
    reply.refresh_from_db()
    assert (note.body, note.colour, note.visibility) == ("Changed", "green", "private")
    assert [t.name for t in note.tags.all()] == ["new"]
    assert reply.visibility == "private"


def test_only_the_author_edits(reader_user, other_reader, passage):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=note, editor=other_reader, body="Mine now")
    note.refresh_from_db()
    assert note.body == "A note."


def test_deleting_without_others_replies_removes_it_and_its_own_replies(
    reader_user, passage
):
    note = make_annotation(reader_user, passage, motivation="commenting")
    reply_create(author=reader_user, parent=note, body="Addendum")
    assert annotation_delete(annotation=note, user=reader_user) is True
    assert not Annotation.objects.exists()


def test_deleting_keeps_other_readers_replies_under_a_tombstone(
    reader_user, other_reader, passage
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public", tags=("x",)
    )
    theirs = reply_create(author=other_reader, parent=note, body="Their reply")
    assert annotation_delete(annotation=note, user=reader_user) is False
    note.refresh_from_db()
    assert note.is_deleted and note.body == "" and not note.tags.exists()
    assert Annotation.objects.filter(pk=theirs.pk).exists()


def test_only_the_author_deletes(reader_user, other_reader, passage):
    note = make_annotation(reader_user, passage, visibility="public")
    with pytest.raises(PermissionDenied):
        annotation_delete(annotation=note, user=other_reader)
    assert Annotation.objects.filter(pk=note.pk).exists()
