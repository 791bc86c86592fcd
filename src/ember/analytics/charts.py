"""Charts as plain SVG, drawn on the server: no script, no network, the same in a page and a file.

Each chart is a small function of its data. Bars can carry a link (the deals
behind the bar) and a title (read by screen readers and shown on hover).
Colours come from CSS classes so the page's design system decides them; the
stand-alone HTML report ships the same classes in its own style sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ember.analytics.metrics import Cell

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    title: str  # what the bar says in words ("12 won deals needed 5 follow-ups")
    href: str | None = None
    tone: str = "a"  # "a" or "b": two series told apart by colour and by the legend


def _link(href: str | None, body: str, title: str) -> str:
    inner = f"<title>{escape(title)}</title>{body}"
    if href:
        return f'<a href="{escape(href)}" aria-label="{escape(title)}">{inner}</a>'
    return f"<g>{inner}</g>"


def bars(data: Sequence[Bar], *, label: str, unit: str = "", width: int = 560, height: int = 200,
         percent: bool = False) -> Markup:
    """A vertical bar chart; ``label`` names the chart for assistive technology."""
    if not data:
        return Markup(f'<p class="muted">{escape(label)}: nothing to draw yet.</p>')
    top, bottom, left = 18, 34, 8
    plot_h = height - top - bottom
    peak = max((b.value for b in data), default=0) or 1
    slot = (width - left * 2) / len(data)
    bar_w = max(min(slot * 0.7, 48), 3)
    # A chart whose bars are links is a group of links; a picture only when nothing in it is interactive.
    role = "group" if any(b.href for b in data) else "img"
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="{role}" aria-label="{escape(label)}">',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}"/>']
    every = max(1, round(len(data) / 14))  # keep the x labels readable when there are many bars
    for index, bar in enumerate(data):
        x = left + slot * index + (slot - bar_w) / 2
        h = plot_h * bar.value / peak
        y = top + plot_h - h
        text = f"{bar.value:.0%}" if percent else f"{bar.value:g}{unit}"
        body = (f'<rect class="bar {bar.tone}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 1):.1f}"/>'
                + (f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}">{escape(text)}</text>'
                   if bar.value and len(data) <= 16 else ""))
        parts.append(_link(bar.href, body, bar.title))
        if index % every == 0:
            parts.append(f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}">'
                         f"{escape(bar.label)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def paired_bars(left_series: Sequence[Bar], right_series: Sequence[Bar], *, label: str,
                width: int = 560, height: int = 200) -> Markup:
    """Two series side by side per value (won next to lost), one colour each."""
    merged: list[Bar] = []
    labels = sorted({b.label for b in left_series} | {b.label for b in right_series}, key=_as_number)
    a = {b.label: b for b in left_series}
    b = {b.label: b for b in right_series}
    for value in labels:
        for series, tone in ((a, "a"), (b, "b")):
            bar = series.get(value)
            merged.append(Bar(value if tone == "a" else "", bar.value if bar else 0.0,
                              bar.title if bar else f"none at {value}", bar.href if bar else None, tone))
    return bars(merged, label=label, width=width, height=height)


def _as_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


def heatmap(cells: Mapping[tuple[int, int], Cell], *, seed: set[tuple[int, int]], team: set[tuple[int, int]],
            first_hour: int = 7, last_hour: int = 19, label: str) -> Markup:
    """Connect rate by local weekday (rows) and hour (columns); seed windows dashed, the team's solid."""
    cols = last_hour - first_hour + 1
    cell_w, cell_h, left, top = 38, 26, 40, 20
    width, height = left + cols * cell_w + 4, top + len(_DAYS) * cell_h + 4
    parts = [f'<svg class="chart heat" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for col in range(cols):
        parts.append(f'<text class="tick" x="{left + col * cell_w + cell_w / 2}" y="{top - 6}">'
                     f"{first_hour + col:02d}</text>")
    for row, day in enumerate(_DAYS):
        y = top + row * cell_h
        parts.append(f'<text class="tick day" x="{left - 6}" y="{y + cell_h / 2 + 4}">{day}</text>')
        for col in range(cols):
            hour = first_hour + col
            cell = cells.get((row, hour))
            x = left + col * cell_w
            rate = cell.rate if cell and cell.calls else None
            level = 0 if rate is None or rate.value is None else min(5, 1 + int(rate.value * 5))
            classes = f"heat-cell l{level}" + (" seed" if (row, hour) in seed else "") + \
                (" team" if (row, hour) in team else "")
            title = f"{day} {hour:02d}:00: no calls"
            if cell and rate and rate.value is not None:
                title = (f"{day} {hour:02d}:00: {cell.connects} of {cell.calls} calls connected "
                         f"({rate.value:.0%}, {rate.low:.0%}–{rate.high:.0%})")
            parts.append(f'<g><title>{escape(title)}</title><rect class="{classes}" x="{x + 1}" y="{y + 1}" '
                         f'width="{cell_w - 2}" height="{cell_h - 2}" rx="3"/></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


CHART_CSS = """
svg.chart { width: 100%; height: auto; max-width: 640px; display: block; }
svg.chart .axis { stroke: #9aa3ad; stroke-width: 1; }
svg.chart .bar.a { fill: #2f6f4f; }
svg.chart .bar.b { fill: #c2683a; }
svg.chart a:hover .bar, svg.chart a:focus .bar { fill: #14324a; }
svg.chart .tick, svg.chart .value { font: 14px system-ui, sans-serif; fill: #3b4450; text-anchor: middle; }
svg.chart .tick.day { text-anchor: end; }
svg.chart .heat-cell { stroke: #ffffff; stroke-width: 1; }
svg.chart .heat-cell.l0 { fill: #eef1f4; }
svg.chart .heat-cell.l1 { fill: #d6e9dc; }
svg.chart .heat-cell.l2 { fill: #a9d2b5; }
svg.chart .heat-cell.l3 { fill: #6fb286; }
svg.chart .heat-cell.l4 { fill: #3f8f5f; }
svg.chart .heat-cell.l5 { fill: #1f6a40; }
svg.chart .heat-cell.seed { stroke: #14324a; stroke-width: 2; stroke-dasharray: 4 3; }
svg.chart .heat-cell.team { stroke: #c2683a; stroke-width: 3; stroke-dasharray: none; }
"""
