"""The facility registry: types from configuration, registering and changing facilities."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.models import Facility
from tests.maintenance.conftest import bearer, count, grids, point_in

TYPES = {
    "street_light",
    "bench",
    "playground",
    "public_toilet",
    "waste_point",
    "fitness",
    "drainage_grate",
}


def test_facility_types_are_bilingual_with_intervals(client: FlaskClient) -> None:
    types = client.get("/api/v1/facility-types").get_json()
    codes = {t["code"] for t in types}
    assert codes >= TYPES
    for t in types:
        assert t["name_zh"] and t["name_en"] and t["interval_days"] > 0


def _new(db_session: Session, **changes: object) -> dict[str, object]:
    lon, lat = point_in(db_session, grids(db_session)[0].id)
    body: dict[str, object] = {
        "type": "bench",
        "lon": lon,
        "lat": lat,
        "install_date": "2024-05-01",
        "responsible_party": "园林所",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_a_manager_registers_a_facility(client: FlaskClient, db_session: Session) -> None:
    resp = client.post(
        "/api/v1/facilities", json=_new(db_session), headers=bearer(db_session, "demo-manager")
    )
    assert resp.status_code == 201, resp.get_json()
    props = resp.get_json()["properties"]
    assert props["code"].startswith("F-")
    assert props["areas"]["grid"]["id"] == grids(db_session)[0].id
    assert props["status"] == "overdue"  # installed long ago, never inspected
    assert props["interval_days"] == 180


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"type": "ufo"}, 422, "type"),
        ({"type": None}, 422, "type"),
        ({"lon": 116.39, "lat": 39.9}, 422, "lon"),  # Beijing: outside the served area
        ({"lat": 123}, 422, "lat"),
        ({"install_date": "2999-01-01"}, 422, "install_date"),
        ({"condition": "shiny"}, 422, "condition"),
        ({"maintenance_interval_days": 0}, 422, "maintenance_interval_days"),
        ({"code": "F 1; DROP"}, 422, "code"),
        ({"code": "F-0001"}, 409, "code"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_bad_registrations_write_nothing(
    client: FlaskClient, db_session: Session, changes, status, field
) -> None:
    before = count(db_session, Facility)
    resp = client.post(
        "/api/v1/facilities",
        json=_new(db_session, **changes),
        headers=bearer(db_session, "demo-manager"),
    )
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, Facility) == before


def test_only_managers_register(client: FlaskClient, db_session: Session) -> None:
    assert client.post("/api/v1/facilities", json=_new(db_session)).status_code == 401
    resp = client.post(
        "/api/v1/facilities", json=_new(db_session), headers=bearer(db_session, "demo-resident")
    )
    assert resp.status_code == 403


def test_changing_the_installation_date_cannot_put_the_log_before_it(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility(visits=((50, "ok"),))
    headers = bearer(db_session, "demo-manager")
    url = f"/api/v1/facilities/{facility.id}"
    late = (today - dt.timedelta(days=10)).isoformat()
    resp = client.patch(url, json={"install_date": late}, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "install_date"
    db_session.refresh(facility)
    assert facility.install_date == today - dt.timedelta(days=400)
    ok = client.patch(
        url, json={"condition": "poor", "maintenance_interval_days": 30}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.get_json()["properties"]["condition"] == "poor"
    assert ok.get_json()["properties"]["status"] == "overdue"  # 50 days since the visit, 30 allowed


def test_removing_a_facility(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility()
    headers = bearer(db_session, "demo-manager")
    url = f"/api/v1/facilities/{facility.id}"
    bad = client.patch(url, json={"removed_on": today.isoformat()}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "removed_on"
    resp = client.patch(url, json={"status": "removed"}, headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["properties"]["status"] == "removed"
    assert resp.get_json()["properties"]["removed_on"] == today.isoformat()
    listed = client.get(f"/api/v1/facilities?area={facility.grid_id}&limit=10000").get_json()
    assert facility.id not in {f["id"] for f in listed["features"]}
    removed = client.get("/api/v1/facilities?status=removed&limit=10000").get_json()
    assert facility.id in {f["id"] for f in removed["features"]}
    assert client.patch(url, json={}, headers=headers).status_code == 422
    assert client.patch(url, json={"status": "active"}, headers=headers).status_code == 200
    db_session.refresh(facility)
    assert facility.removed_on is None


def test_facility_list_filters_and_refusals(client: FlaskClient, db_session: Session) -> None:
    everything = client.get("/api/v1/facilities?limit=10000").get_json()["features"]
    assert len(everything) == db_session.scalar(
        sa.select(sa.func.count()).select_from(Facility).where(Facility.status == "active")
    )
    overdue = client.get("/api/v1/facilities?status=overdue&limit=10000").get_json()["features"]
    assert overdue and all(f["properties"]["status"] == "overdue" for f in overdue)
    assert all(f["properties"]["days_overdue"] > 0 for f in overdue)
    lights = client.get("/api/v1/facilities?type=street_light&limit=10000").get_json()["features"]
    assert lights and all(f["properties"]["type"] == "street_light" for f in lights)
    for query, field in (
        ("status=broken", "status"),
        ("type=ufo", "type"),
        ("limit=0", "limit"),
        ("format=xls", "format"),
        ("bbox=1,2", "bbox"),
        ("color=red", "color"),
    ):
        resp = client.get("/api/v1/facilities?" + query)
        assert resp.status_code == 422, query
        assert resp.get_json()["error"]["field"] == field
    assert client.get("/api/v1/facilities?area=nowhere").status_code == 404
    assert client.get("/api/v1/facilities/999999").status_code == 404
