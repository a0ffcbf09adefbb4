"""Moderation: spam signals hold reports for review, moderators hide reports, updates and photos
with a reason the reporter sees, the original stays in the audit log, and none of it is public."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.models import AuditEntry, OutboxMessage, Report, ReportEvent, ReportPhoto
from tests.conftest import AuthActions, csrf_from, post_form
from tests.reports.conftest import csrf_header, jpeg_with_gps


def _file(client: FlaskClient, lonlat: tuple[float, float], description: str) -> dict:
    body = {"category": "waste", "description": description, "lon": lonlat[0], "lat": lonlat[1]}
    # A browser that already filed holds a session cookie: it sends the page's CSRF token.
    resp = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
    assert resp.status_code == 201, resp.get_json()
    return dict(resp.get_json())


def _public_ids(client: FlaskClient) -> set[int]:
    features = client.get("/api/v1/reports?limit=10000").get_json()["features"]
    return {int(f["id"]) for f in features}


def _layer_ids(client: FlaskClient) -> set[int]:
    body = client.get("/api/v1/layers/reports/features?bbox=114,30,115,31")
    return {int(f["id"]) for f in body.get_json()["features"]}


def test_a_link_holds_the_report_out_of_public_view(
    client: FlaskClient, app, in_scope: tuple[float, float]
) -> None:
    reporter = app.test_client()
    filed = _file(reporter, in_scope, "便宜代办证件 http://spam.example.com 加微信")
    assert filed["moderation"] == "held"
    rid = filed["id"]
    assert rid not in _public_ids(client)
    assert rid not in _layer_ids(client)
    assert client.get(f"/api/v1/reports/{rid}").status_code == 404
    assert client.get(f"/reports/{rid}").status_code == 404
    # Nor in the open standards.
    assert client.get(f"/open311/v2/requests/{rid}.json").status_code == 404
    assert client.get(f"/ogc/collections/reports/items/{rid}").status_code == 404
    # The reporter's own browser still sees it, with the reason it waits.
    assert reporter.get(f"/api/v1/reports/{rid}").status_code == 200
    assert "moderator" in reporter.get(f"/reports/{rid}?lang=en").get_data(as_text=True)


def test_repeated_text_and_bursts_are_flagged(
    app, db_session: Session, in_scope: tuple[float, float]
) -> None:
    first = _file(app.test_client(), in_scope, "同一段文字反复提交")
    again = _file(app.test_client(), in_scope, "同一段文字反复提交")
    assert first["moderation"] == "visible"
    assert again["moderation"] == "held"
    assert db_session.get(Report, again["id"]).spam_flags == ["repeat"]  # type: ignore[union-attr]

    one_browser = app.test_client()
    burst = app.extensions["gisapp.settings"].spam_burst
    states = [
        _file(one_browser, in_scope, f"第{i}条不同的问题描述")["moderation"]
        for i in range(burst + 1)
    ]
    assert states[:burst] == ["visible"] * burst
    assert states[burst] == "held"


def test_moderator_hides_and_publishes_with_an_audit_trail(
    client: FlaskClient, auth: AuthActions, app, db_session: Session, in_scope: tuple[float, float]
) -> None:
    reporter = app.test_client()
    rid = _file(reporter, in_scope, "楼道里堆满杂物，影响通行")["id"]
    auth.login("demo-grid")
    page = f"/reports/{rid}"

    # A reason is required: nothing changes without one.
    post_form(client, f"/reports/{rid}/moderation", page, action="hide", reason="  ")
    db_session.expire_all()
    assert db_session.get(Report, rid).moderation == "visible"  # type: ignore[union-attr]
    post_form(client, f"/reports/{rid}/moderation", page, action="explode")
    db_session.expire_all()
    assert db_session.get(Report, rid).moderation == "visible"  # type: ignore[union-attr]

    resp = post_form(
        client, f"/reports/{rid}/moderation", page, action="hide", reason="含有他人隐私信息"
    )
    assert resp.status_code == 303
    db_session.expire_all()
    report = db_session.get(Report, rid)
    assert report is not None and report.moderation == "hidden"
    entry = db_session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.target_id == str(rid), AuditEntry.action == "report.hide"
        )
    ).one()
    assert entry.detail["before"]["description"] == "楼道里堆满杂物，影响通行"
    assert entry.actor_role == "grid_worker"

    anonymous = app.test_client()
    assert anonymous.get(page).status_code == 404
    assert rid not in _public_ids(anonymous)
    mine = reporter.get(page).get_data(as_text=True)
    assert "含有他人隐私信息" in mine
    queue = client.get("/moderation").get_data(as_text=True)
    assert f"/reports/{rid}" in queue

    post_form(client, f"/reports/{rid}/moderation", page, action="show")
    db_session.expire_all()
    assert db_session.get(Report, rid).moderation == "visible"  # type: ignore[union-attr]
    assert rid in _public_ids(anonymous)


def test_hidden_update_and_photo_leave_public_view(
    client: FlaskClient, auth: AuthActions, app, db_session: Session, in_scope: tuple[float, float]
) -> None:
    resp = app.test_client().post(
        "/api/v1/reports",
        data={
            "category": "waste",
            "description": "垃圾桶满了",
            "lon": str(in_scope[0]),
            "lat": str(in_scope[1]),
            "photos": [(__import__("io").BytesIO(jpeg_with_gps()), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    rid = resp.get_json()["id"]
    auth.login("demo-grid")
    page = f"/reports/{rid}"
    post_form(client, f"/reports/{rid}/update", page, note="联系电话 13912345678 找王师傅")
    event = db_session.scalars(
        sa.select(ReportEvent).where(ReportEvent.report_id == rid, ReportEvent.kind == "update")
    ).one()
    photo = db_session.scalars(sa.select(ReportPhoto).where(ReportPhoto.report_id == rid)).one()

    post_form(client, f"/reports/{rid}/events/{event.id}/hide", page, reason="含电话号码")
    post_form(client, f"/reports/{rid}/photos/{photo.id}/hide", page, reason="拍到了人脸")
    db_session.expire_all()
    assert db_session.get(ReportEvent, event.id).hidden_reason == "含电话号码"  # type: ignore[union-attr]
    assert db_session.get(ReportPhoto, photo.id).hidden_reason == "拍到了人脸"  # type: ignore[union-attr]

    anonymous = app.test_client()
    public = anonymous.get(f"/api/v1/reports/{rid}").get_json()["properties"]
    assert public["photos"] == []
    assert all("13912345678" not in (e["note"] or "") for e in public["timeline"])
    assert "13912345678" not in anonymous.get(page).get_data(as_text=True)
    assert anonymous.get(f"/api/v1/reports/{rid}/photos/{photo.id}").status_code == 404
    shown = client.get(f"/api/v1/reports/{rid}/photos/{photo.id}")
    assert shown.status_code == 200
    shown.close()
    assert (
        db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report_event.hide"))
        .one()
        .detail["before"]["note"]
        == "联系电话 13912345678 找王师傅"
    )


def test_residents_and_other_areas_cannot_moderate(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    report = db_session.scalars(sa.select(Report).order_by(Report.id)).first()
    assert report is not None
    auth.login("demo-resident")
    page = f"/reports/{report.id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    resp = client.post(
        f"/reports/{report.id}/moderation",
        data={"csrf_token": token, "action": "hide", "reason": "x"},
    )
    assert resp.status_code == 403
    assert client.get("/moderation").status_code == 403
    db_session.expire_all()
    assert db_session.get(Report, report.id).moderation == "visible"  # type: ignore[union-attr]
    assert not db_session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "moderation")
    ).all()
