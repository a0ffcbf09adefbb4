"""Bad import files: a message naming the file and every bad feature, exit 1, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point
from sqlalchemy.orm import Session

from tests.dataio.conftest import INSIDE, OUTSIDE, CliCall, count, feature, point, write_geojson

TABLES = ("areas", "facilities", "reports", "report_events")


@pytest.fixture
def unchanged(db_session: Session):  # type: ignore[no-untyped-def]
    """Asserts after the test that no table the import writes has changed."""
    before = {t: count(db_session, t) for t in TABLES}
    yield
    assert {t: count(db_session, t) for t in TABLES} == before


def rejected(result, *expected: str) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in result.output
    for text in expected:
        assert text in result.output, result.output
    return [line for line in result.output.splitlines() if line and "nothing was" not in line]


def test_truncated_geojson_names_line_and_column(cli: CliCall, tmp_path: Path, unchanged: None):
    path = tmp_path / "cut.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [\n{"type": "Feature", "geo')
    rejected(cli("import", "facilities", path), "cut.geojson: is not valid JSON", "line 2")


def test_malformed_geometry_names_the_feature(cli: CliCall, tmp_path: Path, unchanged: None):
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature(point(*INSIDE[0]), code="OK-1", type="bench"),
            feature({"type": "Point", "coordinates": "abc"}, code="BAD-2", type="bench"),
            feature(None, code="BAD-3", type="bench"),
        ],
    )
    lines = rejected(
        cli("import", "facilities", path),
        "bad.geojson: feature 2 (BAD-2): geometry cannot be read",
        "bad.geojson: feature 3 (BAD-3): has no geometry",
    )
    assert len(lines) == 2


def test_mixed_geometry_types_every_odd_one_named(cli: CliCall, tmp_path: Path, unchanged: None):
    line = {"type": "LineString", "coordinates": [list(INSIDE[0]), list(INSIDE[1])]}
    square = {
        "type": "Polygon",
        "coordinates": [[[114.314, 30.55], [114.315, 30.55], [114.315, 30.551], [114.314, 30.55]]],
    }
    path = write_geojson(
        tmp_path / "mixed.geojson",
        [
            feature(point(*INSIDE[0]), code="P-1", type="bench"),
            feature(line, code="L-2", type="bench"),
            feature(square, code="S-3", type="bench"),
        ],
    )
    rejected(
        cli("import", "facilities", path),
        "mixed.geojson: feature 2 (L-2): geometry is a LineString; facilities must be points",
        "mixed.geojson: feature 3 (S-3): geometry is a Polygon",
    )


def test_3d_coordinates_are_refused_without_drop_z(cli: CliCall, tmp_path: Path, unchanged: None):
    path = write_geojson(
        tmp_path / "z.geojson", [feature(point(*INSIDE[0], 31.5), code="Z-1", type="bench")]
    )
    rejected(cli("import", "facilities", path), "z.geojson: feature 1 (Z-1): has 3D coordinates")


def _shapefile(tmp_path: Path, crs: str | None = "EPSG:4326") -> Path:
    frame = gpd.GeoDataFrame(
        {"code": ["S-1"], "type": ["bench"]}, geometry=[Point(*INSIDE[0])], crs=crs
    )
    path = tmp_path / "benches.shp"
    if crs is None:
        with pytest.warns(UserWarning, match="'crs' was not provided"):
            pyogrio.write_dataframe(frame, path)
    else:
        pyogrio.write_dataframe(frame, path)
    return path


def test_shapefile_without_prj_needs_crs(cli: CliCall, tmp_path: Path, unchanged: None):
    path = _shapefile(tmp_path, crs=None)
    assert not path.with_suffix(".prj").exists()
    rejected(cli("import", "facilities", path), "benches.shp: has no coordinate system", "--crs")


def test_shapefile_without_dbf(cli: CliCall, tmp_path: Path, unchanged: None):
    path = _shapefile(tmp_path)
    path.with_suffix(".dbf").unlink()
    rejected(cli("import", "facilities", path), "benches.shp: the Shapefile's .dbf file")


def test_zip_without_dbf(cli: CliCall, tmp_path: Path, unchanged: None):
    _shapefile(tmp_path)
    archive = tmp_path / "benches.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("benches.*"):
            if part.suffix not in (".dbf", ".zip"):
                z.write(part, part.name)
    rejected(cli("import", "facilities", archive), "benches.zip: benches.shp: the Shapefile's .dbf")


def test_unknown_crs(cli: CliCall, tmp_path: Path, unchanged: None):
    path = _shapefile(tmp_path)
    rejected(
        cli("import", "facilities", path, "--crs", "EPSG:999999"),
        "--crs 'EPSG:999999' is not a known coordinate system",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.geojson", "", "empty.geojson: is empty"),
        ("none.geojson", '{"type": "FeatureCollection", "features": []}', "has no features"),
        ("empty.csv", "", "empty.csv: is empty"),
        ("header.csv", "lon,lat,code\n", "header.csv: has a header but no rows"),
        ("nolon.csv", "a,b\n1,2\n", "nolon.csv: has no longitude column"),
        ("list.geojson", "[1, 2]", "is not a GeoJSON FeatureCollection"),
        ("notes.txt", "hello", "format .txt is not one of"),
    ],
)
def test_empty_and_unreadable_files(
    cli: CliCall, tmp_path: Path, unchanged: None, name: str, content: str, message: str
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    rejected(cli("import", "facilities", path), message)


def test_csv_with_non_numeric_coordinates_names_the_line(
    cli: CliCall, tmp_path: Path, unchanged: None
):
    path = tmp_path / "lights.csv"
    path.write_text(
        "code,type,longitude,latitude\n"
        f"C-1,street_light,{INSIDE[0][0]},{INSIDE[0][1]}\n"
        f"C-2,street_light,114.31abc,{INSIDE[1][1]}\n"
        f"C-3,street_light,{INSIDE[2][0]},\n",
        encoding="utf-8",
    )
    lines = rejected(
        cli("import", "facilities", path),
        "lights.csv: line 3 (C-2): longitude '114.31abc' is not a number",
        "lights.csv: line 4 (C-3): latitude '' is not a number",
    )
    assert len(lines) == 2


def test_swapped_coordinates_outside_the_area_and_empty_geometry(
    cli: CliCall, tmp_path: Path, unchanged: None
):
    path = write_geojson(
        tmp_path / "places.geojson",
        [
            feature(point(INSIDE[0][1], INSIDE[0][0]), code="SWAP", type="bench"),
            feature(point(*OUTSIDE), code="FAR", type="bench"),
            feature({"type": "Point", "coordinates": []}, code="EMPTY", type="bench"),
        ],
    )
    rejected(
        cli("import", "facilities", path),
        "feature 1 (SWAP): coordinates (30.55, 114.314) are not longitude/latitude",
        "feature 2 (FAR): (116.400000, 39.900000) is outside the served area",
        "feature 3 (EMPTY): ",
    )


def test_duplicate_codes_unknown_types_and_categories(
    cli: CliCall, tmp_path: Path, unchanged: None
):
    path = write_geojson(
        tmp_path / "f.geojson",
        [
            feature(point(*INSIDE[0]), code="D-1", type="bench"),
            feature(point(*INSIDE[1]), code="D-1", type="bench"),
            feature(point(*INSIDE[2]), code="F-0001", type="bench"),
            feature(point(*INSIDE[2]), code="D-4", type="spaceport"),
            feature(point(*INSIDE[2]), code="D-5", type="bench", condition="shiny"),
        ],
    )
    lines = rejected(
        cli("import", "facilities", path),
        "f.geojson: feature 2 (D-1): duplicate code D-1 (also feature 1 (D-1))",
        "feature 3 (F-0001): code F-0001 already exists in the database",
        "feature 4 (D-4): unknown facility type 'spaceport'",
        "feature 5 (D-5): unknown condition 'shiny'",
    )
    assert len(lines) == 4
    reports = write_geojson(
        tmp_path / "r.geojson",
        [
            feature(point(*INSIDE[0]), category="ufo", description="x"),
            feature(point(*INSIDE[1]), category="waste", description=""),
            feature(point(*INSIDE[1]), category="waste", description="x", status="lost"),
            feature(point(*INSIDE[1]), category="waste", description="x", created_at="yesterday"),
        ],
    )
    rejected(
        cli("import", "reports", reports),
        "r.geojson: feature 1: unknown category 'ufo'",
        "feature 2: description is missing",
        "feature 3: unknown status 'lost'",
        "feature 4: created_at 'yesterday' is not a date and time",
    )


def test_area_problems(cli: CliCall, tmp_path: Path, unchanged: None):
    square = {
        "type": "Polygon",
        "coordinates": [[[114.314, 30.55], [114.315, 30.55], [114.315, 30.551], [114.314, 30.55]]],
    }
    far = {
        "type": "Polygon",
        "coordinates": [[[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.0]]],
    }
    path = write_geojson(
        tmp_path / "a.geojson",
        [
            feature(square, code="A-1", name_zh="一", level="grid", parent_code="420106001001"),
            feature(far, code="A-2", name_zh="二", level="grid", parent_code="420106001001"),
            feature(square, code="A-3", name_zh="三", level="street", parent_code="420106001001"),
            feature(square, code="A-4", name_zh="四", level="grid", parent_code="NOPE"),
            feature(square, code="A-5", level="grid"),
            feature(square, code="A-6", name_zh="六", level="planet"),
            feature(point(*INSIDE[0]), code="A-7", name_zh="七", level="grid"),
        ],
    )
    lines = rejected(
        cli("import", "areas", path),
        "feature 2 (A-2): lies outside its parent area 420106001001",
        "feature 3 (A-3): parent 420106001001 is a community, not a level above street",
        "feature 4 (A-4): parent area NOPE is neither in the database nor the file",
        "feature 5 (A-5): name_zh is missing",
        "feature 6 (A-6): unknown level 'planet'",
        "feature 7 (A-7): geometry is a Point; areas must be polygons",
    )
    assert len(lines) == 6
    rejected(cli("import", "areas", path, "--level", "grid", "--parent", "NOPE"), "--parent NOPE")
    no_level = write_geojson(tmp_path / "n.geojson", [feature(square, code="N", name_zh="n")])
    rejected(cli("import", "areas", no_level), "areas need a level")


def test_bad_field_mapping(cli: CliCall, tmp_path: Path, unchanged: None):
    path = write_geojson(
        tmp_path / "f.geojson", [feature(point(*INSIDE[0]), code="M-1", type="bench")]
    )
    result = cli("import", "facilities", path, "--map", "colour=type")
    assert result.exit_code == 2 and "facilities have no field 'colour'" in result.output
    result = cli("import", "facilities", path, "--map", "type")
    assert result.exit_code == 2 and "FIELD=COLUMN" in result.output
    rejected(cli("import", "facilities", path, "--map", "type=KIND"), "has no column 'KIND'")


def test_archives_and_layers(cli: CliCall, tmp_path: Path, unchanged: None):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    rejected(cli("import", "facilities", broken), "broken.zip: is not a readable zip archive")
    nothing = tmp_path / "nothing.zip"
    with zipfile.ZipFile(nothing, "w") as z:
        z.writestr("readme.txt", "hello")
    rejected(cli("import", "facilities", nothing), "holds no Shapefile, GeoJSON or GeoPackage")
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.shp", "x")
        z.writestr("b.shp", "x")
    rejected(cli("import", "facilities", two), "holds 2 Shapefiles")
    inner = write_geojson(
        tmp_path / "inner.geojson", [feature(point(*INSIDE[0]), code="IN-1", type="spaceport")]
    )
    packed = tmp_path / "packed.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.write(inner, inner.name)
    rejected(cli("import", "facilities", packed), "packed.zip: feature 1 (IN-1): unknown facility")
    gpkg = tmp_path / "one.gpkg"
    frame = gpd.GeoDataFrame({"code": ["G-1"]}, geometry=[Point(*INSIDE[0])], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, gpkg, layer="benches")
    rejected(cli("import", "facilities", gpkg, "--layer", "lights"), "has no layer 'lights'")
    rejected(cli("import", "facilities", tmp_path / "missing.geojson"), "does not exist")
