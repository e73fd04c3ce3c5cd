"""Searching as a reader would: `/` to the header's box, a search, a filter,
and a result opened in the reader with its words marked or its note's card
open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Passage
from tests.e2e.browsing import log_in, wait_until
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e

PAINTED = "() => CSS.highlights.get('search-hit')?.size ?? 0"


def test_search_filter_and_open_a_passage_with_its_words_marked(
    live_atlas, live_server, page
):
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")
    page.keyboard.press("/")
    box = page.locator("#site-search")
    expect(box).to_be_focused()
    box.fill("masks")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=masks"))
    passages = page.locator("#found-passages + ol .search-hit")
    expect(passages.first).to_be_visible()
    assert page.locator("#found-passages + ol mark").count() > 0

    # Narrow to the White Notebook's passages.
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Show").select_option("passages")
    page.get_by_label("Part").select_option("white-notebook")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_url(re.compile(r"part=white-notebook"))
    keys = page.locator(".search-hit .passage-key").all_inner_texts()
    assert keys and all(key.startswith("white-") for key in keys)

    # The first result opens in the reader, its words painted.
    first = keys[0]
    page.locator(".search-hit .hit-title").first.click()
    page.wait_for_url(re.compile(rf"find=masks#{first}$"))
    wait_until(page, PAINTED)
    painted = page.evaluate(
        """() => [...CSS.highlights.get('search-hit')].map((r) => r.toString())"""
    )
    assert painted and all(word.lower().startswith("mask") for word in painted)
    assert page.evaluate(f"document.querySelector('#{first}').matches(':target')")


def test_a_citation_opens_its_passage(live_atlas, live_server, page):
    page.goto(f"{live_server.url}/search/?q=White+Notebook+%C2%B67")
    page.wait_for_url(re.compile(r"/read/.+/white-notebook/#white-\d+$"))
    target = page.evaluate("location.hash.slice(1)")
    expected = (
        Passage.objects.filter(edition=live_atlas, part__slug="white-notebook")
        .in_reading_order()[6]
        .key
    )
    assert target == expected


def test_a_note_found_opens_with_its_card(live_atlas, live_server, page):
    reader = make_user("reader1")
    passage = Passage.objects.get(edition=live_atlas, key="black-004")
    note = make_annotation(
        reader,
        passage,
        0,
        12,
        motivation="commenting",
        body="The lantern of his bandages, as I read it.",
    )
    log_in(page, live_server.url, "reader1")
    page.goto(f"{live_server.url}/motifs/")
    page.keyboard.press("/")
    page.keyboard.type("lantern")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/"))
    page.locator("#found-annotations + ol .hit-title").first.click()
    wait_until(page, f"document.activeElement.id === 'card-{note.pk}'")
    assert page.evaluate(
        f"document.getElementById('card-{note.pk}').classList.contains('is-active')"
    )


def test_the_header_box_fits_a_phone(live_edition, live_server, phone_page):
    phone_page.goto(f"{live_server.url}/")
    box = phone_page.locator("#site-search").bounding_box()
    assert box["height"] < 48 and box["y"] < 120
    assert phone_page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
