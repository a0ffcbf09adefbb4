"""Read an import file into a GeoDataFrame, or say precisely why it cannot be read.

Formats by extension: ``.geojson``/``.json``, ``.gpkg``, ``.shp``, ``.zip`` (a zipped
Shapefile, or one GeoJSON/GeoPackage inside), ``.csv`` with longitude/latitude columns.
GDAL (through pyogrio) does the reading; what GDAL reports vaguely is checked first here so
the message names the file and, where it can, the feature: a truncated GeoJSON gives the line
and column, a Shapefile without its ``.dbf`` says so, a CSV row whose coordinates are not
numbers is named by its line.

Usage::

    source = read_source(Path("wards.shp"))
    source.frame          # GeoDataFrame, geometry None where a feature had none / a bad one
    source.crs            # pyproj.CRS, or None (a .shp without .prj); CSV is WGS 84
    source.labels[i]      # "feature 3" / "line 4", for messages
"""

from __future__ import annotations

import csv
import json
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from pyogrio.errors import DataSourceError
from pyproj import CRS

from gisapp.dataio.problems import Problems
from gisapp.spreadsheet import uncell

FORMATS = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".csv")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")


@dataclass
class Source:
    name: str
    frame: gpd.GeoDataFrame
    crs: CRS | None
    labels: list[str]
    # Why a feature has no geometry, when the reader knows better than "missing".
    geometry_notes: dict[int, str] = field(default_factory=dict)
    reader_warnings: list[str] = field(default_factory=list)


def _label(prefix: str, n: int) -> list[str]:
    return [f"{prefix} {i}" for i in range(1, n + 1)]


def _check_geojson(path: Path, problems: Problems) -> dict[int, str]:
    """Syntax and structure first: GDAL only says "failed to read" for a truncated file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise problems.fail(f"is not UTF-8 text: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise problems.fail(
            f"is not valid JSON (truncated or malformed) at line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}"
        ) from exc
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise problems.fail("is not a GeoJSON FeatureCollection")
    features = data.get("features") if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list):
        raise problems.fail("has no features list")
    if not features:
        raise problems.fail("has no features")
    notes: dict[int, str] = {}
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            notes[i] = "has no geometry"
            continue
        try:
            shapely.geometry.shape(geometry)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            notes[i] = f"geometry cannot be read: {exc or type(exc).__name__}"
    return notes


def _shapefile_parts(path: Path, problems: Problems) -> None:
    siblings = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*")}
    for ext, what in ((".dbf", "attribute table"), (".shx", "index")):
        if ext not in siblings:
            raise problems.fail(f"the Shapefile's {ext} file ({what}) is missing beside it")


def _zip_target(path: Path, problems: Problems) -> tuple[str, str]:
    """The GDAL path of the one dataset inside a zip, and its kind (suffix)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as exc:
        raise problems.fail(f"is not a readable zip archive: {exc}") from exc
    lower = {n.lower(): n for n in names}
    shps = [n for n in names if n.lower().endswith(".shp")]
    if len(shps) > 1:
        raise problems.fail(f"holds {len(shps)} Shapefiles; zip one per import")
    if shps:
        stem = shps[0][:-4].lower()
        for ext, what in ((".dbf", "attribute table"), (".shx", "index")):
            if stem + ext not in lower:
                raise problems.fail(f"{shps[0]}: the Shapefile's {ext} file ({what}) is missing")
        return f"/vsizip/{path}/{shps[0]}", ".shp"
    others = [n for n in names if n.lower().endswith((".geojson", ".json", ".gpkg"))]
    if len(others) != 1:
        raise problems.fail("holds no Shapefile, GeoJSON or GeoPackage (or more than one)")
    return f"/vsizip/{path}/{others[0]}", Path(others[0]).suffix.lower()


def _pick_layer(target: str, layer: str | None, problems: Problems) -> str | None:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(target)]
    except DataSourceError as exc:
        raise problems.fail(f"cannot be opened: {exc}") from exc
    if layer is not None:
        if layer not in layers:
            raise problems.fail(f"has no layer {layer!r} (layers: {', '.join(layers)})")
        return layer
    if len(layers) > 1:
        raise problems.fail(f"has {len(layers)} layers ({', '.join(layers)}); choose with --layer")
    return layers[0] if layers else None


def _read_ogr(target: str, name: str, layer: str | None, problems: Problems) -> Source:
    chosen = _pick_layer(target, layer, problems)
    try:
        # GDAL's warnings (a bad coordinate, an odd field) come as Python warnings; the bad
        # feature itself comes back without geometry and is reported by the checks.
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            info = pyogrio.read_info(target, layer=chosen)
            frame = pyogrio.read_dataframe(
                target, layer=chosen, on_invalid="ignore", datetime_as_string=True
            )
    except (DataSourceError, pyogrio.errors.DataLayerError, RuntimeError) as exc:
        raise problems.fail(f"cannot be read: {exc}") from exc
    if len(frame) == 0:
        raise problems.fail("has no features")
    crs = None
    if info.get("crs"):
        try:
            crs = CRS.from_user_input(info["crs"])
        except Exception as exc:  # pyproj raises CRSError, a bare Exception subclass
            raise problems.fail(f"declares a coordinate system that is not known: {exc}") from exc
    source = Source(name, frame, crs, _label("feature", len(frame)))
    source.reader_warnings = list(dict.fromkeys(str(w.message) for w in said))
    return source


def _find_column(columns: list[str], wanted: str | None, names: tuple[str, ...]) -> str | None:
    if wanted:
        return wanted if wanted in columns else None
    by_lower = {c.lower().strip(): c for c in columns}
    return next((by_lower[n] for n in names if n in by_lower), None)


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_csv(
    path: Path, lon_field: str | None, lat_field: str | None, problems: Problems
) -> Source:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            # Undo the apostrophe that gisapp export puts before formula-like text.
            table = [{k: uncell(v) for k, v in row.items()} for row in reader]
            columns = [str(c) for c in reader.fieldnames or []]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise problems.fail(f"cannot be read as UTF-8 CSV: {exc}") from exc
    if not columns:
        raise problems.fail("is empty")
    if not table:
        raise problems.fail("has a header but no rows")
    lon = _find_column(columns, lon_field, LON_NAMES)
    lat = _find_column(columns, lat_field, LAT_NAMES)
    if lon is None or lat is None:
        raise problems.fail(
            f"has no {'longitude' if lon is None else 'latitude'} column "
            f"({lon_field or lat_field or 'lon/lng/longitude/x, lat/latitude/y'}); "
            "name them with --lon-field/--lat-field"
        )
    labels = _label("line", len(table) + 1)[1:]  # the header is line 1
    notes: dict[int, str] = {}
    points: list[Any] = []
    for i, row in enumerate(table):
        x, y = _number(row.get(lon) or ""), _number(row.get(lat) or "")
        if x is None or y is None:
            column = lon if x is None else lat
            notes[i] = f"{column} {row.get(column)!r} is not a number"
            points.append(None)
        else:
            points.append(shapely.Point(x, y))
    records = [{k: v for k, v in row.items() if k not in (lon, lat)} for row in table]
    frame = gpd.GeoDataFrame(records, geometry=points)
    # Columns named longitude/latitude are degrees: WGS 84 unless --crs says otherwise.
    return Source(path.name, frame, CRS.from_epsg(4326), labels, notes)


def read_source(
    path: Path,
    *,
    layer: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
) -> Source:
    """Read *path*; an unreadable file raises ImportRejected naming it."""
    problems = Problems(path.name)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise problems.fail(f"format {suffix or '(none)'} is not one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise problems.fail("does not exist")
    if path.stat().st_size == 0:
        raise problems.fail("is empty")
    if suffix == ".csv":
        return _read_csv(path, lon_field, lat_field, problems)
    notes: dict[int, str] = {}
    target, kind = str(path), suffix
    if suffix == ".zip":
        target, kind = _zip_target(path, problems)
    elif suffix == ".shp":
        _shapefile_parts(path, problems)
    if kind in (".geojson", ".json") and suffix != ".zip":
        notes = _check_geojson(path, problems)
    source = _read_ogr(target, path.name, layer, problems)
    source.geometry_notes = notes
    return source
