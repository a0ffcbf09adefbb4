"""Planners' analyses (planner and admin roles).

- ``GET  /api/v1/analysis/demand?level=&category=``     open reports per 1,000 residents
- ``GET  /api/v1/analysis/heat?category=``              points for the heatmap
- ``GET  /api/v1/analysis/hotspots?category=``          Gi* hot spots by grid
- ``GET  /api/v1/analysis/gaps?facility_type=&radius_m=&area=&distance=``  unreached buildings
  and totals, by walking distance along the street network or in a straight line
- ``POST /api/v1/analysis/site-scores``                 candidates ranked with their factors
- ``POST /api/v1/analysis/mclp``                        k sites by MCLP beside the greedy choice
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request

from gisapp.api import bp
from gisapp.api.areas import _area_id
from gisapp.api.util import json_body, unknown_params
from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import BadRequest, ValidationFailed
from gisapp.geo.models import LEVELS
from gisapp.maintenance.models import FacilityType
from gisapp.planning import network, queries
from gisapp.planning.settings import planning_settings
from gisapp.reports.models import Category

PLANNERS = ("planner",)


def _category() -> str | None:
    code = request.args.get("category") or None
    if code and get_session().get(Category, code) is None:
        raise ValidationFailed("unknown category", field="category")
    return code


def _collection(rows: list[dict[str, Any]], **extra: Any) -> Response:
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": r["geometry"],
            "properties": {k: v for k, v in r.items() if k != "geometry"},
        }
        for r in rows
    ]
    body = {"type": "FeatureCollection", "features": features, **extra}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")


@bp.get("/analysis/demand")
@require_roles(*PLANNERS)
def demand() -> Response:
    unknown_params({"level", "category"})
    level = request.args.get("level", "community")
    if level not in LEVELS[1:]:
        raise ValidationFailed("level must be street, community, grid or building", field="level")
    return _collection(queries.demand_by_area(get_session(), level, _category()), level=level)


@bp.get("/analysis/heat")
@require_roles(*PLANNERS)
def heat() -> Response:
    unknown_params({"category"})
    points = queries.open_report_points(get_session(), _category(), limit=100_000)
    return jsonify({"points": points})


@bp.get("/analysis/hotspots")
@require_roles(*PLANNERS)
def hot_spots() -> Response:
    unknown_params({"category"})
    from gisapp.planning import hotspots  # esda and libpysal take seconds to import

    rows = queries.demand_by_area(get_session(), "grid", _category())
    return _collection(
        hotspots.gi_star(rows),
        method="Getis-Ord Gi* (esda), queen contiguity, two-sided normal p-values",
    )


@bp.get("/analysis/gaps")
@require_roles(*PLANNERS)
def gaps() -> Response:
    unknown_params({"facility_type", "radius_m", "area", "distance"})
    body: dict[str, Any] = {
        "facility_type": request.args.get("facility_type"),
        "candidates": [[0, 0]],
    }
    ftype = body["facility_type"]
    session = get_session()
    if not isinstance(ftype, str) or session.get(FacilityType, ftype) is None:
        raise ValidationFailed("unknown facility_type", field="facility_type")
    raw = request.args.get("radius_m")
    radius = planning_settings().radius_for(ftype)
    if raw is not None:
        try:
            radius = float(raw)
        except ValueError:
            raise ValidationFailed("radius_m must be a number", field="radius_m") from None
        if not 0 < radius <= planning_settings().max_radius_m:
            raise ValidationFailed(
                "radius_m must be more than 0 and at most 10 km", field="radius_m"
            )
    area = request.args.get("area")
    area_id = _area_id(area, "area") if area else None
    distance = network.resolve_distance(session, request.args.get("distance"))
    found = queries.unreached_buildings(session, ftype, radius, area_id, distance)
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "facility_type": ftype,
            "radius_m": radius,
            "distance": distance,
            "totals": found["totals"],
            "by_grid": found["by_grid"],
            **({"reach": found["reach"]} if "reach" in found else {}),
        },
        ensure_ascii=False,
    )
    body = head[:-1] + ',"features":' + found["features"] + "}"
    return Response(body, mimetype="application/geo+json")


@bp.post("/analysis/site-scores")
@require_roles(*PLANNERS)
def site_scores() -> Response:
    from gisapp.planning import sites  # spopt and PuLP take seconds to import

    body = json_body(
        {"facility_type", "radius_m", "candidates", "area", "distance"},
        {"facility_type", "candidates"},
    )
    req = sites.SiteRequest.parse(body, get_session())
    return jsonify(
        {
            "facility_type": req.facility_type,
            "radius_m": req.radius_m,
            "distance": req.distance,
            "weights": planning_settings().score_weights.model_dump(),
            "candidates": sites.rank_sites(get_session(), req),
        }
    )


@bp.post("/analysis/mclp")
@require_roles(*PLANNERS)
def mclp() -> Response:
    from gisapp.planning import sites

    body = json_body(
        {"facility_type", "radius_m", "candidates", "area", "k", "distance"},
        {"facility_type", "candidates", "k"},
    )
    k = body.pop("k")
    req = sites.SiteRequest.parse(body, get_session())
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValidationFailed("k must be a whole number of at least 1", field="k")
    if k > len(req.candidates):
        raise ValidationFailed(f"k is larger than the {len(req.candidates)} candidates", field="k")
    return jsonify(sites.choose_sites(get_session(), req, k))


@bp.post("/projects")
@require_roles(*PLANNERS)
def create_project() -> tuple[Response, int]:
    """A project from a chosen site: footprint, budget lines, milestones, linked reports."""
    from flask import current_app
    from flask_login import current_user

    from gisapp.geo.queries import areas_json
    from gisapp.planning.projects import create_project as create

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    session = get_session()
    project = create(session, data, int(current_user.id), current_app.extensions["gisapp.settings"])
    body = {
        "id": project.id,
        "code": project.code,
        "phase": project.phase,
        "budget_yuan": float(project.budget_yuan or 0),
        "areas": areas_json(session, project),
        "url": f"/projects/{project.id}",
    }
    session.commit()
    return jsonify(body), 201
