"""A long part is laid out only near the window (content-visibility in
site.css, rows far away sized by a guess): a link to a passage far down, j/k
and the page's text still reach every passage, with smooth scrolling on as a
reader without reduced motion has it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

URL = "/read/study/black-notebook/"

# At the top of the window, where its scroll margin puts it, and staying there.
AT_TOP = """(key) => {
  const top = document.getElementById(key).getBoundingClientRect().top;
  return top >= 0 && top < 60;
}"""

# Resolves once the window has not moved for half a second.
STILL = """() => new Promise((resolve) => {
  let last = scrollY, since = performance.now();
  const look = () => {
    if (scrollY !== last) { last = scrollY; since = performance.now(); }
    if (performance.now() - since > 500) resolve(true);
    else requestAnimationFrame(look);
  };
  look();
})"""

KEYS = "Array.from(document.querySelectorAll('.passage'), (p) => p.id)"


@pytest.fixture
def moving_page(page):
    page.emulate_media(reduced_motion="no-preference")
    return page


def test_a_link_to_a_passage_far_down_lands_on_it(
    moving_page, live_server, live_edition
):
    page = moving_page
    page.goto(f"{live_server.url}{URL}")
    key = page.evaluate(KEYS)[-8]  # far down, and the page goes on below it
    assert not page.evaluate(AT_TOP, key)
    page.goto(f"{live_server.url}/read/study/")
    page.goto(f"{live_server.url}{URL}#{key}")
    page.evaluate(STILL)
    assert page.evaluate(AT_TOP, key)
    assert page.evaluate("document.querySelector('.passage:target').id") == key


def test_a_link_within_the_page_to_a_far_passage_lands_on_it(
    moving_page, live_server, live_edition
):
    page = moving_page
    page.goto(f"{live_server.url}{URL}")
    key = page.evaluate(KEYS)[-8]
    page.evaluate("(key) => { location.hash = key; }", key)
    page.evaluate(STILL)
    assert page.evaluate(AT_TOP, key)


def test_j_and_k_move_through_rows_never_laid_out(
    moving_page, live_server, live_edition
):
    page = moving_page
    page.goto(f"{live_server.url}{URL}")
    keys = page.evaluate(KEYS)
    page.goto(f"{live_server.url}/read/study/")
    page.goto(f"{live_server.url}{URL}#{keys[-8]}")
    page.evaluate(STILL)
    for expected in (keys[-9], keys[-10], keys[-11]):
        page.keyboard.press("k")
        current = "document.querySelector('.passage.is-current').id"
        assert page.evaluate(current) == expected
        page.evaluate(STILL)
        assert page.evaluate(AT_TOP, expected)
    page.keyboard.press("j")
    page.evaluate(STILL)
    assert page.evaluate(AT_TOP, keys[-10])


def test_a_far_passage_is_in_the_page_text(page, live_server, live_edition):
    # Rows not laid out still hold their words for find-in-page and screen
    # readers (content-visibility: auto, not hidden; innerText skips them).
    page.goto(f"{live_server.url}{URL}")
    key = page.evaluate(KEYS)[-1]
    words = page.evaluate(
        "(key) => document.querySelector(`#${key} .passage-text`)"
        ".textContent.trim().slice(0, 20)",
        key,
    )
    assert words
    # Found (and selected) as find-in-page finds it.
    assert page.evaluate("(w) => window.find(w)", words)
    assert page.evaluate("getSelection().toString()") == words
    snapshot = page.locator(f"#{key}").aria_snapshot()
    assert words.split()[0] in snapshot
