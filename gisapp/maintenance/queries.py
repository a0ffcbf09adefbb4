"""Read-side queries for co-managing: scopes, the monthly series, facility lists and the
volunteer table (the per-area figures are in ``coverage``). Nothing here joins geometries.

Usage::

    scope = Scope(area=street, types=("street_light",))
    series = monthly_coverage(session, scope, today)
    listing = facility_listing(today)          # a subquery: one row per facility with status
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.errors import NotFound, ValidationFailed
from gisapp.geo.models import LEVELS, Area
from gisapp.maintenance.models import (
    Facility,
    FacilityFacts,
    FacilityMonth,
    FacilitySteward,
    FacilityType,
    MaintenanceRecord,
)
from gisapp.maintenance.status import WINDOW_MONTHS, days_overdue_expr, status_expr, window_start

FACTS = FacilityFacts.__table__
MONTHS = FacilityMonth.__table__


@dataclass(frozen=True)
class Scope:
    """Which facilities count: those inside ``area`` (any level; None = all) of ``types``."""

    area: Area | None = None
    types: tuple[str, ...] = ()

    def where(self, facts: Any = FACTS) -> list[sa.ColumnElement[bool]]:
        out: list[sa.ColumnElement[bool]] = []
        if self.area is not None:
            out.append(facts.c[f"{self.area.level}_id"] == self.area.id)
        if self.types:
            out.append(facts.c.type.in_(self.types))
        return out


def find_area(session: Session, raw: str, field: str = "area") -> Area:
    """An area by code (first) or by id, or a 404 naming the field."""
    area = session.scalars(sa.select(Area).where(Area.code == raw[:32])).first()
    if area is None and raw.isdecimal() and int(raw) < 2**31:
        area = session.get(Area, int(raw))
    if area is None:
        raise NotFound(f"no area {raw[:64]!r}", field=field)
    return area


def check_types(session: Session, raw: str | None, field: str = "type") -> tuple[str, ...]:
    """Comma-separated facility type codes; an unknown one is a 422."""
    if not raw:
        return ()
    wanted = tuple(dict.fromkeys(code.strip() for code in raw.split(",") if code.strip()))
    known = set(session.scalars(sa.select(FacilityType.code)))
    for code in wanted:
        if code not in known:
            raise ValidationFailed(f"unknown facility type {code[:40]!r}", field=field)
    return wanted


def ancestors(session: Session, area: Area | None) -> list[Area]:
    """The area and the areas above it, from the top down."""
    chain: list[Area] = []
    while area is not None:
        chain.append(area)
        area = session.get(Area, area.parent_id) if area.parent_id else None
    return chain[::-1]


def share(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def monthly_coverage(
    session: Session, scope: Scope, today: dt.date, months: int = WINDOW_MONTHS
) -> list[dict[str, Any]]:
    """``[{month, at, facilities, covered, coverage}]`` for the last ``months`` months."""
    sql = resources.files("gisapp.maintenance").joinpath("sql/monthly_coverage.sql").read_text()
    # One sort of a province's facility-months: in memory, not in temporary files.
    session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    rows = session.execute(
        sa.text(sql),
        {
            "today": today,
            "first_month": window_start(today, months),
            "area_id": scope.area.id if scope.area else None,
            "types": list(scope.types) or None,
        },
    )
    return [
        {
            "month": r.month.isoformat()[:7],
            "at": r.at.isoformat(),
            "facilities": int(r.facilities),
            "covered": int(r.covered),
            "coverage": share(int(r.covered), int(r.facilities)),
        }
        for r in rows
    ]


def facility_listing(today: dt.date) -> sa.Subquery:
    """One row per facility with its computed status, for lists, maps and exports."""
    f = Facility.__table__
    adopted = (
        sa.select(sa.literal(True))
        .where(FacilitySteward.facility_id == f.c.id, FacilitySteward.ended_at.is_(None))
        .exists()
    )
    return (
        sa.select(
            f.c.id,
            f.c.geom,
            f.c.code,
            f.c.type,
            f.c.condition,
            f.c.responsible_party,
            f.c.install_date,
            f.c.status.label("registry_status"),
            status_expr(FACTS, today).label("status"),
            days_overdue_expr(FACTS, today).label("days_overdue"),
            FACTS.c.last_visit_on,
            FACTS.c.next_due_on,
            FACTS.c.interval_days,
            (FACTS.c.open_reports + sa.case((FACTS.c.last_result == "fault", 1), else_=0)).label(
                "open_faults"
            ),
            adopted.label("adopted"),
            *(f.c[f"{level}_id"] for level in LEVELS),
        )
        .select_from(f.join(FACTS, FACTS.c.facility_id == f.c.id))
        .subquery("listing")
    )


def listing_filters(
    listing: sa.Subquery,
    *,
    statuses: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
    area: Area | None = None,
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if statuses:
        where.append(listing.c.status.in_(statuses))
    else:
        where.append(listing.c.status != "removed")
    if types:
        where.append(listing.c.type.in_(types))
    if area is not None:
        where.append(listing.c[f"{area.level}_id"] == area.id)
    return where


def facility_rows(
    session: Session,
    today: dt.date,
    *,
    statuses: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
    area: Area | None = None,
    limit: int | None = None,
) -> list[Any]:
    """Facilities with status and coordinates, the most overdue first (crew lists, tables)."""
    listing = facility_listing(today)
    stmt = (
        sa.select(
            listing,
            sa.func.ST_X(listing.c.geom).label("lon"),
            sa.func.ST_Y(listing.c.geom).label("lat"),
        )
        .where(*listing_filters(listing, statuses=statuses, types=types, area=area))
        .order_by(
            sa.case((listing.c.status == "out_of_service", 0), else_=1),
            listing.c.days_overdue.desc(),
            listing.c.next_due_on,
            listing.c.code,
        )
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt))


def area_names(session: Session, ids: set[int], locale: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(sa.select(Area.id, Area.name_zh, Area.name_en).where(Area.id.in_(ids)))
    return {r.id: (r.name_en if locale == "en" else r.name_zh) for r in rows}


def volunteers(session: Session, scope: Scope, today: dt.date) -> list[dict[str, Any]]:
    """The scope's volunteers: stewards with their adoptions, and volunteer work in the window.

    Names are display names (or the name written in the log); contact details never appear.
    """
    since = window_start(today)
    who = sa.func.coalesce(
        sa.func.nullif(User.display_name, ""), User.username, MaintenanceRecord.performed_by
    )
    work = session.execute(
        sa.select(
            MaintenanceRecord.user_id,
            who.label("name"),
            sa.func.count().label("checks"),
            sa.func.coalesce(sa.func.sum(MaintenanceRecord.minutes), 0).label("minutes"),
            sa.func.count().filter(MaintenanceRecord.result == "fault").label("faults_found"),
            sa.func.max(MaintenanceRecord.performed_on).label("last_check"),
        )
        .select_from(MaintenanceRecord)
        .join(FACTS, FACTS.c.facility_id == MaintenanceRecord.facility_id)
        .outerjoin(User, User.id == MaintenanceRecord.user_id)
        .where(
            MaintenanceRecord.volunteer.is_(True),
            MaintenanceRecord.performed_on >= since,
            *scope.where(),
        )
        .group_by(MaintenanceRecord.user_id, who)
    ).all()
    adopted = session.execute(
        sa.select(
            FacilitySteward.user_id,
            sa.func.coalesce(sa.func.nullif(User.display_name, ""), User.username).label("name"),
            sa.func.count().label("adopted"),
        )
        .join(FACTS, FACTS.c.facility_id == FacilitySteward.facility_id)
        .join(User, User.id == FacilitySteward.user_id)
        .where(FacilitySteward.ended_at.is_(None), *scope.where())
        .group_by(FacilitySteward.user_id, User.display_name, User.username)
    ).all()
    table: dict[tuple[int | None, str], dict[str, Any]] = {}
    for row in adopted:
        table[(row.user_id, row.name)] = {"name": row.name, "steward": True, "adopted": row.adopted}
    for row in work:
        entry = table.setdefault(
            (row.user_id, row.name),
            {"name": row.name, "steward": row.user_id is not None, "adopted": 0},
        )
        entry.update(
            checks=row.checks,
            hours=round(row.minutes / 60, 1),
            faults_found=row.faults_found,
            last_check=row.last_check,
        )
    for entry in table.values():
        entry.setdefault("checks", 0)
        entry.setdefault("hours", 0.0)
        entry.setdefault("faults_found", 0)
        entry.setdefault("last_check", None)
    return sorted(table.values(), key=lambda e: (-e["checks"], -e["adopted"], e["name"] or ""))
