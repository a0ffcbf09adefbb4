"""After filing: twins, supports, the grid worker's changes, merges, ratings, reopening,
following and notifications, and the queue with its time-limit figures."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.models import (
    Area,
    OutboxMessage,
    Report,
    ReportEvent,
    ReportSupport,
    User,
)
from tests.conftest import AuthActions
from tests.reports.conftest import csrf_header, grid_worker_area


def _bearer(auth: AuthActions, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token(username)}"}


def _file(client: FlaskClient, lonlat: tuple[float, float], headers=None, **extra) -> int:
    body = {"category": "waste", "description": "垃圾没人清", "lon": lonlat[0], "lat": lonlat[1]}
    body.update(extra)
    if not headers:
        # An anonymous filing gives the browser a session cookie (and then needs CSRF):
        # file from a fresh client so the test's own client stays cookie-free.
        client = client.application.test_client()
    resp = client.post("/api/v1/reports", json=body, headers=headers or {})
    assert resp.status_code == 201, resp.get_json()
    return int(resp.get_json()["id"])


@pytest.fixture
def out_of_scope(db_session: Session) -> tuple[float, float]:
    community = grid_worker_area(db_session)
    x, y = db_session.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        )
        .where(Area.level == "community", Area.id != community)
        .order_by(Area.id)
        .limit(1)
    ).one()
    return float(x), float(y)


def test_nearby_twins_within_100_m(client: FlaskClient, in_scope) -> None:
    first = _file(client, in_scope)
    near = (in_scope[0] + 0.0003, in_scope[1])  # ~29 m east at this latitude
    resp = client.get(f"/api/v1/reports/nearby?lon={near[0]}&lat={near[1]}&category=waste")
    assert resp.status_code == 200
    twins = resp.get_json()["reports"]
    assert first in [t["id"] for t in twins]
    twin = next(t for t in twins if t["id"] == first)
    assert 20 < twin["distance_m"] < 40
    far = (in_scope[0] + 0.003, in_scope[1])  # ~290 m
    ids = [
        t["id"]
        for t in client.get(
            f"/api/v1/reports/nearby?lon={far[0]}&lat={far[1]}&category=waste"
        ).get_json()["reports"]
    ]
    assert first not in ids
    other = client.get(f"/api/v1/reports/nearby?lon={near[0]}&lat={near[1]}&category=noise")
    assert first not in [t["id"] for t in other.get_json()["reports"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lon=x&lat=30.5&category=waste", "lon"),
        ("lon=114.3&lat=95&category=waste", "lat"),
        ("lon=114.3&lat=30.5&category=ufo", "category"),
        ("lon=114.3&lat=30.5&category=waste&r=1", "r"),
    ],
)
def test_nearby_bad_input(client: FlaskClient, query: str, field: str) -> None:
    resp = client.get(f"/api/v1/reports/nearby?{query}")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == field


def test_one_support_per_resident(client: FlaskClient, auth: AuthActions, in_scope) -> None:
    report_id = _file(client.application.test_client(), in_scope)
    headers = _bearer(auth, "demo-resident")
    first = client.post(f"/api/v1/reports/{report_id}/supports", headers=headers)
    assert first.status_code == 201
    assert first.get_json()["support_count"] == 1
    again = client.post(f"/api/v1/reports/{report_id}/supports", headers=headers)
    assert again.status_code == 409
    assert client.get(f"/api/v1/reports/{report_id}").get_json()["properties"]["support_count"] == 1


def test_anonymous_support_is_one_per_browser_and_needs_csrf(client: FlaskClient, in_scope) -> None:
    report_id = _file(client.application.test_client(), in_scope)
    headers = csrf_header(client)  # the browser now holds a session cookie
    assert client.post(f"/api/v1/reports/{report_id}/supports").status_code == 400
    assert client.post(f"/api/v1/reports/{report_id}/supports", headers=headers).status_code == 201
    assert client.post(f"/api/v1/reports/{report_id}/supports", headers=headers).status_code == 409


def test_reporter_cannot_support_own_report(client: FlaskClient, auth, in_scope) -> None:
    headers = _bearer(auth, "demo-resident")
    report_id = _file(client, in_scope, headers=headers)
    assert client.post(f"/api/v1/reports/{report_id}/supports", headers=headers).status_code == 409


def test_grid_worker_moves_a_report_through_its_life(
    client: FlaskClient, auth: AuthActions, db_session: Session, in_scope
) -> None:
    resident = _bearer(auth, "demo-resident")
    report_id = _file(client, in_scope, headers=resident)
    worker = _bearer(auth, "demo-grid")
    for status in ("accepted", "in_progress"):
        resp = client.post(
            f"/api/v1/reports/{report_id}/status",
            json={"status": status, "note": f"now {status}"},
            headers=worker,
        )
        assert resp.status_code == 200, resp.get_json()
    resp = client.post(
        f"/api/v1/reports/{report_id}/updates", json={"note": "清运车周四上午到"}, headers=worker
    )
    assert resp.status_code == 201
    resp = client.post(
        f"/api/v1/reports/{report_id}/status", json={"status": "resolved"}, headers=worker
    )
    props = resp.get_json()["properties"]
    assert props["status"] == "resolved" and props["resolved_at"]
    kinds = [(e["kind"], e["to_status"]) for e in props["timeline"]]
    assert kinds == [
        ("filed", "submitted"),
        ("status", "accepted"),
        ("status", "in_progress"),
        ("update", None),
        ("status", "resolved"),
    ]
    assert all(e["by_role"] in ("resident", "grid_worker") for e in props["timeline"])
    text = str(props)
    assert "demo-grid" not in text and "demo-resident" not in text
    audit = db_session.scalars(sa.select(ReportEvent).where(ReportEvent.report_id == report_id))
    assert all(e.actor_id is not None for e in audit), "the audit trail keeps who did it"
    # The reporter was told about every change.
    messages = db_session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.report_id == report_id)
    ).all()
    assert len(messages) == 4


def test_bad_status_changes(client: FlaskClient, auth: AuthActions, in_scope, out_of_scope) -> None:
    report_id = _file(client, in_scope)
    worker = _bearer(auth, "demo-grid")
    cases = [
        ({"status": "closed"}, 422, "status"),  # submitted cannot jump to closed
        ({"status": "flying"}, 422, "status"),
        ({"status": "rejected"}, 422, "note"),  # a rejection needs a reason
        ({"status": "duplicate"}, 422, "duplicate_of"),
        ({"status": "duplicate", "duplicate_of": report_id}, 422, "duplicate_of"),
        ({"status": "accepted", "note": "x" * 2001}, 422, "note"),
        ({"status": "accepted", "extra": 1}, 422, "extra"),
    ]
    for body, status, field in cases:
        resp = client.post(f"/api/v1/reports/{report_id}/status", json=body, headers=worker)
        assert resp.status_code == status, body
        assert resp.get_json()["error"]["field"] == field, body
    anonymous = client.application.test_client()
    assert (
        anonymous.post(
            f"/api/v1/reports/{report_id}/status", json={"status": "accepted"}
        ).status_code
        == 401
    )
    planner = _bearer(auth, "demo-planner")
    assert (
        client.post(
            f"/api/v1/reports/{report_id}/status", json={"status": "accepted"}, headers=planner
        ).status_code
        == 403
    )
    elsewhere = _file(client, out_of_scope)
    assert (
        client.post(
            f"/api/v1/reports/{elsewhere}/status", json={"status": "accepted"}, headers=worker
        ).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/reports/{report_id}").get_json()["properties"]["status"] == "submitted"
    )


def test_merge_a_duplicate_into_its_original(
    client: FlaskClient, auth: AuthActions, db_session: Session, in_scope
) -> None:
    original = _file(client.application.test_client(), in_scope)
    twin = _file(client, in_scope, headers=_bearer(auth, "demo-resident"))
    worker = _bearer(auth, "demo-grid")
    resp = client.post(
        f"/api/v1/reports/{twin}/status",
        json={"status": "duplicate", "duplicate_of": original, "note": "同一处"},
        headers=worker,
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["properties"]["duplicate_of_id"] == original
    assert db_session.get(
        ReportSupport,
        {
            "report_id": original,
            "supporter": "u:"
            + str(db_session.scalar(sa.select(User.id).where(User.username == "demo-resident"))),
        },
    )
    assert client.get(f"/api/v1/reports/{original}").get_json()["properties"]["support_count"] == 1
    timeline = client.get(f"/api/v1/reports/{original}").get_json()["properties"]["timeline"]
    assert any(e["kind"] == "merged" and e["related_report_id"] == twin for e in timeline)


def _resolve(client: FlaskClient, auth: AuthActions, report_id: int) -> None:
    worker = _bearer(auth, "demo-grid")
    for status in ("accepted", "resolved"):
        assert (
            client.post(
                f"/api/v1/reports/{report_id}/status", json={"status": status}, headers=worker
            ).status_code
            == 200
        )


def test_reporter_and_supporters_rate_the_fix(
    client: FlaskClient, auth: AuthActions, in_scope
) -> None:
    reporter = _bearer(auth, "demo-resident")
    report_id = _file(client, in_scope, headers=reporter)
    early = client.post(f"/api/v1/reports/{report_id}/ratings", json={"score": 5}, headers=reporter)
    assert early.status_code == 409
    _resolve(client, auth, report_id)
    for body, field in (
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "great"}, "score"),
        ({"score": True}, "score"),
        ({"score": 4, "comment": 5}, "comment"),
        ({}, "score"),
    ):
        resp = client.post(f"/api/v1/reports/{report_id}/ratings", json=body, headers=reporter)
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field, body
    resp = client.post(
        f"/api/v1/reports/{report_id}/ratings",
        json={"score": 4, "comment": "<b>修好了</b>"},
        headers=reporter,
    )
    assert resp.status_code == 201
    stranger = _bearer(auth, "demo-planner")
    assert (
        client.post(
            f"/api/v1/reports/{report_id}/ratings", json={"score": 1}, headers=stranger
        ).status_code
        == 403
    )


def test_reopen_within_14_days_only(
    client: FlaskClient, auth: AuthActions, db_session: Session, in_scope
) -> None:
    reporter = _bearer(auth, "demo-resident")
    report_id = _file(client, in_scope, headers=reporter)
    _resolve(client, auth, report_id)
    stranger = _bearer(auth, "demo-planner")
    assert (
        client.post(f"/api/v1/reports/{report_id}/reopen", json={}, headers=stranger).status_code
        == 403
    )
    resp = client.post(
        f"/api/v1/reports/{report_id}/reopen", json={"reason": "灯又灭了"}, headers=reporter
    )
    assert resp.status_code == 200
    assert resp.get_json()["properties"]["status"] == "in_progress"
    _resolve_again = _bearer(auth, "demo-grid")
    client.post(
        f"/api/v1/reports/{report_id}/status", json={"status": "resolved"}, headers=_resolve_again
    )
    db_session.execute(
        sa.update(Report)
        .where(Report.id == report_id)
        .values(resolved_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    )
    late = client.post(f"/api/v1/reports/{report_id}/reopen", json={}, headers=reporter)
    assert late.status_code == 409


def test_follow_a_report_and_an_area_then_my_reports(
    client: FlaskClient, auth: AuthActions, db_session: Session, in_scope
) -> None:
    follower = _bearer(auth, "demo-manager")
    community = db_session.get(Area, grid_worker_area(db_session))
    resp = client.post("/api/v1/follows", json={"area": community.code}, headers=follower)
    assert resp.status_code == 201
    report_id = _file(client.application.test_client(), in_scope)
    resp = client.post("/api/v1/follows", json={"report_id": report_id}, headers=follower)
    assert resp.status_code == 201
    follow_id = resp.get_json()["id"]
    again = client.post("/api/v1/follows", json={"report_id": report_id}, headers=follower)
    assert again.get_json()["id"] == follow_id
    client.post(
        f"/api/v1/reports/{report_id}/status",
        json={"status": "accepted"},
        headers=_bearer(auth, "demo-grid"),
    )
    notes = client.get("/api/v1/me/notifications", headers=follower).get_json()
    kinds = {n["kind"] for n in notes if n["report_id"] == report_id}
    assert kinds == {"area_new_report", "report_status"}
    mine = client.get("/api/v1/me/reports", headers=follower).get_json()
    assert any(r["id"] == report_id and r["relation"] == "following" for r in mine)
    assert (
        client.post("/api/v1/me/notifications/read", headers=follower).get_json()["marked_read"]
        >= 2
    )
    assert client.delete(f"/api/v1/follows/{follow_id}", headers=follower).status_code == 204
    for body, field in (
        ({}, "report_id"),
        ({"report_id": "x"}, "report_id"),
        ({"report_id": 1, "area": "x"}, "report_id"),
    ):
        resp = client.post("/api/v1/follows", json=body, headers=follower)
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field
    assert client.application.test_client().get("/api/v1/me/reports").status_code == 401


def test_queue_and_time_limit_figures(
    client: FlaskClient, auth: AuthActions, db_session: Session, in_scope
) -> None:
    worker = _bearer(auth, "demo-grid")
    report_id = _file(client, in_scope)
    db_session.execute(
        sa.update(Report)
        .where(Report.id == report_id)
        .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    )
    data = client.get("/api/v1/queue?overdue=true", headers=worker).get_json()
    assert report_id in [r["id"] for r in data["reports"]]
    assert all(r["overdue"] for r in data["reports"])
    stats = data["stats"]
    assert stats["overdue"] >= 1 and stats["open"] >= 1
    assert stats["on_time_rate"] is None or 0 <= stats["on_time_rate"] <= 1
    # The figures agree with a direct count on the worker's area.
    community = grid_worker_area(db_session)
    direct = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(
            Report.community_id == community,
            Report.status.in_(("submitted", "accepted", "in_progress")),
        )
    )
    assert stats["open"] == direct
    waste = client.get("/api/v1/queue?category=waste&min_supports=0", headers=worker).get_json()
    assert all(r["category"] == "waste" for r in waste["reports"])
    for query, field in (
        ("status=bogus", "status"),
        ("min_age_days=-1", "min_age_days"),
        ("overdue=maybe", "overdue"),
        ("sort=x", "sort"),
    ):
        resp = client.get(f"/api/v1/queue?{query}", headers=worker)
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field
    assert client.get("/api/v1/queue", headers=_bearer(auth, "demo-resident")).status_code == 403


def test_outbox_is_mailed_only_when_smtp_is_configured(
    app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisapp.notify import outbox

    user = db_session.scalars(sa.select(User).where(User.username == "demo-resident")).one()
    user.email = "resident@example.invalid"
    db_session.add(OutboxMessage(user_id=user.id, kind="test", subject="s", body="b"))
    db_session.flush()
    settings = app.extensions["gisapp.settings"]
    assert outbox.send_pending(db_session, settings) == (0, 0)
    sent: list[object] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: int) -> None:
            assert host == "mail.example.invalid"

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def send_message(self, message: object) -> None:
            sent.append(message)

    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    configured = settings.model_copy(update={"smtp_host": "mail.example.invalid"})
    assert outbox.send_pending(db_session, configured) == (1, 0)
    assert len(sent) == 1
