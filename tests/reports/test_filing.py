"""Filing a report through the API: what it answers, what it stores, and every bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from gisapp.models import Report, ReportContact, ReportEvent, ReportPhoto
from tests.reports.conftest import jpeg_with_gps, png_bomb


def _count(s: Session, model: type) -> int:
    return int(s.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _body(inside: tuple[float, float], **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "category": "street_light",
        "description": "路灯不亮，晚上很黑",
        "lon": inside[0],
        "lat": inside[1],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_file_a_report_anonymously(client: FlaskClient, db_session: Session, inside) -> None:
    resp = client.post("/api/v1/reports", json=_body(inside, contact="13800001111"))
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["status"] == "submitted"
    for level in ("district", "street", "community", "grid"):
        assert data["areas"][level]["name_zh"]
    report = db_session.get(Report, data["id"])
    assert report.grid_id == data["areas"]["grid"]["id"]
    assert report.due_at > report.created_at
    assert db_session.get(ReportContact, report.id).contact == "13800001111"
    events = db_session.scalars(sa.select(ReportEvent).where(ReportEvent.report_id == report.id))
    assert [e.kind for e in events] == ["filed"]
    public = client.get(f"/api/v1/reports/{report.id}").get_data(as_text=True)
    assert "13800001111" not in public


def test_file_with_photos_strips_exif(
    client: FlaskClient, db_session: Session, inside, app: Flask
) -> None:
    data = {k: str(v) for k, v in _body(inside).items()}
    data["photos"] = [
        (io.BytesIO(jpeg_with_gps()), "a.jpg"),
        (io.BytesIO(jpeg_with_gps()), "b.jpg"),
    ]
    resp = client.post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    report_id = resp.get_json()["id"]
    photos = db_session.scalars(
        sa.select(ReportPhoto).where(ReportPhoto.report_id == report_id)
    ).all()
    assert len(photos) == 2
    with client.get(f"/api/v1/reports/{report_id}/photos/{photos[0].id}") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        data = served.data
    assert not Image.open(io.BytesIO(data)).getexif(), "EXIF (GPS, camera) must be gone"
    assert b"PhoneMaker" not in data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "ufo"}, "category"),
        ({"category": None}, "category"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "字" * 2001}, "description"),
        ({"description": 42}, "description"),
        ({"lon": "east"}, "lon"),
        ({"lon": None}, "lon"),
        ({"lat": 95.0}, "lat"),
        ({"lon": 200.0}, "lon"),
        ({"lon": float("nan")}, "lon"),
        ({"lon": True}, "lon"),
        ({"contact": "x" * 201}, "contact"),
        ({"colour": "red"}, "colour"),
        ({"description": "ok\x00zero"}, "description"),
    ],
)
def test_bad_fields_are_refused_by_name(
    client: FlaskClient, db_session: Session, inside, changes: dict[str, object], field: str
) -> None:
    before = _count(db_session, Report)
    body = _body(inside, **changes)
    resp = client.post("/api/v1/reports", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert _count(db_session, Report) == before


def test_swapped_coordinates(client: FlaskClient, db_session: Session, inside) -> None:
    # lat/lon swapped the usual way: latitude 114 is impossible.
    resp = client.post("/api/v1/reports", json=_body(inside, lon=inside[1], lat=inside[0]))
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["field"] == "lat"
    assert "swapped" in err["message"]


def test_point_outside_every_community(client: FlaskClient, db_session: Session) -> None:
    before = _count(db_session, Report)
    resp = client.post("/api/v1/reports", json=_body((116.39, 39.90)))  # Beijing
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "lon"
    assert "outside" in resp.get_json()["error"]["message"]
    assert _count(db_session, Report) == before


def test_malformed_bodies(client: FlaskClient) -> None:
    resp = client.post("/api/v1/reports", data="{nope", content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"
    resp = client.post("/api/v1/reports", data="category=x", content_type="text/plain")
    assert resp.status_code == 400
    resp = client.post("/api/v1/reports", json=[1, 2])
    assert resp.status_code == 400


def _multipart(inside, photos: list[tuple[bytes, str]]) -> dict[str, object]:
    data: dict[str, object] = {k: str(v) for k, v in _body(inside).items()}
    data["photos"] = [(io.BytesIO(raw), name) for raw, name in photos]
    return data


@pytest.mark.parametrize(
    "photos",
    [
        [(b"%PDF-1.4 not an image", "doc.pdf")],
        [(b"<script>alert(1)</script>", "x.jpg")],
        [(png_bomb(), "bomb.png")],
        [(jpeg_with_gps(), f"{i}.jpg") for i in range(4)],
    ],
    ids=["pdf", "script-as-jpg", "decompression-bomb", "fourth-photo"],
)
def test_bad_photos_write_nothing(
    client: FlaskClient, db_session: Session, inside, app: Flask, photos
) -> None:
    upload_dir: Path = app.extensions["gisapp.settings"].upload_dir
    files_before = set(upload_dir.rglob("*"))
    reports_before = _count(db_session, Report)
    resp = client.post(
        "/api/v1/reports", data=_multipart(inside, photos), content_type="multipart/form-data"
    )
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == "photos"
    assert _count(db_session, Report) == reports_before
    assert set(upload_dir.rglob("*")) == files_before


def _raw_multipart(fields: dict[str, object], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand: Werkzeug's test client spools large bodies it encodes
    itself to a temporary file that it never closes (a ResourceWarning under our settings)."""
    boundary = "gisapp-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_photo_over_10_mb(client: FlaskClient, db_session: Session, inside) -> None:
    big = b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 10)
    body, content_type = _raw_multipart(_body(inside), "big.jpg", big)
    resp = client.post("/api/v1/reports", data=body, content_type=content_type)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "photos"
    assert "10 MB" in resp.get_json()["error"]["message"]


def test_same_idempotency_key_files_one_report(
    client: FlaskClient, db_session: Session, inside
) -> None:
    before = _count(db_session, Report)
    headers = {"Idempotency-Key": "phone-7f3a-0001"}
    first = client.post("/api/v1/reports", json=_body(inside), headers=headers)
    again = client.application.test_client().post(
        "/api/v1/reports", json=_body(inside), headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert _count(db_session, Report) == before + 1
    other = client.application.test_client().post(
        "/api/v1/reports", json=_body(inside, description="别的"), headers=headers
    )
    assert other.status_code == 409
    assert other.get_json()["error"]["field"] == "Idempotency-Key"


def test_hostile_text_is_stored_as_text_and_escaped_on_the_page(
    client: FlaskClient, inside
) -> None:
    hostile = "<img src=x onerror=alert(1)><script>alert('x')</script> '; DROP TABLE reports; --"
    resp = client.post("/api/v1/reports", json=_body(inside, description=hostile))
    assert resp.status_code == 201
    report_id = resp.get_json()["id"]
    assert (
        client.get(f"/api/v1/reports/{report_id}").get_json()["properties"]["description"]
        == hostile
    )
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert('x')" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_sensitive_categories_are_rounded_in_public(
    client: FlaskClient, db_session: Session, inside
) -> None:
    resp = client.post("/api/v1/reports", json=_body(inside, category="public_safety"))
    assert resp.status_code == 201
    report_id = resp.get_json()["id"]
    lon, lat = client.get(f"/api/v1/reports/{report_id}").get_json()["geometry"]["coordinates"]
    assert (lon, lat) != pytest.approx(inside, abs=1e-7)
    assert lon == pytest.approx(inside[0], abs=0.002) and lat == pytest.approx(inside[1], abs=0.002)
    listed = client.get("/api/v1/reports?category=public_safety&limit=10000").get_json()
    feature = next(f for f in listed["features"] if f["id"] == report_id)
    assert feature["geometry"]["coordinates"] == [lon, lat]
