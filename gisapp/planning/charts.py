"""Numbers for the small server-side SVG charts of the project, vote and reward pages.

Nothing here writes markup: templates draw ``<rect>``s from these numbers (so user text stays
under Jinja's escaping), and every chart has a table beside it for screen readers.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask_babel import gettext as _

SOURCE_COLORS = {
    "government": "#2b6cb0",
    "reward": "#9b2c2c",
    "residents_money": "#dd6b20",
    "residents_labour": "#b7791f",
    "enterprise": "#2f855a",
    "social": "#6b46c1",
}


def source_names() -> dict[str, str]:
    return {
        "government": _("Government funds"),
        "reward": _("Reward in lieu of subsidy (以奖代补)"),
        "residents_money": _("Residents' money"),
        "residents_labour": _("Residents' labour"),
        "enterprise": _("Enterprise donations"),
        "social": _("Social donations"),
    }


def stacked(lines: list[dict[str, Any]], total: decimal.Decimal) -> list[dict[str, Any]]:
    """Segments of one 100-wide bar: ``x`` and ``width`` in percent of the total."""
    names = source_names()
    out = []
    x = 0.0
    for line in lines:
        share = float(line["amount_yuan"] / total * 100) if total else 0.0
        out.append(
            {
                **line,
                "name": names.get(line["source"], line["source"]),
                "color": SOURCE_COLORS.get(line["source"], "#718096"),
                "x": round(x, 3),
                "width": round(share, 3),
                "percent": round(share, 1),
            }
        )
        x += share
    return out


def bar_width(percent: float | None) -> float:
    """A progress bar's filled width in percent (over 100 % still draws a full bar)."""
    if not percent:
        return 0.0
    return max(0.0, min(100.0, percent))


VOTE_RAMP = ("#9b2c2c", "#c05621", "#975a16", "#718096")


def vote_color(rank: int, percent: float, votes: int) -> str:
    """The leader (or leaders, when tied) in the brand red, then by share of the votes."""
    if votes and rank == 1:
        return VOTE_RAMP[0]
    if percent >= 25:
        return VOTE_RAMP[1]
    if percent > 0:
        return VOTE_RAMP[2]
    return VOTE_RAMP[3]


def month_chart(
    months: list[tuple[dt.date, int, int]], width: int = 480, height: int = 140
) -> dict[str, Any]:
    """Bars per calendar month, split at completion (before: grey, after: brand colour)."""
    top = max([b + a for _m, b, a in months] + [1])
    pad_left, pad_bottom, pad_top = 28, 18, 8
    inner_w, inner_h = width - pad_left - 4, height - pad_bottom - pad_top
    step = inner_w / max(len(months), 1)
    bars = []
    for i, (month, before, after) in enumerate(months):
        x = pad_left + i * step + step * 0.15
        w = step * 0.7
        base = float(pad_top + inner_h)
        for kind, n in (("before", before), ("after", after)):
            if not n:
                continue
            h = inner_h * n / top
            base -= h
            bars.append(
                {
                    "kind": kind,
                    "x": round(x, 1),
                    "y": round(base, 1),
                    "w": round(w, 1),
                    "h": round(h, 1),
                    "n": n,
                    "month": month,
                }
            )
    labels = [
        {"x": round(pad_left + i * step + step / 2, 1), "text": m.strftime("%m")}
        for i, (m, _b, _a) in enumerate(months)
    ]
    return {
        "width": width,
        "height": height,
        "top": top,
        "axis_y": pad_top + inner_h,
        "pad_left": pad_left,
        "pad_top": pad_top,
        "bars": bars,
        "labels": labels,
        "label_y": height - 4,
    }
