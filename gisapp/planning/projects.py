"""Creating an improvement project from a chosen site: footprint, budget, milestones, reports.

Usage::

    project = create_project(session, body, user_id=planner.id, settings=settings)

Everything is checked before anything is written; the footprint must be a valid point, line
or polygon lying inside one community (its own), as the programme organises work by community.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import sqlalchemy as sa
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy.orm import Session

from gisapp.errors import ValidationFailed
from gisapp.geo.models import Area
from gisapp.maintenance.models import FacilityType
from gisapp.planning.models import (
    BUDGET_SOURCES,
    PHASES,
    Project,
    ProjectBudgetLine,
    ProjectMilestone,
    ProjectReport,
)
from gisapp.reports.models import Report
from gisapp.settings import Settings
from gisapp.validation import text_field

FIELDS = {
    "title_zh",
    "title_en",
    "description",
    "geometry",
    "phase",
    "progress",
    "facility_type",
    "budget_lines",
    "milestones",
    "report_ids",
    "started_on",
}
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
# Footprints drawn on a map may touch the community boundary; ~0.5 m of slack.
BOUNDARY_SLACK_DEG = 0.000005


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD)", field=field)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


def _money(value: Any, field: str) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationFailed(f"{field} must be a number", field=field)
    try:
        amount = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise ValidationFailed(f"{field} must be a number", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > decimal.Decimal("1e11"):
        raise ValidationFailed(f"{field} must be zero or more", field=field)
    return amount.quantize(decimal.Decimal("0.01"))


def _footprint(session: Session, raw: Any) -> tuple[str, int]:
    """Valid GeoJSON inside one community → (GeoJSON text, community id)."""
    if not isinstance(raw, dict) or raw.get("type") not in GEOMETRY_TYPES:
        raise ValidationFailed(
            "geometry must be a GeoJSON point, line or polygon", field="geometry"
        )
    try:
        geom = shape(raw)
    # GEOS refuses some shapes outright (a one-point line): as unreadable as a missing key.
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ShapelyError):
        raise ValidationFailed("geometry cannot be read", field="geometry") from None
    if geom.is_empty:
        raise ValidationFailed("geometry is empty", field="geometry")
    if not geom.is_valid:
        raise ValidationFailed(f"geometry is invalid: {explain_validity(geom)}", field="geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationFailed("geometry must be lon/lat in WGS 84", field="geometry")
    text = json.dumps(raw)
    g = sa.func.ST_SetSRID(sa.func.ST_GeomFromGeoJSON(text), 4326)
    community = session.execute(
        sa.select(
            Area.id, sa.func.ST_CoveredBy(g, sa.func.ST_Buffer(Area.geom, BOUNDARY_SLACK_DEG))
        )
        .where(
            Area.level == "community",
            sa.func.ST_Intersects(Area.geom, sa.func.ST_PointOnSurface(g)),
        )
        .order_by(Area.id)
        .limit(1)
    ).first()
    if community is None:
        raise ValidationFailed("the footprint is outside every community", field="geometry")
    if not community[1]:
        raise ValidationFailed("the footprint crosses out of its community", field="geometry")
    return text, int(community[0])


def _budget(items: Any, settings: Settings) -> list[ProjectBudgetLine]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValidationFailed("budget_lines must be a list", field="budget_lines")
    lines = []
    for i, item in enumerate(items):
        where = f"budget_lines.{i}"
        if not isinstance(item, dict) or set(item) - {"source", "amount_yuan", "hours", "note"}:
            raise ValidationFailed(
                "a budget line is {source, amount_yuan|hours, note}", field=where
            )
        source = item.get("source")
        if source not in BUDGET_SOURCES:
            raise ValidationFailed(
                f"source must be one of {', '.join(BUDGET_SOURCES)}", field=f"{where}.source"
            )
        hours = None
        if source == "residents_labour":
            hours = _money(item.get("hours"), f"{where}.hours")
            amount = (hours * decimal.Decimal(str(settings.labour_hour_value_yuan))).quantize(
                decimal.Decimal("0.01")
            )
        else:
            amount = _money(item.get("amount_yuan"), f"{where}.amount_yuan")
        note = item.get("note") or ""
        if not isinstance(note, str) or len(note) > 200:
            raise ValidationFailed("note is text up to 200 characters", field=f"{where}.note")
        lines.append(ProjectBudgetLine(source=source, amount_yuan=amount, hours=hours, note=note))
    return lines


def _milestones(items: Any) -> list[ProjectMilestone]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValidationFailed("milestones must be a list", field="milestones")
    out = []
    for i, item in enumerate(items):
        where = f"milestones.{i}"
        if not isinstance(item, dict) or set(item) - {"phase", "title", "due_on", "done_on"}:
            raise ValidationFailed("a milestone is {phase, title, due_on, done_on}", field=where)
        if item.get("phase") not in PHASES:
            raise ValidationFailed("unknown phase", field=f"{where}.phase")
        title = text_field(item.get("title"), f"{where}.title", 200, required=True)
        out.append(
            ProjectMilestone(
                phase=item["phase"],
                title=title,
                due_on=_date(item.get("due_on"), f"{where}.due_on"),
                done_on=_date(item.get("done_on"), f"{where}.done_on"),
            )
        )
    return out


def create_project(
    session: Session, body: dict[str, Any], user_id: int, settings: Settings
) -> Project:
    for key in body:
        if key not in FIELDS:
            raise ValidationFailed(f"unknown field {str(key)[:40]!r}", field=str(key)[:64])
    title_zh = text_field(body.get("title_zh"), "title_zh", 200, required=True)
    title_en = text_field(body.get("title_en"), "title_en", 200) or title_zh
    description = text_field(body.get("description"), "description", 4000)
    if "geometry" not in body:
        raise ValidationFailed("geometry is required", field="geometry")
    footprint, _community = _footprint(session, body["geometry"])
    phase = body.get("phase", "co_decide")
    if phase not in PHASES:
        raise ValidationFailed(f"phase must be one of {', '.join(PHASES)}", field="phase")
    progress = body.get("progress", 0)
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationFailed("progress is a whole number 0-100", field="progress")
    ftype = body.get("facility_type")
    if ftype is not None and (
        not isinstance(ftype, str) or session.get(FacilityType, ftype) is None
    ):
        raise ValidationFailed("unknown facility_type", field="facility_type")
    lines = _budget(body.get("budget_lines"), settings)
    milestones = _milestones(body.get("milestones"))
    report_ids = body.get("report_ids") or []
    if not isinstance(report_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in report_ids
    ):
        raise ValidationFailed("report_ids is a list of report ids", field="report_ids")
    found = set(session.scalars(sa.select(Report.id).where(Report.id.in_(report_ids))))
    if missing := sorted(set(report_ids) - found):
        raise ValidationFailed(f"no report {missing[0]}", field="report_ids")
    count = session.scalar(sa.select(sa.func.count()).select_from(Project)) or 0
    now = dt.datetime.now(dt.UTC)
    project = Project(
        code=f"P{now:%Y}-{count + 1:03d}-{now:%H%M%S}",
        title_zh=title_zh,
        title_en=title_en,
        description=description,
        phase=phase,
        progress=progress,
        facility_type=ftype,
        created_by=user_id,
        budget_yuan=sum((line.amount_yuan for line in lines), decimal.Decimal(0)) or None,
        started_on=_date(body.get("started_on"), "started_on"),
        geom=sa.func.ST_SetSRID(sa.func.ST_GeomFromGeoJSON(footprint), 4326),
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    session.flush()
    for line in lines:
        line.project_id = project.id
        session.add(line)
    for milestone in milestones:
        milestone.project_id = project.id
        session.add(milestone)
    for rid in sorted(found):
        session.add(ProjectReport(project_id=project.id, report_id=rid))
    session.flush()
    session.refresh(project)  # the area links were set by the database trigger
    return project
