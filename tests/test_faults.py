"""PostgreSQL restarts while residents file reports: the app answers 503 with Retry-After (never
500), /readyz says so, it recovers without a restart of its own, and every report that got a 201
is in the database exactly once, retries with the same Idempotency-Key included.

The outage is real: a throwaway cluster (tests/pg_cluster.py) is stopped with ``pg_ctl stop -m
fast`` under load and started again, while several client threads keep submitting.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from gisapp import create_app, migrate
from gisapp.dataio.sample import load_sample
from gisapp.db import get_db
from tests.conftest import make_settings
from tests.pg_cluster import ThrowawayCluster

CLIENTS = 4
PER_CLIENT = 80  # 320 submissions across the restart
UNLIMITED = "100000/minute"


@dataclass
class Outage:
    cluster: ThrowawayCluster
    base: str
    engine: sa.Engine
    point: tuple[float, float]


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    created: dict[str, int] = field(default_factory=dict)
    missing_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(
    base: str, key: str, body: dict[str, object]
) -> tuple[int, dict[str, object], str | None]:
    request = urllib.request.Request(
        base + "/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.load(resp), resp.headers.get("Retry-After")
    except urllib.error.HTTPError as err:
        return err.code, json.load(err), err.headers.get("Retry-After")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    try:
        cluster = ThrowawayCluster()
    except RuntimeError as exc:
        pytest.fail(f"the fault test needs its own PostgreSQL cluster: {exc}")
    with cluster:
        url = cluster.create_database("faults")
        settings = make_settings(
            database_url=url,
            upload_dir=tmp_path_factory.mktemp("fault-uploads"),
            limit_report=UNLIMITED,
            retry_after_seconds=1,
        )
        migrate.upgrade(settings.sqlalchemy_url)
        engine = sa.create_engine(settings.sqlalchemy_url, pool_pre_ping=True)
        with Session(engine) as s:
            load_sample(s, settings.sample_dir)
            s.commit()
            x, y = s.execute(
                sa.text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM areas"
                    " WHERE level = 'grid' ORDER BY id LIMIT 1) q"
                )
            ).one()
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Outage(cluster, f"http://127.0.0.1:{server.server_port}", engine, (x, y))
        finally:
            server.shutdown()
            server.server_close()
            get_db(app).engine.dispose()
            engine.dispose()


def _client(outage: Outage, worker: int, tally: Tally) -> None:
    for i in range(PER_CLIENT):
        key = f"fault-{worker}-{i}"
        body = {
            "category": "street_light",
            "description": f"fault test {key}",
            "lon": outage.point[0],
            "lat": outage.point[1],
        }
        for _attempt in range(120):
            status, answer, retry_after = _post(outage.base, key, body)
            with tally.lock:
                tally.statuses[status] += 1
                if status == 503 and retry_after is None:
                    tally.missing_retry_after += 1
            if status == 201:
                with tally.lock:
                    tally.created[key] = int(answer["id"])  # type: ignore[call-overload]
                break
            if status != 503:
                break
            time.sleep(min(float(retry_after or 1), 1.0))


def test_reports_survive_a_database_restart(outage: Outage, tmp_path: Path) -> None:
    tally = Tally()
    workers = [
        threading.Thread(target=_client, args=(outage, w, tally), daemon=True)
        for w in range(CLIENTS)
    ]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 120
    while len(tally.created) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(tally.created) >= 60, "the load never got going"

    outage.cluster.stop()
    down_ready = _status(outage.base + "/readyz")
    time.sleep(2)  # clients keep submitting into the outage
    outage.cluster.start()

    for w in workers:
        w.join(timeout=300)
    assert not any(w.is_alive() for w in workers)
    assert _status(outage.base + "/readyz") == 200

    assert down_ready == 503
    unexpected = {s: n for s, n in tally.statuses.items() if s not in (201, 503)}
    assert not unexpected, f"answers other than 201/503: {unexpected}"
    assert tally.statuses[503] > 0, "no request met the outage"
    assert tally.missing_retry_after == 0
    assert len(tally.created) == CLIENTS * PER_CLIENT

    # Count reconciliation: every 201 is in the database, once, with its own text.
    with outage.engine.connect() as conn:
        stored = dict(
            conn.execute(
                sa.text(
                    "SELECT substr(description, 12), id FROM reports"
                    " WHERE description LIKE 'fault test %'"
                )
            ).all()
        )
    assert stored == tally.created

    # A retry after the outage, with a key that already succeeded, files nothing new.
    key, report_id = next(iter(tally.created.items()))
    status, answer, _ = _post(
        outage.base,
        key,
        {
            "category": "street_light",
            "description": f"fault test {key}",
            "lon": outage.point[0],
            "lat": outage.point[1],
        },
    )
    assert (status, answer["id"]) == (201, report_id)
    with outage.engine.connect() as conn:
        total = conn.execute(
            sa.text("SELECT count(*) FROM reports WHERE description LIKE 'fault test %'")
        ).scalar_one()
    assert total == CLIENTS * PER_CLIENT
