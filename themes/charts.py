"""Geometry for the atlas's small SVG charts. Pure Python, no Django.

Charts are computed here and drawn by templates (so every label is escaped
by the template engine); each comes with a text table as its accessible
alternative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The part labels under the bars are turned 30 degrees (text-anchor end), in
# .chart-label's 12px UI font. The browser measures text, Python cannot: an
# average glyph of a UI sans-serif is narrower than .6 em, so labels are
# budgeted at that and never cut by the chart's edges.
LABEL_FONT_SIZE = 12
LABEL_CHAR_WIDTH = LABEL_FONT_SIZE * 0.6
LABEL_TURN = math.radians(30)
LABEL_GAP = 16  # from the baseline to a label's anchor
LABEL_MAX_CHARS = 24  # longer titles are shortened; the table gives them whole


@dataclass(frozen=True)
class PartSpan:
    """A part of the book: its label and how many passages it has."""

    label: str
    passages: int


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    label: str = ""


@dataclass(frozen=True)
class Strip:
    """Where a motif appears, as ticks along the whole book."""

    width: int
    height: int
    parts: tuple[Rect, ...]
    ticks: tuple[Rect, ...]


def strip(
    parts: list[PartSpan],
    hits: list[tuple[int, int]],
    *,
    width: int = 240,
    height: int = 14,
    gap: float = 2.0,
) -> Strip:
    """Each part a band proportional to its passages; a tick per occurrence.

    `hits` are (part index, passage index within the part), both from 0.
    """
    total = sum(p.passages for p in parts) or 1
    usable = width - gap * max(0, len(parts) - 1)
    bands: list[Rect] = []
    x = 0.0
    for part in parts:
        band = usable * part.passages / total
        bands.append(Rect(round(x, 2), 0, round(band, 2), height, part.label))
        x += band + gap
    ticks = []
    for part_index, passage_index in hits:
        band = bands[part_index]
        count = max(1, parts[part_index].passages)
        step = band.width / count
        ticks.append(
            Rect(
                round(band.x + step * passage_index, 2),
                0,
                max(1.5, round(step, 2)),
                height,
            )
        )
    return Strip(width, height, tuple(bands), tuple(ticks))


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: tuple[Rect, ...]  # central (darker)
    passing: tuple[Rect, ...]  # stacked on top of central
    labels: tuple[Rect, ...]  # x, y of each part's label, text in .label
    maximum: int


def _short(label: str) -> str:
    if len(label) <= LABEL_MAX_CHARS:
        return label
    return label[: LABEL_MAX_CHARS - 1].rstrip() + "…"


def bars_by_part(
    parts: list[PartSpan],
    counts: list[tuple[int, int]],
    *,
    width: int = 560,
    height: int = 180,
    label_space: int = 78,
    margin_left: int = 60,
) -> BarChart:
    """Occurrences per part, central and passing stacked, one bar a part.

    Each part's label is anchored under the middle of its bar and turned up
    to the left, so it reaches left by its length times cos 30 and down by
    half its length: the left margin grows until every label fits, and the
    chart grows taller (the plot keeps its height) until the longest does.
    """
    maximum = max([c + p for c, p in counts] + [1])
    plot = height - label_space
    count = max(1, len(parts))
    texts = [_short(part.label) for part in parts]
    reach = [len(text) * LABEL_CHAR_WIDTH * math.cos(LABEL_TURN) for text in texts]
    # Label i's anchor is margin + (i + .5) * (width - margin) / count; solve
    # anchor >= reach for the margin.
    needed = [
        (r - (i + 0.5) * width / count) / (1 - (i + 0.5) / count)
        for i, r in enumerate(reach)
    ]
    margin_left = max([margin_left] + [math.ceil(m) for m in needed])
    drop = max(
        [len(text) * LABEL_CHAR_WIDTH * math.sin(LABEL_TURN) for text in texts] + [0]
    )
    height = max(height, math.ceil(plot + LABEL_GAP + drop + LABEL_FONT_SIZE))
    slot = (width - margin_left) / count
    bar_width = round(slot * 0.6, 2)
    central_bars, passing_bars, labels = [], [], []
    for index, (text, (central, passing)) in enumerate(zip(texts, counts, strict=True)):
        x = round(margin_left + index * slot + (slot - bar_width) / 2, 2)
        central_height = plot * central / maximum
        passing_height = plot * passing / maximum
        central_bars.append(
            Rect(
                x,
                round(plot - central_height, 2),
                bar_width,
                round(central_height, 2),
                str(central),
            )
        )
        passing_bars.append(
            Rect(
                x,
                round(plot - central_height - passing_height, 2),
                bar_width,
                round(passing_height, 2),
                str(passing),
            )
        )
        labels.append(Rect(round(x + bar_width / 2, 2), plot + LABEL_GAP, 0, 0, text))
    return BarChart(
        width,
        height,
        plot,
        tuple(central_bars),
        tuple(passing_bars),
        tuple(labels),
        maximum,
    )
