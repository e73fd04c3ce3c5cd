"""The search page (/search/) and the header's box: who sees what, what a
result links to, and answers to bad input in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations.models import Annotation
from tests.factories import make_annotation, make_user

from .conftest import passage

URL = reverse("search:search")


def hits(response, kind: str) -> list:
    return list(response.context["results"].__getattribute__(kind).hits)


def test_an_empty_page_offers_the_box_and_no_results(client, book):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert "results" not in response.context


def test_the_header_has_a_search_box_on_every_page(client, book):
    html = client.get(reverse("reader:home")).content.decode()
    assert f'action="{URL}"' in html
    assert 'aria-keyshortcuts="/"' in html


def test_passages_are_found_with_their_hit_words_marked_and_linked_to_the_reader(
    client, book
):
    response = client.get(URL, {"q": "masks"})
    assert response.status_code == 200
    found = hits(response, "passages")
    assert found[0].passage.key == "white-002"
    html = response.content.decode()
    assert "<mark>masks</mark>" in html or "<mark>mask</mark>" in html
    # The result opens the passage in the reader, with the words to mark.
    part_url = found[0].passage.part.get_absolute_url()
    assert f'href="{part_url}?find=masks#white-002"' in html
    assert "White Notebook, ¶2" in html


def test_a_passage_key_or_citation_opens_the_passage(client, book):
    part_url = passage("white-002").part.get_absolute_url()
    for typed in ("white-002", "White Notebook ¶2", "white notebook, ¶ 2"):
        response = client.get(URL, {"q": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"{part_url}#white-002"


def test_a_key_with_a_filter_is_searched_as_words(client, book):
    response = client.get(URL, {"q": "white-002", "show": "passages"})
    assert response.status_code == 200


def test_notes_show_only_what_the_reader_may_see(client, classes):
    ann, ben, cat = classes["ann"], classes["ben"], classes["cat"]
    shared = make_annotation(
        ann,
        passage("white-001"),
        motivation="commenting",
        body="A lantern by the clocks.",
        visibility="course",
        course=classes["first"],
    )
    private = make_annotation(
        ann, passage("white-001"), motivation="commenting", body="My lantern, private."
    )
    client.force_login(ben)
    seen = {a.pk for a in hits(client.get(URL, {"q": "lantern"}), "annotations")}
    assert seen == {shared.pk}
    client.force_login(cat)
    for params in ({}, {"whose": "class"}, {"course": classes["first"].pk}):
        response = client.get(URL, {"q": "lantern", **params})
        if response.status_code == 200:
            assert hits(response, "annotations") == []
        else:  # a class that is not hers is not a choice
            assert response.status_code == 400
    client.force_login(ann)
    seen = {
        a.pk
        for a in hits(client.get(URL, {"q": "lantern", "whose": "me"}), "annotations")
    }
    assert seen == {shared.pk, private.pk}
    client.logout()
    assert hits(client.get(URL, {"q": "lantern"}), "annotations") == []
    assert Annotation.objects.count() == 2


def test_a_note_result_opens_its_card_in_the_reader(client, book):
    reader = make_user("reader1")
    note = make_annotation(
        reader, passage("white-003"), motivation="commenting", body="A gull's lantern."
    )
    client.force_login(reader)
    html = client.get(URL, {"q": "lantern"}).content.decode()
    part_url = passage("white-003").part.get_absolute_url()
    assert f'href="{part_url}?note={note.pk}&amp;at=white-003#card-{note.pk}"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "mask", "part": "no-such-part"},
        {"q": "mask", "motif": "no-such-motif"},
        {"q": "mask", "whose": "the-world"},
        {"q": "mask", "kind": "shouting"},
        {"q": "mask", "since": "yesterday"},
        {"q": "mask", "since": "2026-05-02", "until": "2026-05-01"},
        {"q": "mask", "page": "-3"},
        {"q": "mask", "show": "everything-else"},
        {"q": "mask", "course": "12x"},
    ],
)
def test_bad_filters_are_named_with_a_400(client, classes, params):
    client.force_login(classes["ann"])  # a student: every filter is offered
    response = client.get(URL, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"unbalanced',
        "mask*",
        "NEAR(mask face)",
        "-",
        "a OR b AND NOT c",
        "x" * 5000,
    ],
)
def test_search_syntax_never_fails(client, book, typed):
    response = client.get(URL, {"q": typed})
    assert response.status_code == 200


def test_a_long_search_is_cut_with_a_message(client, book):
    response = client.get(URL, {"q": "mask " * 100})
    assert response.status_code == 200
    assert "Only the first 200 characters were searched." in response.content.decode()


def test_one_kind_is_paged(client, book):
    response = client.get(URL, {"q": "the", "show": "passages"})
    results = response.context["results"].passages
    assert results.count >= 4
    assert len(results.hits) == results.count  # 20 a page: all here
    preview = client.get(URL, {"q": "the"})
    assert len(preview.context["results"].passages.hits) <= 5


def test_the_page_reads_a_constant_number_of_queries(
    client, book, django_assert_max_num_queries
):
    reader = make_user("reader2")
    for n in range(30):
        make_annotation(
            reader, passage("white-003"), motivation="commenting", body=f"Lantern {n}."
        )
    client.force_login(reader)
    client.get(URL, {"q": "lantern"})
    with django_assert_max_num_queries(20):
        response = client.get(URL, {"q": "lantern"})
    assert response.status_code == 200


def test_my_notebook_searches_my_own_notes(client, book):
    reader = make_user("reader3")
    mine = make_annotation(
        reader, passage("white-001"), motivation="commenting", body="My lantern."
    )
    other = make_user("other3")
    make_annotation(
        other,
        passage("white-001"),
        motivation="commenting",
        body="Their lantern.",
        visibility="public",
    )
    client.force_login(reader)
    html = client.get(reverse("annotations:notebook")).content.decode()
    form = html[html.index('class="search-form scoped-search"') :]
    form = form[: form.index("</form>")]
    assert (
        'name="whose" value="me"' in form and 'name="show" value="annotations"' in form
    )
    found = client.get(URL, {"q": "lantern", "whose": "me", "show": "annotations"})
    assert [a.pk for a in hits(found, "annotations")] == [mine.pk]
