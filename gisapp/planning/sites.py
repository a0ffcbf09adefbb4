"""Choosing sites: read a planner's request, make the candidates, score them, run the MCLP.

Usage::

    request = SiteRequest.parse(body, session)         # raises ValidationFailed naming the field
    ranking = rank_sites(session, request)
    choice = choose_sites(session, request, k=3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely import points, prepared
from shapely.errors import ShapelyError
from shapely.geometry import shape
from sqlalchemy.orm import Session

from gisapp.errors import ValidationFailed
from gisapp.geo.models import Area
from gisapp.maintenance.models import FacilityType
from gisapp.planning import analysis, network, queries
from gisapp.planning.settings import planning_settings


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationFailed(f"{field} must be a number", field=field)
    if not math.isfinite(value):
        raise ValidationFailed(f"{field} must be a finite number", field=field)
    return float(value)


def _lonlat(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValidationFailed("each candidate point is [lon, lat]", field=field)
    lon, lat = _number(value[0], field), _number(value[1], field)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed("candidate points are [lon, lat] in WGS 84", field=field)
    return lon, lat


def _grid_points(session: Session, spec: Any) -> list[tuple[float, float]]:
    if not isinstance(spec, dict) or set(spec) - {"area", "spacing_m"} or "area" not in spec:
        raise ValidationFailed("grid is {area, spacing_m}", field="candidates.grid")
    spacing = _number(spec.get("spacing_m", 100), "candidates.grid.spacing_m")
    if not 20 <= spacing <= 2000:
        raise ValidationFailed("spacing_m must be 20-2000", field="candidates.grid.spacing_m")
    code = str(spec["area"])
    geom = session.scalar(
        sa.select(Area.geom).where(sa.or_(Area.code == code, sa.cast(Area.id, sa.String) == code))
    )
    if geom is None:
        raise ValidationFailed(f"no area {code[:40]!r}", field="candidates.grid.area")
    outline = to_shape(geom)
    centre = outline.representative_point()
    crs = analysis.utm_crs(centre.x, centre.y)
    ring = np.array(outline.envelope.exterior.coords)
    xy = analysis.to_metres(ring[:, 0], ring[:, 1], crs)
    xs = np.arange(xy[:, 0].min() + spacing / 2, xy[:, 0].max(), spacing)
    ys = np.arange(xy[:, 1].min() + spacing / 2, xy[:, 1].max(), spacing)
    if len(xs) * len(ys) > 100_000:
        raise ValidationFailed(
            "the grid is too fine for this area", field="candidates.grid.spacing_m"
        )
    gx, gy = np.meshgrid(xs, ys)
    from pyproj import Transformer

    back = Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = back.transform(gx.ravel(), gy.ravel())
    inside = prepared.prep(outline)
    return [
        (round(float(a), 6), round(float(b), 6))
        for a, b, p in zip(lon, lat, points(lon, lat), strict=True)
        if inside.contains(p)
    ]


def _polygon_points(spec: Any) -> list[tuple[float, float]]:
    items = spec.get("features", spec) if isinstance(spec, dict) else spec
    if not isinstance(items, list) or not items:
        raise ValidationFailed(
            "polygons is a list of GeoJSON polygons", field="candidates.polygons"
        )
    out = []
    for item in items:
        geometry = item.get("geometry", item) if isinstance(item, dict) else item
        try:
            poly = shape(geometry)
        # GEOS refuses some shapes outright (a one-point line): as unreadable as a missing key.
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, ShapelyError):
            raise ValidationFailed(
                "a polygon cannot be read", field="candidates.polygons"
            ) from None
        if poly.geom_type not in ("Polygon", "MultiPolygon") or not poly.is_valid:
            raise ValidationFailed("candidates must be valid polygons", field="candidates.polygons")
        p = poly.representative_point()
        out.append((round(p.x, 6), round(p.y, 6)))
    return out


@dataclass(frozen=True)
class SiteRequest:
    facility_type: str
    radius_m: float
    candidates: list[tuple[float, float]]
    area_id: int | None = None
    distance: str = "straight"  # or "network": walking along the streets (pgRouting)

    @classmethod
    def parse(cls, body: dict[str, Any], session: Session) -> SiteRequest:
        allowed = {"facility_type", "radius_m", "candidates", "area", "distance"}
        for key in body:
            if key not in allowed:
                raise ValidationFailed(f"unknown field {str(key)[:40]!r}", field=str(key)[:64])
        ftype = body.get("facility_type")
        if not isinstance(ftype, str) or session.get(FacilityType, ftype) is None:
            raise ValidationFailed("unknown facility_type", field="facility_type")
        settings = planning_settings()
        if "radius_m" in body:
            radius = _number(body["radius_m"], "radius_m")
            if not 0 < radius <= settings.max_radius_m:
                raise ValidationFailed(
                    f"radius_m must be more than 0 and at most {settings.max_radius_m:g}",
                    field="radius_m",
                )
        else:
            radius = settings.radius_for(ftype)
        distance = network.resolve_distance(session, body.get("distance"))
        raw = body.get("candidates")
        if raw is None or raw == [] or raw == {}:
            raise ValidationFailed(
                "give candidates: points, a grid over an area, or polygons", field="candidates"
            )
        if isinstance(raw, list):
            raw = {"points": raw}
        if (
            not isinstance(raw, dict)
            or len(raw) != 1
            or next(iter(raw)) not in ("points", "grid", "polygons")
        ):
            raise ValidationFailed("candidates is {points|grid|polygons: ...}", field="candidates")
        kind, spec = next(iter(raw.items()))
        if kind == "points":
            if not isinstance(spec, list) or not spec:
                raise ValidationFailed("points is a list of [lon, lat]", field="candidates.points")
            pts = [_lonlat(p, "candidates.points") for p in spec]
        elif kind == "grid":
            pts = _grid_points(session, spec)
        else:
            pts = _polygon_points(spec)
        if not pts:
            raise ValidationFailed("the area holds no candidate sites", field="candidates")
        if len(pts) > settings.max_candidates:
            raise ValidationFailed(
                f"at most {settings.max_candidates} candidates per request", field="candidates"
            )
        if queries.outside_communities(session, pts):
            raise ValidationFailed("a candidate lies outside every community", field="candidates")
        return cls(ftype, radius, pts, distance=distance)


def rank_sites(session: Session, request: SiteRequest) -> list[dict[str, Any]]:
    settings = planning_settings()
    measure = network if request.distance == "network" else queries
    factors = measure.candidate_factors(
        session,
        request.candidates,
        request.facility_type,
        request.radius_m,
        settings.demand_weights,
    )
    ranked = analysis.score_candidates(factors, settings.score_weights, request.radius_m)
    return [
        {
            "rank": rank,
            "index": s.index,
            "lon": request.candidates[s.index][0],
            "lat": request.candidates[s.index][1],
            "score": s.score,
            "factors": {
                "demand": s.factors.demand,
                "new_population": s.factors.new_population,
                "nearest_existing_m": s.factors.nearest_existing_m,
            },
            "normalised": s.normalised,
        }
        for rank, s in enumerate(ranked, start=1)
    ]


def _coverage_json(c: analysis.Coverage, request: SiteRequest) -> dict[str, Any]:
    return {
        "chosen": [
            {"index": i, "lon": request.candidates[i][0], "lat": request.candidates[i][1]}
            for i in c.chosen
        ],
        "covered_population": c.covered_population,
        "already_covered_population": c.already_covered_population,
        "newly_covered_population": c.covered_population - c.already_covered_population,
        "total_population": c.total_population,
        "share": round(c.share, 4),
    }


def choose_sites(session: Session, request: SiteRequest, k: int) -> dict[str, Any]:
    """The MCLP choice of ``k`` sites beside the greedy top ``k`` of the site scores."""
    cand = np.array(request.candidates, dtype=float)
    pad_lat = request.radius_m / queries.METRES_PER_DEGREE
    pad_lon = pad_lat / max(math.cos(math.radians(float(cand[:, 1].max()))), 0.1)
    reach = (
        float(cand[:, 0].min()) - pad_lon,
        float(cand[:, 1].min()) - pad_lat,
        float(cand[:, 0].max()) + pad_lon,
        float(cand[:, 1].max()) + pad_lat,
    )
    lon, lat, population, ids = queries.demand_units(session, request.area_id, reach)
    if len(population) == 0:
        raise ValidationFailed(
            "no residents (buildings with population) live within reach of the candidates",
            field="candidates",
        )
    # Facilities farther than the radius from every resident in reach cannot matter.
    wider = (reach[0] - pad_lon, reach[1] - pad_lat, reach[2] + pad_lon, reach[3] + pad_lat)
    ex_lon, ex_lat = queries.existing_facilities(session, request.facility_type, wider)
    if request.distance == "network":
        sites = [(float(a), float(b)) for a, b in zip(ex_lon, ex_lat, strict=True)]
        cost = network.coverage_cost(
            session, ids, sites + list(request.candidates), request.radius_m
        )
    else:
        crs = analysis.utm_crs(float(lon.mean()), float(lat.mean()))
        existing_xy = analysis.to_metres(ex_lon, ex_lat, crs)
        candidate_xy = analysis.to_metres(cand[:, 0], cand[:, 1], crs)
        cost = analysis.distances(
            analysis.to_metres(lon, lat, crs), np.vstack([existing_xy, candidate_xy])
        )
    n_existing = len(ex_lon)
    best = analysis.maximal_coverage_from_cost(cost, population, n_existing, request.radius_m, k)
    ranking = rank_sites(session, request)
    greedy_pick = sorted(r["index"] for r in ranking[:k])
    greedy = analysis.coverage_from_cost(
        greedy_pick, cost, population, n_existing, request.radius_m
    )
    return {
        "facility_type": request.facility_type,
        "radius_m": request.radius_m,
        "distance": request.distance,
        "k": k,
        "candidates": len(request.candidates),
        "existing_facilities": n_existing,
        "mclp": _coverage_json(best, request),
        "greedy": _coverage_json(greedy, request),
        "ranking": ranking,
    }
