"""Searching never shows a note to someone it was not shared with.

Annotations are searched through the one visibility rule
(`Annotation.objects.visible_to`); these tests try every filter a reader can
set, on both engines.
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation
from annotations.services import (
    annotation_delete,
    annotation_hide,
    annotation_restore,
    reply_create,
)
from reader.models import Edition
from reader.revisions import revision_apply
from search.selectors import AuthorScope, search
from tests.factories import make_annotation, make_edition, make_part, make_user

from .conftest import passage


def found(user, q: str = "lantern", **filters) -> set:
    return {
        a.pk for a in search(user, q, kinds=["annotations"], **filters).annotations.hits
    }


def every_filter(classes) -> list[dict]:
    """Each filter a reader can set, alone and with the others."""
    scopes = [{"author_scope": s} for s in AuthorScope.ALL]
    courses = [{}, {"course": classes["first"].pk}, {"course": classes["second"].pk}]
    others = [
        {},
        {"part": "white"},
        {"tag": "secret"},
        {"annotation_kind": "commenting"},
        {"since": "2000-01-01"},
    ]
    combos = []
    for scope, course, other in itertools.product(scopes, courses, others):
        combo = {**scope, **course, **other}
        if "since" in combo:
            from datetime import date

            combo["since"] = date(2000, 1, 1)
        combos.append(combo)
    return combos


@pytest.fixture
def notes(classes):
    ann = classes["ann"]
    on = passage("white-001")

    def note(visibility: str, course=None, body: str = "The lantern, again."):
        return make_annotation(
            ann,
            on,
            0,
            10,
            motivation="commenting",
            body=body,
            visibility=visibility,
            course=course,
            tags=("secret",),
        )

    return {
        "private": note("private"),
        "class": note("course", classes["first"]),
        "teacher": note("teacher", classes["first"]),
        "public": note("public"),
    }


def test_a_student_never_finds_another_class_s_or_a_private_note(classes, notes):
    cat = classes["cat"]  # in the second class
    hidden_from_cat = {notes["private"].pk, notes["class"].pk, notes["teacher"].pk}
    for filters in every_filter(classes):
        assert not found(cat, **filters) & hidden_from_cat, filters
    # What cat may see, cat finds.
    assert notes["public"].pk in found(cat)


def test_a_classmate_finds_class_notes_but_not_private_or_teachers_notes(
    classes, notes
):
    ben = classes["ben"]
    for filters in every_filter(classes):
        assert not found(ben, **filters) & {notes["private"].pk, notes["teacher"].pk}
    assert found(ben) == {notes["class"].pk, notes["public"].pk}
    assert found(ben, author_scope="class") == {notes["class"].pk}


def test_the_teacher_finds_class_and_teacher_notes_but_not_private_ones(classes, notes):
    teacher = classes["teacher"]
    assert found(teacher) == {
        notes["class"].pk,
        notes["teacher"].pk,
        notes["public"].pk,
    }
    assert found(teacher, course=classes["first"].pk) == {
        notes["class"].pk,
        notes["teacher"].pk,
    }


def test_the_author_finds_all_their_notes_and_me_means_only_mine(classes, notes):
    ann, ben = classes["ann"], classes["ben"]
    assert found(ann) == {n.pk for n in notes.values()}
    assert found(ann, author_scope="me") == {n.pk for n in notes.values()}
    assert found(ben, author_scope="me") == set()


def test_anonymous_visitors_find_no_notes_unless_the_site_shows_public_ones(
    classes, notes, settings
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = False
    assert found(AnonymousUser()) == set()
    assert found(None) == set()
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    assert found(AnonymousUser()) == {notes["public"].pk}
    assert found(AnonymousUser(), author_scope="me") == set()


def test_a_hidden_note_is_found_only_by_its_author_until_restored(classes, notes):
    public, teacher = notes["public"], classes["teacher"]
    curator = make_user("curator", groups=("Curators",), is_staff=True)
    annotation_hide(annotation=public, actor=curator)
    assert public.pk in found(classes["ann"])
    for user in (classes["ben"], classes["cat"], teacher, curator):
        assert public.pk not in found(user)
    annotation_restore(annotation=public, actor=curator)
    assert public.pk in found(classes["cat"])


def test_an_orphaned_note_is_found_by_its_author_only(classes, notes):
    # The words the notes quote ("The clockm") are revised away.
    revision_apply({passage("white-001"): "Dawn came, and nobody wound anything."})
    public = Annotation.objects.get(pk=notes["public"].pk)
    assert public.is_orphaned
    assert public.pk in found(classes["ann"])
    for user in (classes["ben"], classes["cat"], classes["teacher"]):
        assert public.pk not in found(user)


def test_a_reply_is_found_only_by_those_who_see_its_thread(classes, notes):
    ben, cat = classes["ben"], classes["cat"]
    reply = reply_create(author=ben, parent=notes["class"], body="A lantern reply.")
    assert reply.pk in found(classes["ann"])
    assert reply.pk in found(ben, author_scope="me")
    assert reply.pk not in found(cat)


def test_a_deleted_note_is_found_by_nobody_even_by_the_words_it_quoted(classes, notes):
    ben = classes["ben"]
    note = notes["public"]
    reply_create(author=ben, parent=note, body="Keep me.")
    annotation_delete(annotation=note, user=classes["ann"])
    note.refresh_from_db()
    assert note.is_deleted  # a tombstone, kept for ben's reply
    # Its quote ("The clockm") is still in the row.
    assert note.pk not in found(classes["ann"], "clockm*")
    assert note.pk not in found(ben, "clockm*")


def test_notes_and_passages_of_an_edition_a_reader_may_not_read_are_not_found(
    classes,
):
    licensed = make_edition("licensed", audience="classes")
    part = make_part(licensed, 1, slug="only")
    from reader.models import Passage

    secret = Passage.objects.create(
        edition=licensed, part=part, order=1, key="only-001", text="A lantern of jade."
    )
    stranger = make_user("stranger")
    assert secret not in [h.passage for h in search(stranger, "jade").passages.hits]
    assert search(stranger, "jade").passages.count == 0
    assert search(stranger, "only-001").jump is None
    # The curators' edition too.
    Edition.objects.filter(pk=licensed.pk).update(audience="curators")
    assert search(classes["ann"], "jade").passages.count == 0
