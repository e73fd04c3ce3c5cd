"""The one visibility rule: Annotation.objects.visible_to(user)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation
from annotations.services import reply_create
from tests.factories import make_annotation, make_user


def visible(user) -> set:
    return set(Annotation.objects.visible_to(user).values_list("pk", flat=True))


def test_a_private_note_is_seen_by_its_author_only(
    reader_user, other_reader, curator, passage
):
    note = make_annotation(reader_user, passage)
    assert note.pk in visible(reader_user)
    assert note.pk not in visible(other_reader)
    assert note.pk not in visible(curator)
    assert note.pk not in visible(AnonymousUser())


def test_a_public_note_is_seen_by_every_signed_in_reader(
    reader_user, other_reader, passage
):
    note = make_annotation(reader_user, passage, visibility="public")
    assert note.pk in visible(other_reader)


def test_anonymous_visitors_see_public_notes_only_when_the_site_allows(
    reader_user, passage, settings
):
    note = make_annotation(reader_user, passage, visibility="public")
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = False
    assert note.pk not in visible(AnonymousUser())
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    assert note.pk in visible(AnonymousUser())


def test_a_hidden_note_is_seen_only_by_its_author(reader_user, other_reader, passage):
    note = make_annotation(reader_user, passage, visibility="public")
    Annotation.objects.filter(pk=note.pk).update(moderation="hidden")
    assert note.pk in visible(reader_user)
    assert note.pk not in visible(other_reader)


def test_replies_disappear_with_the_thread_they_answer(
    reader_user, other_reader, passage
):
    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    reply = reply_create(author=other_reader, parent=note, body="Reply")
    third = make_user("carol")
    assert reply.pk in visible(third)
    Annotation.objects.filter(pk=note.pk).update(visibility="private")
    assert note.pk not in visible(other_reader)
    assert reply.pk not in visible(third)
    # The reply is still its author's, and the note's author still sees it.
    assert reply.pk in visible(other_reader)
    assert reply.pk in visible(reader_user)
