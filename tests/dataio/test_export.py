"""``gisapp export``: public fields only, every format, clipping, GCJ-02, and round trips."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import shape
from sqlalchemy.orm import Session

from gisapp.geo.gcj02 import wgs_to_gcj
from tests.dataio.conftest import CliCall, count

FORMATS = ("geojson", "gpkg", "shp", "zip", "csv")
COMMUNITY = "420106001001"


def read(path: Path) -> list[dict[str, object]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    target = f"/vsizip/{path}" if path.suffix == ".zip" else path
    frame = pyogrio.read_dataframe(target)
    return [dict(r) for r in frame.to_dict("records")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_reports_export_public_fields_only(
    cli: CliCall, db_session: Session, tmp_path: Path, fmt: str
):
    db_session.execute(
        sa.text(
            "INSERT INTO report_contacts (report_id, contact) SELECT id, 'secret-13800000000' "
            "FROM reports WHERE id NOT IN (SELECT report_id FROM report_contacts) LIMIT 5"
        )
    )
    path = tmp_path / f"reports.{fmt}"
    result = cli("export", "reports", path)
    assert result.exit_code == 0, result.output
    rows = read(path)
    assert len(rows) == count(db_session, "reports")
    keys = {k.lower() for k in rows[0]}
    assert {"category", "status"} <= keys
    assert not keys & {"contact", "reporter_id", "reporter_key", "reporter_k", "reporter_i"}
    raw = path.read_bytes() if fmt != "zip" else b""
    assert b"secret-13800000000" not in raw


def test_sensitive_reports_keep_their_rounded_location(
    cli: CliCall, db_session: Session, tmp_path: Path
):
    report_id, x, y = db_session.execute(
        sa.text(
            "SELECT r.id, ST_X(r.geom), ST_Y(r.geom) FROM reports r JOIN categories c "
            "ON c.code = r.category WHERE c.sensitive LIMIT 1"
        )
    ).one()
    path = tmp_path / "r.geojson"
    assert cli("export", "reports", path).exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    exported = next(f for f in data["features"] if f["properties"]["id"] == report_id)
    ex, ey = exported["geometry"]["coordinates"]
    assert (ex, ey) != pytest.approx((x, y), abs=1e-7)
    assert abs(ex - x) < 0.002 and abs(ey - y) < 0.002


def test_area_clip_and_gcj02(cli: CliCall, db_session: Session, tmp_path: Path):
    path = tmp_path / "areas.geojson"
    result = cli("export", "areas", path, "--area", COMMUNITY)
    assert result.exit_code == 0, result.output
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    community = shapely.from_wkb(
        bytes(
            db_session.scalar(
                sa.text("SELECT ST_AsBinary(geom) FROM areas WHERE code = :c"), {"c": COMMUNITY}
            )
        )
    )
    levels = {f["properties"]["level"] for f in features}
    assert {"district", "street", "community", "grid"} <= levels
    for f in features:  # the district, too, is cut down to the community
        assert community.buffer(1e-9).covers(shape(f["geometry"]))
    facilities = tmp_path / "f.csv"
    assert cli("export", "facilities", facilities, "--area", COMMUNITY).exit_code == 0
    wgs = {r["code"]: r for r in read(facilities)}
    assert wgs and len(wgs) < count(db_session, "facilities")
    shifted = tmp_path / "g.csv"
    assert (
        cli("export", "facilities", shifted, "--area", COMMUNITY, "--crs", "gcj02").exit_code == 0
    )
    for row in read(shifted):
        expected = wgs_to_gcj(float(wgs[row["code"]]["lon"]), float(wgs[row["code"]]["lat"]))
        assert (float(row["lon"]), float(row["lat"])) == pytest.approx(expected, abs=1e-6)
    projected = tmp_path / "p.gpkg"
    assert cli("export", "projects", projected, "--crs", "EPSG:3857").exit_code == 0
    assert pyogrio.read_info(projected)["crs"] == "EPSG:3857"


def test_export_errors(cli: CliCall, tmp_path: Path, db_session: Session):
    result = cli("export", "areas", tmp_path / "a.geojson", "--area", "NOPE")
    assert result.exit_code == 1 and "--area NOPE: no area has this code" in result.output
    result = cli("export", "areas", tmp_path / "a.kml")
    assert result.exit_code == 1 and "format .kml" in result.output
    result = cli("export", "areas", tmp_path / "a.gpkg", "--crs", "EPSG:999999")
    assert result.exit_code == 1 and "not a known coordinate system" in result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_facilities(cli: CliCall, db_session: Session, tmp_path: Path, fmt: str):
    """export → import gives back the same facilities (their codes freed for the test)."""
    path = tmp_path / f"facilities.{fmt}"
    assert cli("export", "facilities", path, "--area", COMMUNITY).exit_code == 0
    before = db_session.execute(
        sa.text(
            "SELECT code, type, condition, install_date, ST_X(geom), ST_Y(geom) FROM facilities "
            "WHERE community_id = (SELECT id FROM areas WHERE code = :c) ORDER BY code"
        ),
        {"c": COMMUNITY},
    ).all()
    db_session.execute(sa.text("UPDATE facilities SET code = 'old-' || code"))
    result = cli("import", "facilities", path)
    assert result.exit_code == 0, result.output
    after = db_session.execute(
        sa.text(
            "SELECT code, type, condition, install_date, ST_X(geom), ST_Y(geom) FROM facilities "
            "WHERE code NOT LIKE 'old-%' ORDER BY code"
        )
    ).all()
    assert [r[:4] for r in after] == [r[:4] for r in before]
    for a, b in zip(after, before, strict=True):
        assert a[4:] == pytest.approx(b[4:], abs=1e-6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_areas_and_reports(cli: CliCall, db_session: Session, tmp_path: Path, fmt: str):
    areas = tmp_path / f"areas.{fmt}"
    assert cli("export", "areas", areas, "--area", COMMUNITY).exit_code == 0
    if fmt != "csv":  # CSV keeps polygons as WKT text, not a geometry import reads back
        exported = [str(r["code"]) for r in read(areas)]
        db_session.execute(
            sa.text("UPDATE areas SET code = 'old-' || code WHERE code = ANY(:codes)"),
            {"codes": exported},
        )
        n = len(exported)
        result = cli("import", "areas", areas)
        assert result.exit_code == 0, result.output
        back = db_session.scalar(
            sa.text("SELECT count(*) FROM areas WHERE code = ANY(:codes)"), {"codes": exported}
        )
        assert back == n
    reports = tmp_path / f"reports.{fmt}"
    assert cli("export", "reports", reports, "--area", COMMUNITY).exit_code == 0
    n = len(read(reports))
    before = count(db_session, "reports")
    result = cli("import", "reports", reports)
    assert result.exit_code == 0, result.output
    assert count(db_session, "reports") == before + n


def test_csv_neutralises_formulas_and_import_restores_them(
    cli: CliCall, db_session: Session, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://evil.example","点我")'
    db_session.execute(
        sa.text(
            "UPDATE reports SET description = :d WHERE id = "
            "(SELECT min(id) FROM reports WHERE moderation = 'visible' AND community_id = "
            "(SELECT id FROM areas WHERE code = :c))"
        ),
        {"d": formula, "c": COMMUNITY},
    )
    path = tmp_path / "reports.csv"
    assert cli("export", "reports", path, "--area", COMMUNITY).exit_code == 0
    cells = [r["description"] for r in read(path)]
    # A spreadsheet shows the text instead of running it.
    assert "'" + formula in cells and formula not in cells
    before = db_session.scalar(
        sa.text("SELECT count(*) FROM reports WHERE description = :d"), {"d": formula}
    )
    assert cli("import", "reports", path).exit_code == 0
    after = db_session.scalar(
        sa.text("SELECT count(*) FROM reports WHERE description = :d"), {"d": formula}
    )
    assert after == before + 1
