"""Crew lists (CSV, GeoPackage), the area table, and the QR label sheets."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from pathlib import Path

import pyogrio
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.labels import Label, label_sheet, qr_matrix, qr_svg
from gisapp.models import Area
from tests.maintenance.conftest import bearer, grids


def _csv(client: FlaskClient, query: str) -> list[dict[str, str]]:
    resp = client.get("/api/v1/facilities?" + query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_overdue_list_of_an_area_as_csv(client: FlaskClient, db_session: Session) -> None:
    community = db_session.scalars(
        sa.select(Area).where(Area.level == "community").order_by(Area.id)
    ).first()
    rows = _csv(client, f"status=overdue&area={community.code}&format=csv")
    api = client.get("/api/v1/coverage?level=community").get_json()
    expected = next(r for r in api if r["id"] == community.id)["overdue"]
    assert len(rows) == expected > 0
    assert all(r["status"] == "overdue" and r["community"] == community.name_zh for r in rows)
    days = [int(r["days_overdue"]) for r in rows]
    assert days == sorted(days, reverse=True)  # the most overdue first
    for r in rows:
        assert 114 < float(r["lon"]) < 115 and 30 < float(r["lat"]) < 31
        assert r["type_name"] and r["code"].startswith("F-")


def test_the_overdue_list_as_geopackage(
    client: FlaskClient, db_session: Session, tmp_path: Path
) -> None:
    rows = _csv(client, "status=overdue&format=csv")
    resp = client.get("/api/v1/facilities?status=overdue&format=gpkg")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geopackage+sqlite3"
    assert resp.headers["Content-Disposition"].endswith('.gpkg"')
    path = tmp_path / "overdue.gpkg"
    path.write_bytes(resp.data)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == len(rows)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["code"]) == {r["code"] for r in rows}
    first = frame.set_index("code").loc[rows[0]["code"]]
    assert round(first.geometry.x, 6) == float(rows[0]["lon"])


def test_exports_carry_no_personal_data(client: FlaskClient, db_session: Session) -> None:
    text = client.get("/api/v1/facilities?format=csv").get_data(as_text=True)
    for word in ("contact", "phone", "email", "13800", "@"):
        assert word not in text


def test_a_spreadsheet_formula_is_defused(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility(visits=((400, "ok"),))
    facility.responsible_party = '=HYPERLINK("http://evil.example","x")'
    db_session.flush()
    rows = _csv(client, f"area={facility.grid_id}&format=csv")
    mine = next(r for r in rows if r["code"] == facility.code)
    assert mine["responsible_party"].startswith("'=")


def _pdf_text(data: bytes) -> bytes:
    """Every content stream of a PDF, inflated."""
    out = b""
    for stream in re.findall(rb"\bstream\r?\n(.*?)\s*endstream", data, re.S):
        if stream.rstrip().endswith(b"~>"):  # reportlab: ASCII85, then Flate
            stream = base64.a85decode(stream.strip(), adobe=True)
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return out


def test_labels_of_an_area_print_every_active_facility(
    client: FlaskClient, db_session: Session
) -> None:
    community = db_session.scalars(
        sa.select(Area).where(Area.level == "community").order_by(Area.id)
    ).first()
    facilities = client.get(f"/api/v1/facilities?area={community.id}&limit=10000").get_json()
    codes = {f["properties"]["code"] for f in facilities["features"]}
    assert client.get(f"/manager/labels.pdf?area={community.id}").status_code == 302  # sign in
    headers = bearer(db_session, "demo-manager")
    resp = client.get(f"/manager/labels.pdf?area={community.id}", headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    text = _pdf_text(resp.data)
    for code in codes:
        assert f"({code})".encode() in text
    assert b"(Scan to report a fault)" in text
    pages = len(re.findall(rb"/Type /Page\b", resp.data))
    assert pages == -(-len(codes) // 24)
    assert client.get("/manager/labels.pdf?type=ufo", headers=headers).status_code == 422


def test_a_removed_facilitys_label_says_so(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility()
    facility.status = "removed"
    db_session.flush()
    resp = client.get(
        f"/facilities/{facility.id}/label.pdf", headers=bearer(db_session, "demo-manager")
    )
    assert resp.status_code == 200
    text = _pdf_text(resp.data)
    assert b"Removed" in text and b"No longer accepts reports" in text
    assert b"Scan to report" not in text


def test_a_label_sheet_holds_24_labels_a_page_and_the_qr_encodes_the_url() -> None:
    labels = [
        Label(url=f"http://x/f/F-{i}", code=f"F-{i}", type_zh="路灯", type_en="Street light")
        for i in range(30)
    ]
    data = label_sheet(labels, title="t")
    assert len(re.findall(rb"/Type /Page\b", data)) == 2
    assert qr_matrix("http://x/f/F-1") != qr_matrix("http://x/f/F-2")
    svg = qr_svg("http://x/f/F-1")
    assert svg.startswith("<svg") and "<script" not in svg
    empty = label_sheet([], title="none")
    assert empty.startswith(b"%PDF")


def test_the_area_table_csv_matches_the_page_level(
    client: FlaskClient, db_session: Session
) -> None:
    street = db_session.scalars(sa.select(Area).where(Area.level == "street")).first()
    resp = client.get(f"/api/v1/coverage?level=grid&area={street.code}&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(grids(db_session))
    assert sum(int(r["facilities"]) for r in rows) == sum(
        r["facilities"] for r in client.get("/api/v1/coverage?level=street").get_json()
    )
