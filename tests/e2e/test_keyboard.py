"""Keyboard only: no mouse calls. Every text box lets focus leave with Tab,
the annotate toolbar is one Tab stop next to the selection, and focus after
every change is on the thing just made (or the next sensible place)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from classes.services import course_create
from tests.e2e.browsing import log_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e

ACTIVE = "document.activeElement"


def active(page, expression: str = "id"):
    return page.evaluate(f"{ACTIVE}.{expression}")


@pytest.fixture
def course(live_edition):
    teacher = make_user("mrs-k", groups=("Teachers",))
    today = date.today()
    return course_create(
        teacher=teacher,
        name="Y12 Literature",
        edition=live_edition,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )


def test_tab_leaves_the_assignment_instructions(page, live_server, course):
    """The Instructions box is a markdownx editor: Tab moves focus on rather
    than typing a tab character (it was a keyboard trap)."""
    log_in(page, live_server.url, "mrs-k")
    page.goto(f"{live_server.url}/classes/{course.pk}/assignments/new/")
    page.wait_for_load_state("load")
    instructions = page.get_by_label("Instructions")
    instructions.focus()
    page.keyboard.type("Read slowly.")
    page.keyboard.press("Tab")
    assert instructions.input_value() == "Read slowly."
    assert active(page, "tagName") != "TEXTAREA"
    # Shift+Tab comes back, and Tab leaves again.
    page.keyboard.press("Shift+Tab")
    assert active(page, "tagName") == "TEXTAREA"
    page.keyboard.press("Tab")
    assert active(page, "tagName") != "TEXTAREA"
    assert "\t" not in instructions.input_value()
