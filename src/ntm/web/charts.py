"""Charts as plain SVG drawn on the server: no script to download, readable by screen readers
through the data table every chart sits beside, and printable.

Each function returns the geometry a template draws; numbers shown are already formatted in
the Vietnamese style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ntm.results.maps import PALETTE

WIDTH = 640
ROW = 22
LABEL = 170
VALUE_SPACE = 90


@dataclass(frozen=True)
class Bar:
    label: str
    title: str  # the full sentence shown on hover and read by assistive technology
    text: str  # the formatted value beside the bar
    y: float
    width: float
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def bar_chart(
    rows: Sequence[tuple[str, float, str, str]], *, maximum: float | None = None, colour: str = ""
) -> BarChart:
    """Horizontal bars: rows of (label, value, formatted value, title)."""
    top = maximum if maximum is not None else max((v for _, v, _, _ in rows), default=0.0)
    span = WIDTH - LABEL - VALUE_SPACE
    bars = tuple(
        Bar(
            label=label,
            title=title,
            text=text,
            y=i * ROW,
            width=0.0 if top <= 0 else round(span * max(value, 0.0) / top, 1),
            colour=colour or PALETTE[0],
        )
        for i, (label, value, text, title) in enumerate(rows)
    )
    return BarChart(WIDTH, max(len(bars), 1) * ROW, LABEL, ROW - 6, bars)


@dataclass(frozen=True)
class Column:
    label: str
    title: str
    text: str
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    base: float
    column_width: float
    columns: tuple[Column, ...]
    line: str  # SVG polyline points through the second series, "" when there is none


TREND_HEIGHT = 180
TREND_TOP = 20
TREND_BOTTOM = 40


def column_chart(
    rows: Sequence[tuple[str, float | None, str, str]],
    *,
    maximum: float,
    line: Sequence[float | None] = (),
    line_maximum: float = 1.0,
) -> ColumnChart:
    """Vertical columns (e.g. % of communes at the standard per year), with an optional line
    (e.g. average criteria met) scaled to `line_maximum` on the same height."""
    n = max(len(rows), 1)
    slot = (WIDTH - 20) / n
    width = min(60.0, slot * 0.6)
    span = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    base = TREND_HEIGHT - TREND_BOTTOM
    cols = []
    for i, (label, value, text, title) in enumerate(rows):
        h = 0.0 if value is None or maximum <= 0 else span * max(value, 0.0) / maximum
        x = 10 + i * slot + (slot - width) / 2
        cols.append(Column(label, title, text, round(x, 1), round(base - h, 1), round(h, 1)))
    points = []
    for i, v in enumerate(line):
        if v is None or line_maximum <= 0:
            continue
        x = 10 + i * slot + slot / 2
        points.append(f"{x:.1f},{base - span * v / line_maximum:.1f}")
    return ColumnChart(WIDTH, TREND_HEIGHT, base, round(width, 1), tuple(cols), " ".join(points))
