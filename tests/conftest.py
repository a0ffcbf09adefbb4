"""Fixtures: a real PostGIS test database, migrated and loaded once; one rolled-back
transaction per test; a live server for browser tests.

The database is ``GISAPP_TEST_DATABASE_URL`` (``scripts/test`` provisions ``gisapp_test``).
Its contents are replaced at the start of every run.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from gisapp import create_app, migrate
from gisapp.dataio.sample import load_sample
from gisapp.db import get_db
from gisapp.settings import Settings, sqlalchemy_url
from gisapp.standards.tiles.cache import LruCache

ROOT = Path(__file__).resolve().parent.parent
TEST_URL = os.environ.get(
    "GISAPP_TEST_DATABASE_URL", "postgresql://gisapp:gisapp@127.0.0.1:5432/gisapp_test"
)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": TEST_URL,
        "secret_key": "test-secret",
        "testing": True,
        "basemap_url": "",
        # The session-wide app would run out of budget; tests/security turns limits on.
        "rate_limits_enabled": False,
        # Folding after writes is tested on its own (tests/reports/test_concurrent_intake.py).
        "summary_fold_seconds": 0,
        # Tests change data under tiles and look at once; the memo is tested on its own.
        "tile_version_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(upload_dir=tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[sa.Engine]:
    """The migrated test database with the sample loaded (committed, shared by all tests)."""
    eng = sa.create_engine(sqlalchemy_url(TEST_URL))
    try:
        with eng.connect() as conn:
            if not conn.execute(
                sa.text("SELECT 1 FROM pg_extension WHERE extname='postgis'")
            ).first():
                pytest.exit(f"PostGIS is missing in {TEST_URL}; run scripts/test", returncode=2)
    except sa.exc.OperationalError as exc:
        pytest.exit(f"test database unreachable ({TEST_URL}): {exc.orig}", returncode=2)
    with eng.begin() as conn:
        # Whatever an earlier run left behind goes; PostGIS itself belongs to postgres and stays.
        conn.execute(sa.text("DROP OWNED BY CURRENT_USER CASCADE"))
    url = settings.sqlalchemy_url
    # Every run proves the migrations go both ways.
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    migrate.upgrade(url)
    with Session(eng) as s:
        load_sample(s, settings.sample_dir)
        s.commit()
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: sa.Engine) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    get_db(app).engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session whose work, and the app's during the test, is rolled back afterwards."""
    db = get_db(app)
    original = dict(db.factory.kw)
    connection = db.engine.connect()
    outer = connection.begin()
    db.factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = db.factory()
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
        db.factory.kw.clear()
        db.factory.kw.update(original)


@pytest.fixture(autouse=True)
def fresh_tile_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """An empty tile cache (tiles and OGC item pages) for each test that uses the app: what is
    cached inside a rolled-back test transaction must not outlive it (in production a reader
    never sees uncommitted versions)."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    before = app.extensions["gisapp.tile_cache"]
    app.extensions["gisapp.tile_cache"] = LruCache(16 * 1024 * 1024)
    # Answers the tile fast path remembers are the cache's: they go with it.
    app.extensions["gisapp.fast_tiles"].answers.clear()
    yield
    app.extensions["gisapp.tile_cache"] = before


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, url: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    """Submit a page's form the way a browser does: the CSRF token read from ``page``."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


class AuthActions:
    """Sign in and out through the real form, CSRF token included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str = "demo-resident", password: str = "co-create-demo"):  # type: ignore[no-untyped-def]
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def token(self, username: str = "demo-planner", password: str = "co-create-demo") -> str:
        resp = self.client.post("/api/v1/tokens", json={"username": username, "password": password})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return str(resp.get_json()["token"])


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def live_server(settings: Settings, engine: sa.Engine) -> Iterator[str]:
    """The real app on a loopback port, on the committed sample data (read-only tests)."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    get_db(app).engine.dispose()
