"""Reading the book in a real browser, as a reader would."""

from __future__ import annotations

import re

import pytest

from reader.models import PassageRead
from tests.e2e.browsing import wait_until
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_a_reader_goes_from_the_contents_to_the_letter_and_changes_the_theme(
    page, live_server, live_edition
):
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == live_edition.title

    page.get_by_role("link", name=re.compile("The Black Notebook")).click()
    page.wait_for_url("**/read/study/black-notebook/")
    assert page.locator("#black-001 .passage-text").is_visible()

    # Next-part navigation: White, Gray, the final notes, then the letter.
    for expected in ["white-notebook", "gray-notebook", "final-notes", "wifes-letter"]:
        page.locator("a[rel=next]").click()
        page.wait_for_url(f"**/read/study/{expected}/")
    assert (
        page.locator("article.part")
        .get_attribute("class")
        .startswith("part kind-letter")
    )
    assert page.locator("h1").inner_text().lower() == "my wife’s letter"

    page.get_by_role("link", name="Reading settings").click()
    page.get_by_label("Dark").check()
    wait_until(page, "document.documentElement.dataset.theme === 'dark'")
    page.get_by_role("button", name="Save settings").click()  # and back to the page
    page.wait_for_url("**/read/study/wifes-letter/")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 20, 20)"


def test_j_and_k_move_between_passages(page, live_server, live_edition):
    page.goto(f"{live_server.url}/read/study/black-notebook/")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "black-001"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "black-003"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == "black-002"
    assert page.url.endswith("#black-002")


def test_a_signed_in_readers_progress_is_kept_and_continue_reading_returns(
    page, live_server, live_edition
):
    make_user("reader")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/read/study/white-notebook/#white-004")
    page.wait_for_timeout(1500)  # on screen for a second counts as seen
    page.evaluate("window.dispatchEvent(new Event('pagehide'))")  # flush now
    keys: set[str] = set()
    for _ in range(50):
        keys = set(PassageRead.objects.values_list("passage__key", flat=True))
        if keys:
            break
        page.wait_for_timeout(100)
    assert "white-004" in keys

    page.goto(live_server.url)
    link = page.get_by_role("link", name=re.compile("Continue reading"))
    assert "White Notebook" in link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/read/study/white-notebook/#white-0\d\d$"))


def test_an_anonymous_reader_keeps_their_place_in_the_browser(
    page, live_server, live_edition
):
    page.goto(f"{live_server.url}/read/study/gray-notebook/#gray-010")
    page.wait_for_timeout(1500)
    page.goto(live_server.url)
    link = page.get_by_role("link", name=re.compile("Continue reading"))
    assert "Gray Notebook" in link.inner_text()
    assert PassageRead.objects.count() == 0


def test_the_book_reads_on_a_phone_without_sideways_scrolling(
    phone_page, live_server, live_edition
):
    for path in ["/", "/read/study/black-notebook/", "/read/study/wifes-letter/"]:
        phone_page.goto(f"{live_server.url}{path}")
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
