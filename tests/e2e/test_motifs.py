"""Following a motif through the book in a real browser."""

from __future__ import annotations

import re

import pytest

from themes.models import MotifOccurrence

pytestmark = pytest.mark.e2e


def test_from_the_white_notebook_open_the_noh_masks_and_trace_to_the_next(
    page, live_server, live_atlas
):
    stops = list(
        MotifOccurrence.objects.filter(motif__slug="noh-masks")
        .select_related("passage__part")
        .in_reading_order()
    )
    index = next(i for i, o in enumerate(stops) if o.passage.key.startswith("white-"))
    here, after = stops[index], stops[index + 1]

    page.goto(f"{live_server.url}/read/study/white-notebook/#{here.passage.key}")
    passage = page.locator(f"#{here.passage.key}")
    passage.get_by_role("link", name="Noh", exact=False).first.click()
    page.wait_for_url(re.compile(r"/motifs/noh-masks/"))
    assert page.locator("h1").inner_text().lower().startswith("the noh")
    assert page.locator("#chart-table").is_visible()

    # Back into the reader, tracing the motif from this passage.
    page.locator(f"#occurrence-{here.passage.key} a").first.click()
    page.wait_for_url(re.compile(rf"trace=noh-masks#{here.passage.key}$"))
    assert "is-traced" in page.locator(f"#{here.passage.key}").get_attribute("class")
    page.locator(f"#{here.passage.key} .trace-next").click()
    page.wait_for_url(re.compile(rf"trace=noh-masks#{after.passage.key}$"))
    assert "is-traced" in page.locator(f"#{after.passage.key}").get_attribute("class")
    assert page.locator(".trace-bar").is_visible()


def test_a_reader_sees_at_a_glance_which_part_carries_which_motif(
    page, live_server, live_atlas
):
    page.goto(f"{live_server.url}/motifs/")
    page.get_by_role("link", name="which notebook carries which motif").click()
    table = page.get_by_role("table")
    assert table.locator("tbody tr").count() >= 25
    assert "Noh" in table.inner_text()
