"""Signed-in clients for every role, made once from the real sign-in form.

A Flask session cookie is signed, not stored, so one sign-in per role serves every request of
the module: each request gets a fresh client carrying that role's cookie and CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_from

USERS = {
    "anonymous": None,
    "resident": "demo-resident",
    "grid_worker": "demo-grid",
    "planner": "demo-planner",
    "manager": "demo-manager",
    "admin": "demo-admin",
}


@dataclass(frozen=True)
class Signed:
    cookie: str
    csrf: str


@pytest.fixture(scope="module")
def signed(app: Flask) -> dict[str, Signed]:
    out = {}
    for role, username in USERS.items():
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        if username is not None:
            resp = client.post(
                "/login",
                data={"username": username, "password": "co-create-demo", "csrf_token": token},
            )
            assert resp.status_code == 302, (role, resp.status_code)
        cookie = client.get_cookie("session")
        assert cookie is not None
        out[role] = Signed(cookie.value, token)
    return out


@pytest.fixture
def as_role(app: Flask, signed: dict[str, Signed]) -> Callable[[str], FlaskClient]:
    """``as_role("planner")``: a new client signed in as that role (CSRF header included)."""

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        client.set_cookie("session", signed[role].cookie)
        client.environ_base["HTTP_X_CSRFTOKEN"] = signed[role].csrf
        return client

    return make
