"""What the dashboard is asked for: a level of areas, an optional area to look inside, and a
range of local calendar months.

Usage::

    period = parse_period(request.args.get("to"), request.args.get("months"), today)
    period.first, period.last            # first days of the first and the last month
    period.labels                        # ["2025-12", ..., "2026-11"]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gisapp.errors import ValidationFailed

PAGE_LEVELS = ("district", "street", "community", "grid")
"""The levels the dashboard shows (buildings are too small for outcome statistics)."""
MAX_MONTHS = 24
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Months ``first`` .. ``last`` (first days), both included."""

    first: dt.date
    last: dt.date

    @property
    def months(self) -> list[dt.date]:
        out = [self.first]
        while out[-1] < self.last:
            out.append(add_months(out[-1], 1))
        return out

    @property
    def labels(self) -> list[str]:
        return [m.isoformat()[:7] for m in self.months]

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive upper bound for dates)."""
        return add_months(self.last, 1)


def parse_period(to: str | None, months: str | None, today: dt.date) -> Period:
    """``to`` (YYYY-MM, default this month, not in the future) and ``months`` (1-24, default
    12) as a :class:`Period`; bad values are a 422 naming the parameter."""
    this_month = today.replace(day=1)
    last = this_month
    if to:
        match = _MONTH.match(to)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationFailed("to must be a month as YYYY-MM", field="to")
        last = dt.date(int(match.group(1)), int(match.group(2)), 1)
        if last > this_month:
            raise ValidationFailed("to must not be in the future", field="to")
    count = DEFAULT_MONTHS
    if months:
        if not months.isdecimal() or not 1 <= int(months) <= MAX_MONTHS:
            raise ValidationFailed(
                f"months must be a whole number from 1 to {MAX_MONTHS}", field="months"
            )
        count = int(months)
    return Period(first=add_months(last, 1 - count), last=last)


def check_level(level: str | None, below: str | None, default: str | None = None) -> str:
    """A dashboard level, below ``below`` (the scope's level) when there is a scope; without
    ``level``, ``default`` if allowed, else the first level below."""
    allowed = levels_below(below)
    if not allowed:
        raise ValidationFailed("a grid has no areas below it on this dashboard", field="area")
    if level is None or level == "":
        return default if default in allowed else allowed[0]
    if level not in allowed:
        raise ValidationFailed(f"level must be one of {', '.join(allowed)}", field="level")
    return level


def levels_below(scope_level: str | None) -> list[str]:
    return [
        lv
        for lv in PAGE_LEVELS
        if scope_level is None or PAGE_LEVELS.index(lv) > _rank(scope_level)
    ]


def _rank(level: str) -> int:
    return PAGE_LEVELS.index(level) if level in PAGE_LEVELS else len(PAGE_LEVELS)
