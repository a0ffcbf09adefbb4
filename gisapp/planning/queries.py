"""Planners' queries: candidate factors, demand by area, demand units, facilities, gaps.

Per-area figures group by the stored area links (``reports.grid_id`` …), never by a spatial
join at request time; long SQL lives in ``gisapp/planning/sql/``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm
from geoalchemy2 import Geography
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from gisapp.geo.models import Area
from gisapp.maintenance.models import Facility
from gisapp.planning.analysis import Factors
from gisapp.reports.models import OPEN_STATUSES, Report

METRES_PER_DEGREE = 111_320.0


@cache
def _sql(name: str) -> str:
    return files("gisapp.planning").joinpath("sql", name).read_text(encoding="utf-8")


def candidate_factors(
    session: Session,
    points: list[tuple[float, float]],
    facility_type: str,
    radius_m: float,
    demand_weights: dict[str, float],
) -> list[Factors]:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    weights = {k: v for k, v in demand_weights.items() if k != "default"}
    rows = session.execute(
        sa.text(_sql("site_factors.sql")),
        {
            "lons": lons,
            "lats": lats,
            "radius": radius_m,
            "deg": radius_m / METRES_PER_DEGREE,
            "ftype": facility_type,
            "weights": json.dumps(weights),
            "default_weight": demand_weights["default"],
        },
    ).all()
    return [
        Factors(
            demand=round(float(r.demand), 3),
            new_population=float(r.new_population),
            nearest_existing_m=None if r.nearest_m is None else round(float(r.nearest_m), 1),
        )
        for r in rows
    ]


def outside_communities(session: Session, points: list[tuple[float, float]]) -> int:
    """How many of the points lie in no community (each checked through the spatial index,
    rather than testing against the union of every community, which grows with a province)."""
    count = session.scalar(
        sa.text(
            "SELECT count(*) FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) "
            "AS c(lon, lat) WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.level = 'community' "
            "AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)))"
        ),
        {"lons": [p[0] for p in points], "lats": [p[1] for p in points]},
    )
    return int(count or 0)


def demand_units(
    session: Session, area_id: int | None, bbox: tuple[float, float, float, float] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], list[int]]:
    """Where residents live: buildings with population (lon, lat, population, building ids),
    optionally only those in ``bbox`` (the candidates' reach: the rest cannot change the
    choice)."""
    point = sa.func.ST_PointOnSurface(Area.geom)
    stmt = (
        sa.select(sa.func.ST_X(point), sa.func.ST_Y(point), Area.population, Area.id)
        .where(Area.level == "building", sa.func.coalesce(Area.population, 0) > 0)
        .order_by(Area.id)
    )
    if area_id is not None:
        stmt = stmt.where(_inside_area(area_id))
    if bbox is not None:
        stmt = stmt.where(Area.geom.op("&&")(sa.func.ST_MakeEnvelope(*bbox, 4326)))
    rows = session.execute(stmt).all()
    data = np.array([r[:3] for r in rows], dtype=float).reshape(-1, 3)
    return data[:, 0], data[:, 1], data[:, 2], [int(r[3]) for r in rows]


def _inside_area(area_id: int) -> sa.ColumnElement[bool]:
    outline = sa.select(Area.geom).where(Area.id == area_id).scalar_subquery()
    return sa.func.ST_Intersects(outline, sa.func.ST_PointOnSurface(Area.geom))


def existing_facilities(
    session: Session, facility_type: str, bbox: tuple[float, float, float, float] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Active facilities of a type (lon, lat), optionally only those in ``bbox``."""
    stmt = sa.select(sa.func.ST_X(Facility.geom), sa.func.ST_Y(Facility.geom)).where(
        Facility.type == facility_type, Facility.status == "active"
    )
    if bbox is not None:
        stmt = stmt.where(Facility.geom.op("&&")(sa.func.ST_MakeEnvelope(*bbox, 4326)))
    rows = session.execute(stmt).all()
    data = np.array(rows, dtype=float).reshape(-1, 2)
    return data[:, 0], data[:, 1]


def demand_by_area(session: Session, level: str, category: str | None) -> list[dict[str, Any]]:
    """Open reports per area of a level, with population and the rate per 1,000 residents."""
    link = getattr(Report, f"{level}_id")
    counted = (
        sa.select(link.label("area_id"), sa.func.count().label("reports"))
        .where(Report.status.in_(OPEN_STATUSES), link.is_not(None))
        .group_by(link)
    )
    if category:
        counted = counted.where(Report.category == category)
    sub = counted.subquery()
    rows = session.execute(
        sa.select(
            Area.id,
            Area.code,
            Area.name_zh,
            Area.name_en,
            Area.population,
            sa.func.coalesce(sub.c.reports, 0).label("reports"),
            sa.func.ST_AsGeoJSON(Area.geom, 6).label("geometry"),
        )
        .outerjoin(sub, sub.c.area_id == Area.id)
        .where(Area.level == level)
        .order_by(Area.id)
    ).all()
    out = []
    for r in rows:
        rate = round(1000 * r.reports / r.population, 2) if r.population else None
        out.append(
            {
                "id": r.id,
                "code": r.code,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "population": r.population,
                "reports": r.reports,
                "per_1000": rate,
                "geometry": json.loads(r.geometry),
            }
        )
    return out


def open_report_points(
    session: Session, category: str | None, limit: int
) -> list[tuple[float, float, int]]:
    """(lat, lon, weight) of open reports for a heatmap; weight = 1 + supports."""
    stmt = sa.select(
        sa.func.ST_Y(Report.geom), sa.func.ST_X(Report.geom), 1 + Report.support_count
    ).where(Report.status.in_(OPEN_STATUSES))
    if category:
        stmt = stmt.where(Report.category == category)
    return [(round(a, 6), round(b, 6), int(c)) for a, b, c in session.execute(stmt.limit(limit))]


def unreached_buildings(
    session: Session,
    facility_type: str,
    radius_m: float,
    area_id: int | None,
    distance: str = "straight",
) -> dict[str, Any]:
    """Buildings no active facility of the type reaches, in a straight line or walking along
    the street network (``distance="network"``: the answer then has the reached streets).

    Driven from the facilities (thousands) rather than the buildings (hundreds of thousands):
    each facility finds the buildings around it through the areas' spatial index, or walks the
    network once for all of them (pgRouting).
    """
    if distance == "network":
        from gisapp.planning import network

        network.facility_reach(
            session, facility_type, radius_m, _area_box(session, area_id, radius_m)
        )
        found = _unreached(session, network.reached_buildings(session, radius_m), area_id)
        found["reach"] = network.reach_lines(session, radius_m)
        return found
    return _unreached(session, _reached_straight(facility_type, radius_m), area_id)


def _area_box(
    session: Session, area_id: int | None, radius_m: float
) -> tuple[float, float, float, float] | None:
    """The area's bounding box widened by the radius (facilities outside still reach in)."""
    if area_id is None:
        return None
    box = session.execute(
        sa.select(
            sa.func.ST_XMin(Area.geom),
            sa.func.ST_YMin(Area.geom),
            sa.func.ST_XMax(Area.geom),
            sa.func.ST_YMax(Area.geom),
        ).where(Area.id == area_id)
    ).one()
    from gisapp.planning.network import degrees

    pad = 2 * degrees(radius_m, float(box[3]))
    return (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)


def _reached_straight(facility_type: str, radius_m: float) -> sa.Select[Any]:
    pad = 2 * radius_m / METRES_PER_DEGREE
    building = sa.orm.aliased(Area)
    point = sa.func.ST_PointOnSurface(building.geom)
    return (
        sa.select(building.id)
        .join(
            Facility,
            sa.and_(
                building.geom.op("&&")(sa.func.ST_Expand(Facility.geom, pad)),
                sa.func.ST_DWithin(
                    sa.cast(Facility.geom, Geography(srid=4326)),
                    sa.cast(point, Geography(srid=4326)),
                    radius_m,
                ),
            ),
        )
        .where(
            building.level == "building",
            Facility.type == facility_type,
            Facility.status == "active",
        )
    )


def _unreached(session: Session, reached: sa.Select[Any], area_id: int | None) -> dict[str, Any]:
    where: list[sa.ColumnElement[bool]] = [Area.level == "building", Area.id.not_in(reached)]
    if area_id is not None:
        where.append(_inside_area(area_id))
    # PostgreSQL writes the whole answer: a province has hundreds of thousands of buildings,
    # and shaping them in Python would cost more than finding them.
    feature = sa.func.json_build_object(
        "type",
        "Feature",
        "id",
        Area.id,
        "geometry",
        sa.cast(sa.func.ST_AsGeoJSON(Area.geom, 6), sa.JSON),
        "properties",
        sa.func.json_build_object(
            "code",
            Area.code,
            "name_zh",
            Area.name_zh,
            "name_en",
            Area.name_en,
            "population",
            sa.func.coalesce(Area.population, 0),
            "grid_id",
            Area.parent_id,
        ),
    )
    sub = (
        sa.select(feature.label("f"), Area.population.label("pop"), Area.parent_id.label("grid"))
        .where(*where)
        .order_by(Area.id)
        .subquery()
    )
    features, buildings, population = session.execute(
        sa.select(
            sa.cast(sa.func.coalesce(sa.func.json_agg(sub.c.f), sa.text("'[]'::json")), sa.Text),
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sub.c.pop), 0),
        )
    ).one()
    by_grid = session.execute(
        sa.select(sub.c.grid, sa.func.coalesce(sa.func.sum(sub.c.pop), 0))
        .group_by(sub.c.grid)
        .order_by(sub.c.grid)
    ).all()
    return {
        "features": features,
        "totals": {
            "buildings": int(buildings),
            "population": int(population),
            "grids": len(by_grid),
        },
        "by_grid": [{"grid_id": g, "population": int(p)} for g, p in by_grid],
    }
