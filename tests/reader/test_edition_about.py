"""The "About this edition" page: what the bundled text is, and how a school
reads its licensed text instead (issue #15)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_edition, make_part, make_passages


def about_url(edition) -> str:
    return reverse("reader:edition_about", kwargs={"edition": edition.slug})


@pytest.fixture
def bundled(db):
    """An edition with the bundled study edition's slug (content/study-edition)."""
    edition = make_edition(
        "study", title="A Study Edition", rights_note="Our own **retelling**."
    )
    for order, (slug, kind) in enumerate(
        [("opening", "frame"), ("black", "notebook"), ("letter", "letter")], start=1
    ):
        make_passages(make_part(edition, order, slug=slug, kind=kind), 2)
    return edition


def test_an_anonymous_visitor_reads_the_about_page_with_the_rights_note(bundled):
    response = Client().get(about_url(bundled))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>retelling</strong>" in html
    assert bundled.title in html


def test_the_bundled_edition_says_it_is_a_retelling_and_where_it_departs(bundled):
    html = Client().get(about_url(bundled)).content.decode()
    assert "copyright" in html
    assert "plot summary" in html
    # The notes could not confirm the final notes' real heading.
    assert "On the Blank Pages" in html
    for part in bundled.parts.all():
        assert part.get_absolute_url() in html


def test_the_about_page_explains_how_a_school_imports_its_licensed_text(bundled):
    html = Client().get(about_url(bundled)).content.decode()
    assert "import_edition" in html
    assert "Import an edition" in html
    assert "unpublished" in html.lower()


def test_the_about_page_of_an_edition_the_visitor_may_not_read_is_not_found(
    licensed,
):
    assert (
        licensed.client("anonymous").get(about_url(licensed.edition)).status_code == 404
    )
    assert (
        licensed.client("stranger").get(about_url(licensed.edition)).status_code == 404
    )
    response = licensed.client("student").get(about_url(licensed.edition))
    assert response.status_code == 200


def test_a_licensed_edition_is_not_described_as_the_retelling(licensed):
    html = licensed.client("student").get(about_url(licensed.edition)).content.decode()
    assert licensed.edition.title in html
    assert "plot summary" not in html
    assert "import_edition" in html


def test_the_contents_page_links_to_the_about_page(client, edition):
    html = client.get(edition.get_absolute_url()).content.decode()
    assert f'href="{about_url(edition)}"' in html


def test_the_footer_links_to_the_bundled_editions_about_page(client, edition):
    # The footer names the bundled study edition, whichever page it is on.
    for url in (reverse("reader:home"), reverse("themes:index")):
        html = client.get(url).content.decode()
        footer = html.split('<footer class="site-footer">', 1)[1]
        expected = reverse("reader:edition_about", kwargs={"edition": "study"})
        assert f'href="{expected}"' in footer, url


def test_the_about_page_costs_the_same_queries_for_more_parts(
    bundled, settings, django_assert_max_num_queries
):
    # The anonymous page cache off, so every request is really rendered.
    settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = 0
    client = Client()
    with django_assert_max_num_queries(2):  # the edition, its parts
        assert client.get(about_url(bundled)).status_code == 200
    for order in range(4, 9):
        make_passages(make_part(bundled, order, slug=f"extra-{order}"), 1)
    with django_assert_max_num_queries(2):
        html = client.get(about_url(bundled)).content.decode()
    assert "extra-8" in html
