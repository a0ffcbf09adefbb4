"""Numbers for the dashboard's inline SVG charts (templates/outcomes/_charts.html draws them).

Drawn on the server: no chart library, works offline, prints; every chart has the same numbers
as a table beside it for screen readers. Nothing here writes markup.
"""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 34

REPORT_COLORS = {"received": "#718096", "resolved": "#2f855a"}
CONTRIBUTION_COLORS = {"money_yuan": "#dd6b20", "labour_hours": "#b7791f"}
SATISFACTION_COLOR = "#9b2c2c"


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale  # pragma: no cover - the loop above always returns


def _months(series: list[dict[str, Any]], step: float) -> list[dict[str, Any]]:
    out = []
    for i, point in enumerate(series):
        year, month = str(point["month"]).split("-")
        out.append(
            {
                "x": round(LEFT + i * step + step / 2, 1),
                "month": month,
                "year": year if i == 0 or month == "01" else "",
            }
        )
    return out


def bar_chart(series: list[dict[str, Any]], keys: dict[str, str]) -> dict[str, Any]:
    """Grouped bars, one group per month and one bar per key (its colour from ``keys``)."""
    top = _nice_top(max([float(p[k] or 0) for p in series for k in keys] + [0]))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(series), 1)
    width = step * 0.8 / max(len(keys), 1)
    bars = []
    for i, point in enumerate(series):
        for j, (key, color) in enumerate(keys.items()):
            value = float(point[key] or 0)
            h = inner_h * value / top
            bars.append(
                {
                    "key": key,
                    "x": round(LEFT + i * step + step * 0.1 + j * width, 1),
                    "y": round(TOP + inner_h - h, 1),
                    "w": round(width, 1),
                    "h": round(h, 1),
                    "color": color,
                    "value": point[key],
                    "month": point["month"],
                }
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top_y": TOP,
        "axis_y": TOP + inner_h,
        "top": int(top) if top == int(top) else top,
        "bars": bars,
        "months": _months(series, step),
        "month_y": HEIGHT - BOTTOM + 14,
        "year_y": HEIGHT - BOTTOM + 27,
    }


def line_chart(series: list[dict[str, Any]], key: str, low: float, high: float) -> dict[str, Any]:
    """A line over the months (gaps where there is no value), on a fixed low..high axis."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(series), 1)
    points = []
    for i, point in enumerate(series):
        value = point[key]
        if value is None:
            continue
        y = TOP + inner_h * (1 - (float(value) - low) / (high - low))
        points.append(
            {
                "x": round(LEFT + i * step + step / 2, 1),
                "y": round(y, 1),
                "value": value,
                "month": point["month"],
            }
        )
    ticks = [
        {"y": round(TOP + inner_h * (1 - (t - low) / (high - low)), 1), "label": f"{t:g}"}
        for t in (low, (low + high) / 2, high)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": TOP + inner_h,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "months": _months(series, step),
        "month_y": HEIGHT - BOTTOM + 14,
        "year_y": HEIGHT - BOTTOM + 27,
        "color": SATISFACTION_COLOR,
    }


def reports_chart(series: list[dict[str, Any]]) -> dict[str, Any]:
    return bar_chart(series, REPORT_COLORS)


def satisfaction_chart(series: list[dict[str, Any]]) -> dict[str, Any]:
    return line_chart(series, "satisfaction", 1.0, 5.0)


def contributions_chart(series: list[dict[str, Any]]) -> dict[str, Any]:
    return bar_chart(series, {"money_yuan": CONTRIBUTION_COLORS["money_yuan"]})
