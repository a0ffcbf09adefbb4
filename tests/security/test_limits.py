"""Rate limits: small budgets in test settings, hit them, see 429 + Retry-After, nothing written
past the limit; Redis storage shared by two app instances (two workers)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp import create_app
from gisapp.reports.models import Report
from gisapp.security.limits import LIMITED
from gisapp.settings import Settings
from tests.conftest import csrf_from, make_settings

REDIS_URL = os.environ.get("GISAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPORT = {
    "category": "road_damage",
    "description": "Rubbish by the gate",
    "lon": 114.318,
    "lat": 30.548,
}


@pytest.fixture
def limited(app: Flask, db_session: Session, settings: Settings) -> Iterator[Callable[..., Flask]]:
    """``limited(limit_report="2/minute")``: an app with rate limits on, sharing the test's
    rolled-back database session."""

    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        values: dict[str, object] = {"rate_limits_enabled": True, **overrides}
        new = create_app(make_settings(upload_dir=settings.upload_dir, **values))
        new.extensions["gisapp.db"] = app.extensions["gisapp.db"]
        made.append(new)
        return new

    yield make


def _client(app: Flask, address: str | None = None) -> FlaskClient:
    client = app.test_client()
    # Every test its own client address, so counters never leak between tests or runs.
    client.environ_base["REMOTE_ADDR"] = (
        address or f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    )
    return client


def _login(client: FlaskClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return resp.status_code


def test_login_throttles_failures_per_address_and_user(limited: Callable[..., Flask]) -> None:
    app = limited(limit_login="3/minute")
    client = _client(app)
    assert [_login(client, "demo-resident", "wrong") for _ in range(3)] == [401, 401, 401]
    # The fourth try is refused even with the right password; the page explains.
    resp_status = _login(client, "demo-resident", "co-create-demo")
    assert resp_status == 429
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"username": "demo-resident", "password": "x", "csrf_token": token}
    )
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 1
    assert "text/html" in resp.content_type
    # Another account from the same address, and the API's tokens share the budget per user.
    assert _login(client, "demo-planner", "co-create-demo") == 302
    address = client.environ_base["REMOTE_ADDR"]
    api = _client(app, address).post(
        "/api/v1/tokens", json={"username": "demo-resident", "password": "x"}
    )
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"


def test_successful_sign_ins_are_not_counted(limited: Callable[..., Flask]) -> None:
    app = limited(limit_login="2/minute")
    client = _client(app)
    assert [_login(client, "demo-manager", "co-create-demo") for _ in range(4)] == [302] * 4


def test_report_filing_stops_at_the_limit_and_writes_nothing_more(
    limited: Callable[..., Flask], db_session: Session
) -> None:
    app = limited(limit_report="2/minute")
    address = _client(app).environ_base["REMOTE_ADDR"]
    # a new client each time (a cookie would ask for the CSRF token): the same address counts
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Report))
    statuses = [
        _client(app, address).post("/api/v1/reports", json=REPORT).status_code for _ in range(4)
    ]
    assert statuses == [201, 201, 429, 429]
    resp = _client(app, address).post("/api/v1/reports", json=REPORT)
    # about the rest of the minute, in whole seconds rounded up
    assert resp.headers["Retry-After"].isdigit() and 1 <= int(resp.headers["Retry-After"]) <= 61
    body = resp.get_json()
    assert body["error"]["code"] == "too_many_requests" and body["error"]["message"]
    after = db_session.scalar(sa.select(sa.func.count()).select_from(Report))
    assert after == before + 2
    # another client is not affected
    assert _client(app).post("/api/v1/reports", json=REPORT).status_code == 201


@pytest.mark.parametrize("endpoint", sorted(set(LIMITED) - {"auth.login", "api.create_token"}))
def test_every_limited_endpoint_answers_429(endpoint: str, limited: Callable[..., Flask]) -> None:
    budgets = {f"limit_{name}": "1/minute" for name in set(LIMITED.values())}
    app = limited(**budgets)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", "1")
    client = _client(app)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    # admin passes every gate, so the limit is what answers
    _login(client, "demo-admin", "co-create-demo")
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    send = (
        (lambda: client.post(url, json={}))
        if url.startswith("/api/")
        else (lambda: client.post(url, data={"csrf_token": token}))
    )
    first = send()
    assert first.status_code != 429
    second = send()
    assert second.status_code == 429, endpoint
    assert "Retry-After" in second.headers


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_redis_storage_is_shared_by_workers(limited: Callable[..., Flask]) -> None:
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL} (GISAPP_TEST_REDIS_URL)")
    one = limited(limit_support="1/minute", redis_url=REDIS_URL)
    two = limited(limit_support="1/minute", redis_url=REDIS_URL)
    address = f"10.200.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    first = _client(one, address).post("/api/v1/reports/999999/supports", json={})
    assert first.status_code == 404  # counted, although there is no such report
    second = _client(two, address).post("/api/v1/reports/999999/supports", json={})
    assert second.status_code == 429
    assert "Retry-After" in second.headers


def test_limits_can_be_switched_off(limited: Callable[..., Flask]) -> None:
    app = limited(limit_report="1/minute", rate_limits_enabled=False)
    address = _client(app).environ_base["REMOTE_ADDR"]
    statuses = [_client(app, address).post("/api/v1/reports", json=REPORT) for _ in range(2)]
    assert [r.status_code for r in statuses] == [201, 201]


def test_bad_limit_settings_stop_start_up() -> None:
    from gisapp.errors import ConfigError
    from gisapp.settings import load_settings

    with pytest.raises(ConfigError, match="GISAPP_LIMIT_REPORT"):
        load_settings(_env_file=None, limit_report="lots")
    with pytest.raises(ConfigError, match="GISAPP_REDIS_URL"):
        load_settings(_env_file=None, redis_url="127.0.0.1:6379")
