"""``GET /api/v1/layers`` and ``/api/v1/layers/{id}/features``: what the map draws.

Each layer returns only the fields its file declares, and of those only the ones the caller's
role may see; the map asks for the features in view, so a page never embeds the data.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask_login import current_user

from gisapp.api import bp
from gisapp.api.reports import public_report_bbox, public_report_geom
from gisapp.api.util import geojson_response, unknown_params
from gisapp.auth.roles import role_of
from gisapp.catalog import Catalog, LayerSpec
from gisapp.db import read_session
from gisapp.errors import NotFound
from gisapp.geo.features import bbox_filter, feature_collection, parse_bbox
from gisapp.models import Base


def _catalog() -> Catalog:
    catalog: Catalog = current_app.extensions["gisapp.catalog"]
    return catalog


def _visible(layer_id: str) -> LayerSpec:
    spec = _catalog().get(layer_id)
    if spec is None or not spec.visible_to(role_of(current_user)):
        raise NotFound(f"no layer {layer_id[:64]!r}", field="layer")
    return spec


def layer_properties(spec: LayerSpec, role: str) -> list[str]:
    names = [f.name for f in spec.fields_for(role)]
    for extra in (spec.popup_title, spec.style.color_by):
        if extra and extra not in names:
            names.append(extra)
    return names


@bp.get("/layers")
def list_layers() -> Response:
    role = role_of(current_user)
    return jsonify(
        [
            {
                "id": s.id,
                "title_zh": s.title.zh,
                "title_en": s.title.en,
                "geometry": s.geometry,
                "features": f"/api/v1/layers/{s.id}/features",
            }
            for s in _catalog().values()
            if s.visible_to(role)
        ]
    )


@bp.get("/layers/<layer_id>/features")
def layer_features(layer_id: str) -> Response:
    unknown_params({"bbox"})
    spec = _visible(layer_id)
    table = Base.metadata.tables[spec.source.table]
    where = [table.c[k] == v for k, v in spec.source.filter.items()]
    if bbox := parse_bbox(request.args.get("bbox")):
        # Reports are found by their public (possibly rounded) location, as they are drawn.
        if spec.source.table == "reports":
            where.append(public_report_bbox(table, bbox))
        else:
            where.append(bbox_filter(table.c.geom, bbox))
    limit = current_app.extensions["gisapp.settings"].map_feature_limit
    # Reports keep their public (possibly rounded) location on the map too.
    geometry = public_report_geom(table) if spec.source.table == "reports" else None
    body, _n, more = feature_collection(
        read_session(),
        table,
        layer_properties(spec, role_of(current_user)),
        where,
        limit=limit,
        geometry=geometry,
    )
    resp = geojson_response(body)
    # The map shows a notice when a view holds more than it draws.
    resp.headers["X-Truncated"] = "true" if more else "false"
    return resp
