"""Chart geometry: pure functions, checked directly."""

from __future__ import annotations

from themes.charts import PartSpan, bars_by_part, strip

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
