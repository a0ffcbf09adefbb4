"""The month-by-month coverage series for a page or the API, with its current month live.

Past months change only when someone back-dates a log entry or a registry date, so for big
scopes (a district, a city: more than ``CACHE_ABOVE`` facilities, where the series reads
hundreds of thousands of facility-months) each worker keeps the series for ``TTL_SECONDS``. The
current month is always recomputed from the facts, so the chart's last point equals the figures
beside it. Small scopes (a street, a community) are always computed afresh.

Usage::

    series = coverage_series(session, scope, today, cache=series_cache())
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from gisapp.maintenance.queries import FACTS, Scope, monthly_coverage

CACHE_ABOVE = 5_000
TTL_SECONDS = 600
CACHE_SIZE = 128


class SeriesCache:
    """A small per-process LRU of series keyed by (scope, types, day)."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> list[dict[str, Any]] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or time.monotonic() - hit[0] > TTL_SECONDS:
                return None
            self._items.move_to_end(key)
            return [dict(point) for point in hit[1]]

    def put(self, key: tuple[Any, ...], series: list[dict[str, Any]]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), [dict(point) for point in series])
            self._items.move_to_end(key)
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


def series_cache() -> SeriesCache:
    """This app's cache (one per process)."""
    cache: SeriesCache = current_app.extensions.setdefault(
        "gisapp.maintenance.series", SeriesCache()
    )
    return cache


def live_totals(session: Session, scope: Scope, today: dt.date) -> tuple[int, int]:
    """(facilities, covered) in the scope today, from the facts."""
    n, covered = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(FACTS.c.next_due_on >= today)).where(
            FACTS.c.active.is_(True), *scope.where()
        )
    ).one()
    return int(n), int(covered)


def coverage_series(
    session: Session, scope: Scope, today: dt.date, *, cache: SeriesCache
) -> list[dict[str, Any]]:
    key = (scope.area.id if scope.area else None, scope.types, today)
    series = cache.get(key)
    if series is None:
        series = monthly_coverage(session, scope, today)
        if series and series[-1]["facilities"] > CACHE_ABOVE:
            cache.put(key, series)
        return series
    n, covered = live_totals(session, scope, today)
    series[-1].update(facilities=n, covered=covered, coverage=round(covered / n, 4) if n else None)
    return series
