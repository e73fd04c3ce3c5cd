"""My notebook: one part at a time, a page at a time, with counts; the
stored HTML of each note; nothing of others' that is not shared."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import views
from annotations.models import Annotation
from annotations.services import reply_create
from reader.models import Passage
from tests.factories import make_annotation

NOTEBOOK = "/notebook/"


def notes(author, key, n, **extra):
    passage = Passage.objects.get(key=key)
    return [
        make_annotation(
            author,
            passage,
            i % 20,
            i % 20 + 5,
            motivation="commenting",
            body=f"{key} note {i}",
            **extra,
        )
        for i in range(n)
    ]


def query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_the_notebook_lists_each_part_with_how_many_of_my_notes_it_holds(
    client, reader_user, other_reader, edition
):
    notes(reader_user, "opening-001", 2)
    notes(reader_user, "black-002", 3)
    notes(other_reader, "black-002", 4, visibility="public")
    client.force_login(reader_user)
    response = client.get(NOTEBOOK)
    counts = {s["part"].slug: s["count"] for s in response.context["sections"]}
    assert counts == {"opening": 2, "black": 3}
    html = response.content.decode()
    assert "2 notes" in html and "3 notes" in html
    assert response.context["count"] == 5


def test_the_notebook_opens_on_the_first_part_with_notes(client, reader_user, edition):
    (black,) = notes(reader_user, "black-001", 1)
    (letter,) = notes(reader_user, "letter-001", 1)
    client.force_login(reader_user)
    html = client.get(NOTEBOOK).content.decode()
    assert f"#card-{black.pk}" in html
    assert f"#card-{letter.pk}" not in html
    assert 'aria-current="page">Part 2</a>' in html
    section = client.get(NOTEBOOK).context["sections"][1]
    assert f"#card-{letter.pk}" in client.get(section["url"]).content.decode()


def test_the_notebook_pages_through_a_part(client, reader_user, edition, monkeypatch):
    monkeypatch.setattr(views, "NOTES_PER_PAGE", 5)
    made = notes(reader_user, "black-001", 12)
    client.force_login(reader_user)
    seen, url, pages = [], NOTEBOOK, 0
    while url:
        response = client.get(url)
        listed = [a.pk for a in response.context["groups"][0]["annotations"]]
        assert len(listed) == (5 if pages < 2 else 2)
        html = response.content.decode()
        assert (
            f'aria-current="page"><span class="visually-hidden">Page </span>'
            f"{pages + 1}</a>" in html
        )
        seen += listed
        url, pages = response.context["next_url"], pages + 1
    assert pages == 3
    assert sorted(seen) == sorted(a.pk for a in made) and len(set(seen)) == 12


def test_paging_keeps_the_part_and_every_other_parameter(
    client, reader_user, edition, monkeypatch
):
    monkeypatch.setattr(views, "NOTES_PER_PAGE", 2)
    notes(reader_user, "opening-001", 1)
    notes(reader_user, "letter-001", 5)
    client.force_login(reader_user)
    letter = client.get(NOTEBOOK).context["sections"][1]["part"]
    response = client.get(NOTEBOOK, {"part": letter.pk, "page": 2, "q": "mask"})
    assert response.context["page"].number == 2
    assert query(response.context["next_url"]) == {
        "part": str(letter.pk),
        "page": "3",
        "q": "mask",
    }
    assert query(response.context["previous_url"])["part"] == str(letter.pk)
    numbered = [query(p["url"]) for p in response.context["pages"] if p["url"]]
    assert all(q["part"] == str(letter.pk) and q["q"] == "mask" for q in numbered)
    # Another part starts at its first page, with the other parameters kept.
    opening = query(response.context["sections"][0]["url"])
    assert "page" not in opening and opening["q"] == "mask"


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"page": "999"}, {"part": "zzz"}, {"part": "-1"}]
)
def test_nonsense_parameters_show_a_page_not_an_error(
    client, reader_user, edition, params
):
    notes(reader_user, "black-001", 3)
    client.force_login(reader_user)
    response = client.get(NOTEBOOK, params)
    assert response.status_code == 200
    assert len(response.context["groups"][0]["annotations"]) == 3


def test_a_note_shows_the_html_stored_when_it_was_written(client, reader_user, edition):
    (note,) = notes(reader_user, "black-001", 1)
    Annotation.objects.filter(pk=note.pk).update(
        body="plain *words*",
        body_html="<p>Stored <strong>copy</strong></p><script>alert(1)</script>",
    )
    client.force_login(reader_user)
    html = client.get(NOTEBOOK).content.decode()
    assert "<p>Stored <strong>copy</strong></p>" in html
    assert "<em>words</em>" not in html
    assert "alert(1)" not in html  # still cleaned on the way out


def test_nothing_of_others_that_is_not_shared_with_me_appears(
    client, reader_user, other_reader, edition
):
    (mine,) = notes(reader_user, "black-001", 1)
    notes(other_reader, "black-001", 1, visibility="private")
    Annotation.objects.filter(author=other_reader).update(body="Bob's secret")
    theirs = make_annotation(
        other_reader,
        Passage.objects.get(key="letter-001"),
        motivation="questioning",
        body="Bob asks",
        visibility="public",
    )
    reply_create(author=reader_user, parent=theirs, body="Alice answers")
    # Bob makes his thread private after Alice replied.
    Annotation.objects.filter(pk=theirs.pk).update(visibility="private")
    client.force_login(reader_user)
    first = client.get(NOTEBOOK)
    replies = first.context["replies_section"]
    assert replies["count"] == 1
    html = first.content.decode() + client.get(replies["url"]).content.decode()
    assert f"#card-{mine.pk}" in html and "Alice answers" in html
    assert "Bob&#x27;s secret" not in html and "Bob's secret" not in html
    assert "Bob asks" not in html
    assert f"#card-{theirs.pk}" not in html
    assert "To a note you can no longer see" in html


def test_the_notebook_costs_the_same_queries_for_1_note_and_60_in_2_parts(
    client, reader_user, other_reader, edition, django_assert_num_queries
):
    client.force_login(reader_user)
    notes(reader_user, "black-001", 1)
    client.get(NOTEBOOK)
    with CaptureQueriesContext(connection) as one:
        client.get(NOTEBOOK)
    many = notes(reader_user, "black-002", 39, visibility="public")
    many += notes(reader_user, "letter-001", 20, visibility="public")
    for note in many[::5]:
        reply_create(author=other_reader, parent=note, body="A reply")
    Annotation.objects.filter(pk__in=[n.pk for n in many[::7]]).update(
        anchor_state="orphaned"
    )
    with django_assert_num_queries(len(one)):
        response = client.get(NOTEBOOK)
    assert {s["count"] for s in response.context["sections"]} == {40, 20}
    assert len(response.context["groups"][0]["annotations"]) == 40
