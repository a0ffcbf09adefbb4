"""Query parameters of ``/ogc/collections/{id}/items`` checked against OGC API - Features Core.

Usage::

    query = items_query(collection, request.args)   # BadRequest (400) naming the parameter
    feature_page(..., where=query.where, limit=query.limit, offset=query.offset)

Clause references are to OGC 17-069r4 (Core): unknown parameters are refused
(/req/core/query-param-unknown) so a misspelt filter never silently returns everything;
``bbox`` is CRS84 (/req/core/fc-bbox-definition); ``datetime`` takes an instant or an interval
with ``..`` for an open end (/req/core/fc-time-definition). ``limit`` out of 1-10,000 is a 400
(our contract; the standard would also allow clamping).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from gisapp.errors import BadRequest
from gisapp.standards.ogc.collections import Collection
from gisapp.standards.ogc.extents import CRS84

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
COMMON = frozenset({"f", "lang"})
PAGING = frozenset({"limit", "offset", "bbox", "bbox-crs", "datetime"})
CRS84_NAMES = frozenset({CRS84, "[OGC:CRS84]", "OGC:CRS84"})


@dataclass
class ItemsQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    where: list[sa.ColumnElement[bool]] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None


def check_params(args: Mapping[str, Any], allowed: frozenset[str] | set[str]) -> None:
    for key in args:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise BadRequest(
                f"unknown query parameter {key[:64]!r}; known: {known}", field=key[:64]
            )


def _int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}", field=name)
    return value


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    message = "bbox must be 4 (or 6) numbers: minlon,minlat[,minz],maxlon,maxlat[,maxz]"
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise BadRequest(message, field="bbox")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise BadRequest(message, field="bbox") from None
    if len(numbers) == 6:  # heights are not stored; the box is flat
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    if not all(-180 <= x <= 180 for x in (minx, maxx)) or not all(
        -90 <= y <= 90 for y in (miny, maxy)
    ):
        raise BadRequest("bbox is outside longitude -180..180 / latitude -90..90", field="bbox")
    if miny > maxy:
        raise BadRequest("bbox: the southern edge is north of the northern edge", field="bbox")
    if minx > maxx:
        raise BadRequest("bbox crossing the antimeridian is not supported", field="bbox")
    return minx, miny, maxx, maxy


def _moment(raw: str) -> dt.date | dt.datetime:
    """A date, or an RFC 3339 date-time with an offset (``Z`` included)."""
    if len(raw) == 10:
        return dt.date.fromisoformat(raw)
    value = dt.datetime.fromisoformat(raw.replace("z", "Z"))
    if value.tzinfo is None:
        raise ValueError(raw)
    return value


def _day_after(value: dt.date) -> dt.date:
    return value + dt.timedelta(days=1)


def datetime_conditions(c: Collection, raw: str) -> list[sa.ColumnElement[bool]]:
    column = c.time_column
    if column is None:
        raise BadRequest(f"collection {c.id} has no time field to filter on", field="datetime")
    on_dates = isinstance(c.table.c[c.time_field or ""].type, sa.Date) and not isinstance(
        c.table.c[c.time_field or ""].type, sa.DateTime
    )
    try:
        if "/" not in raw:
            moment = _moment(raw)
            if isinstance(moment, dt.datetime):
                return [column == (moment.date() if on_dates else moment)]
            # A day on a timestamp column is the whole day, in the server's time zone.
            return (
                [column == moment] if on_dates else [column >= moment, column < _day_after(moment)]
            )
        start_raw, end_raw = raw.split("/", 1)
        out: list[sa.ColumnElement[bool]] = []
        if start_raw not in ("", ".."):
            start = _moment(start_raw)
            out.append(
                column >= (start.date() if on_dates and isinstance(start, dt.datetime) else start)
            )
        if end_raw not in ("", ".."):
            end = _moment(end_raw)
            if isinstance(end, dt.datetime):
                out.append(column <= (end.date() if on_dates else end))
            else:
                out.append(column <= end if on_dates else column < _day_after(end))
        return out
    except ValueError:
        raise BadRequest(
            "datetime must be a date, an RFC 3339 date-time with an offset, or an interval "
            "start/end where .. leaves an end open",
            field="datetime",
        ) from None


def items_query(c: Collection, args: Mapping[str, str]) -> ItemsQuery:
    check_params(args, COMMON | PAGING | set(c.queryables))
    query = ItemsQuery(
        limit=_int(args.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_int(args.get("offset"), "offset", 0, 0, 10_000_000),
        where=list(c.where),
    )
    crs = args.get("bbox-crs")
    if crs is not None and crs not in CRS84_NAMES:
        raise BadRequest(f"bbox-crs: only {CRS84} is supported", field="bbox-crs")
    if raw := args.get("bbox"):
        query.bbox = parse_bbox(raw)
        assert query.bbox is not None  # a non-empty value parses or raises
        query.where.append(c.bbox_condition(query.bbox))
    if raw := args.get("datetime"):
        query.where += datetime_conditions(c, raw)
    for name, queryable in c.queryables.items():
        if (value := args.get(name)) is not None:
            query.where.append(queryable.condition(value))
    return query
