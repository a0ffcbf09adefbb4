"""Maintenance coverage by area (建设共管), the figures of the managers' page.

- ``GET /api/v1/coverage?level=community&area=<street>&type=street_light``
  per-area rows: ``id``, ``name``, ``facilities``, ``ok``, ``due``, ``overdue``,
  ``out_of_service``, ``coverage``, ``median_days_overdue``, ``open_faults``,
  ``mean_days_to_close``, ``volunteer_share`` … ; ``format=csv`` for the area table,
  ``format=geojson`` (with ``bbox``) for the choropleth
- ``GET /api/v1/coverage/monthly?area=&type=``  coverage at each month's end, last 12 months
- ``GET /api/v1/coverage/volunteers?area=``      managers: the area's volunteer table

Aggregates only: no facility, resident or steward can be told apart in the public figures.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _

from gisapp.api import bp
from gisapp.api.util import geojson_response, unknown_params
from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import ValidationFailed
from gisapp.geo.features import PRECISION, bbox_filter, parse_bbox
from gisapp.geo.models import LEVEL_NAMES, LEVELS, Area
from gisapp.i18n import current_locale
from gisapp.maintenance import exports
from gisapp.maintenance.coverage import coverage, coverage_json
from gisapp.maintenance.queries import Scope, check_types, find_area
from gisapp.maintenance.queries import volunteers as volunteer_table
from gisapp.maintenance.series import coverage_series, series_cache
from gisapp.maintenance.status import local_today, window_start
from gisapp.settings import Settings


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def scope_from_args() -> Scope:
    session = get_session()
    raw = request.args.get("area") or request.args.get("parent")
    area = find_area(session, raw, "area") if raw else None
    return Scope(area=area, types=check_types(session, request.args.get("type")))


def level_from_args(scope: Scope) -> str:
    level = request.args.get("level")
    if not level:
        if scope.area is None:
            return "district"
        below = LEVELS.index(scope.area.level) + 1
        if below >= len(LEVELS):
            raise ValidationFailed(_("a building has no areas below it"), field="area")
        return LEVELS[below]
    if level not in LEVELS:
        raise ValidationFailed(
            _("level must be one of %(options)s", options=", ".join(LEVELS)), field="level"
        )
    return level


def unassigned_name(level: str) -> str:
    name = LEVEL_NAMES[level][1 if current_locale() == "en" else 0]
    return str(_("Not in any %(level)s", level=name))


def _geojson(rows: list[dict[str, Any]]) -> str:
    ids = [r["id"] for r in rows if r["id"] is not None]
    where: list[sa.ColumnElement[bool]] = [Area.id.in_(ids)]
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(bbox_filter(Area.geom, bbox))
    shapes: dict[int, str] = dict(
        get_session()
        .execute(sa.select(Area.id, sa.func.ST_AsGeoJSON(Area.geom, PRECISION)).where(*where))
        .all()
    )
    features = [
        f'{{"type":"Feature","id":{r["id"]},"geometry":{shapes[r["id"]]},'
        f'"properties":{json.dumps(r, ensure_ascii=False)}}}'
        for r in rows
        if r["id"] in shapes
    ]
    return (
        f'{{"type":"FeatureCollection","numberReturned":{len(features)},'
        f'"features":[{",".join(features)}]}}'
    )


@bp.get("/coverage")
def coverage_by_area() -> Response:
    unknown_params({"level", "area", "parent", "type", "format", "bbox"})
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "geojson"):
        raise ValidationFailed(_("format must be json, csv or geojson"), field="format")
    if fmt != "geojson" and request.args.get("bbox"):
        raise ValidationFailed(_("bbox goes with format=geojson"), field="bbox")
    scope = scope_from_args()
    level = level_from_args(scope)
    today = local_today(_settings())
    options = {"locale": current_locale(), "unassigned": unassigned_name(level)}
    if fmt == "json":
        text, _total = coverage_json(get_session(), level, scope, today, **options)
        resp = Response(text, mimetype="application/json")
    else:
        rows, _total = coverage(get_session(), level, scope, today, **options)
        if fmt == "csv":
            resp = Response(exports.coverage_csv(rows), mimetype="text/csv")
            where = scope.area.code if scope.area else "all"
            resp.headers["Content-Disposition"] = (
                f'attachment; filename="coverage-{level}-{where}-{today.isoformat()}.csv"'
            )
        else:
            resp = geojson_response(_geojson(rows))
    resp.headers["X-Coverage-As-Of"] = today.isoformat()
    resp.headers["X-Coverage-Window-From"] = window_start(today).isoformat()
    return resp


@bp.get("/coverage/monthly")
def coverage_monthly() -> Response:
    unknown_params({"area", "type"})
    scope = scope_from_args()
    today = local_today(_settings())
    return jsonify(coverage_series(get_session(), scope, today, cache=series_cache()))


@bp.get("/coverage/volunteers")
@require_roles("manager")
def coverage_volunteers() -> Response:
    unknown_params({"area", "type"})
    rows = volunteer_table(get_session(), scope_from_args(), local_today(_settings()))
    for row in rows:
        row["last_check"] = row["last_check"].isoformat() if row["last_check"] else None
    return jsonify(rows)
