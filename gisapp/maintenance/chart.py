"""The month-by-month coverage chart as inline SVG, drawn on the server (no chart library, works
offline, prints). Text is escaped; the page also shows the numbers as a table for screen readers.

Usage::

    svg = coverage_chart(series, title=_("Coverage by month"), no_data=_("no facilities"))
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 18, 40
TARGET = 0.9  # the dashed line managers aim for


def _y(value: float) -> float:
    return TOP + (1 - value) * (HEIGHT - TOP - BOTTOM)


def coverage_chart(series: list[dict[str, Any]], *, title: str, target_label: str) -> Markup:
    """A line of coverage (0-100 %) at each month's end, with the months along the bottom."""
    n = len(series)
    step = (WIDTH - LEFT - RIGHT) / max(n - 1, 1)
    parts = [
        f'<svg class="coverage-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="coverage-chart-title" preserveAspectRatio="xMidYMid meet">',
        f'<title id="coverage-chart-title">{escape(title)}</title>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = _y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    y = _y(TARGET)
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="target"/>'
        f'<text x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end" class="target-label">'
        f"{escape(target_label)}</text>"
    )
    points = []
    for i, point in enumerate(series):
        x = LEFT + i * step
        year, month = str(point["month"]).split("-")
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle" class="month">'
            f"{escape(month)}</text>"
        )
        if i == 0 or month == "01":
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 29}" text-anchor="middle" '
                f'class="year">{escape(year)}</text>'
            )
        if point["coverage"] is not None:
            points.append((x, _y(point["coverage"]), point))
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _p in points)
        parts.append(f'<polyline points="{line}" class="line"/>')
    for x, y, point in points:
        label = (
            f"{point['month']}: {point['coverage']:.0%} ({point['covered']}/{point['facilities']})"
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="dot"><title>{escape(label)}</title>'
            "</circle>"
        )
    if points:
        x, y, last = points[-1]
        parts.append(
            f'<text x="{x - 6:.1f}" y="{y - 8:.1f}" text-anchor="end" class="last">'
            f"{last['coverage']:.0%}</text>"
        )
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest is numbers we formatted.
    return Markup("".join(parts))  # noqa: S704
