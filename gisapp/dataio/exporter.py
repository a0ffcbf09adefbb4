"""``gisapp export LAYER PATH``: public fields only, to GeoJSON, GeoPackage, Shapefile or CSV.

Usage::

    n = export_layer(session, "reports", Path("reports.gpkg"), area="WC-01-03", crs="gcj02",
                     rounding_m=100)

The fields are the public ones, as the API and ``layers/*.yaml`` publish them: never residents'
contact details, reporter identities or the exact place of a sensitive report (rounded as on
the map). The format follows the extension: ``.geojson``, ``.gpkg``, ``.shp``, ``.zip`` (a
zipped Shapefile) or ``.csv`` (``lon``/``lat`` columns; other geometries also as ``wkt``, with
``lon``/``lat`` a point on the surface). ``area`` keeps what intersects that area and clips
polygons and lines to it. ``crs`` reprojects (any EPSG code) or shifts to GCJ-02 (``gcj02``).
Shapefile field names are cut to 10 characters by the format; the importer reads them back.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
import sqlalchemy as sa
from pyproj import CRS
from pyproj.exceptions import CRSError
from sqlalchemy.orm import Session, aliased

from gisapp.errors import DataFileError
from gisapp.geo.gcj02 import geometry_wgs_to_gcj
from gisapp.geo.models import Area
from gisapp.maintenance.models import Facility
from gisapp.planning.models import Project
from gisapp.reports.models import Report
from gisapp.reports.queries import public_geom
from gisapp.spreadsheet import cell

LAYERS = ("areas", "reports", "facilities", "projects")
DRIVERS = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".shp": "ESRI Shapefile"}
FORMATS = (*DRIVERS, ".zip", ".csv")


def _columns(layer: str, rounding_m: float) -> tuple[Any, list[Any], Any, Any]:
    """(table, public columns, geometry expression, parent alias for areas) of a layer."""
    if layer == "areas":
        parent = aliased(Area)
        cols = [
            Area.id,
            Area.code,
            Area.level,
            Area.name_zh,
            Area.name_en,
            parent.code.label("parent_code"),
            Area.population,
            Area.households,
        ]
        return Area, cols, Area.geom, parent
    if layer == "reports":
        cols = [
            Report.id,
            Report.category,
            Report.description,
            Report.status,
            Report.support_count,
            Report.created_at,
            Report.updated_at,
            Report.resolved_at,
        ]
        return Report, cols, public_geom(Report.geom, Report.category, rounding_m), None
    if layer == "facilities":
        cols = [
            Facility.id,
            Facility.code,
            Facility.type,
            Facility.condition,
            Facility.status,
            Facility.responsible_party,
            Facility.install_date,
            Facility.maintenance_interval_days,
        ]
        return Facility, cols, Facility.geom, None
    cols = [
        Project.id,
        Project.code,
        Project.title_zh,
        Project.title_en,
        Project.description,
        Project.phase,
        Project.progress,
        Project.budget_yuan,
        Project.started_on,
        Project.completed_on,
    ]
    return Project, cols, Project.geom, None


def _query(layer: str, area_geom: Any, rounding_m: float) -> sa.Select[Any]:
    table, cols, geom, parent = _columns(layer, rounding_m)
    out_geom = geom
    where: list[Any] = []
    if area_geom is not None:
        where = [
            table.geom.op("&&")(area_geom),
            sa.func.ST_Intersects(geom, area_geom),
            sa.not_(sa.func.ST_Touches(geom, area_geom)),
        ]
        if layer == "areas":
            out_geom = sa.func.ST_Multi(
                sa.func.ST_CollectionExtract(sa.func.ST_Intersection(geom, area_geom), 3)
            )
        elif layer == "projects":
            out_geom = sa.func.ST_Intersection(geom, area_geom)
    if layer == "reports":
        # Held (spam signal) and hidden (moderated) reports are not public data.
        where.append(Report.moderation == "visible")
    stmt = sa.select(*cols, sa.func.ST_AsBinary(out_geom).label("wkb")).where(*where)
    if parent is not None:
        stmt = stmt.outerjoin(parent, Area.parent_id == parent.id)
    return stmt.order_by(table.id)


def _plain(value: Any) -> Any:
    """Values every format can hold: ISO text for times, floats for money."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _frame(session: Session, layer: str, area: str | None, rounding_m: float) -> Any:
    area_geom = None
    if area:
        area_geom = session.scalar(sa.select(Area.geom).where(Area.code == area))
        if area_geom is None:
            raise DataFileError(f"--area {area}: no area has this code")
    result = session.execute(_query(layer, area_geom, rounding_m))
    names = [k for k in result.keys() if k != "wkb"]  # noqa: SIM118 - iterating gives rows
    rows = result.all()
    records = [{k: _plain(getattr(r, k)) for k in names} for r in rows]
    geoms = shapely.from_wkb([bytes(r.wkb) for r in rows]) if rows else []
    return gpd.GeoDataFrame(records, columns=names, geometry=list(geoms), crs="EPSG:4326")


def _reproject(frame: Any, crs: str | None) -> Any:
    if not crs:
        return frame
    if crs.strip().lower() in ("gcj02", "gcj-02"):
        shifted = geometry_wgs_to_gcj(np.array(list(frame.geometry), dtype=object))
        return frame.set_geometry(list(shifted), crs="EPSG:4326")
    try:
        target = CRS.from_user_input(crs)
    except CRSError as exc:
        raise DataFileError(f"--crs {crs!r} is not a known coordinate system") from exc
    return frame.to_crs(target)


def _write_csv(frame: Any, path: Path) -> None:
    geoms = list(frame.geometry)
    points = all(g is None or g.geom_type == "Point" for g in geoms)
    table = frame.drop(columns=frame.geometry.name)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        header = [*table.columns, "lon", "lat"] + ([] if points else ["wkt"])
        writer.writerow(header)
        for values, geom in zip(table.itertuples(index=False), geoms, strict=True):
            anchor = geom if geom is None or geom.geom_type == "Point" else geom.point_on_surface()
            xy = ["", ""] if anchor is None else [f"{anchor.x:.7f}", f"{anchor.y:.7f}"]
            row = [cell(v) for v in values]
            writer.writerow([*row, *xy] + ([] if points else [geom.wkt if geom else ""]))


def _write_ogr(frame: Any, path: Path, layer: str, driver: str) -> None:
    options = {"encoding": "UTF-8"} if driver == "ESRI Shapefile" else {}
    with warnings.catch_warnings():
        # The format's own limit (10-character field names), documented above.
        warnings.filterwarnings("ignore", message="Normalized/laundered field name")
        pyogrio.write_dataframe(frame, path, layer=layer, driver=driver, **options)


def _write_zip(frame: Any, path: Path, layer: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / f"{layer}.shp"
        _write_ogr(frame, shp, layer, "ESRI Shapefile")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(tmp).iterdir()):
                archive.write(part, part.name)


def export_layer(
    session: Session,
    layer: str,
    path: Path,
    *,
    area: str | None = None,
    crs: str | None = None,
    rounding_m: float = 100,
) -> int:
    """Write the layer's public features to *path*; returns how many were written."""
    if layer not in LAYERS:
        raise DataFileError(f"layer must be one of {', '.join(LAYERS)}")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DataFileError(f"{path.name}: format {suffix or '(none)'} is not one of {FORMATS}")
    frame = _reproject(_frame(session, layer, area, rounding_m), crs)
    if path.exists():
        path.unlink()
    if suffix == ".csv":
        _write_csv(frame, path)
    elif suffix == ".zip":
        _write_zip(frame, path, layer)
    else:
        _write_ogr(frame, path, layer, DRIVERS[suffix])
    return len(frame)
