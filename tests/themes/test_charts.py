"""Chart geometry: pure functions, checked directly."""

from __future__ import annotations

import math

from themes.charts import PartSpan, bars_by_part, strip

# .chart-label in site.css is 12px; an average glyph of a UI sans-serif is
# narrower than .6 em, so this is a generous estimate of a label's length.
LABEL_FONT_SIZE = 12
LABEL_CHAR_WIDTH = LABEL_FONT_SIZE * 0.6
COS_30 = math.cos(math.radians(30))

PARTS = [PartSpan("A", 10), PartSpan("B", 30), PartSpan("C", 10)]


def test_the_strip_gives_each_part_a_band_in_proportion_and_a_tick_per_hit():
    result = strip(PARTS, [(0, 0), (1, 15), (2, 9)], width=204, gap=2)
    widths = [band.width for band in result.parts]
    assert widths == [40.0, 120.0, 40.0]
    assert [round(t.x) for t in result.ticks] == [0, 102, 200]
    assert all(0 <= t.x < result.width for t in result.ticks)


def test_bars_stack_central_under_passing_and_share_one_scale():
    chart = bars_by_part(PARTS, [(2, 1), (0, 0), (1, 5)], height=178, label_space=78)
    assert chart.maximum == 6
    central, passing = chart.bars, chart.passing
    assert round(central[0].height, 2) == round(100 * 2 / 6, 2)
    assert round(central[0].height + passing[0].height, 2) == round(100 * 3 / 6, 2)
    assert round(passing[0].y + passing[0].height, 2) == round(central[0].y, 2)
    assert central[1].height == passing[1].height == 0
    assert round(central[2].height + passing[2].height, 2) == 100.0
    assert [label.label for label in chart.labels] == ["A", "B", "C"]
    assert all(bar.x >= 60 for bar in central)


LONG = [
    PartSpan("Opening Address", 5),
    PartSpan("Black Notebook", 40),
    PartSpan("White Notebook", 40),
    PartSpan("Gray Notebook", 40),
    PartSpan("Final Notes", 5),
    PartSpan("The Wife's Letter, in full", 5),
    PartSpan("Final Notes (continued)", 5),
]


def test_each_label_stands_centred_under_its_bar():
    chart = bars_by_part(LONG, [(1, 1)] * len(LONG))
    for bar, label in zip(chart.bars, chart.labels, strict=True):
        assert label.x == round(bar.x + bar.width / 2, 2)
        assert label.y > chart.baseline


def test_every_turned_label_stays_inside_the_chart():
    """A label is anchored at its end under the bar and turned 30 degrees up:
    it reaches left by its length times cos 30 and down by half its length."""
    chart = bars_by_part(LONG, [(1, 1)] * len(LONG))
    for label in chart.labels:
        length = len(label.label) * LABEL_CHAR_WIDTH
        assert label.x - length * COS_30 >= 0, label.label
        assert label.x + LABEL_FONT_SIZE <= chart.width, label.label
        assert label.y + length / 2 + LABEL_FONT_SIZE <= chart.height, label.label
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)


def test_short_labels_keep_the_default_margin_and_plot():
    chart = bars_by_part(PARTS, [(1, 0)] * 3, width=560, height=180, label_space=78)
    assert chart.baseline == 102
    assert chart.height == 180
    assert round(chart.bars[0].x + chart.bars[0].width / 2, 2) == chart.labels[0].x
