"""A note as long as a note may be stays inside its card."""

from __future__ import annotations

import pytest

from reader.models import Passage
from tests.e2e.browsing import log_in
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e


def test_a_note_of_one_unbroken_word_wraps_inside_its_card(
    page, live_server, live_edition
):
    reader = make_user("kobo")
    passage = Passage.objects.get(edition=live_edition, key="black-003")
    # 10,000 characters without a space: the longest "word" the limit allows.
    note = make_annotation(reader, passage, motivation="commenting", body="x" * 10_000)
    log_in(page, live_server.url, "kobo")
    page.goto(f"{live_server.url}/read/study/black-notebook/#card-{note.pk}")
    body = page.locator(f"#card-{note.pk} .card-body")
    body.wait_for()
    widths = body.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] <= widths[1], widths
