"""The index's audience: who might see each note, indexed beside its words.

A search asks the index for the notes whose words match AND whose audience
names the reader (search/schema.py `audience_sql`), then asks the one rule
(`Annotation.objects.visible_to`) of each. These tests hold the audience a
superset of the rule for every kind of reader (so the index never hides a
note the rule would show), keep it in step when a note is shared, hidden or
restored, and check that both ways of searching (index first, or the rule
first when too many are found) give the same count and the same pages.
The cost that motivated it, the work of a search growing with every note a
reader may see, is checked on SQLite by counting the database's steps.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from annotations.models import Annotation, Viewer
from annotations.services import (
    annotation_hide,
    annotation_restore,
    annotation_update,
    reply_create,
)
from search import selectors
from search.engines import engine
from search.query import parse_query
from search.selectors import AuthorScope, _audience_words, search
from tests.factories import make_annotation, make_user

from .conftest import passage


@pytest.fixture
def crowd(classes):
    """Notes of every way of sharing, by students and the teacher, with a
    hidden one, a draft prompt, replies and an "answer first" prompt; every
    note says "lantern"."""
    first, second = classes["first"], classes["second"]
    on = passage("white-001")
    notes = []
    for author in ("ann", "ben", "cat", "teacher"):
        course = second if author == "cat" else first
        for visibility in ("private", "course", "teacher", "public"):
            notes.append(
                make_annotation(
                    classes[author],
                    on,
                    0,
                    10,
                    motivation="commenting",
                    body=f"The lantern of {author}, {visibility}.",
                    visibility=visibility,
                    course=None if visibility == "private" else course,
                )
            )
    curator = make_user("curator", groups=("Curators",), is_staff=True)
    annotation_hide(annotation=notes[3], actor=curator)  # ann's public note
    draft = make_annotation(
        classes["teacher"],
        on,
        0,
        10,
        motivation="commenting",
        body="A lantern prompt not yet given.",
        visibility="course",
        course=first,
    )
    Annotation.objects.filter(pk=draft.pk).update(draft=True)
    prompt = make_annotation(
        classes["teacher"],
        on,
        0,
        10,
        motivation="questioning",
        body="Where is the lantern? Answer first.",
        visibility="course",
        course=first,
    )
    Annotation.objects.filter(pk=prompt.pk).update(answer_first=True)
    prompt.refresh_from_db()
    replies = [
        reply_create(author=classes["ann"], parent=prompt, body="My lantern answer."),
        reply_create(author=classes["ben"], parent=notes[5], body="A lantern reply."),
        reply_create(author=classes["cat"], parent=notes[15], body="Lantern, public."),
    ]
    return [*notes, draft, prompt, *replies]


def readers(classes) -> dict[str, object]:
    stranger = make_user("stranger")
    return {
        **{name: classes[name] for name in ("ann", "ben", "cat", "teacher")},
        "stranger": stranger,
        "anonymous": AnonymousUser(),
    }


def in_audience(user: object, scope: str = AuthorScope.EVERYONE) -> set:
    """The notes the index hands back for `user`: every note says "lantern",
    and no rule is asked (the notes are all of them)."""
    words = _audience_words(Viewer.of(user), scope)
    if not words:
        return set()
    found = engine().found(
        parse_query("lantern"), words, Annotation.objects.all(), 10_000
    )
    return {pk for pk, _score in found}


@pytest.mark.parametrize("anonymous_see_public", [False, True])
def test_every_note_a_reader_may_see_is_in_their_audience(
    classes, crowd, settings, anonymous_see_public
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = anonymous_see_public
    every = {note.pk for note in crowd}
    for name, user in readers(classes).items():
        visible = set(Annotation.objects.visible_to(user).values_list("pk", flat=True))
        audience = in_audience(user)
        assert visible <= audience, (name, visible - audience)
        # And it narrows: nobody but... nobody is in every note's audience.
        assert audience < every, name


def test_the_audience_follows_a_note_shared_hidden_and_restored(classes):
    ann, ben, teacher = classes["ann"], classes["ben"], classes["teacher"]
    curator = make_user("curator", groups=("Curators",), is_staff=True)
    note = make_annotation(
        ann,
        passage("white-001"),
        0,
        10,
        motivation="commenting",
        body="A lantern for my teacher.",
        visibility="teacher",
        course=classes["first"],
    )

    def ben_finds() -> bool:
        return note.pk in in_audience(ben) and note.pk in {
            hit.pk for hit in search(ben, "lantern").annotations.hits
        }

    assert not ben_finds()
    assert note.pk in {hit.pk for hit in search(teacher, "lantern").annotations.hits}
    annotation_update(annotation=note, editor=ann, visibility="course")
    assert ben_finds()
    note.refresh_from_db()
    annotation_hide(annotation=note, actor=curator)
    assert not ben_finds()
    assert note.pk in in_audience(ann)  # still its author's
    note.refresh_from_db()
    annotation_restore(annotation=note, actor=curator)
    assert ben_finds()
    note.refresh_from_db()
    annotation_update(annotation=note, editor=ann, visibility="private")
    assert not ben_finds()
    assert note.pk not in in_audience(teacher)


def pages(user: object, **filters) -> tuple[int, list]:
    """Every page of a search for "lantern", 6 to a page, as ids in order."""
    first = search(user, "lantern", kinds=["annotations"], per_page=6, **filters)
    hits = []
    for number in range(1, first.annotations.pages + 1):
        page = search(
            user, "lantern", kinds=["annotations"], per_page=6, page=number, **filters
        )
        hits += [note.pk for note in page.annotations.hits]
    return first.annotations.count, hits


def test_index_first_and_rule_first_find_the_same_notes_in_the_same_order(
    classes, crowd, monkeypatch
):
    for name, user in readers(classes).items():
        for scope in AuthorScope.ALL:
            for filters in ({}, {"course": classes["first"].pk}):
                index_first = pages(user, author_scope=scope, **filters)
                with monkeypatch.context() as patched:
                    # No candidate list is small enough: the rule leads.
                    patched.setattr(selectors, "CANDIDATE_LIMIT", 0)
                    rule_first = pages(user, author_scope=scope, **filters)
                assert index_first == rule_first, (name, scope, filters)
                # Exactly what the rule shows that says the word.
                visible = set(
                    Annotation.objects.visible_to(user)
                    .filter(deleted__isnull=True)
                    .values_list("pk", flat=True)
                )
                assert set(index_first[1]) <= visible
                assert index_first[0] == len(index_first[1])


def database_steps(work) -> int:
    """SQLite's virtual machine steps (in thousands) while `work` runs: the
    database's work, counted, not timed."""
    connection.ensure_connection()
    raw = connection.connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    raw.set_progress_handler(tick, 1000)
    try:
        work()
    finally:
        raw.set_progress_handler(None, 0)
    return steps[0]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps"
)
def test_a_rare_word_costs_the_same_however_many_notes_the_reader_may_see(classes):
    """A search reads what matches, not every note the reader may see (it
    did: the count asked the rule first, then the index for each note)."""
    ann, ben = classes["ann"], classes["ben"]
    on = passage("white-002")
    make_annotation(
        ann, on, 0, 4, motivation="commenting", body="Zanzibar.", visibility="public"
    )

    def shared_notes(count: int) -> None:
        Annotation.objects.bulk_create(
            Annotation(
                author=ann,
                edition=on.edition,
                start_passage=on,
                end_passage=on,
                start_offset=0,
                end_offset=4,
                exact=on.text[:4],
                motivation="commenting",
                body=f"An ordinary note, number {n}.",
                body_html=f"<p>An ordinary note, number {n}.</p>",
                visibility="course",
                course=classes["first"],
            )
            for n in range(count)
        )

    def rare_search() -> None:
        assert search(ben, "zanzibar", kinds=["annotations"]).annotations.count == 1

    shared_notes(100)
    few = database_steps(rare_search)
    shared_notes(2000)
    many = database_steps(rare_search)
    assert many <= few + 2, (few, many)
