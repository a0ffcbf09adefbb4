"""A resident's fault report on a facility: linked, placed at it, an open fault until resolved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maintenance.status import status_of
from gisapp.models import Report, ReportContact
from tests.maintenance.conftest import count, facts


def test_a_report_on_a_facility_is_placed_at_it_and_puts_it_out_of_service(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility(visits=((3, "ok"),))
    resp = client.post(
        "/api/v1/reports",
        json={
            "category": "facility_damage",
            "description": "健身器材松动",
            "facility_id": facility.id,
            "contact": "13800002222",
        },
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["facility_id"] == facility.id
    assert body["areas"]["grid"]["id"] == facility.grid_id
    report = db_session.get(Report, body["id"])
    same_place = db_session.scalar(
        sa.select(sa.func.ST_Equals(Report.geom, facility.geom)).where(Report.id == report.id)
    )
    assert same_place
    assert status_of(facts(db_session, facility.id), today) == "out_of_service"
    shown = client.get(f"/api/v1/facilities/{facility.id}").get_json()["properties"]
    assert shown["status"] == "out_of_service"
    assert [r["id"] for r in shown["open_reports"]] == [report.id]
    text = client.get(f"/api/v1/facilities/{facility.id}").get_data(as_text=True)
    assert "13800002222" not in text
    assert (
        client.get(f"/api/v1/reports/{report.id}").get_json()["properties"]["facility_id"]
        == facility.id
    )


def test_a_place_sent_with_the_facility_must_be_near_it(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility()
    x, y = db_session.execute(
        sa.select(sa.func.ST_X(facility.geom), sa.func.ST_Y(facility.geom))
    ).one()
    near = client.post(
        "/api/v1/reports",
        json={
            "category": "facility_damage",
            "description": "坏了",
            "facility_id": facility.id,
            "lon": x + 0.0002,
            "lat": y,
        },
    )
    assert near.status_code == 201
    # A new browser (the first one now holds a session cookie, and would need a CSRF token).
    far = client.application.test_client().post(
        "/api/v1/reports",
        json={
            "category": "facility_damage",
            "description": "坏了",
            "facility_id": facility.id,
            "lon": x + 0.01,
            "lat": y,
        },
    )
    assert far.status_code == 422
    assert far.get_json()["error"]["field"] == "lon"


@pytest.mark.parametrize(
    ("facility_id", "status", "field"),
    [
        ("abc", 422, "facility_id"),
        (True, 422, "facility_id"),
        (-3, 422, "facility_id"),
        (999999, 422, "facility_id"),
        (2**40, 422, "facility_id"),
        ([1], 422, "facility_id"),
    ],
)
def test_bad_facility_ids_write_nothing(
    client: FlaskClient, db_session: Session, facility_id, status, field
) -> None:
    before = count(db_session, Report)
    resp = client.post(
        "/api/v1/reports",
        json={"category": "facility_damage", "description": "坏了", "facility_id": facility_id},
    )
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, Report) == before


def test_a_removed_facility_takes_no_reports(
    client: FlaskClient, db_session: Session, make_facility
) -> None:
    facility = make_facility()
    facility.status = "removed"
    db_session.flush()
    before = (count(db_session, Report), count(db_session, ReportContact))
    resp = client.post(
        "/api/v1/reports",
        json={
            "category": "facility_damage",
            "description": "坏了",
            "facility_id": facility.id,
            "contact": "13800003333",
        },
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "facility_id"
    assert "removed" in resp.get_json()["error"]["message"]
    assert (count(db_session, Report), count(db_session, ReportContact)) == before


def test_without_a_facility_the_place_is_still_required(client: FlaskClient) -> None:
    resp = client.post("/api/v1/reports", json={"category": "waste", "description": "垃圾"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "lon"
