"""Planner analyses at province scale: 1,000 communities, 1,000,000 reports, 50,000 facilities.

    .venv/bin/python bench/planning/run.py [--reports 1000000] [--runs 5]

Creates (or recreates) the scratch database ``gisapp_bench_planning`` on the local cluster,
fills it with ``gisapp demo-data`` (COPY), then times each analysis endpoint through the Flask
test client (server-side time, no network), and prints a Markdown table. Needs the local
PostgreSQL and the role ``gisapp`` that scripts/test provisions; not part of the test suite.
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
    args = parser.parse_args()
    url = f"postgresql://gisapp:{args.password}@127.0.0.1:5432/{DB}"
    runuser = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    if args.reuse:
        return measure(url, args, load_s=float("nan"))
    sh(*runuser, "dropdb", "--if-exists", DB)
    sh(*runuser, "createdb", "-O", "gisapp", DB)
    sh(*runuser, "psql", "-q", "-d", DB, "-c", "CREATE EXTENSION postgis")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    exe = os.path.join(os.path.dirname(sys.executable), "gisapp")
    subprocess.run([exe, "db", "upgrade"], env=env, check=True)  # noqa: S603
    started = time.perf_counter()
    subprocess.run([exe, "demo-data", "--communities", str(args.communities), "--reports",  # noqa: S603
                    str(args.reports), "--facilities", str(args.facilities)], env=env, check=True)
    load_s = time.perf_counter() - started
    measure(url, args, load_s)


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
    street = "S00042"
    cases = [
        ("demand by community", "GET", "/api/v1/analysis/demand?level=community", None),
        ("demand by grid", "GET", "/api/v1/analysis/demand?level=grid", None),
        ("hot spots (Gi*, 4,000 grids)", "GET", "/api/v1/analysis/hotspots", None),
        ("coverage gaps, playground 300 m", "GET", "/api/v1/analysis/gaps?facility_type=playground", None),
        ("site scores, grid over a street (200 m)", "POST", "/api/v1/analysis/site-scores",
         {"facility_type": "playground", "candidates": {"grid": {"area": street, "spacing_m": 200}}}),
        ("MCLP k=5, same candidates", "POST", "/api/v1/analysis/mclp",
         {"facility_type": "playground", "k": 5, "candidates": {"grid": {"area": street, "spacing_m": 200}}}),
    ]
    print(f"\n{args.communities} communities, {args.reports:,} reports, {args.facilities:,} facilities "
          f"loaded in {load_s:.0f} s\n")
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
