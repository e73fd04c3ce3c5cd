"""A note covers the words the reader sees selected, wherever the drag began.

A drag on the part page may start or end outside the text: on the part's
heading, the meta row, the motif chips, a note's card, or the gap between two
passages. Whatever the mouse did, the stored quote must be the text the
browser shows as selected, never more.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.e2e.browsing import log_in
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e

FIRST, THIRD = "black-001", "black-003"  # both have motif chips and a card

# Where each kind of point is, in viewport coordinates, for a passage key:
# somewhere with no link under it (pressing a link starts dragging the link).
POINT = """([kind, key]) => {
  const passage = document.getElementById(key);
  const box = (el) => el.getBoundingClientRect();
  if (kind === "heading") {
    const h = box(document.querySelector("#part-title"));
    return [h.left + 12, h.top + h.height / 2];
  }
  if (kind === "text") {
    // The middle character of the passage's text.
    const text = passage.querySelector(".passage-text");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    let middle = Math.floor(text.textContent.length / 2);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (middle < node.data.length) {
        const range = document.createRange();
        range.setStart(node, middle);
        range.setEnd(node, middle + 1);
        const r = range.getClientRects()[0];
        return [r.left + r.width / 2, r.top + r.height / 2];
      }
      middle -= node.data.length;
    }
  }
  // Beside the last item of a row, or else in the gap after its first: never
  // on a link (pressing a link and moving drags the link, selecting nothing).
  const besideItems = (row) => {
    const items = Array.from(row.children).map(box).filter((r) => r.width > 0);
    const last = items[items.length - 1];
    if (box(row).right - last.right > 16) {
      return [last.right + 8, last.top + last.height / 2];
    }
    const first = items[0];
    return [first.right + 2, first.top + first.height / 2];
  };
  if (kind === "chip") return besideItems(passage.querySelector(".motif-chips"));
  if (kind === "meta") return besideItems(passage.querySelector(".meta-line"));
  if (kind === "card") {
    const r = box(document.querySelector(`#notes-${key} .card-body`));
    return [r.left + 6, r.top + r.height / 2];
  }
  if (kind === "gap") {
    // Below the passage, before the next one begins.
    const r = box(passage);
    return [r.left + 20, r.bottom + 8];
  }
  throw new Error(kind);
}"""

# After the mouse is released the page's handlers run on a zero timeout.
SETTLED = "() => new Promise((done) => setTimeout(() => setTimeout(done, 0), 0))"
SELECTED = "() => getSelection().toString()"

KINDS = ["text", "chip", "meta", "card", "gap", "heading"]

# (from, to): from a point near the first passage to one near the third, from
# every kind to every kind, and back up to the heading; then within the first
# passage, out of its text and back into it.
DRAGS = [((a, FIRST), (b, THIRD)) for a in KINDS for b in KINDS if b != "heading"]
DRAGS += [((b, THIRD), ("heading", FIRST)) for b in KINDS if b != "heading"]
DRAGS += [(("text", FIRST), (b, FIRST)) for b in KINDS if b != "text"]
DRAGS += [((a, FIRST), ("text", FIRST)) for a in KINDS if a != "text"]
# Drags with none of the passages' text in them (some select chips or a
# card's words, which may be copied): nothing to annotate.
EMPTY = [
    (("meta", FIRST), ("chip", FIRST)),
    (("chip", FIRST), ("card", FIRST)),
    (("card", FIRST), ("gap", FIRST)),
    (("chip", FIRST), ("gap", FIRST)),
]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def tall_page(browser):
    # Tall enough for the heading and the first three passages at once: a
    # drag stays on screen.
    context = browser.new_context(viewport={"width": 1280, "height": 2600})
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Reading progress is posted as pages unload; not what this test is about.
    page.route(re.compile(r"/progress/$"), lambda route: route.fulfill(status=204))
    yield page
    context.close()


def drag(page, base, start, end):
    page.goto(f"{base}/read/study/black-notebook/")
    page.wait_for_load_state("load")
    # Whole pixels: Chromium would not extend a selection begun at a
    # fractional point (it moved a caret instead).
    x1, y1 = (round(v) for v in page.evaluate(POINT, list(start)))
    x2, y2 = (round(v) for v in page.evaluate(POINT, list(end)))
    page.mouse.move(x1, y1)
    # A reader presses where they see the page under the pointer: a meta
    # line pointed at has opened over the page (site.css), so the point is
    # found again on what is now shown.
    x1, y1 = (round(v) for v in page.evaluate(POINT, list(start)))
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=12)
    page.mouse.up()
    page.evaluate(SETTLED)


def test_a_drag_from_or_to_anywhere_annotates_exactly_the_selected_words(
    tall_page, live_server, live_atlas
):
    page, base = tall_page, live_server.url
    reader = make_user("reader")
    other = make_user("other")
    for key in (FIRST, THIRD):
        passage = live_atlas.passages.get(key=key)
        assert passage.motif_occurrences.exists(), f"{key} needs motif chips"
        make_annotation(
            other,
            passage,
            0,
            5,
            motivation="commenting",
            body="A card to drag from.",
            visibility="public",
        )
    log_in(page, base, "reader")
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    status = page.locator("[data-annotate-status]")

    failures, unselected = [], []
    for start, end in DRAGS:
        drag(page, base, start, end)
        selected = words(page.evaluate(SELECTED))
        if not selected and start[0] == "chip":
            # Pointed at, the meta line opens over the page (site.css): a press
            # in the empty space beside its chips starts no selection in
            # chromium, as in any panel laid over a page. Nothing to annotate.
            assert toolbar.is_hidden()
            unselected.append((start, end))
            continue
        assert selected, f"{start} → {end} selected nothing"
        toolbar.get_by_role("button", name="Highlight h").click()
        expect(status).to_have_text("Highlighted.")
        stored = Annotation.objects.get(author=reader)
        if words(stored.exact) != selected:
            failures.append((start, end, selected[:80], words(stored.exact)[:80]))
        stored.delete()
    assert failures == []
    # Every other drag from the chips, and every drag from elsewhere, selected.
    assert len(unselected) < len([d for d in DRAGS if d[0][0] == "chip"])

    for start, end in EMPTY:
        drag(page, base, start, end)
        assert toolbar.is_hidden()
        page.keyboard.press("h")
        expect(status).to_have_text("Select some words first.")
        assert not Annotation.objects.filter(author=reader).exists()
