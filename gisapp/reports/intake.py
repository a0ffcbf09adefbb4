"""Filing a report: validate everything first, then write report, photos and event together.

Usage::

    draft = parse_report(fields, photos=[bytes, ...], settings=settings)   # raises ValidationFailed
    report = file_report(session, draft, actor=Actor.of(current_user, anon_key), settings=...)

Nothing is written until every field and photo has passed; a photo written to disk for a
transaction that then fails is removed again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.orm import Session

from gisapp.errors import ValidationFailed
from gisapp.geo.models import Area
from gisapp.maintenance.models import Facility
from gisapp.reports.actors import Actor
from gisapp.reports.models import Category, Report, ReportContact, ReportEvent, ReportPhoto
from gisapp.reports.moderation import spam_signals
from gisapp.reports.photos import CleanPhoto, clean_photo, store_photo
from gisapp.settings import Settings

FIELDS = {"category", "description", "lon", "lat", "contact", "facility_id"}
MAX_DESCRIPTION = 2000
# A fault report on a facility is placed at the facility; a place sent with it must be near.
FACILITY_REACH_M = 250


@dataclass
class Draft:
    category: str
    description: str
    lon: float | None
    lat: float | None
    contact: str | None
    photos: list[CleanPhoto] = field(default_factory=list)
    facility_id: int | None = None


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise ValidationFailed(f"{name} must be a number", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name} must be a number", field=name) from None
    if not math.isfinite(number):
        raise ValidationFailed(f"{name} must be a finite number", field=name)
    return number


def _text(value: Any, name: str, *, required: bool, limit: int) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed(f"{name} is required", field=name)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be text", field=name)
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed(f"{name} must be at most {limit} characters", field=name)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise ValidationFailed(f"{name} contains control characters", field=name)
    return text


def parse_report(fields: Mapping[str, Any], photos: list[bytes], settings: Settings) -> Draft:
    """Check the submitted fields and photos (no database access)."""
    for key in fields:
        if key not in FIELDS:
            raise ValidationFailed(f"unknown field {str(key)[:40]!r}", field=str(key)[:64])
    facility_id = _facility_id(fields.get("facility_id"))
    # On a facility the place is the facility's, unless one is sent.
    placed = facility_id is None or "lon" in fields or "lat" in fields
    for key in ("category", "description", "lon", "lat") if placed else ("category", "description"):
        if key not in fields:
            raise ValidationFailed(f"{key} is required", field=key)
    category = _text(fields["category"], "category", required=True, limit=40)
    description = _text(fields["description"], "description", required=True, limit=MAX_DESCRIPTION)
    lon = lat = None
    if placed:
        lon = _number(fields["lon"], "lon")
        lat = _number(fields["lat"], "lat")
        if not -90 <= lat <= 90:
            hint = "; longitude and latitude may be swapped" if -90 <= lon <= 90 else ""
            raise ValidationFailed(f"lat must be between -90 and 90{hint}", field="lat")
        if not -180 <= lon <= 180:
            raise ValidationFailed("lon must be between -180 and 180", field="lon")
    contact = _text(fields.get("contact"), "contact", required=False, limit=200)
    if len(photos) > settings.photos_per_report:
        raise ValidationFailed(
            f"at most {settings.photos_per_report} photos per report", field="photos"
        )
    cleaned = [clean_photo(raw, settings) for raw in photos]
    assert category is not None and description is not None
    return Draft(category, description, lon, lat, contact, cleaned, facility_id)


def _facility_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed("facility_id must be a facility's id", field="facility_id")
    text = str(value).strip()
    if not text.isdecimal() or int(text) >= 2**31:
        raise ValidationFailed("facility_id must be a facility's id", field="facility_id")
    return int(text)


def _point(lon: float, lat: float) -> sa.ColumnElement[Any]:
    return sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326)


def _served(session: Session, lon: float, lat: float) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.literal(True))
            .where(Area.level == "community", sa.func.ST_Intersects(Area.geom, _point(lon, lat)))
            .limit(1)
        )
    )


def check_location(session: Session, lon: float, lat: float, served: bool | None = None) -> None:
    """The point must lie in a community we serve (``served``: already looked up); say so
    when lon/lat look swapped."""
    if served if served is not None else _served(session, lon, lat):
        return
    if -180 <= lat <= 180 and -90 <= lon <= 90 and _served(session, lat, lon):
        raise ValidationFailed(
            "longitude and latitude look swapped: send lon first, then lat", field="lon"
        )
    raise ValidationFailed("this place is outside every community this map serves", field="lon")


def check_category(session: Session, code: str) -> Category:
    category, _served_too = _category_and_place(session, code, None)
    return category


def _category_and_place(
    session: Session, code: str, point: tuple[float, float] | None
) -> tuple[Category, bool | None]:
    """The active category, and whether the point lies in a served community (None without a
    point): one round trip, as every filed report asks both."""
    served: Any = sa.literal(None)
    if point is not None:
        served = (
            sa.select(sa.literal(True))
            .where(Area.level == "community", sa.func.ST_Intersects(Area.geom, _point(*point)))
            .limit(1)
            .scalar_subquery()
        )
    row = session.execute(sa.select(Category, served).where(Category.code == code)).first()
    if row is None or not row[0].active:
        raise ValidationFailed(f"unknown category {code!r}", field="category")
    return row[0], None if point is None else bool(row[1])


def check_facility(
    session: Session, facility_id: int, lon: float | None, lat: float | None
) -> tuple[float, float]:
    """A fault report's facility must be in use; the report is placed at it (or near it)."""
    facility = session.get(Facility, facility_id)
    if facility is None:
        raise ValidationFailed(f"no facility {facility_id}", field="facility_id")
    if facility.status != "active":
        raise ValidationFailed(
            "this facility has been removed; report the problem at its place on the map",
            field="facility_id",
        )
    if lon is None or lat is None:
        x, y = session.execute(
            sa.select(sa.func.ST_X(Facility.geom), sa.func.ST_Y(Facility.geom)).where(
                Facility.id == facility_id
            )
        ).one()
        return float(x), float(y)
    distance = session.scalar(
        sa.select(
            sa.func.ST_Distance(
                sa.cast(Facility.geom, Geography(srid=4326)),
                sa.cast(_point(lon, lat), Geography(srid=4326)),
            )
        ).where(Facility.id == facility_id)
    )
    if distance is not None and distance > FACILITY_REACH_M:
        raise ValidationFailed(
            f"this place is {distance:.0f} m from facility {facility.code}; "
            "leave lon/lat out to place the report at the facility",
            field="lon",
        )
    return lon, lat


def file_report(session: Session, draft: Draft, actor: Actor, settings: Settings) -> Report:
    """Write the report; the caller commits. Photos on disk are removed if the write fails."""
    at = None if draft.facility_id is not None else (draft.lon, draft.lat)
    category, served = _category_and_place(session, draft.category, at)  # type: ignore[arg-type]
    if draft.facility_id is not None:
        draft.lon, draft.lat = check_facility(session, draft.facility_id, draft.lon, draft.lat)
    assert draft.lon is not None and draft.lat is not None
    check_location(session, draft.lon, draft.lat, served)
    now = dt.datetime.now(dt.UTC)
    report = Report(
        category=category.code,
        description=draft.description,
        status="submitted",
        geom=_point(draft.lon, draft.lat),
        created_at=now,
        updated_at=now,
        due_at=now + dt.timedelta(days=category.time_limit_days),
        reporter_id=actor.user_id,
        reporter_key=actor.key,
        facility_id=draft.facility_id,
        photos=[],  # a new report's collection starts empty: reading it needs no query
    )
    report.spam_flags = spam_signals(session, draft.description, actor.key, settings)
    if report.spam_flags:
        report.moderation = "held"
    if draft.contact:
        report.contact = ReportContact(contact=draft.contact)
    stored = []
    try:
        for photo in draft.photos:
            saved = store_photo(photo, settings.upload_dir)
            stored.append(saved)
            report.photos.append(
                ReportPhoto(
                    filename=saved.filename,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=len(photo.data),
                )
            )
        session.add(report)
        session.flush()
        session.add(
            ReportEvent(
                report_id=report.id,
                kind="filed",
                to_status="submitted",
                actor_id=actor.user_id,
                actor_role=actor.role,
                created_at=now,
            )
        )
        session.flush()
    except BaseException:
        for saved in stored:
            saved.path.unlink(missing_ok=True)
        raise
    return report
