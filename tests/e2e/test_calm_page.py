"""A calmer reading page: the text first. Each passage's meta row and motif
chips are one quiet line until the reader points at it, moves focus into
it or makes the passage the current one; cards sit in a margin column that
does not push the text apart (beneath the passage on narrow screens); print
shows the text and its keys, no screen controls."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reader.models import Passage
from tests.e2e.browsing import log_in, wait_until
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e

LONG_NOTE = "The scars are described as if they were alive. " * 12


@pytest.fixture
def annotated(live_atlas):
    """The reader's four long notes on the Black Notebook's third passage,
    which names three motifs; the passages around it have no notes."""
    reader = make_user("reader1")
    passage = Passage.objects.get(edition=live_atlas, key="black-003")
    for start in (0, 20, 40, 60):
        make_annotation(
            reader,
            passage,
            start,
            start + 12,
            motivation="commenting",
            body=LONG_NOTE,
        )
    return live_atlas


def part_url(live_server, edition, hash_=""):
    path = reverse("reader:part", args=[edition.slug, "black-notebook"])
    return f"{live_server.url}{path}{hash_}"


LINE = """(key) => {
  const meta = document.querySelector(`#${key} .passage-meta`);
  const box = (el) => el.getBoundingClientRect();
  const shown = (el) => !!el && box(el).width > 2 && box(el).height > 2;
  const chip = meta.querySelector(".motif-chip");
  const next = meta.closest(".passage-row").nextElementSibling;
  return {
    height: box(meta).height,
    opened: box(meta.querySelector(".meta-line")).height,
    nextTop: next && box(next).top,
    lineHeight: parseFloat(getComputedStyle(meta).fontSize) * 1.5,
    copy: shown(meta.querySelector(".copy-citation:not([hidden])")),
    propose: shown(meta.querySelector(".propose-link")),
    trace: shown(meta.querySelector(".trace-link")),
    chipBorder: parseFloat(getComputedStyle(chip).borderTopWidth),
    chips: meta.querySelectorAll(".motif-chip").length,
  };
}"""


def test_a_passages_meta_and_chips_are_one_quiet_line_until_pointed_at(
    annotated, live_server, page
):
    log_in(page, live_server.url, "reader1")
    page.goto(part_url(live_server, annotated))
    wait_until(page, "() => !document.querySelector('.meta-more[hidden]')")
    page.locator("#black-003").scroll_into_view_if_needed()
    closed = page.evaluate(LINE, "black-003")
    assert closed["chips"] >= 2
    assert closed["height"] <= closed["lineHeight"] + 2, closed
    assert not closed["propose"] and not closed["trace"], closed
    assert closed["chipBorder"] == 0
    # Every motif's name is still in the line, for screen readers and find.
    names = page.locator("#black-003 .motif-chip").all_inner_texts()
    assert all(names)

    # Pointed at, it opens over the page: the line and the next passage stay
    # where they were.
    page.hover("#black-003 .permalink")
    opened = page.evaluate(LINE, "black-003")
    assert opened["propose"] and opened["trace"], opened
    assert opened["chipBorder"] >= 1
    assert opened["opened"] > closed["height"] * 1.5
    assert opened["height"] == closed["height"]
    assert opened["nextTop"] == closed["nextTop"]
    on_top = page.evaluate(
        """() => {
          const chip = document.querySelector('#black-003 li:last-child .motif-chip');
          const r = chip.getBoundingClientRect();
          const hit = document.elementFromPoint(
            r.left + r.width / 2, r.top + r.height / 2);
          return chip.contains(hit);
        }"""
    )
    assert on_top  # painted over the next passage, not under it

    # The passage made current (j and k, or a link) keeps its line open.
    page.mouse.move(5, 5)
    page.goto(part_url(live_server, annotated, "#black-003"))
    page.mouse.move(5, 5)
    assert page.evaluate(LINE, "black-003")["propose"]
    assert not page.evaluate(LINE, "black-004")["propose"]


def test_tab_into_a_closed_line_opens_it(annotated, live_server, page):
    log_in(page, live_server.url, "reader1")
    page.goto(part_url(live_server, annotated))
    page.locator("#black-003 .permalink").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
          const el = document.activeElement, r = el.getBoundingClientRect();
          return {inLine: !!el.closest('#black-003 .passage-meta'),
                  width: r.width, height: r.height};
        }"""
    )
    assert focused["inLine"] and focused["width"] > 10 and focused["height"] > 8
    assert page.evaluate(LINE, "black-003")["propose"]


def test_on_a_touch_screen_the_ellipsis_opens_and_closes_the_line(
    annotated, live_server, phone_page
):
    page = phone_page
    page.goto(part_url(live_server, annotated))
    button = page.locator("#black-004 .meta-more")
    wait_until(page, "() => !document.querySelector('#black-004 .meta-more[hidden]')")
    before = page.evaluate(LINE, "black-004")
    button.tap()
    opened = page.evaluate(LINE, "black-004")
    assert opened["trace"] and opened["height"] > before["height"]
    button.tap()
    page.tap("h1")
    assert not page.evaluate(LINE, "black-004")["trace"]


TEXT_GAPS = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  const top = (key) => box(`#${key} .passage-text`).top;
  const bottom = (key) => box(`#${key} .passage-meta`).bottom;
  const notes = box("#notes-black-003");
  const page = document.documentElement;
  return {
    plain: top("black-003") - bottom("black-002"),
    annotated: top("black-004") - bottom("black-003"),
    notesTop: notes.top, notesLeft: notes.left, notesHeight: notes.height,
    notesScroll: document.querySelector("#notes-black-003").scrollHeight,
    textTop: top("black-003"),
    textRight: box("#black-003 .passage-text").right,
    textBottom: bottom("black-003"),
    sideways: page.scrollWidth > page.clientWidth,
  };
}"""


def test_cards_in_the_margin_do_not_push_the_text_apart(annotated, live_server, page):
    log_in(page, live_server.url, "reader1")
    page.goto(part_url(live_server, annotated))
    page.locator("#black-004").scroll_into_view_if_needed()
    gaps = page.evaluate(TEXT_GAPS)
    # The four long cards sit beside their passage, in a column that scrolls,
    # and the next passage follows as it follows a passage without notes.
    assert gaps["notesLeft"] > gaps["textRight"]
    assert abs(gaps["notesTop"] - gaps["textTop"]) < 24
    assert gaps["notesScroll"] > gaps["notesHeight"] * 1.5, gaps
    assert abs(gaps["annotated"] - gaps["plain"]) < 4, gaps

    # A mark opens its card, scrolled into view inside the column (the last
    # card starts below the column's fold).
    page.evaluate(
        """() => {
          const cards = document.querySelectorAll('#notes-black-003 article.card');
          const pk = cards[cards.length - 1].dataset.annotation;
          const note = document.querySelector(`.mark-notes [data-card="${pk}"]`);
          document.querySelector(`mark[aria-describedby~="${note.id}"]`).click();
        }"""
    )
    wait_until(page, "() => document.activeElement.classList.contains('card')")
    inside = page.evaluate(
        """() => {
          const card = document.activeElement.getBoundingClientRect();
          const column = document.querySelector('#notes-black-003')
            .getBoundingClientRect();
          return card.top >= column.top - 1 && card.top < column.bottom;
        }"""
    )
    assert inside


def test_on_a_narrow_screen_cards_come_beneath_their_passage(
    annotated, live_server, page
):
    page.set_viewport_size({"width": 700, "height": 900})
    log_in(page, live_server.url, "reader1")
    page.goto(part_url(live_server, annotated))
    gaps = page.evaluate(TEXT_GAPS)
    assert gaps["notesTop"] >= gaps["textBottom"] - 1
    assert gaps["notesScroll"] <= gaps["notesHeight"] + 1  # whole, not a scroller
    assert not gaps["sideways"]


PRINTED_CONTROLS = """() => {
  const controls = 'button, input, select, textarea, summary, dialog,'
    + ' [role=toolbar], .site-header, .site-footer, .part-nav, .motif-chips,'
    + ' .trace-link, .propose-link, .note-count, .more-notes, .meta-more,'
    + ' .skip-link, .keys-hint, .part-progress';
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
  };
  return {
    controls: [...document.querySelectorAll(controls)].filter(shown)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    texts: [...document.querySelectorAll('.passage-text')].filter(shown).length,
    keys: [...document.querySelectorAll('.passage-key')].filter(shown).length,
    passages: document.querySelectorAll('.passage').length,
  };
}"""


def test_print_shows_the_text_and_its_keys_and_no_screen_controls(
    annotated, live_server, page
):
    log_in(page, live_server.url, "reader1")
    page.goto(part_url(live_server, annotated))
    page.emulate_media(media="print")
    printed = page.evaluate(PRINTED_CONTROLS)
    assert printed["controls"] == []
    assert printed["texts"] == printed["passages"] > 10
    assert printed["keys"] == printed["passages"]
