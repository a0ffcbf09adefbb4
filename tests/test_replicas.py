"""Read replicas: a real hot standby of the test cluster on loopback serves the public map.

The standby is made the way an operator would: ``pg_basebackup -R`` (as the ``postgres``
user, over the primary's Unix socket, which is what Debian's stock ``pg_hba.conf`` allows with
``local replication all peer``) into a temporary directory, then a second postmaster on a free
port. It is stopped and removed afterwards. The test skips, saying why, only when a base
backup cannot be taken on this machine (no root, no PostgreSQL server binaries).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from gisapp import create_app
from gisapp.db import PRIMARY_COOKIE, get_db, read_session
from gisapp.errors import ConfigError
from gisapp.settings import load_settings
from tests.conftest import TEST_URL, make_settings

PRIMARY_PORT = int(sa.engine.make_url(TEST_URL).port or 5432)


def _as_postgres() -> list[str] | None:
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], check=False).returncode == 0:
        return ["sudo", "-n", "-u", "postgres"]
    return None


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    return found[-1].parent if found else None


def _psql(prefix: list[str], sql: str) -> str:
    out = subprocess.run(
        [*prefix, "psql", "-p", str(PRIMARY_PORT), "-XAtq", "-d", "postgres", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return out.stdout.strip()


def _allow_local_replication(prefix: list[str]) -> None:
    """Let the postgres OS user open a replication connection over the Unix socket.

    Debian's stock pg_hba.conf has ``local replication all peer``; a machine whose file was
    rewritten may not. Added once (idempotent), then the configuration is reloaded.
    """
    hba = Path(_psql(prefix, "SHOW hba_file"))
    lines = hba.read_text(encoding="utf-8").splitlines()
    rule = re.compile(r"^\s*local\s+(\S*,)?replication(,\S*)?\s")
    if any(rule.match(line) for line in lines):
        return
    with hba.open("a", encoding="utf-8") as fh:
        fh.write("\n# Added by gisapp tests/test_replicas.py: pg_basebackup over the socket.\n")
        fh.write("local   replication     postgres                                peer\n")
    _psql(prefix, "SELECT pg_reload_conf()")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def standby(engine: sa.Engine) -> Iterator[str]:
    """URL of a hot standby of the test cluster (started after the test data is committed)."""
    prefix, bindir = _as_postgres(), _pg_bin()
    if prefix is None or bindir is None:
        pytest.skip("pg_basebackup impossible here: needs root (or sudo) and PostgreSQL binaries")
    _allow_local_replication(prefix)
    socket_dir = _psql(prefix, "SHOW unix_socket_directories").split(",")[0].strip()
    root = Path(tempfile.mkdtemp(prefix="gisapp-standby-"))
    data = root / "data"
    shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    try:
        backup = subprocess.run(
            [
                *prefix,
                str(bindir / "pg_basebackup"),
                "-D",
                str(data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "-h",
                socket_dir,
                "-p",
                str(PRIMARY_PORT),
                "-U",
                "postgres",
            ],
            capture_output=True,
            text=True,
            cwd="/",
            timeout=600,
            check=False,
        )
        if backup.returncode != 0:
            pytest.skip(f"pg_basebackup impossible here: {backup.stderr.strip()[:300]}")
        # Debian keeps configuration in /etc, so the copy has none: give the standby its own,
        # on loopback only, trusting local connections (it lives for this test module).
        # A hot standby needs at least the primary's values of these.
        floors = "".join(
            f"{name} = {_psql(prefix, f'SHOW {name}')}\n"
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_wal_senders",
                "max_prepared_transactions",
                "max_locks_per_transaction",
            )
        )
        (data / "postgresql.conf").write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nhot_standby = on\n"
            f"shared_buffers = 32MB\nfsync = off\n{floors}",
            encoding="utf-8",
        )
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )
        for name in ("postgresql.conf", "pg_hba.conf"):
            shutil.chown(data / name, "postgres", "postgres")
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "120",
                "start",
            ],
            check=True,
            capture_output=True,
            cwd="/",
        )
        primary = sa.engine.make_url(TEST_URL)
        url = primary.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        yield url
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                check=False,
                capture_output=True,
                cwd="/",
            )
        shutil.rmtree(root, ignore_errors=True)


def _superuser(url: str) -> sa.Engine:
    """The standby as ``postgres`` (trusted on its loopback port) to pause and resume replay."""
    return sa.create_engine(
        sa.engine.make_url(url).set(username="postgres", password=None),
        isolation_level="AUTOCOMMIT",
    )


def _report_ids(client, bbox: str) -> set[int]:  # type: ignore[no-untyped-def]
    resp = client.get(f"/api/v1/layers/reports/features?bbox={bbox}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {f["id"] for f in resp.get_json()["features"]}


@pytest.fixture
def replica_app(standby: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_settings(read_database_urls=standby, upload_dir=tmp_path))
    yield app
    get_db(app).dispose()


def test_the_standby_serves_the_map_and_a_new_report_appears_there(
    replica_app: Flask, standby: str, engine: sa.Engine
) -> None:
    with replica_app.test_request_context("/api/v1/layers"):
        assert read_session().scalar(sa.text("SELECT pg_is_in_recovery()")) is True
    with engine.connect() as conn:
        lon, lat = conn.execute(
            sa.text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas"
                " WHERE level = 'community' ORDER BY id LIMIT 1) s"
            )
        ).one()
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    public, resident = replica_app.test_client(), replica_app.test_client()
    assert public.get("/").status_code == 200
    before = _report_ids(public, bbox)

    control = _superuser(standby)
    report_id = None
    try:
        with control.connect() as conn:
            conn.execute(sa.text("SELECT pg_wal_replay_pause()"))
        resp = resident.post(
            "/api/v1/reports",
            json={"category": "waste", "description": "replica check", "lon": lon, "lat": lat},
        )
        assert resp.status_code == 201, resp.get_data(as_text=True)
        report_id = resp.get_json()["id"]
        assert resident.get_cookie(PRIMARY_COOKIE) is not None
        # The resident who filed it reads from the primary and sees it at once ...
        assert report_id in _report_ids(resident, bbox)
        # ... the public map is served by the standby, where replay is paused: not yet.
        assert _report_ids(public, bbox) == before
        with control.connect() as conn:
            conn.execute(sa.text("SELECT pg_wal_replay_resume()"))
        deadline = time.monotonic() + 60
        while report_id not in _report_ids(public, bbox):
            assert time.monotonic() < deadline, "the report never reached the standby"
            time.sleep(0.2)
    finally:
        with control.connect() as conn:
            if conn.scalar(sa.text("SELECT pg_is_wal_replay_paused()")):
                conn.execute(sa.text("SELECT pg_wal_replay_resume()"))
        control.dispose()
        if report_id is not None:
            with engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": report_id})


def test_writes_go_to_the_primary_even_with_replicas(replica_app: Flask) -> None:
    with replica_app.test_request_context("/api/v1/reports", method="POST"):
        assert read_session().scalar(sa.text("SELECT pg_is_in_recovery()")) is False
    with replica_app.test_request_context("/", headers={"Cookie": f"{PRIMARY_COOKIE}=1"}):
        assert read_session().scalar(sa.text("SELECT pg_is_in_recovery()")) is False


def test_replicas_take_turns_and_a_dead_one_is_skipped(standby: str, tmp_path: Path) -> None:
    dead = sa.engine.make_url(standby).set(port=_free_port()).render_as_string(hide_password=False)
    app = create_app(make_settings(read_database_urls=f"{dead},{standby},{standby}"))
    db = get_db(app)
    try:
        engines = []
        for _ in range(4):
            conn = db.replica_connection()
            assert conn is not None
            engines.append(conn.engine)
            conn.close()
        dead_engine, first, second = (r.engine for r in db.replicas)
        assert dead_engine not in engines
        assert {first, second} == set(engines)
        assert db.replicas[0].down_until > time.monotonic()
    finally:
        db.dispose()


def test_an_unreachable_replica_falls_back_to_the_primary(
    engine: sa.Engine, tmp_path: Path
) -> None:
    dead = sa.engine.make_url(TEST_URL).set(port=_free_port()).render_as_string(hide_password=False)
    app = create_app(make_settings(read_database_urls=dead, upload_dir=tmp_path))
    try:
        resp = app.test_client().get("/api/v1/layers/reports/features")
        assert resp.status_code == 200
        assert resp.get_json()["features"]
        with app.test_request_context("/"):
            assert read_session().scalar(sa.text("SELECT pg_is_in_recovery()")) is False
    finally:
        get_db(app).dispose()


def test_no_replica_means_the_request_session_and_no_cookie(client, db_session) -> None:  # type: ignore[no-untyped-def]
    from gisapp.db import get_session

    lon, lat = db_session.execute(
        sa.text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas"
            " WHERE level = 'community' ORDER BY id LIMIT 1) s"
        )
    ).one()
    resp = client.post(
        "/api/v1/reports",
        json={"category": "waste", "description": "no replica", "lon": lon, "lat": lat},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert client.get_cookie(PRIMARY_COOKIE) is None
    with client.application.test_request_context("/"):
        assert read_session() is get_session()


def test_a_replica_url_must_be_postgres() -> None:
    with pytest.raises(ConfigError, match="GISAPP_READ_DATABASE_URLS"):
        load_settings(_env_file=None, read_database_urls="postgresql://a/b, mysql://c/d")
