"""A collection's extent: bounding box and time span, from the data, remembered for a while.

Clients read extents on every ``/collections`` request (QGIS on each connection), and an exact
``ST_Extent`` over a million reports is a whole-table scan, so:

- the bbox is ``ST_EstimatedExtent`` (planner statistics, instant), and the exact extent only
  when the table has never been analysed (then it is small);
- each worker keeps the answer for ``TTL_SECONDS``; an extent is a hint for clients' first view,
  a few minutes of lag does no harm.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.standards.ogc.collections import Collection

TTL_SECONDS = 300
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def _bbox(session: Session, c: Collection) -> list[float] | None:
    # The table's estimated extent may be a little larger than a filtered layer's (all area
    # levels, hidden reports): an extent only has to contain the features, and it is instant.
    box: Any = session.execute(
        sa.select(sa.func.ST_EstimatedExtent("public", c.table.name, "geom"))
    ).scalar()
    if box is None:
        box = session.execute(sa.select(sa.func.ST_Extent(c.table.c.geom)).where(*c.where)).scalar()
    if box is None:
        return None
    # BOX(minx miny,maxx maxy) text: simpler than four more aggregate calls.
    numbers = str(box).removeprefix("BOX(").removesuffix(")").replace(",", " ").split()
    return [round(float(n), 6) for n in numbers]


def _interval(session: Session, c: Collection) -> list[str | None] | None:
    column = c.time_column
    if column is None:
        return None
    low, high = session.execute(
        sa.select(sa.func.min(column), sa.func.max(column)).where(*c.where)
    ).one()
    return [_instant(low), _instant(high)]


def _instant(value: dt.date | None) -> str | None:
    if value is None or isinstance(value, dt.datetime):
        return value.isoformat() if value else None
    return f"{value.isoformat()}T00:00:00Z"


def extent(session: Session, c: Collection) -> dict[str, Any]:
    """``{"spatial": {"bbox": [[…]], "crs": CRS84}, "temporal": {"interval": [[a, b]]}}``."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(c.id)
    if hit and now - hit[0] < TTL_SECONDS:
        return hit[1]
    out: dict[str, Any] = {}
    if (bbox := _bbox(session, c)) is not None:
        out["spatial"] = {"bbox": [bbox], "crs": CRS84}
    if (interval := _interval(session, c)) is not None:
        out["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    with _lock:
        _cache[c.id] = (now, out)
    return out


def forget() -> None:
    """Drop remembered extents (tests, and after bulk loads in the same process)."""
    with _lock:
        _cache.clear()
