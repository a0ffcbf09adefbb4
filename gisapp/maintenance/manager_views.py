"""``/manager``: maintenance coverage area by area, from district down to the facilities.

``/manager?area=<id>&level=<level>&type=<code>`` shows the areas of ``level`` inside ``area``
(on the map as a choropleth, and as a table), the scope's month-by-month coverage, its most
urgent facilities and its volunteers. A click on an area (map or table) makes it the scope.
``/manager/labels.pdf`` prints the QR labels of the scope's facilities.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import ValidationFailed
from gisapp.geo.models import LEVELS, Area
from gisapp.geo.queries import overview_bounds
from gisapp.i18n import current_locale
from gisapp.maintenance.chart import coverage_chart
from gisapp.maintenance.coverage import coverage
from gisapp.maintenance.labels import Label, label_sheet
from gisapp.maintenance.logbook import get_facility
from gisapp.maintenance.mapping import STATUS_COLORS, coverage_color, manager_map, status_names
from gisapp.maintenance.models import Facility, FacilityType
from gisapp.maintenance.queries import (
    Scope,
    ancestors,
    area_names,
    check_types,
    facility_rows,
    find_area,
    volunteers,
)
from gisapp.maintenance.series import coverage_series, series_cache
from gisapp.maintenance.status import DUE_SOON_DAYS, local_today, window_start
from gisapp.maps.builder import map_parts
from gisapp.pages import static_url
from gisapp.settings import Settings

bp = Blueprint("manager", __name__)

PAGE_LEVELS = ("district", "street", "community", "grid")
SORTS = ("coverage", "overdue", "name", "facilities")
FACILITY_ROWS = 300
LABELS_PER_SHEET_REQUEST = 2400  # 100 pages


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def default_level(area: Area | None) -> str | None:
    """The level below the scope; without a scope, the highest level with more than one area."""
    if area is not None:
        below = LEVELS.index(area.level) + 1
        return LEVELS[below] if below < len(PAGE_LEVELS) else None
    counts = dict(
        get_session().execute(sa.select(Area.level, sa.func.count()).group_by(Area.level)).all()
    )
    return next((lv for lv in PAGE_LEVELS if counts.get(lv, 0) > 1), "district")


def _bounds(area: Area | None) -> list[list[float]] | None:
    session = get_session()
    if area is None:
        return overview_bounds(session)
    box = session.execute(
        sa.select(
            sa.func.ST_XMin(Area.geom),
            sa.func.ST_YMin(Area.geom),
            sa.func.ST_XMax(Area.geom),
            sa.func.ST_YMax(Area.geom),
        ).where(Area.id == area.id)
    ).one()
    west, south, east, north = (float(v) for v in box)
    return [[south, west], [north, east]]


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "name":
        return sorted(rows, key=lambda r: (r["id"] is None, r["code"] or ""))
    if sort == "overdue":
        return sorted(rows, key=lambda r: (-r["overdue"] - r["out_of_service"], r["code"] or ""))
    if sort == "facilities":
        return sorted(rows, key=lambda r: (-r["facilities"], r["code"] or ""))
    # Worst coverage first; areas without facilities last.
    return sorted(rows, key=lambda r: (r["coverage"] is None, r["coverage"] or 0, r["code"] or ""))


def _scope() -> tuple[Scope, str | None]:
    session = get_session()
    raw = request.args.get("area")
    area = find_area(session, raw) if raw else None
    scope = Scope(area=area, types=check_types(session, request.args.get("type")))
    level = request.args.get("level") or default_level(area)
    if level is not None:
        allowed = [
            lv for lv in PAGE_LEVELS if area is None or LEVELS.index(lv) > LEVELS.index(area.level)
        ]
        if level not in allowed:
            raise ValidationFailed(_("Choose a level below the area."), field="level")
    return scope, level


def _local(area: Area | None) -> bool:
    return area is not None and LEVELS.index(area.level) >= LEVELS.index("street")


def _link(**params: Any) -> str:
    return "/manager?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@bp.get("/manager")
@require_roles("manager")
def dashboard() -> str:
    session = get_session()
    scope, level = _scope()
    sort = request.args.get("sort", "coverage")
    sort = sort if sort in SORTS else "coverage"
    today = local_today(_settings())
    locale = current_locale()
    type_param = ",".join(scope.types)
    area = scope.area
    rows: list[dict[str, Any]] = []
    total: dict[str, Any]
    if level is not None:
        rows, total = coverage(session, level, scope, today)
    else:
        _rows, total = coverage(session, "building", scope, today)
    fine = area is not None and area.level in ("community", "grid", "building")
    statuses = () if fine else ("out_of_service", "overdue")
    facilities = facility_rows(
        session, today, statuses=statuses, types=scope.types, area=area, limit=FACILITY_ROWS
    )
    names = area_names(session, {r.grid_id for r in facilities if r.grid_id}, locale)
    series = coverage_series(session, scope, today, cache=series_cache())
    m = manager_map(
        level=level,
        area_id=area.id if area else None,
        types=scope.types,
        bounds=_bounds(area),
        settings=_settings(),
        locale=locale,
        static_url=static_url,
        drill_url=_link(area="{id}", type=type_param).replace("%7Bid%7D", "{id}"),
        facilities_from_zoom=0 if fine else 15,
    )
    types = list(session.scalars(sa.select(FacilityType).order_by(FacilityType.sort_order)))
    return render_template(
        "manager/dashboard.html",
        area=area,
        trail=ancestors(session, area),
        level=level,
        levels=[
            lv for lv in PAGE_LEVELS if area is None or LEVELS.index(lv) > LEVELS.index(area.level)
        ],
        rows=_sorted(rows, sort),
        sort=sort,
        total=total,
        series=series,
        chart=coverage_chart(
            series, title=_("Coverage at the end of each month"), target_label=_("target 90%")
        ),
        facilities=facilities,
        facility_limit=FACILITY_ROWS,
        only_attention=bool(statuses),
        grid_names=names,
        # A volunteer table reads the log itself, so it is offered where volunteers are organised:
        # a street and below.
        volunteers=volunteers(session, scope, today) if _local(area) else None,
        types=types,
        type_names={t.code: t.name(locale) for t in types},
        selected_types=scope.types,
        type_param=type_param,
        status_names=status_names(),
        status_colors=STATUS_COLORS,
        today=today,
        window_from=window_start(today),
        due_days=DUE_SOON_DAYS,
        link=_link,
        coverage_color=coverage_color,
        map_parts=map_parts(m),
    )


@bp.get("/manager/labels.pdf")
@require_roles("manager")
def labels() -> Response:
    """QR labels of the scope's facilities in use, by code (A4, 3 x 8 per page)."""
    session = get_session()
    scope, _level = _scope()
    locale = current_locale()
    stmt = sa.select(Facility).where(Facility.status == "active").order_by(Facility.code)
    if scope.area is not None:
        stmt = stmt.where(getattr(Facility, f"{scope.area.level}_id") == scope.area.id)
    if scope.types:
        stmt = stmt.where(Facility.type.in_(scope.types))
    facilities = list(session.scalars(stmt.limit(LABELS_PER_SHEET_REQUEST)))
    title = _("QR labels") + (" · " + scope.area.name(locale) if scope.area else "")
    return _pdf(_labels(facilities), title, "labels-" + (scope.area.code if scope.area else "all"))


@bp.get("/facilities/<int:facility_id>/label.pdf")
@require_roles("manager")
def facility_label(facility_id: int) -> Response:
    """One facility's label; a removed facility's says so and carries no code to scan."""
    facility = get_facility(get_session(), facility_id)
    return _pdf(_labels([facility]), facility.code, f"label-{facility.code}")


def _labels(facilities: list[Facility]) -> list[Label]:
    session = get_session()
    types = {t.code: t for t in session.scalars(sa.select(FacilityType))}
    communities = area_names(
        session, {f.community_id for f in facilities if f.community_id}, "zh_Hans"
    )
    base = request.host_url.rstrip("/")
    return [
        Label(
            url=f"{base}/f/{f.code}",
            code=f.code,
            type_zh=types[f.type].name_zh if f.type in types else f.type,
            type_en=types[f.type].name_en if f.type in types else f.type,
            place=communities.get(f.community_id or 0, ""),
            removed=f.status != "active",
        )
        for f in facilities
    ]


def _pdf(items: list[Label], title: str, name: str) -> Response:
    resp = Response(label_sheet(items, title=title), mimetype="application/pdf")
    safe = "".join(c for c in name if c.isalnum() or c in "-_.")
    resp.headers["Content-Disposition"] = f'inline; filename="{safe}.pdf"'
    return resp
