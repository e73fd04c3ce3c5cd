"""Reading pages: contents, part pages, permalinks, and who may do what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader.models import Audience, Edition, PassageRead
from tests.factories import make_edition, make_part, make_passages


def part_url(edition, slug):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


def test_home_lists_the_parts_with_kind_summary_count_and_time(client, edition):
    response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for part in edition.parts.all():
        assert part.get_absolute_url() in html
        assert part.summary in html
    assert "3 passages · 1 min" in html
    assert "Start reading" in html


def test_home_without_an_edition_explains_how_to_load_one(client, db):
    response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    assert "load_edition" in response.content.decode()


def test_home_prefers_the_configured_default_edition(client, db, settings):
    make_part(make_edition("alpha", title="Alpha"), 1)
    make_part(make_edition("study", title="Study"), 1)
    settings.THREE_NOTEBOOKS_DEFAULT_EDITION = "study"
    response = client.get(reverse("reader:home"))
    assert response.context["edition"].slug == "study"
    assert [e.slug for e in response.context["other_editions"]] == ["alpha"]


def test_unpublished_editions_are_not_readable(client, edition):
    Edition.objects.filter(pk=edition.pk).update(audience="curators")
    assert client.get(edition.get_absolute_url()).status_code == 404
    assert client.get(part_url(edition, "black")).status_code == 404


def test_part_page_shows_every_passage_with_its_key_as_id_and_citation(client, edition):
    response = client.get(part_url(edition, "black"))
    assert response.status_code == 200
    html = response.content.decode()
    for passage in edition.parts.get(slug="black").passages.all():
        assert f'id="{passage.key}"' in html
        assert passage.text in html
        assert f'href="#{passage.key}"' in html
    assert 'data-citation="Part 2, ¶3 (black-003)"' in html


def test_part_page_links_previous_and_next_parts(client, edition):
    response = client.get(part_url(edition, "black"))
    assert response.context["previous_part"].slug == "opening"
    assert response.context["next_part"].slug == "letter"
    html = response.content.decode()
    assert f'rel="prev" href="{part_url(edition, "opening")}"' in html
    assert f'rel="next" href="{part_url(edition, "letter")}"' in html


def test_the_last_part_leads_back_to_the_contents(client, edition):
    response = client.get(part_url(edition, "letter"))
    assert response.context["next_part"] is None
    assert "back to contents" in response.content.decode()


def test_parts_are_marked_with_their_kind(client, edition):
    html = client.get(part_url(edition, "letter")).content.decode()
    assert 'class="part kind-letter' in html


def test_an_unknown_part_is_404(client, edition):
    assert client.get(part_url(edition, "purple")).status_code == 404


def test_passage_permalink_redirects_to_its_place_in_the_part(client, edition):
    response = client.get(
        reverse("reader:passage", kwargs={"edition": "test", "key": "black-002"})
    )
    assert response.status_code == 302
    assert response["Location"] == part_url(edition, "black") + "#black-002"


def test_unknown_passage_permalink_is_404(client, edition):
    url = reverse("reader:passage", kwargs={"edition": "test", "key": "black-999"})
    assert client.get(url).status_code == 404


def passage_text_url(key: str, edition: str = "test") -> str:
    return reverse("reader:passage_text", kwargs={"edition": edition, "key": key})


def part_text_url(part: str, edition: str = "test") -> str:
    return reverse("reader:part_text", kwargs={"edition": edition, "part": part})


def test_a_passage_as_plain_text_is_exactly_its_text(client, edition, passage):
    passage.text = "A mask \U0001f3ad, a caf\u00e9 and \u201cquotes\u201d."
    passage.save()
    response = client.get(passage_text_url("black-001"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == passage.text.encode("utf-8")


def test_a_part_as_plain_text_is_its_passages_one_per_line(client, edition):
    texts = list(
        edition.parts.get(slug="black")
        .passages.order_by("order")
        .values_list("text", flat=True)
    )
    response = client.get(part_text_url("black"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode("utf-8") == "\n".join(texts)


@pytest.mark.parametrize(
    "url",
    [
        lambda: passage_text_url("black-999"),
        lambda: passage_text_url("black-001", edition="other"),
        lambda: part_text_url("purple"),
    ],
)
def test_plain_text_of_what_does_not_exist_is_404(client, edition, url):
    assert client.get(url()).status_code == 404


def test_plain_text_of_an_unpublished_edition_is_404(client, edition):
    Edition.objects.filter(pk=edition.pk).update(audience=Audience.CURATORS)
    assert client.get(passage_text_url("black-001")).status_code == 404
    assert client.get(part_text_url("black")).status_code == 404


def test_plain_text_is_read_only(client, edition):
    assert client.head(passage_text_url("black-001")).status_code == 200
    assert client.post(passage_text_url("black-001")).status_code == 405
    assert client.post(part_text_url("black")).status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_part_page_makes_the_same_number_of_queries_for_10_and_100_passages(
    client, db, django_assert_num_queries, reader_user, signed_in, settings
):
    # The page as it is built, not as the anonymous page cache serves it.
    settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = 0
    edition = make_edition("big")
    small, large = (
        make_part(edition, 1, slug="small"),
        make_part(edition, 2, slug="large"),
    )
    make_passages(small, 10)
    make_passages(large, 100)
    if signed_in:
        client.force_login(reader_user)
    client.get(part_url(edition, "small"))  # warm up sessions and caches
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(part_url(edition, "small")).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        response = client.get(part_url(edition, "large"))
    assert len(response.context["passages"]) == 100


def test_contents_makes_one_query_for_all_part_statistics(
    client, edition, reader_user, django_assert_max_num_queries
):
    client.force_login(reader_user)
    # session, user, preferences, editions, parts with stats, last read
    with django_assert_max_num_queries(6):
        client.get(reverse("reader:home"))


# --- Progress ---------------------------------------------------------------


def progress(client, edition, body, **extra):
    return client.post(
        reverse("reader:progress", kwargs={"edition": edition.slug}),
        data=body,
        content_type="application/json",
        **extra,
    )


def test_anonymous_readers_cannot_record_progress(client, edition):
    response = progress(client, edition, {"keys": ["black-001"]})
    assert response.status_code == 403
    assert PassageRead.objects.count() == 0


def test_a_reader_records_the_passages_seen(client, edition, reader_user):
    client.force_login(reader_user)
    response = progress(
        client, edition, {"keys": ["black-001", "black-002", "black-001"]}
    )
    assert response.status_code == 200
    assert response.json() == {"recorded": 2}
    assert set(
        PassageRead.objects.filter(user=reader_user).values_list(
            "passage__key", flat=True
        )
    ) == {"black-001", "black-002"}


def test_seeing_a_passage_again_keeps_the_first_time(client, edition, reader_user):
    client.force_login(reader_user)
    progress(client, edition, {"keys": ["black-001"]})
    first = PassageRead.objects.get()
    progress(client, edition, {"keys": ["black-001"]})
    again = PassageRead.objects.get()
    assert again.first_seen == first.first_seen
    assert again.last_seen >= first.last_seen


def test_a_batch_with_an_unknown_key_records_nothing(client, edition, reader_user):
    client.force_login(reader_user)
    response = progress(client, edition, {"keys": ["black-001", "white-404"]})
    assert response.status_code == 400
    assert "white-404" in response.json()["error"]
    assert PassageRead.objects.count() == 0


@pytest.mark.parametrize(
    "body", ['{"keys": "black-001"}', "[1, 2]", "not json", '{"keys": [1]}']
)
def test_malformed_progress_is_refused_with_a_message(
    client, edition, reader_user, body
):
    client.force_login(reader_user)
    response = client.post(
        reverse("reader:progress", kwargs={"edition": "test"}),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]


def test_keys_of_another_edition_are_unknown_here(client, edition, reader_user):
    other = make_edition("other")
    make_passages(make_part(other, 1, slug="x"), 1, prefix="x")
    client.force_login(reader_user)
    assert progress(client, edition, {"keys": ["x-001"]}).status_code == 400


def test_progress_needs_a_csrf_token(edition, reader_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    assert progress(client, edition, {"keys": ["black-001"]}).status_code == 403


def test_progress_only_accepts_post(client, edition, reader_user):
    client.force_login(reader_user)
    url = reverse("reader:progress", kwargs={"edition": "test"})
    assert client.get(url).status_code == 405


def test_contents_shows_progress_and_continue_reading(client, edition, reader_user):
    client.force_login(reader_user)
    progress(client, edition, {"keys": ["black-001", "black-002"]})
    html = client.get(reverse("reader:home")).content.decode()
    assert "read 2 of 3" in html
    assert "Continue reading: Part 2 (black-002)" in html
    assert part_url(edition, "black") + "#black-002" in html


def test_progress_of_one_reader_is_not_shown_to_another(
    client, edition, reader_user, other_reader
):
    client.force_login(reader_user)
    progress(client, edition, {"keys": ["black-001"]})
    client.force_login(other_reader)
    response = client.get(reverse("reader:home"))
    assert response.context["continue_passage"] is None
    html = response.content.decode()
    assert "Continue reading: Part" not in html
    assert "read 0 of 3" in html


def test_part_page_marks_passages_already_read(client, edition, reader_user):
    client.force_login(reader_user)
    progress(client, edition, {"keys": ["black-002"]})
    response = client.get(part_url(edition, "black"))
    assert response.context["read_keys"] == {"black-002"}
    assert "You have read 1 of 3 passages" in response.content.decode()


def test_a_missing_page_uses_the_sites_own_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Back to the contents" in response.content.decode()


def test_part_navigation_keeps_the_readers_context(client, edition):
    url = part_url(edition, "black") + "?trace=masks&assignment=3&utm=x"
    response = client.get(url)
    assert response.context["carried_query"] == "assignment=3&trace=masks"
    html = response.content.decode()
    assert (
        f'rel="next" href="{part_url(edition, "letter")}?assignment=3&amp;trace=masks"'
        in html
    )
