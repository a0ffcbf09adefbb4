"""Planner analyses at province scale: 1,000 communities, 1,000,000 reports, 50,000 facilities.

    .venv/bin/python bench/planning/run.py [--reports 1000000] [--runs 5]
    .venv/bin/python bench/planning/run.py --sample [--runs 5]

Creates (or recreates) the scratch database ``gisapp_bench_planning`` on the local cluster,
fills it with ``gisapp demo-data`` (COPY) and a synthetic street grid (a street every ~200 m,
for walking distance), then times each analysis endpoint through the Flask test client
(server-side time, no network), and prints a Markdown table. Gaps, site scores and MCLP are
timed both by walking distance (pgRouting) and in a straight line. ``--sample`` does the same
over the sample street (``gisapp load-sample``) in ``gisapp_bench_planning_sample``. Needs the
local PostgreSQL with pgRouting and the role ``gisapp`` that scripts/test provisions; not part
of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=r".*PuLP 4\.0")

DB = "gisapp_bench_planning"
SAMPLE_DB = "gisapp_bench_planning_sample"
STREET_STEP_DEG = 0.002  # ~190 m east-west, ~220 m north-south around Wuhan
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def local_password() -> str:
    """The password scripts/serve or scripts/test generated into .env, else the env var."""
    path = os.path.join(ROOT, ".env")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):  # noqa: SIM115
            if line.startswith("GISAPP_DB_PASSWORD="):
                return line.split("=", 1)[1].strip()
    return os.environ.get("GISAPP_DB_PASSWORD", "gisapp")


def sh(*args: str) -> None:
    subprocess.run(args, check=True, cwd="/")  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--facilities", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--password", default=local_password())
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--sample", action="store_true", help="the sample street, not a province")
    args = parser.parse_args()
    db = SAMPLE_DB if args.sample else DB
    url = f"postgresql://gisapp:{args.password}@127.0.0.1:5432/{db}"
    runuser = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    if args.reuse:
        return measure(url, args, load_s=float("nan"))
    sh(*runuser, "dropdb", "--if-exists", db)
    sh(*runuser, "createdb", "-O", "gisapp", db)
    sh(*runuser, "psql", "-q", "-d", db, "-c", "CREATE EXTENSION postgis", "-c", "CREATE EXTENSION pgrouting")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    exe = os.path.join(os.path.dirname(sys.executable), "gisapp")
    subprocess.run([exe, "db", "upgrade"], env=env, check=True)  # noqa: S603
    started = time.perf_counter()
    if args.sample:
        subprocess.run([exe, "load-sample"], env=env, check=True)  # noqa: S603
    else:
        subprocess.run([exe, "demo-data", "--communities", str(args.communities), "--reports",  # noqa: S603
                        str(args.reports), "--facilities", str(args.facilities)], env=env, check=True)
        street_grid(url)
    load_s = time.perf_counter() - started
    measure(url, args, load_s)


def street_grid(url: str) -> None:
    """A street every STREET_STEP_DEG over the communities' extent, already split at every
    crossing, with its topology (demo-data makes no streets)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from gisapp.planning.network import build_topology

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with Session(engine) as s:
        s.execute(sa.text("""
            WITH box AS (SELECT ST_Extent(geom) AS b FROM areas WHERE level = 'community'),
            xs AS (SELECT generate_series(ST_XMin(b)::numeric, ST_XMax(b)::numeric, CAST(:step AS numeric)) AS x FROM box),
            ys AS (SELECT generate_series(ST_YMin(b)::numeric, ST_YMax(b)::numeric, CAST(:step AS numeric)) AS y FROM box)
            INSERT INTO streets (highway, geom)
            SELECT 'residential', ST_SetSRID(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + :step, y)), 4326)
            FROM xs, ys WHERE x + :step <= (SELECT ST_XMax(b) FROM box) + 1e-9
            UNION ALL
            SELECT 'residential', ST_SetSRID(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x, y + :step)), 4326)
            FROM xs, ys WHERE y + :step <= (SELECT ST_YMax(b) FROM box) + 1e-9
        """), {"step": STREET_STEP_DEG})
        counts = build_topology(s)
        s.commit()
    engine.dispose()
    print(f"street grid: {counts['streets']:,} segments, {counts['vertices']:,} vertices")


def measure(url: str, args: argparse.Namespace, load_s: float) -> None:
    import sqlalchemy as sa

    from gisapp import create_app
    from gisapp.auth.models import User
    from gisapp.auth.passwords import hash_password
    from gisapp.db import session_scope
    from gisapp.settings import Settings

    app = create_app(Settings(_env_file=None, database_url=url, secret_key="bench"))
    with app.app_context(), session_scope() as s:
        s.execute(sa.delete(User).where(User.username == "bench-planner"))
        s.add(User(username="bench-planner", password_hash=hash_password("bench"), role="planner"))
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "bench-planner", "password": "bench"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    street = "420106001" if args.sample else "S00042"
    spacing = 100 if args.sample else 200
    cases = [
        ("demand by community", "GET", "/api/v1/analysis/demand?level=community", None),
        ("demand by grid", "GET", "/api/v1/analysis/demand?level=grid", None),
        ("hot spots (Gi*, grids)", "GET", "/api/v1/analysis/hotspots", None),
    ]
    grid = {"grid": {"area": street, "spacing_m": spacing}}
    for distance, label in (("straight", "straight line"), ("network", "walking (pgRouting)")):
        cases += [
            (f"coverage gaps, playground 300 m, {label}", "GET",
             f"/api/v1/analysis/gaps?facility_type=playground&distance={distance}", None),
            (f"site scores, grid over a street ({spacing} m), {label}", "POST",
             "/api/v1/analysis/site-scores",
             {"facility_type": "playground", "candidates": grid, "distance": distance}),
            (f"MCLP k=5, same candidates, {label}", "POST", "/api/v1/analysis/mclp",
             {"facility_type": "playground", "k": 5, "candidates": grid, "distance": distance}),
        ]
    if args.sample:
        print(f"\nthe sample street loaded in {load_s:.0f} s\n")
    else:
        print(f"\n{args.communities} communities, {args.reports:,} reports, {args.facilities:,} "
              f"facilities loaded in {load_s:.0f} s\n")
    print("| analysis | median ms | min–max ms | answer |")
    print("|---|---|---|---|")
    for name, method, path, body in cases:
        times = []
        size = 0
        for _ in range(args.runs):
            t = time.perf_counter()
            resp = client.open(path, method=method, json=body, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, (path, resp.get_json())
            size = len(resp.data)
        print(f"| {name} | {statistics.median(times):.0f} | {min(times):.0f}–{max(times):.0f} | {size / 1024:.0f} kB |")
    print(f"\nMachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
