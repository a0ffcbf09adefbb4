"""A facility's maintenance status, computed from its history and today's date.

::

    ok              next inspection due in more than 14 days
    due             next inspection due within 14 days (today included)
    overdue         the interval since the last visit (or installation) has passed
    out_of_service  an open fault: a linked resident's report still open, or the latest log
                    entry found a fault; this wins over the three above

The next visit is due one interval (the facility's own, else its type's) after the last logged
inspection or repair, or after installation when nothing is logged yet. A facility counts as
*covered* while that date has not passed, whatever its faults.

Usage::

    today = local_today(settings)
    status = status_expr(facts, today)            # SQL CASE over facility_facts
    status_of(facts_row, today), days_overdue_of(facts_row, today)   # one facility, in Python
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import sqlalchemy as sa

from gisapp.maintenance.models import FacilityFacts
from gisapp.settings import Settings

STATUSES = ("ok", "due", "overdue", "out_of_service")
LISTABLE = (*STATUSES, "removed")
DUE_SOON_DAYS = 14
# Volunteer share, faults closed and hours are counted over this many calendar months, the
# current one included.
WINDOW_MONTHS = 12

FACTS = FacilityFacts.__table__


def local_today(settings: Settings) -> dt.date:
    """Today where the programme runs (dates in the log are local dates)."""
    return dt.datetime.now(zoneinfo.ZoneInfo(settings.timezone)).date()


def window_start(today: dt.date, months: int = WINDOW_MONTHS) -> dt.date:
    """The first day of the oldest month in a window of ``months`` months ending today."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def status_expr(facts: Any = FACTS, today: dt.date | None = None) -> sa.ColumnElement[str]:
    today = today or dt.date.today()
    return sa.case(
        (facts.c.active.is_(False), sa.literal("removed")),
        (facts.c.out_of_service, sa.literal("out_of_service")),
        (facts.c.next_due_on < today, sa.literal("overdue")),
        (facts.c.next_due_on <= today + dt.timedelta(days=DUE_SOON_DAYS), sa.literal("due")),
        else_=sa.literal("ok"),
    )


def days_overdue_expr(facts: Any = FACTS, today: dt.date | None = None) -> sa.ColumnElement[int]:
    """Days past the due date (0 when not past it); date minus date is whole days."""
    today = today or dt.date.today()
    return sa.func.greatest(0, sa.literal(today, sa.Date) - facts.c.next_due_on)


def status_of(facts: FacilityFacts, today: dt.date) -> str:
    if not facts.active:
        return "removed"
    if facts.out_of_service:
        return "out_of_service"
    if facts.next_due_on < today:
        return "overdue"
    if facts.next_due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "ok"


def days_overdue_of(facts: FacilityFacts, today: dt.date) -> int:
    return max(0, (today - facts.next_due_on).days)
