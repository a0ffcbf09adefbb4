"""``gisapp load-sample``: load ``sample_geodata/`` and the demo accounts in one transaction.

Every feature is checked before anything is written; the first broken one aborts the load with
the file and the feature named, and the database is left as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely import MultiPolygon, Polygon
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy.orm import Session

from gisapp import reference
from gisapp.auth.models import ApiKey, User, UserArea
from gisapp.auth.passwords import hash_password
from gisapp.auth.tokens import digest
from gisapp.dataio.sample_participation import load_participation
from gisapp.dataio.streets import load_streets
from gisapp.errors import DataFileError
from gisapp.geo.models import LEVELS, Area
from gisapp.maintenance.models import Facility, FacilitySteward, FacilityType, MaintenanceRecord
from gisapp.planning.models import PHASES, Project
from gisapp.planning.network import build_topology
from gisapp.reports.models import STATUSES, Category, Report, ReportContact, ReportEvent

DEMO_PASSWORD = "co-create-demo"  # noqa: S105 - published in README; sample data only
DEMO_OPEN311_KEY = "demo-open311-key"
DEMO_USERS = (
    ("demo-resident", "resident", "示例居民"),
    ("demo-grid", "grid_worker", "示例网格员"),
    ("demo-planner", "planner", "示例规划师"),
    ("demo-manager", "manager", "示例管理员"),
    ("demo-admin", "admin", "示例系统管理员"),
)


def _features(path: Path) -> Iterator[tuple[int, dict[str, Any], Any]]:
    """(feature number, properties, shapely geometry); broken JSON or geometry → DataFileError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{path.name}: cannot be read as GeoJSON: {exc}") from exc
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise DataFileError(f"{path.name}: must be a GeoJSON FeatureCollection")
    for i, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") or {}
        name = props.get("code") or props.get("ref")
        label = f"{path.name} feature {i}" + (f" ({name})" if name else "")
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataFileError(f"{label}: geometry cannot be read: {exc}") from exc
        if geom.is_empty or not geom.is_valid:
            raise DataFileError(f"{label}: invalid geometry: {explain_validity(geom)}")
        yield i, props, geom


def _need(props: dict[str, Any], key: str, label: str) -> Any:
    value = props.get(key)
    if value is None or value == "":
        raise DataFileError(f"{label}: field {key} is missing")
    return value


def _parse_date(value: Any, key: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise DataFileError(f"{label}: field {key} is not a date: {value!r}") from exc


def _parse_time(value: Any, key: str, label: str) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(f"{label}: field {key} is not a timestamp: {value!r}") from exc
    if stamp.tzinfo is None:
        raise DataFileError(f"{label}: field {key} has no time zone: {value!r}")
    return stamp


def load_areas(session: Session, path: Path) -> dict[str, Area]:
    rows = []
    for i, props, geom in _features(path):
        label = f"{path.name} feature {i} ({props.get('code')})"
        level = _need(props, "level", label)
        if level not in LEVELS:
            raise DataFileError(f"{label}: field level must be one of {', '.join(LEVELS)}")
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        if not isinstance(geom, MultiPolygon):
            raise DataFileError(f"{label}: geometry must be a Polygon or MultiPolygon")
        rows.append((label, props, geom))
    by_code: dict[str, Area] = {}
    for level in LEVELS:  # parents before children
        for label, props, geom in (r for r in rows if r[1]["level"] == level):
            code = str(_need(props, "code", label))
            if code in by_code:
                raise DataFileError(f"{label}: duplicate code {code}")
            parent_code = props.get("parent_code")
            parent = by_code.get(str(parent_code)) if parent_code else None
            if parent_code and parent is None:
                raise DataFileError(f"{label}: parent_code {parent_code} is not an area above it")
            if parent is not None and LEVELS.index(parent.level) >= LEVELS.index(level):
                raise DataFileError(f"{label}: parent {parent_code} is not a higher level")
            area = Area(
                level=level,
                code=code,
                name_zh=_need(props, "name_zh", label),
                name_en=_need(props, "name_en", label),
                parent=parent,
                population=props.get("population"),
                households=props.get("households"),
                geom=from_shape(geom, srid=4326),
            )
            session.add(area)
            by_code[code] = area
        session.flush()
    return by_code


def _point(geom: Any, label: str) -> Any:
    if geom.geom_type != "Point":
        raise DataFileError(f"{label}: geometry must be a Point")
    if not (-180 <= geom.x <= 180 and -90 <= geom.y <= 90):
        raise DataFileError(f"{label}: coordinates are not longitude/latitude")
    return from_shape(geom, srid=4326)


STAFF_NOTES = {
    "accepted": "已受理，已转交相关部门。",
    "in_progress": "已派单，正在处理。",
    "resolved": "已处理完毕，请居民查看。",
    "closed": "居民确认，已办结。",
    "rejected": "不属于本街道职责范围，已告知居民转报渠道。",
}


def _history(report: Report) -> list[ReportEvent]:
    """A plausible public timeline for a sample report: filed, then its current status."""
    events = [
        ReportEvent(
            kind="filed",
            to_status="submitted",
            actor_role="anonymous",
            created_at=report.created_at,
        )
    ]
    if report.status != "submitted":
        events.append(
            ReportEvent(
                kind="status",
                from_status="submitted",
                to_status=report.status,
                note=STAFF_NOTES.get(report.status, ""),
                actor_role="grid_worker",
                created_at=report.updated_at,
            )
        )
    return events


def load_reports(session: Session, path: Path) -> int:
    categories = {c.code: c for c in session.scalars(sa.select(Category))}
    n = 0
    for i, props, geom in _features(path):
        label = f"{path.name} feature {i} ({props.get('ref')})"
        category = _need(props, "category", label)
        if category not in categories:
            raise DataFileError(f"{label}: unknown category {category!r}")
        status = _need(props, "status", label)
        if status not in STATUSES:
            raise DataFileError(f"{label}: unknown status {status!r}")
        description = str(_need(props, "description", label))
        if len(description) > 2000:
            raise DataFileError(f"{label}: description is longer than 2000 characters")
        created = _parse_time(_need(props, "created_at", label), "created_at", label)
        updated = _parse_time(props.get("updated_at") or created.isoformat(), "updated_at", label)
        report = Report(
            category=category,
            description=description,
            status=status,
            geom=_point(geom, label),
            created_at=created,
            updated_at=updated,
            resolved_at=updated if status in ("resolved", "closed") else None,
            due_at=created + dt.timedelta(days=categories[category].time_limit_days),
            support_count=int(props.get("support_count") or 0),
        )
        if props.get("contact"):
            report.contact = ReportContact(contact=str(props["contact"]))
        session.add(report)
        session.flush()
        for event in _history(report):
            event.report_id = report.id
            session.add(event)
        n += 1
    return n


def load_projects(session: Session, path: Path) -> int:
    n = 0
    for i, props, geom in _features(path):
        label = f"{path.name} feature {i} ({props.get('code')})"
        phase = _need(props, "phase", label)
        if phase not in PHASES:
            raise DataFileError(f"{label}: phase must be one of {', '.join(PHASES)}")
        session.add(
            Project(
                code=_need(props, "code", label),
                title_zh=_need(props, "title_zh", label),
                title_en=_need(props, "title_en", label),
                description=props.get("description_zh") or "",
                phase=phase,
                progress=int(props.get("progress") or 0),
                budget_yuan=props.get("budget_yuan"),
                started_on=_parse_date(props.get("started_on"), "started_on", label),
                completed_on=_parse_date(props.get("completed_on"), "completed_on", label),
                geom=from_shape(geom, srid=4326),
            )
        )
        n += 1
    return n


def load_facilities(session: Session, path: Path) -> dict[str, Facility]:
    types = set(session.scalars(sa.select(FacilityType.code)))
    by_code: dict[str, Facility] = {}
    for i, props, geom in _features(path):
        label = f"{path.name} feature {i} ({props.get('code')})"
        code = str(_need(props, "code", label))
        if code in by_code:
            raise DataFileError(f"{label}: duplicate code {code}")
        ftype = _need(props, "type", label)
        if ftype not in types:
            raise DataFileError(f"{label}: unknown facility type {ftype!r}")
        facility = Facility(
            code=code,
            type=ftype,
            geom=_point(geom, label),
            install_date=_parse_date(props.get("install_date"), "install_date", label),
            responsible_party=props.get("responsible_party") or "",
            condition=props.get("condition") or "good",
            maintenance_interval_days=props.get("maintenance_interval_days"),
            status=props.get("status") or "active",
        )
        session.add(facility)
        by_code[code] = facility
    session.flush()
    return by_code


def load_maintenance(session: Session, path: Path, facilities: dict[str, Facility]) -> int:
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            label = f"{path.name} line {i}"
            facility = facilities.get(row.get("facility_code") or "")
            if facility is None:
                raise DataFileError(f"{label}: unknown facility_code {row.get('facility_code')!r}")
            if row.get("kind") not in ("inspection", "repair"):
                raise DataFileError(f"{label}: kind must be inspection or repair")
            if row.get("result") not in ("ok", "fault", "fixed"):
                raise DataFileError(f"{label}: result must be ok, fault or fixed")
            performed = _parse_date(row.get("date"), "date", label)
            if performed is None:
                raise DataFileError(f"{label}: field date is missing")
            session.add(
                MaintenanceRecord(
                    facility_id=facility.id,
                    kind=row["kind"],
                    performed_on=performed,
                    result=row["result"],
                    performed_by=row.get("performed_by") or "",
                    volunteer=(row.get("volunteer") or "").lower() == "true",
                    minutes=int(row["minutes"]) if row.get("minutes") else None,
                    notes=row.get("notes") or "",
                )
            )
            n += 1
    return n


def create_demo_accounts(session: Session, areas: dict[str, Area]) -> None:
    hashed = hash_password(DEMO_PASSWORD)
    for username, role, display in DEMO_USERS:
        user = User(username=username, password_hash=hashed, role=role, display_name=display)
        if role == "grid_worker":
            first_community = next(a for a in areas.values() if a.level == "community")
            user.areas.append(UserArea(area_id=first_community.id))
        session.add(user)
    session.add(
        ApiKey(
            name="demo Open311 client",
            key_hash=digest(DEMO_OPEN311_KEY),
            key_prefix=DEMO_OPEN311_KEY[:8],
        )
    )


def create_demo_adoptions(session: Session) -> int:
    """demo-resident looks after two facilities of the first community (a steward, 认领)."""
    resident = session.scalars(sa.select(User).where(User.username == "demo-resident")).one()
    # Area links are set by a trigger, so they are read back rather than taken from the objects.
    rows = session.execute(
        sa.select(Facility.id, Facility.community_id)
        .where(Facility.status == "active", Facility.community_id.is_not(None))
        .order_by(Facility.community_id, Facility.code)
        .limit(2)
    ).all()
    for facility_id, community_id in rows:
        session.add(
            FacilitySteward(facility_id=facility_id, user_id=resident.id, community_id=community_id)
        )
    return len(rows)


def is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Area)) == 0


def load_sample(session: Session, directory: Path) -> dict[str, int]:
    """Load everything; the caller commits (or rolls back on DataFileError)."""
    reference.sync(session)
    session.flush()
    areas = load_areas(session, directory / "areas.geojson")
    counts = {"areas": len(areas)}
    counts["reports"] = load_reports(session, directory / "reports.geojson")
    counts["projects"] = load_projects(session, directory / "projects.geojson")
    facilities = load_facilities(session, directory / "facilities.geojson")
    counts["facilities"] = len(facilities)
    counts["maintenance_records"] = load_maintenance(
        session, directory / "maintenance_records.csv", facilities
    )
    create_demo_accounts(session, areas)
    session.flush()
    counts["stewards"] = create_demo_adoptions(session)
    counts.update(load_participation(session))
    # The sample's streets are already split at every junction: no noding needed.
    counts["streets"] = load_streets(session, directory / "streets.geojson")
    build_topology(session)
    return counts
