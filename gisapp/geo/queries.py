"""Area lookups shared by pages and APIs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from gisapp.geo.models import LEVELS, Area, AreaLinks


def areas_of(session: Session, feature: AreaLinks) -> list[tuple[str, Area]]:
    """The feature's containing areas from the top level down, as (level, area)."""
    ids = {level: i for level, i in feature.area_ids().items() if i is not None}
    if not ids:
        return []
    # Not the outlines: a district's can weigh hundreds of kilobytes, and callers want names.
    found = {
        a.id: a
        for a in session.scalars(
            sa.select(Area).options(defer(Area.geom)).where(Area.id.in_(ids.values()))
        )
    }
    return [(level, found[ids[level]]) for level in LEVELS if level in ids and ids[level] in found]


def overview_bounds(session: Session) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the served streets (or communities), for the first view.

    Districts are skipped: a district outline is far larger than the neighbourhoods we serve.
    """
    for level in ("street", "community"):
        box = session.execute(
            sa.select(
                sa.func.ST_XMin(sa.func.ST_Extent(Area.geom)),
                sa.func.ST_YMin(sa.func.ST_Extent(Area.geom)),
                sa.func.ST_XMax(sa.func.ST_Extent(Area.geom)),
                sa.func.ST_YMax(sa.func.ST_Extent(Area.geom)),
            ).where(Area.level == level)
        ).one()
        if box[0] is not None:
            west, south, east, north = (float(v) for v in box)
            return [[south, west], [north, east]]
    return None


def areas_json(session: Session, feature: AreaLinks) -> dict[str, dict[str, object] | None]:
    """``{level: {id, code, name_zh, name_en} | None}`` for every level."""
    found = dict(areas_of(session, feature))
    return {
        level: (
            {"id": a.id, "code": a.code, "name_zh": a.name_zh, "name_en": a.name_en}
            if (a := found.get(level))
            else None
        )
        for level in LEVELS
    }
