"""Geometry for the atlas's small SVG charts. Pure Python, no Django.

Charts are computed here and drawn by templates (so every label is escaped
by the template engine); each comes with a text table as its accessible
alternative.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    The left margin leaves room for the first part's turned label.
    """
    maximum = max([c + p for c, p in counts] + [1])
    plot = height - label_space
    slot = (width - margin_left) / max(1, len(parts))
    bar_width = slot * 0.6
    central_bars, passing_bars, labels = [], [], []
    for index, (part, (central, passing)) in enumerate(zip(parts, counts, strict=True)):
        x = round(margin_left + index * slot + (slot - bar_width) / 2, 2)
        central_height = plot * central / maximum
        passing_height = plot * passing / maximum
        central_bars.append(
            Rect(
                x,
                round(plot - central_height, 2),
                round(bar_width, 2),
                round(central_height, 2),
                str(central),
            )
        )
        passing_bars.append(
            Rect(
                x,
                round(plot - central_height - passing_height, 2),
                round(bar_width, 2),
                round(passing_height, 2),
                str(passing),
            )
        )
        labels.append(
            Rect(round(index * slot + slot / 2, 2), plot + 16, 0, 0, part.label)
        )
    return BarChart(
        width,
        height,
        plot,
        tuple(central_bars),
        tuple(passing_bars),
        tuple(labels),
        maximum,
    )
