"""A resident downloads everything we hold about them, and erases their account: personal data
gone, reports and contributions kept anonymously, wrong password or no confirmation changes
nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.auth.models import ApiToken, User
from gisapp.auth.passwords import hash_password
from gisapp.notify.models import OutboxMessage
from gisapp.reports.models import Follow, Report, ReportContact, ReportSupport
from tests.conftest import AuthActions, csrf_from

PASSWORD = "a-long-enough-password"


@pytest.fixture
def alice(db_session: Session) -> User:
    user = User(
        username="alice-erase",
        password_hash=hash_password(PASSWORD),
        role="resident",
        display_name="Alice Wang",
        email="alice@example.cn",
        phone="13800138000",
    )
    db_session.add(user)
    db_session.flush()
    report = Report(
        category=db_session.scalars(sa.select(Report.category).limit(1)).one(),
        description="Broken bench near the gate",
        geom="SRID=4326;POINT(114.31 30.55)",
        reporter_id=user.id,
        reporter_key=f"u:{user.id}",
    )
    db_session.add(report)
    db_session.flush()
    db_session.add(ReportContact(report_id=report.id, contact="alice@example.cn 13800138000"))
    other = db_session.scalars(sa.select(Report.id).where(Report.id != report.id).limit(1)).one()
    db_session.add(ReportSupport(report_id=other, supporter=f"u:{user.id}", user_id=user.id))
    db_session.add(Follow(user_id=user.id, report_id=other))
    db_session.add(
        OutboxMessage(user_id=user.id, kind="status", report_id=other, subject="s", body="b")
    )
    db_session.flush()
    return user


def _delete(client: FlaskClient, **data: str) -> tuple[int, str]:
    token = csrf_from(client.get("/me/delete").get_data(as_text=True))
    resp = client.post("/me/delete", data={"csrf_token": token, **data})
    return resp.status_code, resp.get_data(as_text=True)


def test_download_holds_private_data_only_for_its_owner(
    client: FlaskClient, auth: AuthActions, alice: User
) -> None:
    assert client.get("/me/data").status_code == 302  # anonymous: sign in first
    auth.login("alice-erase", PASSWORD)
    resp = client.get("/me/data")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    document = json.loads(resp.get_data(as_text=True))
    assert document["account"]["email"] == "alice@example.cn"
    assert document["reports"][0]["contact"] == "alice@example.cn 13800138000"
    assert len(document["supports"]) == 1
    assert len(document["follows"]) == 1
    assert len(document["notifications"]) == 1
    assert "password_hash" not in json.dumps(document)


def test_erase_keeps_reports_and_removes_the_person(
    client: FlaskClient, auth: AuthActions, alice: User, db_session: Session
) -> None:
    auth.login("alice-erase", PASSWORD)
    report_id = db_session.scalars(sa.select(Report.id).where(Report.reporter_id == alice.id)).one()
    supports_before = db_session.scalar(sa.select(sa.func.count()).select_from(ReportSupport))

    status, page = _delete(client, password="wrong", confirm="y")
    assert (status == 400 and "Wrong password" in page) or "密码错误" in page
    status, _page = _delete(client, password=PASSWORD)  # the box is not ticked
    assert status == 400
    db_session.expire_all()
    assert db_session.get(User, alice.id).email == "alice@example.cn"  # type: ignore[union-attr]

    status, _page = _delete(client, password=PASSWORD, confirm="y")
    assert status == 303
    db_session.expire_all()
    user = db_session.get(User, alice.id)
    assert user is not None
    assert (user.email, user.phone, user.display_name, user.active) == (None, None, "", False)
    assert user.username.startswith("deleted-")
    report = db_session.get(Report, report_id)
    assert report is not None and report.reporter_id is None and report.reporter_key is None
    assert db_session.get(ReportContact, report_id) is None
    # The "me too" still counts, but no longer names the account.
    assert (
        db_session.scalar(sa.select(sa.func.count()).select_from(ReportSupport)) == supports_before
    )
    assert not db_session.scalars(
        sa.select(ReportSupport).where(ReportSupport.supporter == f"u:{alice.id}")
    ).all()
    for table in (Follow, OutboxMessage, ApiToken):
        assert not db_session.scalars(sa.select(table).where(table.user_id == alice.id)).all()
    # Signed out, and the old password opens nothing.
    assert client.get("/me/data").status_code == 302
    assert auth.login("alice-erase", PASSWORD).status_code == 401
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Alice" not in page and "alice@example.cn" not in page


def test_staff_accounts_are_not_self_deleted(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("demo-planner")
    assert client.get("/me/delete").status_code == 403
    assert client.get("/me/data").status_code == 200
