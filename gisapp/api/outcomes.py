"""Outcomes by area and month (成果共享), the figures of the public ``/outcomes`` page.

- ``GET /api/v1/outcomes?level=community&area=<street>&to=2026-11&months=12``
  ``{level, area, from, to, total, months: [...], areas: [...], projects: [...]}``;
  ``format=csv`` for the area table, ``format=geojson`` (with ``bbox``) for the choropleth

Public and aggregate: no resident, rater, volunteer or uploader can be told apart.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request

from gisapp.api import bp
from gisapp.api.util import geojson_response, unknown_params
from gisapp.db import read_session
from gisapp.errors import ValidationFailed
from gisapp.geo.features import PRECISION, bbox_filter, parse_bbox
from gisapp.geo.models import Area
from gisapp.i18n import current_locale
from gisapp.outcomes import exports
from gisapp.outcomes import queries as q
from gisapp.outcomes.views import request_view
from gisapp.settings import Settings

PARAMS = {"level", "area", "to", "months", "format", "bbox"}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["gisapp.settings"]
    return settings


def _geojson(rows: list[dict[str, Any]]) -> str:
    session = read_session()
    where: list[sa.ColumnElement[bool]] = [Area.id.in_([r["id"] for r in rows])]
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(bbox_filter(Area.geom, bbox))
    shapes: dict[int, str] = dict(
        session.execute(
            sa.select(Area.id, sa.func.ST_AsGeoJSON(Area.geom, PRECISION)).where(*where)
        ).all()
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


@bp.get("/outcomes")
def outcomes() -> Response:
    unknown_params(PARAMS)
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "geojson"):
        raise ValidationFailed("format must be json, csv or geojson", field="format")
    if fmt != "geojson" and request.args.get("bbox"):
        raise ValidationFailed("bbox goes with format=geojson", field="bbox")
    session = read_session()
    scope, level, period = request_view(session)
    tz = _settings().timezone
    locale = current_locale()
    rows = q.by_area(session, level, scope, period, tz=tz, locale=locale)
    if fmt == "csv":
        return exports.csv_response(rows, level, scope, period)
    if fmt == "geojson":
        return geojson_response(_geojson(rows))
    area = scope.area
    series, total = q.series_and_total(session, scope, period, tz=tz)
    return jsonify(
        {
            "level": level,
            "area": None
            if area is None
            else {
                "id": area.id,
                "code": area.code,
                "level": area.level,
                "name_zh": area.name_zh,
                "name_en": area.name_en,
            },
            "from": period.labels[0],
            "to": period.labels[-1],
            "total": total,
            "months": series,
            "areas": rows,
            "projects": q.completed_projects(session, scope, period, tz=tz, locale=locale),
        }
    )
