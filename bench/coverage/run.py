"""Maintenance coverage at province scale: 1,000 communities (4 grids each), 50,000 facilities
with a year of maintenance history, some open fault reports.

    .venv/bin/python bench/coverage/run.py [--communities 1000] [--facilities 50000] [--runs 30]

(Re)creates the scratch database ``gisapp_bench_coverage`` on the local cluster, migrates it,
lays out the areas and facilities with ``gisapp.dataio.demo`` (the ``gisapp demo-data``
generator, COPY), adds maintenance logs by COPY and fault reports by one INSERT … SELECT (the
triggers keep ``facility_facts``/``facility_months`` as they would for any writer), then times

- ``GET /api/v1/coverage?level=…`` through the Flask test client (server time, no network),
- the coverage statement alone (``gisapp.maintenance.coverage.coverage_json``),
- the monthly series, the choropleth GeoJSON, a crew CSV and the /manager page,

and writes the medians to ``docs/benchmarks.md`` (section "Coverage"). Needs the local
PostgreSQL and the role ``gisapp`` that scripts/test provisions; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DB = "gisapp_bench_coverage"


def sh(*args: str) -> None:
    subprocess.run(args, check=True, cwd="/")  # noqa: S603


def create_database(url: str) -> None:
    runuser = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    sh(*runuser, "dropdb", "--if-exists", DB)
    sh(*runuser, "createdb", "-O", "gisapp", DB)
    sh(*runuser, "psql", "-q", "-d", DB, "-c", "CREATE EXTENSION postgis")
    from gisapp import migrate
    from gisapp.settings import sqlalchemy_url

    migrate.upgrade(sqlalchemy_url(url))


def history(
    rng: np.random.Generator,
    facility_ids: np.ndarray,
    intervals: np.ndarray,
    diligence: np.ndarray,
    today: dt.date,
) -> tuple[io.StringIO, int]:
    """A year of visits per facility: on time with probability ``diligence`` (per community),
    late otherwise; 4 % of inspections find a fault, most fixed within days."""
    out = io.StringIO()
    n = 0
    start = today - dt.timedelta(days=380)
    teams = ("街道城管中队", "区园林局养护班", "区水务局排水所", "物业公司")
    for fid, interval, p in zip(facility_ids, intervals, diligence, strict=True):
        day = start + dt.timedelta(days=int(rng.integers(0, interval)))
        while day <= today:
            volunteer = rng.random() < 0.25
            minutes = int(rng.integers(5, 60))
            who = "志愿者" if volunteer else teams[int(rng.integers(0, len(teams)))]
            if rng.random() < 0.04:
                out.write(f"{fid}\tinspection\t{day}\tfault\t{who}\t{volunteer}\t{minutes}\t\n")
                n += 1
                fix = day + dt.timedelta(days=int(rng.integers(1, 12)))
                if fix <= today and rng.random() < 0.9:
                    out.write(f"{fid}\trepair\t{fix}\tfixed\t{teams[0]}\tfalse\t{minutes * 3}\t\n")
                    n += 1
                    day = fix
            else:
                out.write(f"{fid}\tinspection\t{day}\tok\t{who}\t{volunteer}\t{minutes}\t\n")
                n += 1
            late = rng.random() > p
            factor = rng.uniform(1.1, 2.5) if late else rng.uniform(0.6, 1.0)
            day += dt.timedelta(days=max(1, int(interval * factor)))
    out.seek(0)
    return out, n


def load(url: str, communities: int, facilities: int) -> dict[str, float]:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from gisapp.dataio.demo import Plan, generate
    from gisapp.settings import sqlalchemy_url

    engine = sa.create_engine(sqlalchemy_url(url))
    timings: dict[str, float] = {}
    rng = np.random.default_rng(20261126)
    today = dt.date.today()
    with Session(engine) as session:
        started = time.perf_counter()
        generate(session, Plan(communities=communities, reports=0, facilities=facilities))
        session.commit()
        timings["areas and facilities (demo-data generator)"] = time.perf_counter() - started

        started = time.perf_counter()
        session.execute(
            sa.text(
                "UPDATE facilities SET install_date = CURRENT_DATE - (400 + (id * 7919) % 2500)"
            )
        )
        ids, types, community = (
            np.array(v)
            for v in zip(
                *session.execute(
                    sa.text("SELECT id, type, community_id FROM facilities ORDER BY id")
                ).all(),
                strict=True,
            )
        )
        interval_of = dict(
            session.execute(sa.text("SELECT code, interval_days FROM facility_types")).all()
        )
        intervals = np.array([interval_of[t] for t in types])
        # Some communities keep up, some do not: that is what the choropleth should show.
        communities_ids = np.unique(community)
        care = dict(zip(communities_ids, rng.beta(6, 1.5, len(communities_ids)), strict=True))
        diligence = np.array([care[c] for c in community])
        data, n_records = history(rng, ids, intervals, diligence, today)
        raw = session.connection().connection.driver_connection
        with (
            raw.cursor() as cur,
            cur.copy(
                "COPY maintenance_records (facility_id, kind, performed_on, result, performed_by, "
                "volunteer, minutes, notes) FROM STDIN"
            ) as copy,
        ):
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        session.commit()
        timings[f"maintenance log, {n_records:,} entries (COPY + facts triggers)"] = (
            time.perf_counter() - started
        )

        started = time.perf_counter()
        session.execute(
            sa.text(
                """
                INSERT INTO reports (category, description, status, geom, created_at, updated_at,
                                     resolved_at, due_at, facility_id)
                SELECT 'facility_damage', '设施损坏（演示）',
                       CASE WHEN id % 3 = 0 THEN 'submitted' ELSE 'resolved' END, geom,
                       now() - (id % 90) * interval '1 day', now() - (id % 90) * interval '1 day',
                       CASE WHEN id % 3 = 0 THEN NULL
                            ELSE now() - (id % 90) * interval '1 day' + interval '2 days' END,
                       now(), id
                  FROM facilities WHERE id % 40 = 0
                """
            )
        )
        session.commit()
        timings["fault reports linked to facilities (INSERT … SELECT)"] = (
            time.perf_counter() - started
        )
        # What autovacuum would do on a live system after a bulk load.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        counts = session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM areas WHERE level = 'community'),"
                " (SELECT count(*) FROM areas WHERE level = 'grid'),"
                " (SELECT count(*) FROM facilities), (SELECT count(*) FROM maintenance_records),"
                " (SELECT count(*) FROM reports WHERE facility_id IS NOT NULL),"
                " (SELECT count(*) FROM facility_months)"
            )
        ).one()
    engine.dispose()
    timings["_counts"] = counts  # type: ignore[assignment]
    return timings


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def measure(url: str, runs: int) -> list[tuple[str, float, float]]:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from gisapp import create_app
    from gisapp.auth.models import User
    from gisapp.auth.passwords import hash_password
    from gisapp.db import get_db
    from gisapp.maintenance.coverage import coverage_json
    from gisapp.maintenance.queries import Scope, monthly_coverage
    from gisapp.maintenance.status import local_today
    from gisapp.settings import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        secret_key="bench",  # noqa: S106
        basemap_url="",
    )
    app = create_app(settings)
    client = app.test_client()
    with Session(get_db(app).engine) as session:
        if not session.scalar(sa.select(User.id).where(User.username == "bench-manager")):
            session.add(
                User(
                    username="bench-manager",
                    role="manager",
                    password_hash=hash_password("bench-password"),
                )
            )
            session.commit()
        street = session.scalar(sa.text("SELECT id FROM areas WHERE level = 'street' ORDER BY id"))
        community = session.scalar(
            sa.text("SELECT id FROM areas WHERE level = 'community' ORDER BY id")
        )

    def get(path: str) -> Callable[[], object]:
        def run() -> object:
            with client.get(path) as resp:
                assert resp.status_code == 200, (path, resp.status_code)
                return resp.data

        return run

    results = []
    for level in ("community", "grid", "street", "district"):
        med, p95 = median_ms(get(f"/api/v1/coverage?level={level}"), runs)
        results.append((f"`GET /api/v1/coverage?level={level}`", med, p95))
    today = local_today(settings)
    for level in ("community", "grid"):

        def sql(level: str = level) -> object:
            with Session(get_db(app).engine) as session:
                return coverage_json(session, level, Scope(), today)

        med, p95 = median_ms(sql, runs)
        results.append(
            (f"the statement alone: `coverage_json(session, {level!r}, Scope(), today)`", med, p95)
        )
    med, p95 = median_ms(get("/api/v1/coverage?level=community&type=street_light"), runs)
    results.append(("`GET /api/v1/coverage?level=community&type=street_light`", med, p95))
    med, p95 = median_ms(get(f"/api/v1/coverage?level=grid&area={street}"), runs)
    results.append(("`GET /api/v1/coverage?level=grid&area=<a street>`", med, p95))
    med, p95 = median_ms(get("/api/v1/coverage?level=community&format=geojson"), runs)
    results.append(
        ("`GET /api/v1/coverage?level=community&format=geojson` (all 1,000 outlines)", med, p95)
    )
    slow = max(3, runs // 5)
    med, p95 = median_ms(get("/api/v1/coverage/monthly"), slow)
    results.append(
        ("`GET /api/v1/coverage/monthly` (province; past months cached per worker)", med, p95)
    )

    def monthly_sql() -> object:
        with Session(get_db(app).engine) as session:
            return monthly_coverage(session, Scope(), today)

    med, p95 = median_ms(monthly_sql, slow)
    results.append(
        ("SQL only, no cache: `monthly_coverage(session, Scope(), today)` (province)", med, p95)
    )
    med, p95 = median_ms(get(f"/api/v1/coverage/monthly?area={street}"), runs)
    results.append(("`GET /api/v1/coverage/monthly?area=<a street>`", med, p95))
    med, p95 = median_ms(get("/api/v1/facilities?status=overdue&format=csv"), slow)
    results.append(
        ("`GET /api/v1/facilities?status=overdue&format=csv` (province crew list)", med, p95)
    )
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert token
    client.post(
        "/login",
        data={
            "username": "bench-manager",
            "password": "bench-password",
            "csrf_token": token.group(1),
        },
    )
    for path, name in (
        ("/manager", "`GET /manager` (page, top level)"),
        (f"/manager?area={community}", "`GET /manager?area=<a community>` (page)"),
    ):
        try:
            med, p95 = median_ms(get(path), slow)
        except AssertionError as exc:  # a page that fails is reported, not hidden
            med = p95 = float("nan")
            name += f" — failed: {exc}"
        results.append((name, med, p95))
    get_db(app).engine.dispose()
    return results


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    pg = subprocess.run(
        ["psql", "--version"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} GB RAM; {platform.platform()}; "
        f"Python {platform.python_version()}; {pg.strip() or 'PostgreSQL'}; "
        f"load average {load:.1f} when measured"
    )


def write_report(section: str) -> Path:
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Coverage\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--facilities", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--password", default=os.environ.get("GISAPP_DB_PASSWORD", "gisapp"))
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    args = parser.parse_args()
    url = f"postgresql://gisapp:{args.password}@127.0.0.1:5432/{DB}"
    timings: dict[str, float] = {}
    if not args.reuse:
        create_database(url)
        timings = load(url, args.communities, args.facilities)
    counts = timings.pop("_counts", None)
    results = measure(url, args.runs)
    lines = [
        "## Coverage",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        f"As root (or with sudo, for `dropdb`/`createdb` of the scratch database `{DB}`):",
        "",
        "```sh",
        f".venv/bin/python bench/coverage/run.py --communities {args.communities} "
        f"--facilities {args.facilities} --runs {args.runs}",
        "```",
        "",
    ]
    if counts:
        lines += [
            f"Data: {counts[0]:,} communities, {counts[1]:,} grids, {counts[2]:,} facilities, "
            f"{counts[3]:,} maintenance log entries over the last year, {counts[4]:,} fault "
            f"reports linked to facilities; {counts[5]:,} facility-month fact rows.",
            "",
            "| load step | seconds |",
            "|---|---:|",
            *(f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()),
            "",
        ]
    lines += [
        f"Server-side times through the Flask test client (no network), median and 95th "
        f"percentile of {args.runs} runs after 3 warm-ups (the slowest lines: "
        f"{max(3, args.runs // 5)} runs). The target is coverage figures for a level in under "
        "200 ms.",
        "",
        "| request | median ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {med:.1f} | {p95:.1f} |" for name, med, p95 in results),
        "",
        "How it stays fast: status needs today's date, so it is not stored, but everything it is "
        "computed from is. `facility_facts` holds one row per facility (interval, last visit, "
        "last result, open linked reports, area links; `next_due_on` is a generated column); "
        "`facility_months` the work logged and faults closed per facility and month; and "
        "`maintenance_area_months` those months summed per area (every level), type and month, "
        "moved by deltas. Statement-level triggers on the log, reports and facilities keep all "
        "three, whoever writes. A level's figures are one scan of `facility_facts` grouped by the "
        "stored area link (`GROUPING SETS` adds the total in the same scan) and one index range "
        "of `maintenance_area_months` (12 rows per area): never a walk over the log or a spatial "
        "join. The 12-month series turns each facility's visit months into +1/-1 marks at "
        "month-ends (no facilities x months expansion); for scopes of more than 5,000 facilities "
        "each worker keeps its past months for 10 minutes, the current month always live.",
        "",
    ]
    path = write_report("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
