"""Exports for crews and offices: facility lists as CSV or GeoPackage, area tables as CSV.

CSV starts with a UTF-8 byte-order mark so that spreadsheet programs on Chinese Windows read the
names right; columns are stable English keys, values in the request's language. Nothing about
residents is exported: no reporters, no contacts, no stewards' names.

Usage::

    text = facility_csv(rows, names)          # rows from queries.facility_rows
    data = facility_gpkg(rows, names, layer="overdue")
    text = coverage_csv(area_rows, locale)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from gisapp.geo.models import LEVELS
from gisapp.spreadsheet import cell

BOM = "\ufeff"
FACILITY_COLUMNS = (
    "code",
    "type",
    "type_name",
    "status",
    "days_overdue",
    "next_due_on",
    "last_visit_on",
    "open_faults",
    "condition",
    "responsible_party",
    "district",
    "street",
    "community",
    "grid",
    "lon",
    "lat",
)
COVERAGE_COLUMNS = (
    "id",
    "code",
    "name",
    "facilities",
    "ok",
    "due",
    "overdue",
    "out_of_service",
    "coverage",
    "median_days_overdue",
    "open_faults",
    "faults_closed",
    "mean_days_to_close",
    "records",
    "volunteer_share",
    "hours",
    "volunteer_hours",
)


def facility_records(
    rows: Iterable[Any], type_names: dict[str, str], area_names: dict[int, str]
) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        record = {
            "code": r.code,
            "type": r.type,
            "type_name": type_names.get(r.type, r.type),
            "status": r.status,
            "days_overdue": r.days_overdue,
            "next_due_on": r.next_due_on.isoformat() if r.next_due_on else "",
            "last_visit_on": r.last_visit_on.isoformat() if r.last_visit_on else "",
            "open_faults": r.open_faults,
            "condition": r.condition,
            "responsible_party": r.responsible_party,
            "lon": round(float(r.lon), 6),
            "lat": round(float(r.lat), 6),
        }
        for level in LEVELS[:4]:
            area_id = getattr(r, f"{level}_id")
            record[level] = area_names.get(area_id, "") if area_id else ""
        out.append(record)
    return out


def _csv(columns: Sequence[str], records: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: cell(record.get(k)) for k in columns})
    return buffer.getvalue()


def facility_csv(records: list[dict[str, Any]]) -> str:
    return _csv(FACILITY_COLUMNS, records)


def facility_gpkg(records: list[dict[str, Any]], layer: str) -> bytes:
    """A GeoPackage with one point layer (EPSG:4326) of the given facility records."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    columns = [c for c in FACILITY_COLUMNS if c not in ("lon", "lat")]
    frame = gpd.GeoDataFrame(
        {c: [r[c] for r in records] for c in columns},
        geometry=[Point(r["lon"], r["lat"]) for r in records],
        crs="EPSG:4326",
    )
    buffer = io.BytesIO()
    pyogrio.write_dataframe(frame, buffer, driver="GPKG", layer=layer)
    return buffer.getvalue()


def coverage_csv(rows: Iterable[dict[str, Any]]) -> str:
    return _csv(COVERAGE_COLUMNS, rows)
