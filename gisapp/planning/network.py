"""Walking distance along the street network (pgRouting), beside the straight line.

Usage::

    mode = resolve_distance(session, body.get("distance"))   # "network" | "straight"
    build_topology(session)                                  # after streets change
    facility_reach(session, "playground", 300, box=None)
    reached = session.scalars(reached_buildings(session, 300)).all()
    factors = candidate_factors(session, points, "playground", 300, weights)

The SQL is in ``sql/network.sql``. Network mode needs the ``pgrouting`` extension (created by
scripts/lib.sh as the superuser) and a loaded network; without either the analyses answer in
straight-line distance and say so (``"distance": "straight"``), so an external database
without pgRouting still works.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from gisapp.errors import ValidationFailed
from gisapp.planning.analysis import Factors

DISTANCES = ("network", "straight")
METRES_PER_DEGREE = 111_320.0
Box = tuple[float, float, float, float]


@cache
def _named() -> dict[str, list[str]]:
    """``-- name: x`` sections of network.sql, each split into its statements."""
    text = files("gisapp.planning").joinpath("sql", "network.sql").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for part in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = part.partition("\n")
        # Comments go: a ":name" in one would become a bind parameter.
        body = "\n".join(ln for ln in body.splitlines() if not ln.lstrip().startswith("--"))
        out[name.strip()] = [s.strip() for s in re.split(r";\s*$", body, flags=re.M) if s.strip()]
    return out


Rows = sa.Result[*tuple[Any, ...]]


def _run(session: Session, name: str, params: dict[str, Any] | None = None) -> Rows:
    result: Rows | None = None
    for statement in _named()[name]:
        result = session.execute(sa.text(statement), params or {})
    assert result is not None
    return result


def degrees(metres: float, lat: float) -> float:
    """A distance in metres as degrees, widened for longitude at ``lat`` (for && boxes)."""
    return metres / METRES_PER_DEGREE / max(math.cos(math.radians(abs(lat) + 1)), 0.1)


def network_available(session: Session) -> bool:
    """pgRouting is installed and a network with a topology is loaded."""
    row = session.execute(
        sa.text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgrouting'), "
            "EXISTS (SELECT 1 FROM streets WHERE source IS NOT NULL)"
        )
    ).one()
    return bool(row[0] and row[1])


def pgrouting_installed(session: Session) -> bool:
    return bool(
        session.scalar(
            sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgrouting')")
        )
    )


def resolve_distance(session: Session, requested: Any) -> str:
    """The distance measure for a request: the one asked for, else network when available.

    Asking for ``network`` where none is loaded is an error rather than a quiet fallback: the
    planner would otherwise read straight-line numbers as walking ones.
    """
    if requested is None or requested == "":
        return "network" if network_available(session) else "straight"
    if requested not in DISTANCES:
        raise ValidationFailed("distance must be network or straight", field="distance")
    if requested == "network" and not network_available(session):
        raise ValidationFailed(
            "no street network is loaded (or pgRouting is missing): use distance=straight",
            field="distance",
        )
    return str(requested)


def build_topology(session: Session, node: bool = False) -> dict[str, int]:
    """(Re)build vertices, source/target and lengths; ``node`` first splits at crossings."""
    if node:
        _run(session, "node")
    _run(session, "topology")
    streets, vertices, loose = session.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM streets), (SELECT count(*) FROM street_vertices), "
            "(SELECT count(*) FROM streets WHERE source IS NULL OR target IS NULL)"
        )
    ).one()
    return {"streets": int(streets), "vertices": int(vertices), "unconnected": int(loose)}


def facility_reach(session: Session, facility_type: str, radius_m: float, box: Box | None) -> None:
    """Fill the temporary ``walk_reach`` (vertex, metres) with the union of the service areas
    of the type's active facilities; ``box`` limits streets and facilities (None: all)."""
    xmin, ymin, xmax, ymax = box if box is not None else (None, None, None, None)
    _run(
        session,
        "facility_reach",
        {
            "ftype": facility_type,
            "radius": radius_m,
            "xmin": xmin,
            "ymin": ymin,
            "xmax": xmax,
            "ymax": ymax,
        },
    )


def reached_buildings(session: Session, radius_m: float) -> sa.Select[Any]:
    """Ids of buildings within ``radius_m`` of a facility (after :func:`facility_reach`)."""
    _run(session, "reached_buildings", {"radius": radius_m})
    return sa.select(sa.table("walk_reached", sa.column("id", sa.Integer)).c.id)


def reach_lines(session: Session, radius_m: float) -> dict[str, Any]:
    """The reached streets as a GeoJSON MultiLineString (after :func:`facility_reach`)."""
    found = _run(session, "reach_lines", {"radius": radius_m}).scalar()
    if found is None:
        return {"type": "MultiLineString", "coordinates": []}
    return dict(json.loads(found))


def site_reach(session: Session, points: list[tuple[float, float]], horizon_m: float) -> None:
    """Fill the temporary ``site_reach`` (site i from 1, vertex, metres) for each point."""
    lat = max(abs(p[1]) for p in points)
    _run(
        session,
        "site_reach",
        {
            "lons": [p[0] for p in points],
            "lats": [p[1] for p in points],
            "horizon": horizon_m,
            "deg": degrees(horizon_m, lat),
        },
    )


def candidate_factors(
    session: Session,
    points: list[tuple[float, float]],
    facility_type: str,
    radius_m: float,
    demand_weights: dict[str, float],
) -> list[Factors]:
    """What each candidate would do, measured by walking along the network.

    ``nearest_existing_m`` is searched along the network up to twice the radius (the score's
    horizon); beyond it the straight line, at least twice the radius, stands in as a lower
    bound, which scores the same.
    """
    horizon = 2 * radius_m
    lat = max(abs(p[1]) for p in points)
    deg = degrees(horizon, lat)
    facility_reach(session, facility_type, radius_m, _extent(points, 2 * deg))
    site_reach(session, points, horizon)
    weights = {k: v for k, v in demand_weights.items() if k != "default"}
    rows = _run(
        session,
        "site_factors",
        {
            "lons": [p[0] for p in points],
            "lats": [p[1] for p in points],
            "radius": radius_m,
            "deg": deg,
            "ftype": facility_type,
            "weights": json.dumps(weights),
            "default_weight": demand_weights["default"],
        },
    ).all()
    out = []
    for r in rows:
        if r.nearest_m is not None:
            nearest: float | None = round(float(r.nearest_m), 1)
        elif r.straight_m is not None:
            nearest = round(max(float(r.straight_m), horizon), 1)
        else:
            nearest = None
        out.append(
            Factors(
                demand=round(float(r.demand), 3),
                new_population=float(r.new_population),
                nearest_existing_m=nearest,
            )
        )
    return out


def coverage_cost(
    session: Session,
    building_ids: list[int],
    sites: list[tuple[float, float]],
    radius_m: float,
) -> NDArray[np.float64]:
    """Walking metres from each building (rows) to each site (columns); ``inf`` beyond
    ``radius_m``, which is all the Maximal Coverage Location Problem needs to know."""
    cost = np.full((len(building_ids), len(sites)), np.inf)
    if not building_ids or not sites:
        return cost
    site_reach(session, sites, radius_m)
    rows = _run(session, "coverage_pairs", {"ids": building_ids, "radius": radius_m}).all()
    for row in rows:
        cost[int(row[0]), int(row[1])] = float(row[2])
    return cost


def _extent(points: list[tuple[float, float]], pad_deg: float) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs) - pad_deg, min(ys) - pad_deg, max(xs) + pad_deg, max(ys) + pad_deg)
