"""Accounts: Argon2 hashes, the CSRF-protected login form, bearer tokens for the API."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from tests.conftest import AuthActions, csrf_from


def test_passwords_are_argon2id(db_session: Session) -> None:
    hashes = db_session.scalars(sa.select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_login_page_has_csrf_token(client: FlaskClient) -> None:
    resp = client.get("/login")
    assert resp.status_code == 200
    assert csrf_from(resp.get_data(as_text=True))


def test_login_without_csrf_is_refused(client: FlaskClient) -> None:
    resp = client.post("/login", data={"username": "demo-resident", "password": "co-create-demo"})
    assert resp.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password(auth: AuthActions, client: FlaskClient) -> None:
    resp = auth.login(password="wrong")
    assert resp.status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_login_and_logout(auth: AuthActions, client: FlaskClient) -> None:
    resp = auth.login("demo-grid")
    assert resp.status_code == 302
    me = client.get("/api/v1/me").get_json()
    assert me["role"] == "grid_worker"
    assert me["areas"], "the demo grid worker is scoped to an area"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/api/v1/me").status_code == 401


def test_login_redirect_stays_on_site(auth: AuthActions, client: FlaskClient) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login?next=https://evil.example/",
        data={"username": "demo-resident", "password": "co-create-demo", "csrf_token": token},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_token_and_bearer(auth: AuthActions, client: FlaskClient) -> None:
    token = auth.token("demo-planner")
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    assert resp.get_json()["role"] == "planner"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_tokens_reject_bad_input(client: FlaskClient) -> None:
    cases = [
        ({"username": "demo-planner"}, 422, "password"),
        ({"username": "demo-planner", "password": "x", "extra": 1}, 422, "extra"),
        ({"username": 5, "password": "x"}, 422, "username"),
        ({"username": "demo-planner", "password": "wrong"}, 401, None),
    ]
    for body, status, field in cases:
        resp = client.post("/api/v1/tokens", json=body)
        assert resp.status_code == status, body
        assert resp.get_json()["error"]["field"] == field
    resp = client.post("/api/v1/tokens", data="not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"
