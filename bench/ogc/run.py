"""Quick measurement of OGC API items: ours at /ogc against pygeoapi's PostgreSQL provider.

Not a timed test and not the official comparison (``bench/scale`` measures our /ogc against
TiPg for docs/benchmarks.md). It answers one design question, recorded in docs/ogc.md: does
mounting pygeoapi cost the "5x TiPg" target for 1,000 reports in a ~1 km box?

    # a database filled by `gisapp demo-data` (1,000 communities, 1,000,000 reports)
    DATABASE_URL=postgresql://gisapp:...@127.0.0.1:5432/bench \\
        .venv/bin/python bench/ogc/run.py [--workers 1] [--seconds 10] \\
        [--pygeoapi-venv /tmp/pygeoapi-venv]    # a venv with pygeoapi, gunicorn, psycopg2,
                                                 # geoalchemy2 and pygeofilter installed

Both servers run under gunicorn with sync workers on loopback; the load is two client threads
with keep-alive for ``--seconds`` each (the machine has two cores; the client shares them).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def densest_box(db_url: str) -> tuple[tuple[float, float, float, float], int]:
    """A 1 km x 1 km box around the centre of the community with the most reports."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        cid = conn.scalar(
            sa.text(
                "SELECT community_id FROM reports WHERE community_id IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        )
        lon, lat = conn.execute(
            sa.text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM areas WHERE id=:i) s"
            ),
            {"i": cid},
        ).one()
        dlat = 0.5 / 111.32
        dlon = 0.5 / (111.32 * math.cos(math.radians(lat)))
        box = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        box = tuple(round(v, 5) for v in box)  # type: ignore[assignment]
        matched = conn.scalar(
            sa.text(
                "SELECT count(*) FROM reports WHERE ST_Intersects(geom, ST_MakeEnvelope(:a,:b,:c,:d,4326))"
            ),
            dict(zip("abcd", box, strict=True)),
        )
    engine.dispose()
    return box, int(matched or 0)


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not come up")


def load(port: int, path: str, seconds: float, clients: int = 2) -> dict[str, float]:
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok, body = False, b""
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(dt)
                    sizes.append(len(body))
                else:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p90_ms": 1000 * latencies[int(0.9 * (len(latencies) - 1))] if latencies else float("nan"),
        "bytes": statistics.median(sizes) if sizes else 0,
        "errors": errors,
    }


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own fixed command line
        cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


PYGEOAPI_CONFIG = """\
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification:
    title: bench
    description: bench
    keywords: [bench]
    keywords_type: theme
    terms_of_service: https://example.org
    url: https://example.org
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: https://example.org}}
  contact: {{name: bench, position: bench, address: x, city: x, stateorprovince: x, postalcode: x, country: x, phone: x, fax: x, email: x@example.org, url: https://example.org, hours: x, instructions: x, role: pointOfContact}}
resources:
  reports:
    type: collection
    title: reports
    description: reports
    keywords: [reports]
    extents:
      spatial: {{bbox: [-180, -90, 180, 90], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: {host}, port: {dbport}, dbname: {dbname}, user: {user}, password: '{password}', search_path: [public]}}
        id_field: id
        table: reports
        geom_field: geom
        properties: [category, status, description, support_count, created_at]
"""


def run_pygeoapi(
    venv: Path, db_url: str, workers: int, tmp: Path
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    u = urlsplit(db_url.replace("+psycopg", ""))
    cfg = tmp / "pygeoapi.yml"
    cfg.write_text(
        PYGEOAPI_CONFIG.format(
            port=port,
            host=u.hostname,
            dbport=u.port or 5432,
            dbname=u.path.lstrip("/"),
            user=u.username,
            password=u.password,
        )
    )
    openapi = tmp / "pygeoapi-openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run(  # noqa: S603
        [
            str(venv / "bin/pygeoapi"),
            "openapi",
            "generate",
            str(cfg),
            "--output-file",
            str(openapi),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    proc = start(
        [
            str(venv / "bin/gunicorn"),
            "pygeoapi.flask_app:APP",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
        ],
        env,
        tmp / "pygeoapi.log",
    )
    return proc, port


def run_ours(db_url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
    }
    proc = start(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "gisapp:create_app()",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
        ],
        env,
        tmp / "gisapp.log",
    )
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pygeoapi-venv", type=Path)
    args = parser.parse_args()
    if not args.db_url:
        sys.exit("set DATABASE_URL or --db-url")
    db_url = args.db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    box, matched = densest_box(db_url)
    bbox = ",".join(str(v) for v in box)
    print(
        f"box {bbox}: {matched} reports; limit=1000; {args.workers} worker(s), {args.seconds:.0f} s, 2 clients"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        servers = [
            ("ours /ogc", run_ours(db_url, args.workers, tmp), "/ogc/collections/reports/items")
        ]
        if args.pygeoapi_venv:
            servers.append(
                (
                    "pygeoapi 0.21 PostgreSQL provider",
                    run_pygeoapi(args.pygeoapi_venv, args.db_url, args.workers, tmp),
                    "/collections/reports/items",
                )
            )
        try:
            for name, (_proc, port), base in servers:
                path = f"{base}?bbox={bbox}&limit=1000&f=json"
                wait_until_up(port, path)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path)
                first = json.loads(conn.getresponse().read())
                conn.close()
                returned = len(first["features"])
                load(port, path, 2)  # warm-up: connections, caches, first-request set-up
                result = load(port, path, args.seconds)
                rows.append((name, returned, result))
        finally:
            for _name, (proc, _port), _base in servers:
                stop(proc)
    print()
    print("| server | features | pages/s | p50 ms | p90 ms | bytes | errors |")
    print("|---|---|---|---|---|---|---|")
    for name, returned, r in rows:
        print(
            f"| {name} | {returned} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} "
            f"| {r['bytes']:,.0f} | {r['errors']:.0f} |"
        )


if __name__ == "__main__":
    main()
