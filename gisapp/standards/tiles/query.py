"""The SQL of one layer's tiles, built from its layer file, and the version of a tile.

Usage::

    sql = tile_statement(spec, ("category", "status"), geometry_expr=...)
    tile, aggregated = session.execute(sql, tile_params(spec, z, x, y, settings)).one()
    version = tile_version(session, "reports", z, x, y)

Identifiers come from the catalog (checked against the schema at start-up), never from the
request; every value is bound.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.catalog import LayerSpec
from gisapp.models import Base

log = logging.getLogger(__name__)

_SQL_FILE = Path(__file__).with_name("tiles.sql")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

# MVT geometry is kept on a 4096 grid per tile; a cluster cell is 32 screen pixels of a tile
# drawn 512 px wide, as our pages draw them (16 x 16 cells): clusters stay apart on the screen
# and a tile carries at most 256 of them.
EXTENT = 4096
CLUSTER_CELLS = 16
# Features drawn in a tile's buffer (256 of 4096 units) keep symbols whole across tile edges.
BUFFER_FRACTION = 256 / EXTENT
# Kept cells have levels 13 (z0-z9), 15 (z10-z11, migration 0014) and 17 (z12-z13): with
# 16 x 16 clusters a tile, each tile adds up at most 16 x 16 x 4^shift cells.
CELL_ZOOM = 13
# Tile versions are kept per z10 tile (migration 0008).
VERSION_ZOOM = 10
MAX_ZOOM = 22
WEB_MERCATOR_WIDTH = 2 * 20037508.342789244


@cache
def _sections() -> dict[str, str]:
    """``tiles.sql`` split at its ``-- name:`` lines."""
    sections: dict[str, str] = {}
    name = None
    for line in _SQL_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name: "):
            name = line.removeprefix("-- name: ").strip()
            sections[name] = ""
        elif name is not None:
            sections[name] += line + "\n"
    return sections


def _quoted(name: str) -> str:
    if not _IDENT.match(name):  # the catalog only lets such names through; be sure anyway
        raise ValueError(f"not a plain column name: {name!r}")
    return f'"{name}"'


def _column_expr(table: sa.Table, name: str, as_text: bool, shown: str | None = None) -> str:
    """A column as MVT can carry it: dates as ISO 8601 text (like the GeoJSON API), money and
    other numerics as floats, everything else as it is. A moment the map shows as a date
    (``shown``, the field's format) is sent as that date in the programme's time zone (:tz):
    many features share it, so the tile is smaller and quicker to encode, and a report filed at
    07:00 in Wuhan shows that day, not the UTC one."""
    col = f"t.{_quoted(name)}"
    kind = table.c[name].type
    if as_text:
        expr = f"{col}::text"
    elif isinstance(kind, sa.DateTime) and shown == "date":
        expr = f"(({col} AT TIME ZONE :tz)::date)::text"
    elif isinstance(kind, sa.Date):
        expr = f"{col}::text"
    elif isinstance(kind, sa.DateTime):
        expr = f"trim(both '\"' from to_json({col})::text)"
    elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Integer | sa.Float):
        expr = f"{col}::double precision"
    else:
        expr = col
    return f"{expr} AS {_quoted(name)}"


def tile_statement(
    spec: LayerSpec, properties: tuple[str, ...], *, plain: bool = False
) -> sa.TextClause:
    """The tile statement of a layer for one set of published properties; ``plain``: the one
    that only draws the features, for a point layer's tile known to hold few (``few_enough``)."""
    table = Base.metadata.tables[spec.source.table]
    breakdown = spec.breakdown_by if spec.breakdown_by in properties else None
    shown = {f.name: f.format for f in spec.fields}
    columns = [_column_expr(table, name, name == breakdown, shown.get(name)) for name in properties]
    names = [f"src.{_quoted(name)}" for name in properties]
    cluster_names = ["c.top" if name == breakdown else "NULL" for name in properties]
    where = "".join(f" AND t.{_quoted(key)} = :f_{key}" for key in spec.source.filter)
    if spec.source.table == "reports":
        # Sensitive categories are drawn where the public may see them: snapped to a grid of
        # :rounding Web Mercator metres, exactly as gisapp.reports.queries.public_geom does.
        geom = (
            "CASE WHEN t.category IN (SELECT code FROM categories WHERE sensitive)"
            " THEN ST_SnapToGrid(ST_Transform(t.geom, 3857), :rounding)"
            " ELSE ST_Transform(t.geom, 3857) END"
        )
    else:
        geom = "ST_Transform(t.geom, 3857)"
    lines = spec.geometry in ("line", "any")
    if plain:
        return sa.text(
            _sections()["plain"].format(
                columns="".join(f", {c}" for c in columns),
                geom=geom,
                table=_quoted(spec.source.table),
                where=where,
            )
        )
    text = _sections()["tile"].format(
        breakdown_name=breakdown or "nothing",
        columns="".join(f", {c}" for c in columns),
        geom=geom,
        table=_quoted(spec.source.table),
        where=where,
        names="".join(f", {n}" for n in names),
        raw_extra=(
            ", CASE WHEN GeometryType(src.g) LIKE '%LINESTRING' THEN true END AS line"
            if lines
            else ""
        ),
        cluster_names="".join(f", {n}" for n in cluster_names),
        cluster_extra=", NULL" if lines else "",
        anchor="src.g" if spec.geometry == "point" else "ST_PointOnSurface(src.g)",
        breakdown=f"src.{_quoted(breakdown)}" if breakdown else "NULL::text",
    )
    return sa.text(text)


def tile_params(
    spec: LayerSpec,
    z: int,
    x: int,
    y: int,
    *,
    cap: int,
    rounding_m: float,
    tz: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """Bound values of :func:`tile_statement` for one tile."""
    tile_width = WEB_MERCATOR_WIDTH / (1 << z)
    cluster = spec.cluster_below is not None and z < spec.cluster_below
    # A tile that is too full gets a grid fine enough to look like the points themselves, but
    # with no more cells than the cap.
    side = min(CLUSTER_CELLS if cluster else 64, max(1, math.isqrt(cap)))
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "margin": tile_width * BUFFER_FRACTION + rounding_m,
        "cluster": cluster,
        "cap": cap,
        "side": side,
        "layer": spec.id,
        "rounding": rounding_m,
        "dx": 0.0,
        "dy": 0.0,
        "tz": tz,
    }
    params.update({f"f_{key}": value for key, value in spec.source.filter.items()})
    return params


def gcj02_offset(z: int, x: int, y: int) -> tuple[float, float]:
    """How far to move a tile's envelope (Web Mercator metres) so that a map drawn on GCJ-02
    tiles (gisapp/static/js/crs-gcj02.js) shows each feature at its GCJ-02 place while the
    data stay WGS 84: minus the GCJ-02 shift at the tile's centre, which varies by less than
    a pixel across a tile (gisapp.geo.gcj02.shift_at). Zero outside China."""
    from gisapp.geo.gcj02 import shift_at

    radius = WEB_MERCATOR_WIDTH / (2 * math.pi)
    size = WEB_MERCATOR_WIDTH / (1 << z)
    cx = -WEB_MERCATOR_WIDTH / 2 + (x + 0.5) * size
    cy = WEB_MERCATOR_WIDTH / 2 - (y + 0.5) * size
    lon = math.degrees(cx / radius)
    lat = math.degrees(2 * math.atan(math.exp(cy / radius)) - math.pi / 2)
    dlon, dlat = shift_at(lon, lat)

    def merc_y(deg: float) -> float:
        return radius * math.log(math.tan(math.pi / 4 + math.radians(deg) / 2))

    return -radius * math.radians(dlon), -(merc_y(lat + dlat) - merc_y(lat))


def version_range(z: int, x: int, y: int) -> tuple[int, int, int, int]:
    """The z10 tiles whose counters a tile depends on: ``(x0, x1, y0, y1)``, inclusive."""
    if z >= VERSION_ZOOM:
        shift = z - VERSION_ZOOM
        return x >> shift, x >> shift, y >> shift, y >> shift
    span = 1 << (VERSION_ZOOM - z)
    # A low-zoom tile's buffer reaches past the z10 tiles under it: count their neighbours too.
    reach = math.ceil(span * BUFFER_FRACTION)
    last = (1 << VERSION_ZOOM) - 1
    return (
        max(0, x * span - reach),
        min(last, (x + 1) * span - 1 + reach),
        max(0, y * span - reach),
        min(last, (y + 1) * span - 1 + reach),
    )


def tile_version(session: Session, table: str, z: int, x: int, y: int) -> int:
    return range_version(session, table, *version_range(z, x, y))


def bbox_version(
    session: Session, table: str, bbox: tuple[float, float, float, float] | None
) -> int:
    """The data version of everything a WGS 84 box (or the whole table, None) may show: the
    triggers bump a feature's own z10 tile (and those within their margin), so the z10 tiles
    under the box see every change of a feature in it."""
    if bbox is None:
        return range_version(session, table, 0, (1 << VERSION_ZOOM) - 1, 0, (1 << VERSION_ZOOM) - 1)
    minlon, minlat, maxlon, maxlat = bbox
    x0, y1 = _z10_tile(minlon, minlat)
    x1, y0 = _z10_tile(maxlon, maxlat)
    return range_version(session, table, x0, x1, y0, y1)


def _z10_tile(lon: float, lat: float) -> tuple[int, int]:
    side = 1 << VERSION_ZOOM
    lat = max(-85.0511, min(85.0511, lat))
    x = int((lon + 180) / 360 * side)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * side)
    return max(0, min(side - 1, x)), max(0, min(side - 1, y))


def range_version(session: Session, table: str, x0: int, x1: int, y0: int, y1: int) -> int:
    version = session.execute(
        sa.text(_sections()["version"]),
        {"tbl": table, "x0": x0, "x1": x1, "y0": y0, "y1": y1},
    ).scalar_one()
    return int(version)


@dataclass(frozen=True)
class CellSpec:
    """How migration 0008's triggers count a table into ``tile_cells``."""

    k_col: str | None
    f_col: str | None
    rounding: float | None


def cell_specs(session: Session) -> dict[str, CellSpec]:
    """The tables whose cells can answer, read once per process."""
    specs = {}
    for r in session.execute(sa.text(_sections()["cell_spec"])).all():
        if r.stale:
            log.warning(
                "tile cells of %s were counted before its column %s existed; clusters are "
                "counted from the rows until SELECT gisapp_tile_cells_rebuild('%s') is run",
                r.tbl,
                r.f_col,
                r.tbl,
            )
            continue
        specs[r.tbl] = CellSpec(r.k_col, r.f_col, r.rounding)
    return specs


def _text(value: str | int | bool) -> str:
    """A filter value as PostgreSQL's ``::text`` spells it (the cells store that)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cells_plan(
    spec: LayerSpec,
    properties: tuple[str, ...],
    z: int,
    x: int,
    y: int,
    cells: dict[str, CellSpec],
    *,
    cap: int,
    rounding_m: float,
    dense: bool = False,
) -> tuple[sa.TextClause, dict[str, Any]] | None:
    """The statement and values that draw a clustered tile from the kept cells, or ``None``
    when the cells cannot answer for this layer and tile exactly (then ``tile_statement``
    counts the features themselves). ``dense``: a z14 tile the cells show holds more than the
    cap, drawn as its 8 x 8 level-17 cells (~300 m) instead of counting its thousands of
    features into a finer grid."""
    clustered = spec.cluster_below is not None and z < spec.cluster_below
    kept = cells.get(spec.source.table)
    if dense:
        if z != CELL_ZOOM + 1:
            return None
    elif not clustered or z > CELL_ZOOM:
        return None
    if spec.geometry != "point" or kept is None:
        return None
    if set(spec.source.filter) - {kept.f_col}:
        return None
    breakdown = spec.breakdown_by if spec.breakdown_by in properties else None
    if breakdown is not None and breakdown != kept.k_col:
        return None
    if kept.rounding is not None and kept.rounding != rounding_m:
        return None
    if math.isqrt(cap) < CLUSTER_CELLS:
        return None
    level = 13 if z <= 9 else 15 if z <= 11 else 17
    span = 1 << (level - z)
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "tbl": spec.source.table,
        "lvl": level,
        "shift": max(0, level - z - 4),
        "agg": "cap" if dense else "zoom",
        "cx0": x * span,
        "cx1": (x + 1) * span - 1,
        "cy0": y * span,
        "cy1": (y + 1) * span - 1,
        "layer": spec.id,
        "dx": 0.0,
        "dy": 0.0,
    }
    where = ""
    if kept.f_col in spec.source.filter:
        where = " AND f = :f"
        params["f"] = _text(spec.source.filter[kept.f_col])
    text = _sections()["cells"].format(
        where=where,
        top="c.top" if breakdown else "NULL::text",
        breakdown_name=_quoted(breakdown) if breakdown else "_none",
    )
    return sa.text(text), params


def cell_count(
    session: Session,
    spec: LayerSpec,
    z: int,
    x: int,
    y: int,
    cells: dict[str, CellSpec],
    *,
    rounding_m: float,
) -> int | None:
    """How many features of a point layer the kept level-17 cells under a tile hold (the
    tile's own, or more where a cell is larger than the tile), or ``None`` when the cells
    cannot say (another filter, rounding or geometry) or the tile clusters anyway. A tile
    within the cap is drawn without counting (``tile_statement(plain=True)``)."""
    clustered = spec.cluster_below is not None and z < spec.cluster_below
    kept = cells.get(spec.source.table)
    if clustered or z <= CELL_ZOOM or spec.geometry != "point" or kept is None:
        return None
    if set(spec.source.filter) - {kept.f_col}:
        return None
    if kept.rounding is not None and kept.rounding != rounding_m:
        return None
    level = 17
    if z >= level:
        cx0 = cx1 = x >> (z - level)
        cy0 = cy1 = y >> (z - level)
    else:
        span = 1 << (level - z)
        cx0, cx1, cy0, cy1 = x * span, (x + 1) * span - 1, y * span, (y + 1) * span - 1
    params: dict[str, Any] = {
        "tbl": spec.source.table,
        "cx0": cx0,
        "cx1": cx1,
        "cy0": cy0,
        "cy1": cy1,
    }
    where = ""
    if kept.f_col in spec.source.filter:
        where = " AND f = :f"
        params["f"] = _text(spec.source.filter[kept.f_col])
    text = _sections()["cell_count"].format(where=where)
    return int(session.execute(sa.text(text), params).scalar_one())
