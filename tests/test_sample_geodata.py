"""The committed synthetic sample street (sample_geodata/) is consistent and reproducible.

Pure Python, no database: the loader and the app rely on these files, so their shape, nesting,
sums and geometry are pinned here.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

DATA = Path(__file__).resolve().parents[1] / "sample_geodata"
GEOJSON = ["areas", "streets", "reports", "projects", "facilities"]
FILES = [f"{name}.geojson" for name in GEOJSON] + ["maintenance_records.csv"]
LEVELS = ["district", "street", "community", "grid", "building"]
CODE_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 14, "building": 17}
TOL = 1e-6  # degrees, about 0.1 m: the 6-decimal output grid
TODAY = date(2026, 11, 20)
INTERVALS = {
    "street_light": 30,
    "bench": 180,
    "playground": 30,
    "public_toilet": 7,
    "waste_point": 7,
    "fitness": 30,
    "drainage_grate": 90,
    "ev_charger": 90,
    "fire_hydrant": 180,
}
CATEGORIES = {
    "road_damage",
    "street_light",
    "waste",
    "drainage",
    "parking",
    "noise",
    "greenery",
    "facility_damage",
    "public_safety",
    "accessibility",
}
STATUSES = {"submitted", "accepted", "in_progress", "resolved", "closed", "rejected"}
PHASES = {"co_decide", "co_build", "co_manage", "co_evaluate", "co_share"}


def features(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def areas() -> dict[str, tuple[dict[str, Any], Any]]:
    return {
        f["properties"]["code"]: (f["properties"], shape(f["geometry"])) for f in features("areas")
    }


@pytest.fixture(scope="module")
def street(areas: dict[str, tuple[dict[str, Any], Any]]) -> Any:
    (geom,) = [g for p, g in areas.values() if p["level"] == "street"]
    shapely.prepare(geom)
    return geom


@pytest.fixture(scope="module")
def children(areas: dict[str, tuple[dict[str, Any], Any]]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = defaultdict(list)
    for code, (props, _) in areas.items():
        if props["parent_code"] is not None:
            kids[props["parent_code"]].append(code)
    return kids


def all_coordinates(geom: Any) -> list[float]:
    return [float(c) for c in shapely.get_coordinates(geom).ravel()]


# ------------------------------------------------------------------------------ files parse
@pytest.mark.parametrize("name", GEOJSON)
def test_geojson_reads_with_geopandas(name: str) -> None:
    frame = gpd.read_file(DATA / f"{name}.geojson")
    assert len(frame) > 0
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()


@pytest.mark.parametrize("name", GEOJSON)
def test_coordinates_have_six_decimals_and_sit_in_wuchang(name: str) -> None:
    for f in features(name):
        coords = all_coordinates(shape(f["geometry"]))
        assert all(round(c, 6) == c for c in coords)
        lons, lats = coords[0::2], coords[1::2]
        if f["properties"].get("level") == "district":
            assert min(lons) > 114.25 and max(lons) < 114.40
            assert min(lats) > 30.48 and max(lats) < 30.63
        else:  # the street and everything in it
            assert min(lons) >= 114.300 and max(lons) <= 114.335
            assert min(lats) >= 30.535 and max(lats) <= 30.560


def test_maintenance_csv_parses() -> None:
    with (DATA / "maintenance_records.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == [
            "facility_code",
            "kind",
            "date",
            "result",
            "performed_by",
            "volunteer",
            "minutes",
            "notes",
        ]
        rows = list(reader)
    assert rows
    for row in rows:
        assert row["kind"] in {"inspection", "repair"}
        assert row["result"] in {"ok", "fault", "fixed"}
        assert row["volunteer"] in {"true", "false"}
        assert int(row["minutes"]) > 0
        assert date.fromisoformat(row["date"]) <= TODAY


# ------------------------------------------------------------------------------------ areas
def test_area_codes_unique_and_levels_nest(areas: dict[str, tuple[dict[str, Any], Any]]) -> None:
    codes = [f["properties"]["code"] for f in features("areas")]
    assert len(codes) == len(set(codes))
    counts = Counter(p["level"] for p, _ in areas.values())
    assert counts["district"] == 1 and counts["street"] == 1 and counts["community"] == 10
    assert 200 <= counts["building"] <= 400
    for code, (props, _) in areas.items():
        assert props["level"] in LEVELS
        assert len(code) == CODE_LENGTH[props["level"]]
        assert props["name_zh"] and props["name_en"]
        if props["level"] == "district":
            assert props["parent_code"] is None
            continue
        parent = areas[props["parent_code"]][0]
        assert LEVELS.index(parent["level"]) == LEVELS.index(props["level"]) - 1
        if props["level"] != "street":
            assert code.startswith(parent["code"])


def test_populations_add_up(
    areas: dict[str, tuple[dict[str, Any], Any]], children: dict[str, list[str]]
) -> None:
    for code, (props, _) in areas.items():
        if props["level"] in {"district", "building"}:
            continue
        kids = [areas[k][0] for k in children[code]]
        assert sum(k["population"] for k in kids) == props["population"], code
        assert sum(k["households"] for k in kids) == props["households"], code
        if props["level"] == "community":
            assert 3000 <= props["population"] <= 9000
            assert 3 <= len(kids) <= 5
            assert 2.3 < props["population"] / props["households"] < 2.9
        if props["level"] == "grid":
            assert 4 <= len(kids) <= 10
    for props, _ in areas.values():
        if props["level"] == "building":
            assert 0 < props["households"] <= props["population"]


def test_area_geometries_are_valid_multipolygons(
    areas: dict[str, tuple[dict[str, Any], Any]],
) -> None:
    for code, (_, geom) in areas.items():
        assert geom.geom_type == "MultiPolygon", code
        assert geom.is_valid, code
        assert geom.area > 0, code


def test_children_lie_inside_their_parent(
    areas: dict[str, tuple[dict[str, Any], Any]], children: dict[str, list[str]]
) -> None:
    for code, kids in children.items():
        zone = areas[code][1].buffer(TOL)
        for kid in kids:
            assert zone.covers(areas[kid][1]), kid


def test_communities_and_grids_tile_their_parent(
    areas: dict[str, tuple[dict[str, Any], Any]], children: dict[str, list[str]]
) -> None:
    for code, kids in children.items():
        if areas[code][0]["level"] not in {"street", "community"}:
            continue
        parent = areas[code][1]
        parts = [areas[k][1] for k in kids]
        union = shapely.union_all(parts)
        assert abs(union.area - parent.area) / parent.area < 0.005, code  # no gaps
        assert abs(sum(p.area for p in parts) - union.area) / union.area < 0.001, code  # no overlap


def test_buildings_do_not_overlap(areas: dict[str, tuple[dict[str, Any], Any]]) -> None:
    blocks = [g for p, g in areas.values() if p["level"] == "building"]
    left, right = shapely.STRtree(blocks).query(blocks, predicate="intersects")
    assert all(i == j for i, j in zip(left, right, strict=True))


def test_street_is_irregular_and_of_plausible_size(street: Any) -> None:
    metric = gpd.GeoSeries([street], crs=4326).to_crs(32650).iloc[0]
    assert 2.0e6 < metric.area < 3.0e6
    assert metric.area / metric.minimum_rotated_rectangle.area < 0.9  # not a rectangle


# -------------------------------------------------------------------------- points in street
@pytest.mark.parametrize("name", ["reports", "facilities", "projects"])
def test_features_lie_inside_the_street(name: str, street: Any) -> None:
    for f in features(name):
        assert street.contains(shape(f["geometry"])), f["properties"]


def test_each_report_lies_inside_exactly_one_grid(
    areas: dict[str, tuple[dict[str, Any], Any]],
) -> None:
    grids = [g for p, g in areas.values() if p["level"] == "grid"]
    tree = shapely.STRtree(grids)
    for f in features("reports"):
        point = shape(f["geometry"])
        hits = [i for i in tree.query(point) if grids[i].contains(point)]
        assert len(hits) == 1, f["properties"]["ref"]
        assert not grids[hits[0]].boundary.intersects(point)


# ---------------------------------------------------------------------------------- reports
def test_report_properties() -> None:
    reports = [f["properties"] for f in features("reports")]
    assert 300 <= len(reports) <= 400
    refs = [r["ref"] for r in reports]
    assert len(refs) == len(set(refs))
    first, last = datetime.fromisoformat("2025-11-26T00:00:00+08:00"), None
    for r in reports:
        assert re.fullmatch(r"R20(25|26)-\d{4}", r["ref"])
        assert r["category"] in CATEGORIES
        assert r["status"] in STATUSES
        assert 10 <= len(r["description"]) <= 80
        created = datetime.fromisoformat(r["created_at"])
        updated = datetime.fromisoformat(r["updated_at"])
        assert r["created_at"].endswith("+08:00") and r["updated_at"].endswith("+08:00")
        assert first <= created <= updated
        assert updated.date() <= TODAY
        assert isinstance(r["support_count"], int) and r["support_count"] >= 0
        assert r["contact"] is None or re.fullmatch(r"1\d{10}", r["contact"])
        last = created if last is None else max(last, created)
    assert last is not None and last.date() <= TODAY
    assert 0.5 < sum(r["contact"] is not None for r in reports) / len(reports) < 0.7
    xss = [r for r in reports if "<script>" in r["description"]]
    assert [r["description"] for r in xss] == ['<script>alert("xss")</script> 路灯不亮']
    assert sum("' OR 1=1; --" in r["description"] for r in reports) == 1


def test_report_status_follows_age() -> None:
    reports = [f["properties"] for f in features("reports")]
    old = [r for r in reports if datetime.fromisoformat(r["created_at"]).date() < date(2026, 6, 1)]
    done = sum(r["status"] in {"resolved", "closed", "rejected"} for r in old)
    assert done / len(old) > 0.8
    assert sum(r["status"] == "submitted" for r in old) == 0


# --------------------------------------------------------------------------------- projects
def test_project_properties() -> None:
    projects = features("projects")
    assert len(projects) == 10
    props = [f["properties"] for f in projects]
    assert len({p["code"] for p in props}) == 10
    assert {p["phase"] for p in props} == PHASES
    assert {f["geometry"]["type"] for f in projects} == {"Point", "LineString", "Polygon"}
    for p in props:
        assert 50_000 <= p["budget_yuan"] <= 2_000_000
        assert 0 <= p["progress"] <= 100
        assert p["title_zh"] and p["title_en"] and p["description_zh"]
        if p["phase"] in {"co_evaluate", "co_share"}:
            assert p["progress"] == 100 and p["completed_on"] is not None
            assert p["started_on"] < p["completed_on"]
        else:
            assert p["completed_on"] is None
        if p["phase"] == "co_decide":
            assert p["progress"] <= 10
    lines = [shape(f["geometry"]) for f in projects if f["geometry"]["type"] == "LineString"]
    lengths = gpd.GeoSeries(lines, crs=4326).to_crs(32650).length
    assert ((lengths > 145) & (lengths < 405)).all()


# ------------------------------------------------------------------------------- facilities
def test_facility_properties() -> None:
    facilities = [f["properties"] for f in features("facilities")]
    assert 130 <= len(facilities) <= 160
    assert len({f["code"] for f in facilities}) == len(facilities)
    assert {f["type"] for f in facilities} == set(INTERVALS)
    assert Counter(f["status"] for f in facilities) == {
        "active": len(facilities) - 2,
        "removed": 2,
    }
    for f in facilities:
        assert re.fullmatch(r"F-\d{4}", f["code"])
        assert f["condition"] in {"good", "fair", "poor"}
        assert date.fromisoformat(f["install_date"]) < TODAY
        assert f["maintenance_interval_days"] is None or f["maintenance_interval_days"] > 0
        assert f["responsible_party"]


def test_maintenance_log_matches_facilities() -> None:
    facilities = {f["properties"]["code"]: f["properties"] for f in features("facilities")}
    with (DATA / "maintenance_records.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    log: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        assert row["facility_code"] in facilities
        assert date.fromisoformat(row["date"]) >= date.fromisoformat(
            facilities[row["facility_code"]]["install_date"]
        )
        log[row["facility_code"]].append(row)
    assert set(log) == set(facilities)
    assert all(1 <= len(entries) <= 8 for entries in log.values())
    # Today's state of active facilities: roughly 65% ok, 15% due soon, 15% overdue, a few faults.
    states: Counter[str] = Counter()
    for code, f in facilities.items():
        if f["status"] != "active":
            continue
        entries = sorted(log[code], key=lambda r: (r["date"], r["kind"] == "repair"))
        if entries[-1]["result"] == "fault":
            states["fault"] += 1
            continue
        last = max(date.fromisoformat(r["date"]) for r in entries if r["kind"] == "inspection")
        due = last + timedelta(days=f["maintenance_interval_days"] or INTERVALS[f["type"]])
        if due < TODAY:
            states["overdue"] += 1
        else:
            states["due" if due <= TODAY + timedelta(days=14) else "ok"] += 1
    total = sum(states.values())
    assert 0.55 < states["ok"] / total < 0.75
    assert 0.10 < states["due"] / total < 0.20
    assert 0.10 < states["overdue"] / total < 0.20
    assert 3 <= states["fault"] <= 10


# ---------------------------------------------------------------------------------- streets
def test_street_network_is_connected() -> None:
    segments = features("streets")
    assert 40 <= len(segments) <= 80
    assert {s["properties"]["kind"] for s in segments} == {"primary", "secondary", "lane"}
    parent: dict[tuple[float, float], tuple[float, float]] = {}

    def find(node: tuple[float, float]) -> tuple[float, float]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for s in segments:
        assert s["geometry"]["type"] == "LineString"
        assert s["properties"]["name_zh"] and s["properties"]["name_en"]
        coords = s["geometry"]["coordinates"]
        parent[find(tuple(coords[0]))] = find(tuple(coords[-1]))
    assert len({find(node) for node in list(parent)}) == 1


# --------------------------------------------------------------------------- reproducibility
def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [sys.executable, str(DATA / "generate.py"), str(tmp_path)],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
