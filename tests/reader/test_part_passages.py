"""The part page's rows on their own (/read/<edition>/<part>/passages/?keys=):
what the page's script puts in place after a save, instead of the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation
from reader.models import Audience, Edition, Passage
from reader.views import MAX_FRAGMENT_PASSAGES
from tests.factories import make_annotation, make_part, make_passages

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def part_url(edition, slug="black"):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


def passages_url(edition, slug="black"):
    return reverse(
        "reader:part_passages", kwargs={"edition": edition.slug, "part": slug}
    )


def fragment(client, edition, keys, slug="black", **query):
    response = client.get(passages_url(edition, slug), {"keys": keys, **query})
    assert response.status_code == 200, response.content
    return response.json()


def row_in_page(html: str, key: str) -> str:
    """The `.passage-row` holding passage `key`, cut out of a whole page."""
    at = html.index(f'id="{key}"')
    start = html.rindex('<div class="passage-row">', 0, at)
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", html[start:]):
        depth += 1 if tag.group() == "<div" else -1
        if depth == 0:
            return html[start : start + tag.end()]
    raise AssertionError(f"the row of {key} never ends")


def same_html(a: str, b: str) -> bool:
    """Each render masks the CSRF token afresh: compare all but its value."""
    return CSRF_INPUT.sub("csrf", a) == CSRF_INPUT.sub("csrf", b)


def test_a_fragment_row_is_the_row_in_the_page(
    client, reader_user, other_reader, edition
):
    black = list(Passage.objects.filter(edition=edition, part__slug="black"))
    make_annotation(reader_user, black[0], 0, 7, motivation="commenting", body="Mine")
    make_annotation(other_reader, black[1], 2, 9, visibility="public", tags=("mask",))
    # A range across two passages marks both.
    make_annotation(reader_user, black[1], 20, 10, end_passage=black[2])
    client.force_login(reader_user)
    page = client.get(part_url(edition)).content.decode()
    data = fragment(client, edition, "black-002,black-003")
    assert sorted(data["passages"]) == ["black-002", "black-003"]
    for key, html in data["passages"].items():
        assert html.strip().startswith('<div class="passage-row">')
        assert same_html(html.strip(), row_in_page(page, key))


@pytest.mark.parametrize(
    "query",
    [{"show": "mine"}, {"show": "others"}, {"tag": "mask"}, {"motivation": "x"}],
)
def test_a_fragment_keeps_the_pages_filters(
    client, reader_user, other_reader, edition, query
):
    passage = Passage.objects.get(edition=edition, key="black-001")
    make_annotation(reader_user, passage, 0, 7, motivation="commenting", body="Mine")
    make_annotation(
        other_reader, passage, 9, 15, visibility="public", tags=("mask",), body="B"
    )
    client.force_login(reader_user)
    page = client.get(part_url(edition), query).content.decode()
    data = fragment(client, edition, "black-001", **query)
    assert same_html(
        data["passages"]["black-001"].strip(), row_in_page(page, key="black-001")
    )
    # The "more annotations" link and the filter form are the page's own:
    # the fragment's `keys` is not carried into them.
    assert "keys=" not in data["passages"]["black-001"]
    assert "keys" not in data["fragments"]["header"]


def test_the_header_fragment_counts_the_annotations_and_lists_their_tags(
    client, reader_user, edition
):
    passage = Passage.objects.get(edition=edition, key="black-001")
    client.force_login(reader_user)
    before = fragment(client, edition, "black-001")["fragments"]["header"]
    assert "0 annotations shown" in before
    make_annotation(reader_user, passage, 0, 7, tags=("antimony",))
    after = fragment(client, edition, "black-001")["fragments"]["header"]
    assert "1 annotation shown" in after
    assert '<option value="antimony"' in after
    page = client.get(part_url(edition)).content.decode()
    assert same_html(
        f'<div class="part-fragment" data-part-fragment="header">{after}</div>',
        re.search(
            r'<div class="part-fragment" data-part-fragment="header">.*?</form>\n'
            r".*?</div>",
            page,
            re.S,
        ).group(),
    )


def test_another_readers_private_note_is_not_in_the_fragment(
    client, reader_user, other_reader, edition
):
    passage = Passage.objects.get(edition=edition, key="black-001")
    note = make_annotation(
        reader_user, passage, 0, 7, body="Private", motivation="commenting"
    )
    client.force_login(other_reader)
    data = fragment(client, edition, "black-001")
    assert f"card-{note.pk}" not in data["passages"]["black-001"]
    assert "Private" not in data["passages"]["black-001"]
    client.force_login(reader_user)
    assert (
        f"card-{note.pk}"
        in fragment(client, edition, "black-001")["passages"]["black-001"]
    )


def test_an_anonymous_reader_gets_the_rows_without_annotations(
    client, reader_user, edition, settings
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = False
    passage = Passage.objects.get(edition=edition, key="black-001")
    make_annotation(reader_user, passage, 0, 7, visibility="public")
    data = fragment(client, edition, "black-001")
    assert "<mark" not in data["passages"]["black-001"]
    page = client.get(part_url(edition)).content.decode()
    assert same_html(
        data["passages"]["black-001"].strip(), row_in_page(page, "black-001")
    )


def test_an_unreadable_edition_or_part_is_404_like_the_page(client, edition):
    Edition.objects.filter(pk=edition.pk).update(audience=Audience.CURATORS)
    assert client.get(part_url(edition)).status_code == 404
    assert client.get(passages_url(edition), {"keys": "black-001"}).status_code == 404
    assert (
        client.get(passages_url(edition, "nowhere"), {"keys": "x"}).status_code == 404
    )


def test_a_class_edition_is_read_by_its_class_only(licensed):
    url = passages_url(licensed.edition)
    for role, status in [
        ("anonymous", 404),
        ("stranger", 404),
        ("student", 200),
        ("teacher", 200),
    ]:
        response = licensed.client(role).get(url, {"keys": "black-001"})
        assert response.status_code == status, role


def test_a_students_private_note_reaches_no_classmate(licensed):
    note = make_annotation(
        licensed.student, licensed.passage, 0, 7, motivation="commenting", body="Mine"
    )
    url = passages_url(licensed.edition)
    own = licensed.client("student").get(url, {"keys": "black-001"}).json()
    teachers = licensed.client("teacher").get(url, {"keys": "black-001"}).json()
    assert f"card-{note.pk}" in own["passages"]["black-001"]
    assert f"card-{note.pk}" not in teachers["passages"]["black-001"]


@pytest.mark.parametrize(
    "keys, message",
    [
        ("", "Name the passages"),
        (" , ", "Name the passages"),
        (
            "black-001,nope,letter-001",
            "Unknown passage keys in this part: letter-001, nope",
        ),
    ],
)
def test_unknown_or_missing_keys_are_refused_by_name(client, edition, keys, message):
    response = client.get(passages_url(edition), {"keys": keys})
    assert response.status_code == 400
    assert message in response.json()["keys"][0]


def test_more_than_the_limit_of_keys_is_refused(client, db):
    from tests.factories import make_edition

    edition = make_edition("long")
    make_passages(make_part(edition, 1, slug="black"), MAX_FRAGMENT_PASSAGES + 1)
    keys = [f"black-{i:03d}" for i in range(1, MAX_FRAGMENT_PASSAGES + 2)]
    response = client.get(passages_url(edition), {"keys": ",".join(keys)})
    assert response.status_code == 400
    assert f"At most {MAX_FRAGMENT_PASSAGES}" in response.json()["keys"][0]
    many = client.get(
        passages_url(edition), {"keys": ",".join(keys[:MAX_FRAGMENT_PASSAGES])}
    )
    assert many.status_code == 200
    assert len(many.json()["passages"]) == MAX_FRAGMENT_PASSAGES


def test_only_get_and_never_stored(client, reader_user, edition):
    client.force_login(reader_user)
    url = passages_url(edition)
    assert client.post(url, {"keys": "black-001"}).status_code == 405
    response = client.get(url, {"keys": "black-001"})
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    refused = client.get(url, {"keys": "nope"})
    assert "no-store" in refused["Cache-Control"]


def test_the_fragment_makes_the_same_queries_for_1_and_2000_annotations(
    client, reader_user, other_reader, edition, django_assert_num_queries
):
    passages = list(Passage.objects.filter(edition=edition, part__slug="black"))
    make_annotation(reader_user, passages[0], 0, 7, motivation="commenting", body="A")
    client.force_login(reader_user)
    fragment(client, edition, "black-001,black-002")
    with CaptureQueriesContext(connection) as one:
        fragment(client, edition, "black-001,black-002")
    rows = []
    for i in range(2000):
        passage = passages[i % len(passages)]
        start = i % 30
        rows.append(
            Annotation(
                author=(reader_user, other_reader)[i % 2],
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
    with django_assert_num_queries(len(one)):
        data = fragment(client, edition, "black-001,black-002")
    assert "2001 annotations shown" in data["fragments"]["header"]


def test_a_fragment_row_equals_the_page_on_a_busy_part(
    client, reader_user, other_reader, curator, edition
):
    """What a fragment reads is only what its passages show: highlights
    reaching them from an earlier passage, cards chosen among all of a
    passage's notes, editor's notes numbered through the part."""
    from annotations.selectors import CARDS_PER_PASSAGE
    from annotations.services import TargetInput, annotation_create

    first, second, third = Passage.objects.filter(
        edition=edition, part__slug="black"
    ).order_by("order")
    for i in range(CARDS_PER_PASSAGE + 2):
        # Notes on the first passage, the last of them (no card there)
        # reaching into the second.
        make_annotation(
            other_reader,
            first,
            i,
            5 + i,
            end_passage=second if i == CARDS_PER_PASSAGE + 1 else None,
            motivation="commenting",
            body=f"Note {i}",
            visibility="public",
        )
    for passage in (first, third):
        annotation_create(
            author=curator,
            edition=edition,
            target=TargetInput(passage.key, 2, passage.key, 9),
            motivation="commenting",
            body="An editor's note.",
            visibility="public",
            editorial=True,
        )
    make_annotation(reader_user, second, 3, 12, end_passage=third)
    make_annotation(reader_user, third, 0, 4, motivation="questioning", body="Why?")
    client.force_login(reader_user)
    page = client.get(part_url(edition)).content.decode()
    for keys in ("black-002", "black-003", "black-001,black-003"):
        data = fragment(client, edition, keys)
        for key, html in data["passages"].items():
            assert same_html(html.strip(), row_in_page(page, key)), key
        assert "9 annotations shown" in data["fragments"]["header"]
