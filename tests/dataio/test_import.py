"""``gisapp import``: good files of every format go in whole, with area links and no contacts."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import sqlalchemy as sa
from shapely.geometry import Point, Polygon, box
from sqlalchemy.orm import Session

from gisapp.dataio import commands
from gisapp.geo.gcj02 import gcj_to_wgs, wgs_to_gcj
from tests.dataio.conftest import INSIDE, CliCall, count, feature, point, write_geojson

COMMUNITY = "420106001001"


def test_facilities_from_geojson_get_area_links(cli: CliCall, db_session: Session, tmp_path: Path):
    path = write_geojson(
        tmp_path / "lights.geojson",
        [
            feature(point(*xy), code=f"NEW-{i}", type="street_light", install_date="2024-05-01")
            for i, xy in enumerate(INSIDE)
        ],
    )
    result = cli("import", "facilities", path)
    assert result.exit_code == 0, result.output
    assert "imported 3 facilities from lights.geojson" in result.output
    rows = db_session.execute(
        sa.text(
            "SELECT f.code, a.code FROM facilities f JOIN areas a ON a.id = f.community_id "
            "WHERE f.code LIKE 'NEW-%' ORDER BY f.code"
        )
    ).all()
    assert rows == [(f"NEW-{i}", COMMUNITY) for i in range(3)]


def test_reports_from_gcj02_csv_are_stored_in_wgs84_without_contacts(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    path = tmp_path / "complaints.csv"
    gcj = [wgs_to_gcj(*xy) for xy in INSIDE]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["经度", "纬度", "TYPE", "TEXT", "phone", "when"])
        for i, (x, y) in enumerate(gcj):
            w.writerow([x, y, "垃圾堆放", f"垃圾 {i} <b>", "13800000000", "2025-03-01 08:00"])
    contacts = count(db_session, "report_contacts")
    before = count(db_session, "reports")
    result = cli(
        "import",
        "reports",
        path,
        "--crs",
        "gcj02",
        "--lon-field",
        "经度",
        "--lat-field",
        "纬度",
        "--map",
        "category=TYPE",
        "--map",
        "description=TEXT",
        "--map",
        "created_at=when",
    )
    assert result.exit_code == 0, result.output
    assert "phone" in result.output  # said that it was left out
    assert count(db_session, "reports") == before + 3
    assert count(db_session, "report_contacts") == contacts
    rows = db_session.execute(
        sa.text(
            "SELECT ST_X(geom), ST_Y(geom), category, created_at, community_id IS NOT NULL, "
            "(SELECT count(*) FROM report_events e WHERE e.report_id = r.id) "
            "FROM reports r WHERE description LIKE '垃圾 %' ORDER BY description"
        )
    ).all()
    for (x, y, category, created, linked, events), (gx, gy) in zip(rows, gcj, strict=True):
        wx, wy = gcj_to_wgs(gx, gy)
        assert (x, y) == pytest.approx((wx, wy), abs=1e-7)
        assert category == "waste" and linked and events == 1
        assert created.astimezone(dt.UTC) == dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC)


def _grid_squares() -> list[Polygon]:
    x0, y0 = 114.3138, 30.5498  # inside community 420106001001
    return [box(x0 + i * 0.001, y0, x0 + (i + 1) * 0.001, y0 + 0.001) for i in range(2)]


def test_areas_from_projected_shapefile_with_level_and_parent(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    frame = gpd.GeoDataFrame(
        {"ID": ["G-NEW-1", "G-NEW-2"], "NAME": ["新网格一", "新网格二"], "POP": [120, 80]},
        geometry=_grid_squares(),
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    path = tmp_path / "grids.shp"
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    result = cli(
        "import",
        "areas",
        path,
        "--level",
        "grid",
        "--parent",
        COMMUNITY,
        "--name-field",
        "NAME",
        "--code-field",
        "ID",
        "--map",
        "population=POP",
    )
    assert result.exit_code == 0, result.output
    rows = db_session.execute(
        sa.text(
            "SELECT a.code, a.name_zh, a.name_en, a.population, p.code, ST_XMin(a.geom) "
            "FROM areas a JOIN areas p ON p.id = a.parent_id WHERE a.code LIKE 'G-NEW-%' "
            "ORDER BY a.code"
        )
    ).all()
    assert [r[:5] for r in rows] == [
        ("G-NEW-1", "新网格一", "新网格一", 120, COMMUNITY),
        ("G-NEW-2", "新网格二", "新网格二", 80, COMMUNITY),
    ]
    assert rows[0][5] == pytest.approx(114.3138, abs=1e-7)


def test_zipped_shapefile_and_parent_codes_inside_the_file(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    outer = box(114.3138, 30.5498, 114.3158, 30.5512)
    frame = gpd.GeoDataFrame(
        {
            "code": ["C-NEW", "G-NEW"],
            "name_zh": ["新社区", "新网格"],
            "name_en": ["New community", "New grid"],
            "level": ["community", "grid"],
            "parent_code": ["420106001", "C-NEW"],
        },
        geometry=[outer, box(114.3138, 30.5498, 114.3148, 30.5508)],
        crs="EPSG:4326",
    )
    folder = tmp_path / "parts"
    folder.mkdir()
    with pytest.warns(RuntimeWarning, match="laundered field name: 'parent_code'"):
        pyogrio.write_dataframe(frame, folder / "areas.shp", encoding="UTF-8")
    archive = tmp_path / "areas.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            z.write(part, part.name)
    result = cli("import", "areas", archive)
    assert result.exit_code == 0, result.output
    parent = db_session.scalar(
        sa.text(
            "SELECT p.code FROM areas a JOIN areas p ON p.id = a.parent_id WHERE a.code = 'G-NEW'"
        )
    )
    assert parent == "C-NEW"


def test_geopackage_with_mapping_names_and_a_chosen_layer(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    path = tmp_path / "assets.gpkg"
    points = gpd.GeoDataFrame(
        {"ID": ["B-1", "B-2"], "KIND": ["Bench", "座椅"]},
        geometry=[Point(*INSIDE[0]), Point(*INSIDE[1])],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(points, path, layer="benches")
    pyogrio.write_dataframe(points.iloc[:1], path, layer="other", append=False)
    result = cli("import", "facilities", path, "--code-field", "ID", "--map", "type=KIND")
    assert result.exit_code == 1 and "choose with --layer" in result.output
    result = cli(
        "import",
        "facilities",
        path,
        "--layer",
        "benches",
        "--code-field",
        "ID",
        "--map",
        "type=KIND",
    )
    assert result.exit_code == 0, result.output
    types = db_session.scalars(
        sa.text("SELECT type FROM facilities WHERE code IN ('B-1', 'B-2')")
    ).all()
    assert types == ["bench", "bench"]


def test_dry_run_writes_nothing(cli: CliCall, db_session: Session, tmp_path: Path):
    path = write_geojson(
        tmp_path / "f.geojson", [feature(point(*INSIDE[0]), code="DRY-1", type="bench")]
    )
    result = cli("import", "facilities", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would import 1 facilities" in result.output
    assert count(db_session, "facilities", "code = 'DRY-1'") == 0


def test_invalid_polygon_repaired_on_request_and_z_dropped(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [114.314, 30.550, 5],
                [114.315, 30.551, 5],
                [114.315, 30.550, 5],
                [114.314, 30.551, 5],
                [114.314, 30.550, 5],
            ]
        ],
    }
    path = write_geojson(
        tmp_path / "bowtie.geojson", [feature(bowtie, code="BOW", name_zh="蝴蝶", level="grid")]
    )
    result = cli("import", "areas", path)
    assert result.exit_code == 1
    assert "3D coordinates" in result.output
    result = cli("import", "areas", path, "--drop-z")
    assert result.exit_code == 1
    assert "Self-intersection" in result.output and "--invalid repair" in result.output
    result = cli("import", "areas", path, "--drop-z", "--invalid", "repair")
    assert result.exit_code == 0, result.output
    assert "repaired" in result.output and "Z was dropped" in result.output
    assert (
        count(db_session, "areas", "code = 'BOW' AND ST_IsValid(geom) AND ST_NDims(geom) = 2") == 1
    )


def test_progress_bar_on_large_files(
    cli: CliCall, db_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(commands, "PROGRESS_FROM", 2)
    path = write_geojson(
        tmp_path / "many.geojson",
        [feature(point(*xy), category="waste", description=f"d{i}") for i, xy in enumerate(INSIDE)],
    )
    result = cli("import", "reports", path)
    assert result.exit_code == 0, result.output
    assert "checking" in result.output
