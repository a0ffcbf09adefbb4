"""Street networks from files: ``gisapp network load PATH`` and the sample's streets.geojson.

Usage::

    n = load_streets(session, Path("streets.gpkg"))   # replaces the network; caller commits
    build_topology(session, node=True)                 # gisapp.planning.network

Any format GDAL reads through pyogrio (GeoJSON, GeoPackage, Shapefile …). Lines in another CRS
are reprojected to WGS 84. Names come from ``name_zh``/``name``/``name_en`` and the class from
``highway``/``kind``/``class``. Every bad feature is reported, and then nothing is written.
(``gisapp import`` is for areas, facilities and reports; streets are a graph and come here.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely import LineString, MultiLineString
from sqlalchemy.orm import Session

from gisapp.errors import DataFileError
from gisapp.planning.network_models import Street, StreetVertex

MAX_PROBLEMS = 20


def _text(props: dict[str, Any], *keys: str, limit: int) -> str:
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip() and str(value) != "nan":
            return str(value).strip()[:limit]
    return ""


def read_streets(path: Path) -> list[dict[str, Any]]:
    """Rows ready for the ``streets`` table; DataFileError lists every bad feature."""
    import pyogrio  # GDAL loads slowly: only when a file is read

    try:
        frame = pyogrio.read_dataframe(path)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(f"{path.name}: cannot be read: {exc}") from exc
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    columns = [c for c in frame.columns if c != "geometry"]
    for i, (geom, *values) in enumerate(
        zip(frame.geometry, *(frame[c] for c in columns), strict=True), start=1
    ):
        props = dict(zip(columns, values, strict=True))
        label = f"{path.name} feature {i}"
        if geom is None or geom.is_empty:
            problems.append(f"{label}: no geometry")
            continue
        if not isinstance(geom, LineString | MultiLineString):
            problems.append(f"{label}: geometry must be a LineString, not {geom.geom_type}")
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            problems.append(f"{label}: coordinates are not longitude/latitude")
            continue
        parts = list(geom.geoms) if isinstance(geom, MultiLineString) else [geom]
        for part in parts:
            if part.length == 0:
                continue
            rows.append(
                {
                    "name_zh": _text(props, "name_zh", "name", limit=200),
                    "name_en": _text(props, "name_en", limit=200),
                    "highway": _text(props, "highway", "kind", "class", "fclass", limit=40),
                    "geom": from_shape(LineString(part.coords), srid=4326),
                }
            )
    if problems:
        more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise DataFileError("; ".join(problems[:MAX_PROBLEMS]) + more)
    if not rows:
        raise DataFileError(f"{path.name}: holds no street lines")
    return rows


def load_streets(session: Session, path: Path) -> int:
    """Replace the street network with the lines in ``path``; the caller builds the topology
    and commits (or rolls back)."""
    rows = read_streets(path)
    session.execute(sa.delete(Street))
    session.execute(sa.delete(StreetVertex))
    session.execute(sa.insert(Street), rows)
    return len(rows)
