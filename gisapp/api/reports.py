"""Reports as GeoJSON: ``GET /api/v1/reports`` and ``GET /api/v1/reports/{id}``.

Public views: the contact lives in another table and is never joined here.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, request

from gisapp.api import bp
from gisapp.api.areas import area_filter
from gisapp.api.util import geojson_response, unknown_params
from gisapp.db import get_session
from gisapp.errors import NotFound, ValidationFailed
from gisapp.geo.features import PRECISION, bbox_filter, feature_collection, parse_bbox, parse_limit
from gisapp.geo.models import LEVELS, Area
from gisapp.models import Base
from gisapp.reports.models import STATUSES

PUBLIC_FIELDS = (
    "category",
    "description",
    "status",
    "support_count",
    "created_at",
    "updated_at",
    "resolved_at",
    "district_id",
    "street_id",
    "community_id",
    "grid_id",
)


@bp.get("/reports")
def list_reports() -> Response:
    unknown_params({"status", "category", "bbox", "area", "limit"})
    table = Base.metadata.tables["reports"]
    where: list[sa.ColumnElement[bool]] = []
    if raw := request.args.get("status"):
        wanted = raw.split(",")
        if bad := [s for s in wanted if s not in STATUSES]:
            raise ValidationFailed(f"unknown status {bad[0][:32]!r}", field="status")
        where.append(table.c.status.in_(wanted))
    if raw := request.args.get("category"):
        where.append(table.c.category.in_(raw.split(",")))
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(bbox_filter(table.c.geom, bbox))
    if raw := request.args.get("area"):
        where.append(area_filter(raw, table))
    limit = parse_limit(request.args.get("limit"), 1000, 10_000)
    body, _n, _more = feature_collection(get_session(), table, PUBLIC_FIELDS, where, limit=limit)
    return geojson_response(body)


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int) -> Response:
    session = get_session()
    table = Base.metadata.tables["reports"]
    row = (
        session.execute(
            sa.select(
                *(table.c[f] for f in ("id", *PUBLIC_FIELDS, "building_id")),
                sa.func.ST_AsGeoJSON(table.c.geom, PRECISION).label("geometry"),
            ).where(table.c.id == report_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no report {report_id}", field="id")
    props = {k: row[k] for k in PUBLIC_FIELDS if not k.endswith("_id")}
    for k in ("created_at", "updated_at", "resolved_at"):
        props[k] = props[k].isoformat() if props[k] else None
    ids = {level: row[f"{level}_id"] for level in LEVELS}
    names = {
        a.id: a
        for a in session.scalars(sa.select(Area).where(Area.id.in_([i for i in ids.values() if i])))
    }
    props["areas"] = {
        level: (
            {
                "id": i,
                "code": names[i].code,
                "name_zh": names[i].name_zh,
                "name_en": names[i].name_en,
            }
            if i
            else None
        )
        for level, i in ids.items()
    }
    feature = {
        "type": "Feature",
        "id": row["id"],
        "geometry": json.loads(row["geometry"]),
        "properties": props,
    }
    return Response(json.dumps(feature, ensure_ascii=False), mimetype="application/geo+json")
