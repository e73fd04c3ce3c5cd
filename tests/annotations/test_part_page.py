"""Annotations on the part page: marks, cards, counts, filters, queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.contributions import AnnotationsContribution
from annotations.models import Annotation
from annotations.selectors import PartFilters, part_annotations
from annotations.services import reply_create
from reader.models import Passage
from tests.factories import make_annotation


def card_marks(html: str, pk) -> list[str]:
    """The texts of the marks that name `pk`'s card: a description they
    point at (aria-describedby) links to it (data-card)."""
    ids = set(re.findall(rf'<p id="([^"]+)" data-card="{pk}">', html))
    marks = re.findall(
        r'<mark [^>]*aria-describedby="([^"]+)"[^>]*>([^<]*)</mark>', html
    )
    return [text for refs, text in marks if ids & set(refs.split())]


def part_url(edition, slug="black"):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


def shown_on(response, passage):
    """What the part page laid onto one passage: marks, cards, counts."""
    page = response.context["part_page"]
    return page.contribution(AnnotationsContribution).layout.on(passage)


def test_own_highlights_are_rendered_as_marks_with_cards(
    client, reader_user, passage, edition
):
    note = make_annotation(
        reader_user, passage, 21, 35, motivation="commenting", body="*Why* the mask?"
    )
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    # The mark names its card through its description (was: the card's id).
    assert card_marks(html, note.pk) == [passage.text[21:35]]
    assert '<mark class="hl hl-commenting hl-own" aria-describedby=' in html
    assert f'id="card-{note.pk}"' in html
    assert "<em>Why</em> the mask?" in html
    assert "1 annotation</a>" in html


def test_the_marked_text_still_reads_as_the_passage(
    client, reader_user, passage, edition
):
    make_annotation(reader_user, passage, 5, 20)
    make_annotation(reader_user, passage, 10, 30)
    client.force_login(reader_user)
    response = client.get(part_url(edition))
    shown = shown_on(response, passage)
    assert "".join(s.text for s in shown.segments) == passage.text
    overlap = [s for s in shown.segments if len(s.ids) == 2]
    assert overlap and overlap[0].text == passage.text[10:20]
    assert "hl-overlap" in overlap[0].css


def test_highlight_rows_name_annotations_by_their_id_as_text(
    reader_user, passage, edition
):
    """A busy part has thousands of rows: ids are read as text, written as
    str(UUID) writes them on every database, never made into UUIDs."""
    notes = [make_annotation(reader_user, passage, 5, 20) for _ in range(3)]
    found = part_annotations(user=reader_user, part=passage.part, filters=PartFilters())
    assert sorted(row.pk for row in found.rows) == sorted(str(n.pk) for n in notes)
    assert all(type(row.pk) is str for row in found.rows)


def test_other_readers_private_notes_are_not_shown(
    client, reader_user, other_reader, passage, edition
):
    secret = make_annotation(
        other_reader, passage, body="secret", motivation="commenting"
    )
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert str(secret.pk) not in html
    assert "secret" not in html


def test_public_notes_of_others_are_shown_with_a_reply_box(
    client, reader_user, other_reader, passage, edition
):
    shared = make_annotation(
        other_reader, passage, motivation="commenting", visibility="public"
    )
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert f'id="card-{shared.pk}"' in html
    assert reverse("annotations:reply", args=[shared.pk]) in html
    assert reverse("annotations:edit", args=[shared.pk]) not in html


def test_anonymous_readers_see_no_annotations_by_default(
    client, reader_user, passage, edition
):
    make_annotation(reader_user, passage, visibility="public")
    response = client.get(part_url(edition))
    assert response.context["annotations_enabled"] is False
    assert "<mark" not in response.content.decode()
    assert "to highlight and annotate" in response.content.decode()


def test_anonymous_readers_see_public_notes_when_the_site_allows(
    client, reader_user, passage, edition, settings
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    public = make_annotation(reader_user, passage, visibility="public")
    private = make_annotation(reader_user, passage, 10, 20)
    html = client.get(part_url(edition)).content.decode()
    assert str(public.pk) in html
    assert str(private.pk) not in html
    assert "annotate-dialog" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("show=mine", {"mine-note", "mine-highlight"}),
        ("show=others", {"theirs"}),
        ("motivation=commenting", {"mine-note"}),
        ("tag=mask", {"mine-highlight"}),
        ("", {"mine-note", "mine-highlight", "theirs"}),
    ],
)
def test_filters_by_author_kind_and_tag(
    client, reader_user, other_reader, passage, edition, query, expected
):
    made = {
        "mine-note": make_annotation(reader_user, passage, motivation="commenting"),
        "mine-highlight": make_annotation(reader_user, passage, 10, 20, tags=("mask",)),
        "theirs": make_annotation(other_reader, passage, visibility="public"),
    }
    client.force_login(reader_user)
    response = client.get(part_url(edition) + "?" + query)
    first = response.context["passages"][0]
    shown = {str(a.pk) for a in shown_on(response, first).cards}
    assert shown == {str(made[name].pk) for name in expected}


def test_a_deleted_note_with_replies_shows_as_a_tombstone(
    client, reader_user, other_reader, passage, edition
):
    from annotations.services import annotation_delete

    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    reply_create(author=other_reader, parent=note, body="Still here")
    annotation_delete(annotation=note, user=reader_user)
    client.force_login(other_reader)
    html = client.get(part_url(edition)).content.decode()
    assert "Deleted by its author" in html
    assert "Still here" in html
    assert "<mark" not in html


def test_the_part_page_makes_the_same_queries_for_0_and_5000_annotations(
    client, reader_user, other_reader, edition, django_assert_num_queries
):
    client.force_login(reader_user)
    client.get(part_url(edition))
    with CaptureQueriesContext(connection) as empty:
        client.get(part_url(edition))
    passages = list(Passage.objects.filter(part__slug="black", edition=edition))
    authors = [reader_user, other_reader]
    rows = []
    for i in range(5000):
        passage = passages[i % len(passages)]
        start = i % 30
        rows.append(
            Annotation(
                author=authors[i % 2],
                edition=edition,
                start_passage=passage,
                start_offset=start,
                end_passage=passage,
                end_offset=start + 8,
                exact=passage.text[start : start + 8],
                passage_revision=passage.revision,
                motivation="commenting" if i % 3 else "highlighting",
                body="note" if i % 3 else "",
                visibility="public",
            )
        )
    Annotation.objects.bulk_create(rows)
    notes = Annotation.objects.filter(motivation="commenting")[:50]
    Annotation.objects.bulk_create(
        Annotation(
            author=other_reader,
            edition=edition,
            reply_to=n,
            motivation="replying",
            body="r",
            visibility="public",
        )
        for n in notes
    )
    with django_assert_num_queries(len(empty)):
        response = client.get(part_url(edition))
    assert response.context["annotation_total"] == 5000


def test_a_revised_passage_moves_the_highlight_with_its_words_and_no_notice(
    client, reader_user, edition
):
    """The words are the same, only their place changed: there is no Then and
    Now to tell apart."""
    from reader.revisions import passage_revise

    passage = Passage.objects.get(key="black-002")
    passage_revise(
        passage=passage,
        text="The antimony mould was cold. He looked at the mask again.",
    )
    note = make_annotation(reader_user, passage, 4, 18, motivation="commenting")
    assert note.exact == "antimony mould"
    passage_revise(
        passage=passage,
        text="At dawn, the antimony mould was cold. He looked at the mask again.",
    )
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert card_marks(html, note.pk) == ["antimony mould"]
    assert "the highlight followed" not in html


def test_a_quote_deleted_by_a_revision_shows_no_highlight_but_keeps_the_note(
    client, reader_user, edition
):
    from reader.revisions import passage_revise

    passage = Passage.objects.get(key="black-002")
    passage_revise(
        passage=passage,
        text="The antimony mould was cold. He looked at the mask again.",
    )
    note = make_annotation(
        reader_user, passage, 4, 18, motivation="commenting", body="On the mould"
    )
    passage_revise(
        passage=passage, text="He looked at the mask again, and then at the window."
    )
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert "<mark" not in html
    assert f'id="card-{note.pk}"' in html
    assert "no longer in the passage" in html
    assert "On the mould" in html
    assert Annotation.objects.filter(pk=note.pk).exists()


def test_only_the_first_cards_of_a_busy_passage_are_shown_with_a_link_to_the_rest(
    client, reader_user, other_reader, passage, edition
):
    from annotations.selectors import CARDS_PER_PASSAGE

    theirs = [
        make_annotation(other_reader, passage, i, i + 5, visibility="public")
        for i in range(5)
    ]
    mine = make_annotation(reader_user, passage, 30, 36)
    client.force_login(reader_user)
    response = client.get(part_url(edition))
    shown = shown_on(response, response.context["passages"][0])
    assert len(shown.cards) == CARDS_PER_PASSAGE
    assert shown.cards[0].pk == mine.pk  # my own first
    assert shown.more == 6 - CARDS_PER_PASSAGE
    # Every annotation is still highlighted, carded or not.
    covered: set[int] = set()
    offset = 0
    for segment in shown.segments:
        if segment.css:
            covered |= set(range(offset, offset + len(segment.text)))
        offset += len(segment.text)
    for annotation in [*theirs, mine]:
        assert set(range(annotation.start_offset, annotation.end_offset)) <= covered
    rest = client.get(reverse("annotations:passage", args=[edition.slug, passage.key]))
    assert rest.status_code == 200
    for annotation in [*theirs, mine]:
        assert f'id="card-{annotation.pk}"' in rest.content.decode()


def test_the_passage_annotations_page_respects_visibility(
    client, reader_user, other_reader, passage, edition
):
    private = make_annotation(other_reader, passage)
    url = reverse("annotations:passage", args=[edition.slug, passage.key])
    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(reader_user)
    assert str(private.pk) not in client.get(url).content.decode()
    assert (
        client.get(
            reverse("annotations:passage", args=[edition.slug, "nope-001"])
        ).status_code
        == 404
    )


REVISABLE = "The antimony mould was cold. He turned the brass lamp toward the wall."


def _revisable(reader_user) -> tuple[Passage, Annotation]:
    """black-002 with a known text, and a note on a sentence of it."""
    passage = Passage.objects.get(key="black-002")
    passage.text = REVISABLE
    passage.save()
    quoted = "He turned the brass lamp toward the wall."
    start = REVISABLE.index(quoted)
    note = make_annotation(
        reader_user,
        passage,
        start,
        start + len(quoted),
        motivation="commenting",
        body="On the lamp",
    )
    return passage, note


def test_a_note_whose_words_were_changed_shows_then_and_now(
    client, reader_user, edition
):
    from reader.revisions import revision_apply

    passage, note = _revisable(reader_user)
    revision_apply({passage: REVISABLE.replace("brass", "copper")})
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert "the highlight followed" in html
    assert "“He turned the brass lamp toward the wall.”" in html  # then
    assert "“He turned the copper lamp toward the wall.”" in html  # now


def test_after_a_revert_a_note_is_back_on_its_words_with_no_notice(
    client, reader_user, edition
):
    from reader.revisions import revision_apply

    passage, note = _revisable(reader_user)
    revision_apply({passage: "The antimony mould was cold."})
    client.force_login(reader_user)
    assert "no longer in the passage" in client.get(part_url(edition)).content.decode()
    revision_apply({passage: REVISABLE})  # the revision is reverted
    html = client.get(part_url(edition)).content.decode()
    assert "no longer in the passage" not in html
    assert "the highlight followed" not in html
    assert card_marks(html, note.pk) == ["He turned the brass lamp toward the wall."]


def test_after_a_changed_word_is_reverted_there_is_no_then_and_now(
    client, reader_user, edition
):
    from reader.revisions import revision_apply

    passage, note = _revisable(reader_user)
    revision_apply({passage: REVISABLE.replace("brass", "copper")})
    revision_apply({passage: REVISABLE})
    client.force_login(reader_user)
    html = client.get(part_url(edition)).content.decode()
    assert "the highlight followed" not in html
    assert "no longer in the passage" not in html


# --- What the page weighs, and what the cache may hold ------------------------

WORDS = "the mask face letter notebook winter glass mould quiet street".split()


def _long_passages(edition, n: int, words: int) -> list[Passage]:
    """A part of `n` generated passages of `words` words each."""
    from tests.factories import make_part

    part = make_part(edition, 9, slug="long")
    return [
        Passage.objects.create(
            edition=edition,
            part=part,
            order=i,
            key=f"long-{i:03d}",
            text=" ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(words)),
        )
        for i in range(1, n + 1)
    ]


def _public_notes(authors, passages, n: int) -> None:
    """`n` public annotations, overlapping as a busy class's do."""
    rows = []
    for i in range(n):
        passage = passages[i % len(passages)]
        start = (i * 7) % (len(passage.text) - 40)
        end = start + 12 + i % 25
        rows.append(
            Annotation(
                author=authors[i % len(authors)],
                edition=passage.edition,
                start_passage=passage,
                start_offset=start,
                end_passage=passage,
                end_offset=end,
                exact=passage.text[start:end],
                passage_revision=passage.revision,
                motivation=("highlighting", "commenting", "questioning")[i % 3],
                body="" if i % 3 == 0 else f"Note {i}",
                visibility="public",
                colour=("yellow", "green", "blue", "pink", "purple")[i % 5],
            )
        )
    Annotation.objects.bulk_create(rows)


def test_a_busy_part_page_weighs_at_most_100_bytes_per_annotation(
    client, reader_user, other_reader, edition
):
    from tests.factories import make_user

    passages = _long_passages(edition, 10, 120)
    client.force_login(reader_user)
    url = part_url(edition, "long")
    empty = len(client.get(url).content)
    authors = [reader_user, other_reader, make_user("carol"), make_user("dave")]
    _public_notes(authors, passages, 3000)
    response = client.get(url)
    assert response.context["annotation_total"] == 3000
    assert response.content.count(b"<mark") > 1000
    assert (len(response.content) - empty) / 3000 <= 100


def test_two_readers_see_only_their_own_notes_on_a_warm_cache(
    client, reader_user, other_reader, passage, edition, settings
):
    """The cached passage is the edition's text only: each reader's notes
    are composed onto it for them alone."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "two-readers",
        }
    }
    alices = make_annotation(
        reader_user, passage, 0, 7, body="Alice's", motivation="commenting"
    )
    bobs = make_annotation(
        other_reader, passage, 10, 20, body="Bob's", motivation="commenting"
    )
    client.get(part_url(edition))  # warms the cache, anonymously
    for reader, mine, theirs in (
        (reader_user, alices, bobs),
        (other_reader, bobs, alices),
        (reader_user, alices, bobs),
    ):
        client.force_login(reader)
        response = client.get(part_url(edition))
        assert not [t for t in response.templates if t.name == "reader/_passage.html"]
        html = response.content.decode()
        assert card_marks(html, mine.pk)
        assert f'id="card-{mine.pk}"' in html
        assert str(theirs.pk) not in html
        assert theirs.body not in html
        assert html.count("<mark") == 1


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_part_page_makes_the_same_queries_for_1_and_many_annotations(
    client,
    reader_user,
    other_reader,
    edition,
    settings,
    anonymous,
    django_assert_num_queries,
):
    """Signed in, or anonymous where the site shows public notes: one note or
    many, with replies, tags and class notes, the same queries."""
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    # The page as it is built, not as the anonymous page cache serves it.
    settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = 0
    passages = list(Passage.objects.filter(part__slug="black", edition=edition))
    first = make_annotation(
        other_reader,
        passages[0],
        visibility="public",
        tags=("one",),
        motivation="commenting",
    )
    reply_create(author=reader_user, parent=first, body="A reply")
    if not anonymous:
        client.force_login(reader_user)
    client.get(part_url(edition))
    with CaptureQueriesContext(connection) as one:
        client.get(part_url(edition))
    for i in range(30):
        note = make_annotation(
            [reader_user, other_reader][i % 2],
            passages[i % 3],
            i % 20,
            i % 20 + 9,
            visibility="public",
            tags=(f"tag{i % 4}",),
            motivation="commenting",
        )
        reply_create(author=other_reader, parent=note, body="Another reply")
    with django_assert_num_queries(len(one)):
        response = client.get(part_url(edition))
    assert response.context["annotation_total"] == 31
