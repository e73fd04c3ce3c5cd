"""What a screen reader gets on the part page (issue #13): a highlight read
with its kind, author and note, its card one key away and back, and
messages in live regions. Read from chromium's own accessibility tree."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from reader.models import Passage
from tests.e2e.browsing import log_in, wait_until
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e

User = get_user_model()
URL = "/read/study/black-notebook/"
NOTE = "Lanterns along the harbour wall, and the tide coming in at dusk"


@pytest.fixture
def noted_page(page, live_server, live_edition):
    """Kobo reads a passage on which Abe left a public note."""
    reader = make_user("kobo")
    passage = Passage.objects.get(edition=live_edition, key="black-003")
    note = make_annotation(
        make_user("abe"),
        passage,
        4,
        30,
        motivation="commenting",
        body=NOTE,
        visibility="public",
    )
    assert reader.pk != note.author_id
    log_in(page, live_server.url, "kobo")
    page.goto(f"{live_server.url}{URL}")
    page.wait_for_load_state("load")
    return page, note


def accessible(page, selector: str) -> dict:
    """The accessibility tree's node for the first element `selector` finds:
    its computed name and description, as a screen reader is given them."""
    session = page.context.new_cdp_session(page)
    document = session.send("DOM.getDocument", {"depth": 0})
    found = session.send(
        "DOM.querySelector",
        {"nodeId": document["root"]["nodeId"], "selector": selector},
    )
    [node, *_] = session.send(
        "Accessibility.getPartialAXTree",
        {"nodeId": found["nodeId"], "fetchRelatives": False},
    )["nodes"]
    return {
        key: node.get(key, {}).get("value", "")
        for key in ("name", "description", "role")
    }


def test_a_highlight_is_read_with_its_kind_author_and_first_words(noted_page):
    page, note = noted_page
    mark = accessible(page, "#black-003 mark.hl[aria-describedby]")
    assert mark["description"] == (
        "Note by abe: Lanterns along the harbour wall, and the tide…"
    )


def test_a_card_is_named_by_its_byline_and_its_note_is_read(noted_page):
    page, note = noted_page
    card = accessible(page, f"#card-{note.pk}")
    # (The kind is in capitals by CSS, which chromium's name keeps.)
    assert card["name"].casefold() == "note by abe"
    # Playwright's snapshot of the tree: the card's name, then its text.
    snapshot = page.locator(f"#card-{note.pk}").aria_snapshot()
    assert snapshot.casefold().startswith('- article "note by abe"')
    assert NOTE in snapshot


def test_one_key_goes_from_a_highlight_to_its_card_and_one_key_back(noted_page):
    page, note = noted_page
    mark = page.locator("#black-003 mark.hl").first
    # A screen reader's Enter on the highlight clicks it.
    mark.dispatch_event("click")
    wait_until(page, f"document.activeElement.id === 'card-{note.pk}'")
    page.keyboard.press("Escape")
    wait_until(page, "document.activeElement.matches('#black-003 mark.hl')")
    page.keyboard.press("Enter")
    wait_until(page, f"document.activeElement.id === 'card-{note.pk}'")
    # Reached without the highlight (by Tab, a link): Escape finds it too.
    page.reload()
    page.wait_for_load_state("load")
    page.evaluate("id => document.getElementById(id).focus()", f"card-{note.pk}")
    page.keyboard.press("Escape")
    wait_until(page, "document.activeElement.matches('#black-003 mark.hl')")


def test_saved_and_failed_are_said_in_live_regions(noted_page, live_edition):
    page, _note = noted_page
    passage = Passage.objects.get(edition=live_edition, key="black-004")
    make_annotation(
        User.objects.get(username="kobo"), passage, 0, 9, motivation="commenting"
    )
    page.reload()
    page.wait_for_load_state("load")
    status = page.locator("[data-annotate-status]")
    alert = page.locator("[data-annotate-alert]")
    assert status.get_attribute("role") == "status"
    assert alert.get_attribute("role") == "alert"
    page.route(
        "**/api/annotations/*/",
        lambda route: (
            route.abort() if route.request.method == "DELETE" else route.continue_()
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#notes-black-004 a[data-delete]").first.click()
    wait_until(
        page,
        "document.querySelector('[data-annotate-alert]').textContent"
        " === 'The server could not be reached; nothing was deleted.'",
    )
    assert status.text_content() == ""


SAVED = "Your reading preferences are saved."


def test_reading_settings_saved_by_script_are_said(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/preferences/")
    page.wait_for_load_state("load")
    region = page.locator("[data-preferences-status]")
    assert region.get_attribute("role") == "status"
    page.get_by_label("Dark").check()
    wait_until(
        page,
        "document.querySelector('[data-preferences-status]').textContent"
        f" === {SAVED!r}",
    )


def test_reading_settings_saved_by_the_form_are_said_after_the_redirect(
    page, live_server, db
):
    page.goto(f"{live_server.url}/accounts/preferences/")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state("load")
    wait_until(
        page,
        "document.querySelector('[role=status][data-page-status]')?.textContent"
        f" === {SAVED!r}",
    )
