"""After a highlight, a note, a reply or a delete the page changes in place:
only the passages involved are fetched again, the page is not reloaded, and
focus moves to what changed."""

from __future__ import annotations

import pytest

from annotations.models import Annotation
from tests.e2e.browsing import log_in, wait_until
from tests.factories import make_user

pytestmark = pytest.mark.e2e

URL = "/read/study/black-notebook/"

# Select characters [from, to) of a passage's text as a drag would (offsets:
# the test names no words of the book).
SELECT_OFFSETS = """([key, from, to]) => {
  const p = document.querySelector(`#${key} .passage-text`);
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node, seen = 0, started = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!started && from < seen + len) {
      range.setStart(node, from - seen);
      started = true;
    }
    if (started && to <= seen + len) { range.setEnd(node, to - seen); break; }
    seen += len;
  }
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  document.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
}"""

STATUS = "document.querySelector('[data-annotate-status]').textContent"
ALERT = "document.querySelector('[data-annotate-alert]').textContent"


@pytest.fixture
def reader_page(page, live_server, live_edition):
    make_user("kobo")
    log_in(page, live_server.url, "kobo")
    page.goto(f"{live_server.url}{URL}")
    page.wait_for_load_state("load")
    # Gone if the page reloads.
    page.evaluate("window.__marker = 'still here'")
    return page


def marks_in(page, key):
    return page.locator(f"#{key} .passage-text mark").count()


def highlight(page, key, start, end):
    page.locator(f"#{key}").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, [key, start, end])
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()
    wait_until(page, f"{STATUS} === 'Highlighted.'")


def write_note_across_two_passages(page):
    """Select from black-003 into black-004 and save a note on it."""
    page.locator("#black-004").scroll_into_view_if_needed()
    page.evaluate(
        """() => {
          const a = document.querySelector('#black-003 .passage-text').firstChild;
          const b = document.querySelector('#black-004 .passage-text').firstChild;
          const range = document.createRange();
          range.setStart(a, 10);
          range.setEnd(b, 12);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          document.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        }"""
    )
    page.keyboard.press("n")
    page.get_by_role("dialog").wait_for()
    page.keyboard.type("Across two passages.")
    page.get_by_role("button", name="Save").click()


def test_a_highlight_appears_in_place_with_its_card_focused(reader_page):
    page = reader_page
    assert marks_in(page, "black-003") == 0
    highlight(page, "black-003", 4, 30)
    note = Annotation.objects.get(author__username="kobo")
    assert marks_in(page, "black-003") >= 1
    assert page.evaluate("window.__marker") == "still here"
    assert page.evaluate("document.activeElement.id") == f"card-{note.pk}"
    # The header's count followed.
    assert "1 annotation shown" in page.locator(".filter-count").inner_text()
    # The replaced row keeps the page's per-passage behaviour: j moves on.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.classList.contains('passage')")


def test_a_reader_who_moves_on_while_a_highlight_saves_keeps_their_place(
    reader_page,
):
    """Focus follows a change only if the reader is still where they asked
    for it: j pressed while the passage's row is on its way keeps the focus
    on the passage they moved to (the card does not pull it back)."""
    page = reader_page
    held = []
    page.route("**/passages/?*", lambda route: held.append(route))
    page.locator("#black-003").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, ["black-003", 4, 30])
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()
    wait_until(page, "document.querySelector('#black-003 mark.hl-pending')")
    while not held:
        page.wait_for_timeout(20)
    page.locator("#black-004").focus()
    page.keyboard.press("j")
    moved_to = page.evaluate("document.activeElement.id")
    assert moved_to.startswith("black-") and moved_to != "black-003"
    held[0].continue_()
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    note = Annotation.objects.get(author__username="kobo")
    assert page.locator(f"#card-{note.pk}").count() == 1
    assert page.evaluate("document.activeElement.id") == moved_to


def test_words_selected_while_a_highlight_saves_stay_selected(reader_page):
    """The highlight shows before the server answers, so a reader may select
    the next words at once: the answer does not clear their new selection."""
    page = reader_page
    held = []
    page.route("**/api/annotations/", lambda route: held.append(route))
    page.locator("#black-003").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, ["black-003", 4, 30])
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()
    wait_until(page, "document.querySelector('#black-003 mark.hl-pending')")
    while not held:
        page.wait_for_timeout(20)
    page.evaluate(SELECT_OFFSETS, ["black-004", 0, 20])
    chosen = page.evaluate("getSelection().toString()")
    assert len(chosen) == 20
    held[0].continue_()
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    assert Annotation.objects.filter(author__username="kobo").count() == 1
    assert page.evaluate("getSelection().toString()") == chosen


def test_a_note_begun_while_a_highlight_saves_is_not_closed_by_it(reader_page):
    """The highlight's answer closes nothing it did not open: a note dialog
    opened on other words meanwhile stays open, and both are saved where
    they were chosen."""
    page = reader_page
    held = []

    def hold_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/annotations/", hold_first)
    page.locator("#black-003").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, ["black-003", 4, 30])
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()
    while not held:
        page.wait_for_timeout(20)
    page.locator("#black-004").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, ["black-004", 0, 20])
    page.keyboard.press("n")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.keyboard.type("Begun while the highlight saved.")
    held[0].continue_()
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    assert dialog.is_visible()
    typed = page.locator("[data-annotate-dialog] textarea").input_value()
    assert "Begun while" in typed
    page.get_by_role("button", name="Save").click()
    wait_until(page, f"{STATUS} === 'Saved.'")
    notes = Annotation.objects.filter(author__username="kobo")
    assert sorted((n.motivation, n.start_passage.key) for n in notes) == [
        ("commenting", "black-004"),
        ("highlighting", "black-003"),
    ]
    assert marks_in(page, "black-003") >= 1
    assert page.locator("#black-003 mark.hl-pending").count() == 0


def test_a_note_across_two_passages_marks_both_in_place(reader_page):
    page = reader_page
    write_note_across_two_passages(page)
    wait_until(page, f"{STATUS} === 'Saved.'")
    note = Annotation.objects.get(author__username="kobo")
    assert (note.start_passage.key, note.end_passage.key) == ("black-003", "black-004")
    assert marks_in(page, "black-003") >= 1
    assert marks_in(page, "black-004") >= 1
    assert page.evaluate("document.activeElement.id") == f"card-{note.pk}"
    assert page.evaluate("window.__marker") == "still here"


def test_deleting_a_highlight_removes_its_mark_without_a_reload(reader_page):
    page = reader_page
    highlight(page, "black-003", 4, 30)
    note = Annotation.objects.get(author__username="kobo")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#card-{note.pk}").get_by_role("link", name="Delete").click()
    wait_until(page, f"{STATUS} === 'Deleted.'")
    assert not Annotation.objects.filter(pk=note.pk).exists()
    assert marks_in(page, "black-003") == 0
    assert page.locator(f"#card-{note.pk}").count() == 0
    assert page.evaluate("window.__marker") == "still here"
    # The card is gone: its passage has the focus.
    assert page.evaluate("document.activeElement.id") == "black-003"


def test_declining_the_confirmation_deletes_nothing(reader_page):
    page = reader_page
    highlight(page, "black-003", 4, 30)
    note = Annotation.objects.get(author__username="kobo")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(f"#card-{note.pk}").get_by_role("link", name="Delete").click()
    page.wait_for_timeout(300)
    assert Annotation.objects.filter(pk=note.pk).exists()
    assert page.locator(f"#card-{note.pk}").count() == 1


def test_a_reply_appears_without_a_reload(reader_page):
    page = reader_page
    highlight(page, "black-003", 4, 30)
    note = Annotation.objects.get(author__username="kobo")
    card = page.locator(f"#card-{note.pk}")
    card.get_by_text("Reply", exact=True).click()
    card.get_by_label("Your reply").fill("A reply in place.")
    card.get_by_role("button", name="Post reply").click()
    wait_until(page, f"{STATUS} === 'Your reply is posted.'")
    reply = Annotation.objects.get(reply_to=note)
    assert "A reply in place." in page.locator(f"#card-{reply.pk}").inner_text()
    assert page.evaluate("document.activeElement.id") == f"card-{reply.pk}"
    assert page.evaluate("window.__marker") == "still here"


def test_when_the_rows_cannot_be_fetched_the_page_reloads(reader_page):
    page = reader_page
    page.route("**/passages/?*", lambda route: route.fulfill(status=500, body=""))
    page.locator("#black-003").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, ["black-003", 4, 30])
    # The page loads again (its hash changing first is no load).
    with page.expect_event("load"):
        page.get_by_role("button", name="Highlight h").click()
    note = Annotation.objects.get(author__username="kobo")
    # A fresh page, showing the new highlight: never a stale one.
    assert page.evaluate("window.__marker") is None
    assert marks_in(page, "black-003") >= 1
    assert page.url.endswith(f"#card-{note.pk}")


# --- The new highlight is drawn at once, before the server answers ---------

PASSAGE_HTML = "document.querySelector('#black-003 .passage-text').innerHTML"


def click_highlight(page, key, start, end):
    page.locator(f"#{key}").scroll_into_view_if_needed()
    page.evaluate(SELECT_OFFSETS, [key, start, end])
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()


def test_a_highlight_shows_before_the_server_answers_then_is_the_servers(
    reader_page,
):
    page = reader_page
    held = []
    page.route(
        "**/api/annotations/",
        lambda route: (
            held.append(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    click_highlight(page, "black-003", 4, 30)
    # Drawn while the save is still on its way: nothing is stored yet.
    drawn = page.locator("#black-003 .passage-text mark.hl-pending")
    drawn.first.wait_for()
    assert not Annotation.objects.exists()
    assert "".join(drawn.all_inner_texts()) == page.evaluate(
        "document.querySelector('#black-003 .passage-text').textContent.slice(4, 30)"
    )
    held[0].continue_()
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    note = Annotation.objects.get(author__username="kobo")
    # The server's row took its place: its mark names the card (through
    # its description, which links to the card).
    assert page.locator("#black-003 mark.hl-pending").count() == 0
    description = page.locator(f'#black-003 .mark-notes [data-card="{note.pk}"]')
    described = description.get_attribute("id")
    mark = page.locator(f'#black-003 mark[aria-describedby~="{described}"]')
    assert mark.count() >= 1
    assert page.evaluate("window.__marker") == "still here"


@pytest.mark.parametrize("failure", ["refused", "unreachable"])
def test_a_highlight_the_server_does_not_save_is_taken_away(reader_page, failure):
    page = reader_page
    before = page.evaluate(PASSAGE_HTML)

    def fail(route):
        if route.request.method != "POST":
            route.continue_()
        elif failure == "refused":
            route.fulfill(
                status=400,
                content_type="application/json",
                body='{"target": ["The passage has changed."]}',
            )
        else:
            route.abort()

    page.route("**/api/annotations/", fail)
    click_highlight(page, "black-003", 4, 30)
    said = (
        "The passage has changed."
        if failure == "refused"
        else "The server could not be reached; nothing was saved."
    )
    # An error is said at once, in the alert region (was: the status one).
    wait_until(page, f"{ALERT} === {said!r}")
    # The passage is exactly as the server sent it: no mark left behind.
    assert page.evaluate(PASSAGE_HTML) == before
    assert page.evaluate(
        "document.querySelector('#black-003 .passage-text').childNodes.length"
    ) == page.evaluate(
        """(() => { const t = document.createElement('template');
                    t.innerHTML = document.querySelector('#black-003 .passage-text')
                      .outerHTML;
                    return t.content.firstChild.childNodes.length; })()"""
    )
    assert not Annotation.objects.exists()
    assert page.evaluate("window.__marker") == "still here"


def test_a_note_across_two_passages_is_drawn_on_both_at_once(reader_page):
    page = reader_page
    page.route(
        "**/api/annotations/",
        lambda route: (
            route.fulfill(status=400, content_type="application/json", body="{}")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    seen = []
    page.expose_function("reportPending", lambda keys: seen.append(keys))
    page.evaluate(
        """() => new MutationObserver(() => {
             const keys = Array.from(document.querySelectorAll('mark.hl-pending'),
               (m) => m.closest('.passage').id);
             if (keys.length) window.reportPending([...new Set(keys)]);
           }).observe(document.querySelector('.passages'),
                      { childList: true, subtree: true })"""
    )
    write_note_across_two_passages(page)
    wait_until(page, "document.querySelector('[data-error-for=form]')")
    page.wait_for_timeout(200)
    # Both passages were marked while the save was out, and unmarked after.
    assert ["black-003", "black-004"] in seen
    assert page.locator("mark.hl-pending").count() == 0
