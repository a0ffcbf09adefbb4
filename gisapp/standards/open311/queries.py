"""``GET requests``: reports as GeoReport v2 service requests, public fields only.

Never selects the reporter, the contact table or a sensitive report's true location.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased

from gisapp.geo.models import Area
from gisapp.reports.models import OPEN_STATUSES, STATUSES, Category, Report, ReportEvent
from gisapp.reports.models import ReportPhoto as Photo
from gisapp.reports.queries import public_geom
from gisapp.standards.open311.models import Open311Request

CLOSED_STATUSES = tuple(s for s in STATUSES if s not in OPEN_STATUSES)
SPEC_STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}
MAX_REQUESTS = 1000
# "the range defaults to most recent 90 days", "may not span more than 90 days" (GeoReport v2)
WINDOW = dt.timedelta(days=90)
COORDINATE_DIGITS = 6  # about 0.1 m: the precision of our other public APIs


@dataclass(frozen=True)
class RequestFilter:
    ids: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()
    limit: int = MAX_REQUESTS


def _latest_note() -> sa.ScalarSelect[Any]:
    return (
        sa.select(ReportEvent.note)
        .where(
            ReportEvent.report_id == Report.id,
            ReportEvent.public.is_(True),
            ReportEvent.hidden_reason.is_(None),
            ReportEvent.note != "",
        )
        .order_by(ReportEvent.created_at.desc(), ReportEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _select(rounding_m: float) -> sa.Select[*tuple[Any, ...]]:
    district, street, community = aliased(Area), aliased(Area), aliased(Area)
    geom = public_geom(Report.geom, Report.category, rounding_m)
    return (
        sa.select(
            Report.id,
            Report.status,
            Report.category,
            Report.description,
            Report.created_at,
            Report.updated_at,
            Report.due_at,
            Report.duplicate_of_id,
            Category.name_zh.label("service_zh"),
            Category.name_en.label("service_en"),
            sa.func.ST_X(geom).label("lon"),
            sa.func.ST_Y(geom).label("lat"),
            district.name_zh.label("district_zh"),
            district.name_en.label("district_en"),
            street.name_zh.label("street_zh"),
            street.name_en.label("street_en"),
            community.name_zh.label("community_zh"),
            community.name_en.label("community_en"),
            _latest_note().label("note"),
            sa.select(sa.func.min(Photo.id))
            # A photo a moderator hid is not linked as the request's media.
            .where(Photo.report_id == Report.id, Photo.hidden_reason.is_(None))
            .scalar_subquery()
            .label("photo_id"),
            Open311Request.media_url,
        )
        .join(Category, Category.code == Report.category)
        .outerjoin(district, district.id == Report.district_id)
        .outerjoin(street, street.id == Report.street_id)
        .outerjoin(community, community.id == Report.community_id)
        .outerjoin(Open311Request, Open311Request.report_id == Report.id)
    )


def window(
    start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The spec's date window: 90 days ending at ``end`` (or now), or starting at ``start``."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    return start, end


def find_requests(
    session: Session, flt: RequestFilter, rounding_m: float, now: dt.datetime
) -> list[sa.Row[Any]]:
    # Held (spam signal) and hidden (moderated) reports are not published here either.
    stmt = _select(rounding_m).where(Report.moderation == "visible")
    if flt.ids:
        # "service_request_id ... overrides all other arguments"
        stmt = stmt.where(Report.id.in_(flt.ids))
    else:
        start, end = window(flt.start, flt.end, now)
        stmt = stmt.where(Report.created_at >= start, Report.created_at <= end)
        if flt.codes:
            stmt = stmt.where(Report.category.in_(flt.codes))
        if flt.statuses:
            wanted = [s for name in flt.statuses for s in SPEC_STATUSES[name]]
            stmt = stmt.where(Report.status.in_(wanted))
    stmt = stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(flt.limit)
    return list(session.execute(stmt).all())


def _when(value: dt.datetime | None, zone: ZoneInfo) -> str | None:
    # W3C/ISO 8601 with the local offset, e.g. 2026-11-26T21:30:00+08:00
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def _status_notes(row: sa.Row[Any]) -> str | None:
    if row.status == "duplicate" and row.duplicate_of_id:
        return str(_("Duplicate of request %(id)d.", id=row.duplicate_of_id))
    return str(row.note) if row.note else None


def request_json(row: sa.Row[Any], locale: str, zone: ZoneInfo, url_root: str) -> dict[str, Any]:
    """One service request in the spec's field order."""
    en = locale == "en"

    def name(level: str) -> str | None:
        value = getattr(row, f"{level}_{'en' if en else 'zh'}")
        return str(value) if value else None

    areas = [n for level in ("district", "street", "community") if (n := name(level))]
    media = row.media_url
    if row.photo_id is not None:
        media = f"{url_root}api/v1/reports/{row.id}/photos/{row.photo_id}"
    return {
        "service_request_id": row.id,
        "status": "open" if row.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(row),
        "service_name": row.service_en if en else row.service_zh,
        "service_code": row.category,
        "description": row.description,
        "agency_responsible": name("community") or name("street") or name("district"),
        "service_notice": None,
        "requested_datetime": _when(row.created_at, zone),
        "updated_datetime": _when(row.updated_at, zone),
        "expected_datetime": _when(row.due_at, zone) if row.status in OPEN_STATUSES else None,
        "address": (", " if en else " ").join(areas) or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(float(row.lat), COORDINATE_DIGITS),
        "long": round(float(row.lon), COORDINATE_DIGITS),
        "media_url": media,
    }
