"""``GET /api/v1/areas``: the area hierarchy as GeoJSON, one level at a time."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, request

from gisapp.api import bp
from gisapp.api.util import geojson_response, unknown_params
from gisapp.db import get_session
from gisapp.errors import NotFound, ValidationFailed
from gisapp.geo.features import bbox_filter, feature_collection, parse_bbox, parse_limit
from gisapp.geo.models import LEVELS, Area
from gisapp.models import Base

AREA_FIELDS = ("level", "code", "name_zh", "name_en", "parent_id", "population", "households")


@bp.get("/areas")
def list_areas() -> Response:
    unknown_params({"level", "parent", "bbox", "limit"})
    table = Base.metadata.tables["areas"]
    where: list[sa.ColumnElement[bool]] = []
    level = request.args.get("level")
    if level:
        if level not in LEVELS:
            raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", field="level")
        where.append(table.c.level == level)
    parent = request.args.get("parent")
    if parent:
        where.append(table.c.parent_id == _area_id(parent, "parent"))
    if bbox := parse_bbox(request.args.get("bbox")):
        where.append(bbox_filter(table.c.geom, bbox))
    limit = parse_limit(request.args.get("limit"), 1000, 10_000)
    body, _n, _more = feature_collection(get_session(), table, AREA_FIELDS, where, limit=limit)
    return geojson_response(body)


def _area_id(raw: str, field: str) -> int:
    """An area given by code (first) or by id."""
    session = get_session()
    found = session.scalar(sa.select(Area.id).where(Area.code == raw[:32]))
    if found is None and raw.isdecimal() and int(raw) < 2**31:
        found = session.scalar(sa.select(Area.id).where(Area.id == int(raw)))
    if found is None:
        raise NotFound(f"no area {raw[:64]!r}", field=field)
    return found


def area_filter(raw: str, table: sa.Table, field: str = "area") -> sa.ColumnElement[bool]:
    """Features inside an area (id or code), through the stored link of the area's level."""
    area_id = _area_id(raw, field)
    level = get_session().scalar(sa.select(Area.level).where(Area.id == area_id))
    return table.c[f"{level}_id"] == area_id
