"""Import geometry checks: CRS, 3D, type, reprojection to WGS 84, validity, served area.

Every feature is checked and every problem recorded (the import lists them all); a feature
with a problem gets ``None`` so the attribute checks can still run on the rest.

Choices, documented in the README:

- ``--crs`` overrides what the file declares (GCJ-02 data is usually labelled WGS 84).
  A file with no CRS (a ``.shp`` without ``.prj``) and no ``--crs`` is refused; CSV longitude/
  latitude columns are WGS 84 unless ``--crs`` says otherwise.
- 3D coordinates are refused (heights are not stored and a Z often means a wrong CRS);
  ``--drop-z`` accepts them and keeps the 2D position.
- Invalid polygons are refused by default; ``--invalid repair`` runs ``make_valid`` and keeps
  the polygonal parts, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.validation import explain_validity

from gisapp.dataio.problems import Problems
from gisapp.dataio.readers import Source
from gisapp.geo.gcj02 import geometry_gcj_to_wgs

WGS84 = CRS.from_epsg(4326)
GCJ02 = "gcj02"

EXPECTED = {
    "areas": (("Polygon", "MultiPolygon"), "polygons"),
    "facilities": (("Point",), "points"),
    "reports": (("Point",), "points"),
}


@dataclass(frozen=True)
class Frame:
    """Where the file's coordinates are: a CRS, and whether they are GCJ-02 shifted."""

    crs: CRS
    gcj02: bool = False

    def describe(self) -> str:
        return "GCJ-02" if self.gcj02 else (self.crs.to_string())


def resolve_crs(declared: CRS | None, option: str | None, problems: Problems) -> Frame:
    if option:
        if option.strip().lower() in (GCJ02, "gcj-02", "gcj_02"):
            return Frame(WGS84, gcj02=True)
        try:
            return Frame(CRS.from_user_input(option))
        except CRSError as exc:
            raise problems.fail(
                f"--crs {option!r} is not a known coordinate system: {exc}"
            ) from exc
    if declared is None:
        raise problems.fail(
            "has no coordinate system (a Shapefile without its .prj?); say it with --crs, "
            "e.g. --crs EPSG:4326 or --crs gcj02"
        )
    return Frame(declared)


def _single_point(geom: Any) -> Any:
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


def _polygonal(geom: Any) -> Any:
    """The polygon parts of a repaired geometry, as one MultiPolygon (or None)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polygons) if polygons else None


def _to_wgs84(geoms: list[Any], frame: Frame, problems: Problems) -> list[Any]:
    if frame.gcj02:
        if not frame.crs.is_geographic:  # pragma: no cover - gcj02 is always lon/lat
            raise problems.fail("GCJ-02 coordinates must be longitude/latitude")
        return list(geometry_gcj_to_wgs(np.array(geoms, dtype=object)))
    if frame.crs.equals(WGS84, ignore_axis_order=True):
        return geoms
    try:
        series = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(WGS84)
    except Exception as exc:  # pyproj: no transformation to WGS 84 from this CRS
        raise problems.fail(f"cannot be reprojected from {frame.describe()}: {exc}") from exc
    return list(series)


def clean_geometries(
    source: Source,
    kind: str,
    frame: Frame,
    *,
    invalid: str,
    drop_z: bool,
    problems: Problems,
    warnings: list[str],
) -> list[Any]:
    """WGS 84 2D geometries, one per feature, ``None`` where the feature has a problem."""
    allowed, plural = EXPECTED[kind]
    raw = list(source.frame.geometry)
    ok: list[int] = []
    dropped_z = 0
    for i, geom in enumerate(raw):
        label = source.labels[i]
        if geom is None:
            problems.add(label, source.geometry_notes.get(i, "has no geometry"))
            continue
        if geom.is_empty:
            problems.add(label, "geometry is empty")
            continue
        if geom.has_z:
            if not drop_z:
                problems.add(
                    label,
                    "has 3D coordinates (Z); heights are not stored: remove them or "
                    "import with --drop-z",
                )
                continue
            dropped_z += 1
        geom = _single_point(geom)
        if geom.geom_type not in allowed:
            problems.add(label, f"geometry is a {geom.geom_type}; {kind} must be {plural}")
            continue
        raw[i] = shapely.force_2d(geom)
        ok.append(i)
    if dropped_z:
        warnings.append(f"{dropped_z} features had 3D coordinates; their Z was dropped")
    out: list[Any] = [None] * len(raw)
    if not ok:
        return out
    moved = _to_wgs84([raw[i] for i in ok], frame, problems)
    repaired = 0
    for i, geom in zip(ok, moved, strict=True):
        label = source.labels[i]
        minx, miny, maxx, maxy = geom.bounds
        if (
            not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)
            or not np.isfinite(geom.bounds).all()
        ):
            problems.add(
                label,
                f"coordinates ({minx:.6g}, {miny:.6g}) are not longitude/latitude in "
                f"{frame.describe()}: wrong --crs, or longitude and latitude swapped?",
            )
            continue
        if not geom.is_valid:
            if invalid != "repair":
                problems.add(
                    label,
                    f"invalid geometry: {explain_validity(geom)} (use --invalid repair to fix it)",
                )
                continue
            geom = _polygonal(shapely.make_valid(geom))
            if geom is None:
                problems.add(label, "invalid geometry that has no area once repaired")
                continue
            repaired += 1
        if kind == "areas" and geom.geom_type == "Polygon":
            geom = shapely.MultiPolygon([geom])
        out[i] = geom
    if repaired:
        warnings.append(f"{repaired} invalid geometries were repaired (make_valid)")
    return out


def check_served_area(geoms: list[Any], served: Any, labels: list[str], problems: Problems) -> None:
    """Points must lie in the served area (the union of the top-level areas), when there is one.

    The geometry of a feature outside is set to ``None`` in place.
    """
    if served is None or served.is_empty:
        return
    shapely.prepare(served)
    for i, geom in enumerate(geoms):
        if geom is not None and not served.covers(geom):
            problems.add(
                labels[i],
                f"({geom.x:.6f}, {geom.y:.6f}) is outside the served area "
                "(the top-level areas in the database)",
            )
            geoms[i] = None
