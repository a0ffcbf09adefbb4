"""/healthz and /readyz: up, ready, and the one-line reasons when not."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gisapp import create_app
from gisapp.db import get_db
from gisapp.health import check_connection, readiness
from tests.conftest import TEST_URL, make_settings


def test_healthz(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_readyz_when_ready(client: FlaskClient) -> None:
    resp = client.get("/readyz")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "ready"


def test_readyz_when_the_database_is_unreachable() -> None:
    app = create_app(make_settings(database_url="postgresql://gisapp:x@127.0.0.1:1/none"))
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database unreachable")
    assert "\n" not in body["reason"]
    assert resp.headers["Retry-After"]


def test_pages_answer_503_not_500_when_the_database_is_gone() -> None:
    app = create_app(make_settings(database_url="postgresql://gisapp:x@127.0.0.1:1/none"))
    resp = app.test_client().get("/api/v1/categories")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "database_unavailable"
    assert resp.headers["Retry-After"]


def test_readiness_without_postgis(engine: sa.Engine) -> None:
    name = "gisapp_test_nopostgis"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        url = TEST_URL.rsplit("/", 1)[0] + "/" + name
        other = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        ready, reason = readiness(other)
        other.dispose()
        assert not ready
        assert "PostGIS is not installed" in reason
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))


def test_readiness_with_migrations_behind(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
        ready, reason = check_connection(conn)
        trans.rollback()
    assert not ready
    assert reason.startswith("migrations behind: database at 0000")


def test_web_connections_are_tuned_for_small_queries(app: Flask) -> None:
    # No JIT or parallel plans (2-7x slower for web queries on a few cores), and every
    # statement planned for its values (a generic plan made a city-wide items page 15x slower).
    with get_db(app).engine.connect() as conn:
        settings = {
            name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
            for name in ("jit", "max_parallel_workers_per_gather", "plan_cache_mode")
        }
    assert settings == {
        "jit": "off",
        "max_parallel_workers_per_gather": "0",
        "plan_cache_mode": "force_custom_plan",
    }
