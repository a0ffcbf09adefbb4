"""The maintenance log: who may write it, what it refuses, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.auth.models import UserArea
from gisapp.maintenance.models import FacilityPhoto, MaintenanceRecord
from gisapp.maintenance.status import status_of
from gisapp.models import Report, ReportEvent
from tests.maintenance.conftest import bearer, count, facts, grids, jpeg


def _entry(today: dt.date, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "inspection",
        "date": today.isoformat(),
        "result": "ok",
        "minutes": 15,
        "notes": "巡查无异常",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_a_manager_logs_an_inspection(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility(visits=((300, "ok"),), interval=90)
    assert status_of(facts(db_session, facility.id), today) == "overdue"
    resp = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        json=_entry(today, performed_by="中华路街道城管中队"),
        headers=bearer(db_session, "demo-manager"),
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["next_due_on"] == (today + dt.timedelta(days=90)).isoformat()
    record = db_session.get(MaintenanceRecord, body["id"])
    assert record.performed_by == "中华路街道城管中队" and record.volunteer is False
    assert record.user_id is not None
    log = client.get(f"/api/v1/facilities/{facility.id}/maintenance").get_json()
    assert log[0]["id"] == body["id"]


def test_the_same_idempotency_key_logs_once(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility()
    headers = {**bearer(db_session, "demo-manager"), "Idempotency-Key": "crew-tablet-42-0007"}
    url = f"/api/v1/facilities/{facility.id}/maintenance"
    before = count(db_session, MaintenanceRecord)
    first = client.post(url, json=_entry(today), headers=headers)
    again = client.post(url, json=_entry(today), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert count(db_session, MaintenanceRecord) == before + 1
    other = client.post(url, json=_entry(today, notes="别的"), headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["field"] == "Idempotency-Key"
    elsewhere = make_facility()
    moved = client.post(
        f"/api/v1/facilities/{elsewhere.id}/maintenance", json=_entry(today), headers=headers
    )
    assert moved.status_code == 409
    assert count(db_session, MaintenanceRecord) == before + 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"date": "tomorrow"}, 422, "date"),
        ({"date": "2026-02-30"}, 422, "date"),
        ({"date": 20260101}, 422, "date"),
        ({"date": "0202-05-01"}, 422, "date"),
        ({"kind": "painting"}, 422, "kind"),
        ({"kind": None}, 422, "kind"),
        ({"result": "meh"}, 422, "result"),
        ({"result": "fixed"}, 422, "result"),  # an inspection does not fix
        ({"kind": "repair", "result": "ok"}, 422, "result"),
        ({"minutes": -5}, 422, "minutes"),
        ({"minutes": 100000}, 422, "minutes"),
        ({"minutes": "half an hour"}, 422, "minutes"),
        ({"minutes": 1.5}, 422, "minutes"),
        ({"notes": "x" * 2001}, 422, "notes"),
        ({"notes": "bell\x07"}, 422, "notes"),
        ({"volunteer": "maybe"}, 422, "volunteer"),
        ({"performed_by": ["a"]}, 422, "performed_by"),
        ({"weather": "rain"}, 422, "weather"),
    ],
)
def test_bad_entries_are_refused_by_name_and_write_nothing(
    client: FlaskClient, db_session: Session, make_facility, today, changes, status, field
) -> None:
    facility = make_facility(visits=((10, "ok"),))
    before = count(db_session, MaintenanceRecord)
    last_visit = facts(db_session, facility.id).last_visit_on
    resp = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        json=_entry(today, **changes),
        headers=bearer(db_session, "demo-manager"),
    )
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, MaintenanceRecord) == before
    assert facts(db_session, facility.id).last_visit_on == last_visit


def test_dates_in_the_future_and_before_installation(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility(installed_days_ago=30)
    # English messages: the test reads them (the field is what clients rely on).
    headers = {**bearer(db_session, "demo-manager"), "Accept-Language": "en"}
    url = f"/api/v1/facilities/{facility.id}/maintenance"
    future = client.post(url, json=_entry(today + dt.timedelta(days=1)), headers=headers)
    assert future.status_code == 422
    assert future.get_json()["error"]["field"] == "date"
    assert "future" in future.get_json()["error"]["message"]
    early = client.post(
        url,
        json=_entry(today - dt.timedelta(days=31), kind="repair", result="fixed"),
        headers=headers,
    )
    assert early.status_code == 422
    assert early.get_json()["error"]["field"] == "date"
    assert "installed" in early.get_json()["error"]["message"]
    assert facility.install_date.isoformat() in early.get_json()["error"]["message"]
    assert (
        count(
            db_session,
            MaintenanceRecord.__table__.select()
            .where(MaintenanceRecord.facility_id == facility.id)
            .subquery(),
        )
        == 0
    )


def test_who_may_log(
    client: FlaskClient, db_session: Session, make_facility, make_user, today
) -> None:
    facility = make_facility(grid=grids(db_session)[-1])
    url = f"/api/v1/facilities/{facility.id}/maintenance"
    assert client.post(url, json=_entry(today)).status_code == 401
    for username, status in (("demo-resident", 403), ("demo-planner", 403)):
        resp = client.post(url, json=_entry(today), headers=bearer(db_session, username))
        assert resp.status_code == status, username
        assert resp.get_json()["error"]["field"] == "id"
    # A grid worker logs in the areas they look after, not elsewhere.
    worker = make_user("grid-far", "grid_worker")
    db_session.add(UserArea(user_id=worker.id, area_id=grids(db_session)[0].id))
    db_session.flush()
    assert (
        client.post(url, json=_entry(today), headers=bearer(db_session, "grid-far")).status_code
        == 403
    )
    near = make_user("grid-near", "grid_worker")
    db_session.add(UserArea(user_id=near.id, area_id=facility.community_id))
    db_session.flush()
    assert (
        client.post(url, json=_entry(today), headers=bearer(db_session, "grid-near")).status_code
        == 201
    )


def test_unknown_and_removed_facilities(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    headers = bearer(db_session, "demo-manager")
    resp = client.post("/api/v1/facilities/999999/maintenance", json=_entry(today), headers=headers)
    assert resp.status_code == 404
    facility = make_facility()
    facility.status = "removed"
    db_session.flush()
    resp = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance", json=_entry(today), headers=headers
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["field"] == "id"


def test_malformed_bodies(client: FlaskClient, db_session: Session, make_facility) -> None:
    facility = make_facility()
    headers = bearer(db_session, "demo-manager")
    url = f"/api/v1/facilities/{facility.id}/maintenance"
    assert (
        client.post(url, data="{nope", content_type="application/json", headers=headers).status_code
        == 400
    )
    assert client.post(url, json=[1], headers=headers).status_code == 400
    assert (
        client.post(url, data="kind=x", content_type="text/plain", headers=headers).status_code
        == 400
    )
    bad_key = {**headers, "Idempotency-Key": "x" * 300}
    resp = client.post(url, json={}, headers=bad_key)
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "Idempotency-Key"


def test_a_log_entry_with_photos_and_a_bad_photo_writes_nothing(
    client: FlaskClient, db_session: Session, make_facility, today, app: Flask
) -> None:
    facility = make_facility()
    headers = bearer(db_session, "demo-manager")
    url = f"/api/v1/facilities/{facility.id}/maintenance"
    upload_dir: Path = app.extensions["gisapp.settings"].upload_dir
    files_before = set(upload_dir.rglob("*"))
    fields = {k: str(v) for k, v in _entry(today).items()}
    bad = client.post(
        url,
        data={**fields, "photos": [(io.BytesIO(jpeg()), "a.jpg"), (io.BytesIO(b"%PDF"), "b.jpg")]},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "photos"
    assert count(db_session, FacilityPhoto) == 0 or not db_session.scalar(
        sa.select(FacilityPhoto.id).where(FacilityPhoto.facility_id == facility.id)
    )
    assert set(upload_dir.rglob("*")) == files_before
    good = client.post(
        url,
        data={**fields, "photos": [(io.BytesIO(jpeg()), "a.jpg")]},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert good.status_code == 201, good.get_json()
    assert good.get_json()["photos"] == 1
    data = client.get(f"/api/v1/facilities/{facility.id}").get_json()
    assert len(data["properties"]["photos"]) == 1
    with client.get(data["properties"]["photos"][0]) as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"


def test_a_repair_that_fixes_resolves_the_residents_reports(
    client: FlaskClient, db_session: Session, make_facility, today
) -> None:
    facility = make_facility(visits=((5, "ok"),))
    filed = client.post(
        "/api/v1/reports",
        json={"category": "facility_damage", "description": "座椅断了", "facility_id": facility.id},
    )
    assert filed.status_code == 201, filed.get_json()
    report_id = filed.get_json()["id"]
    assert status_of(facts(db_session, facility.id), today) == "out_of_service"
    fixed = client.post(
        f"/api/v1/facilities/{facility.id}/maintenance",
        json=_entry(today, kind="repair", result="fixed", notes="更换了螺栓"),
        headers=bearer(db_session, "demo-manager"),
    )
    assert fixed.status_code == 201
    assert fixed.get_json()["status"] == "ok"
    report = db_session.get(Report, report_id, populate_existing=True)
    assert report.status == "resolved" and report.resolved_at is not None
    events = db_session.scalars(
        sa.select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
    ).all()
    assert [e.to_status for e in events] == ["submitted", "resolved"]
    closed = client.get(f"/api/v1/coverage?level=grid&area={facility.community_id}").get_json()
    assert sum(r["faults_closed"] for r in closed) >= 1
