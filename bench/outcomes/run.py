"""The public outcomes dashboard at province scale: 1,000 communities (4,000 grids), 1,000,000
reports over two years, with resolution times, ratings, projects and pledges.

    .venv/bin/python bench/outcomes/run.py [--communities 1000] [--reports 1000000] [--runs 20]

(Re)creates the scratch database ``gisapp_bench_h5`` on the local cluster, migrates it, loads
areas and reports with the ``gisapp demo-data`` generator (COPY; the outcome triggers sum the
million reports in the same statement), then makes the data look lived-in: resolution times of
0-60 days (one UPDATE of the resolved reports, which the triggers turn into deltas), ratings
for a fifth of the resolved reports, 2 projects per community completed over the last year and
their residents' pledges. Then it times, through the Flask test client (server time, no
network): ``GET /api/v1/outcomes`` for each level and for a street, the choropleth GeoJSON, the
CSV, the ``/outcomes`` page; and the write-side cost of the triggers on one report.

Results go to ``docs/benchmarks.md`` (section "Outcomes"). Needs the local PostgreSQL and the
role ``gisapp`` that scripts/test provisions; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB = "gisapp_bench_h5"
sys.path.insert(0, str(ROOT))

from bench.coverage.run import machine  # noqa: E402


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


LIVED_IN = (
    (
        "resolution times 0-60 days for the resolved reports (UPDATE; triggers move the facts)",
        """
        UPDATE reports
           SET resolved_at = created_at + ((id::bigint * 7919) % 1441) * interval '1 hour',
               updated_at = created_at + ((id::bigint * 7919) % 1441) * interval '1 hour'
         WHERE status IN ('resolved', 'closed')
        """,
    ),
    (
        "ratings of a fifth of the resolved reports (INSERT … SELECT)",
        """
        INSERT INTO report_ratings (report_id, rater, score, created_at)
        SELECT id, 'a:bench' || id, 1 + (id * 31) % 5, resolved_at + interval '1 day'
          FROM reports
         WHERE status IN ('resolved', 'closed') AND id % 5 = 0
        """,
    ),
    (
        "2 projects per community completed over the last year (area links by trigger)",
        """
        INSERT INTO projects (code, title_zh, title_en, phase, progress, completed_on, geom)
        SELECT 'BP' || a.id || '-' || k, '演示项目' || a.id || '-' || k, 'Demo project',
               'co_share', 100, CURRENT_DATE - ((a.id * 13 + k * 101) % 360), ST_PointOnSurface(a.geom)
          FROM areas a CROSS JOIN generate_series(1, 2) AS k
         WHERE a.level = 'community'
        """,
    ),
    (
        "bench residents and 10 pledges per project",
        """
        WITH u AS (
          INSERT INTO users (username, password_hash, role)
          SELECT 'bench-resident-' || n, '!', 'resident' FROM generate_series(1, 50) AS n
          RETURNING id
        ), us AS (SELECT array_agg(id ORDER BY id) AS ids FROM u)
        INSERT INTO project_pledges (project_id, user_id, kind, amount_yuan, hours, created_at)
        SELECT p.id, us.ids[1 + (p.id + k) % 50],
               CASE k % 3 WHEN 0 THEN 'money' WHEN 1 THEN 'labour' ELSE 'volunteer' END,
               CASE WHEN k % 3 = 0 THEN 100 + (p.id * k) % 900 END,
               CASE WHEN k % 3 = 1 THEN 1 + (p.id * k) % 20 END,
               p.completed_on - ((k * 17) % 60) * interval '1 day'
          FROM projects p CROSS JOIN generate_series(1, 10) AS k CROSS JOIN us
        """,
    ),
)


def load(
    url: str, communities: int, reports: int, *, generated: bool = False
) -> tuple[dict[str, float], tuple[int, ...]]:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from gisapp.dataio.demo import Plan, generate
    from gisapp.settings import sqlalchemy_url

    engine = sa.create_engine(sqlalchemy_url(url))
    timings: dict[str, float] = {}
    with Session(engine) as session:
        started = time.perf_counter()
        if not generated:
            generate(session, Plan(communities=communities, reports=reports, facilities=0))
            session.commit()
            timings[
                f"demo-data: {communities:,} communities, {reports:,} reports "
                "(COPY + outcome triggers)"
            ] = time.perf_counter() - started
        session.execute(sa.text("SET statement_timeout = 0"))
        for name, sql in LIVED_IN:
            started = time.perf_counter()
            session.execute(sa.text(sql))
            session.commit()
            timings[name] = time.perf_counter() - started
        counts = session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM areas WHERE level = 'community'),"
                " (SELECT count(*) FROM areas WHERE level = 'grid'),"
                " (SELECT count(*) FROM reports), (SELECT count(*) FROM report_ratings),"
                " (SELECT count(*) FROM projects), (SELECT count(*) FROM project_pledges),"
                " (SELECT count(*) FROM outcome_area_months),"
                " (SELECT count(*) FROM outcome_resolve_days)"
            )
        ).one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return timings, tuple(int(c) for c in counts)


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
    from gisapp.db import get_db
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
    for query, name in (
        ("level=district", "`GET /api/v1/outcomes?level=district` (10 districts)"),
        ("level=street", "`GET /api/v1/outcomes?level=street` (100 streets)"),
        ("level=community", "`GET /api/v1/outcomes?level=community` (all 1,000 communities)"),
        ("level=grid", "`GET /api/v1/outcomes?level=grid` (all 4,000 grids)"),
        (f"area={street}", "`GET /api/v1/outcomes?area=<a street>` (its 10 communities)"),
        (f"area={community}", "`GET /api/v1/outcomes?area=<a community>` (its 4 grids)"),
        ("level=community&months=24", "`GET /api/v1/outcomes?level=community&months=24`"),
        ("level=community&format=csv", "`GET /api/v1/outcomes?level=community&format=csv`"),
        (
            "level=community&format=geojson",
            "`GET /api/v1/outcomes?level=community&format=geojson` (all 1,000 outlines)",
        ),
    ):
        med, p95 = median_ms(get(f"/api/v1/outcomes?{query}"), runs)
        results.append((name, med, p95))
    for path, name in (
        ("/outcomes", "`GET /outcomes` (page, top level: the districts)"),
        ("/outcomes?level=community", "`GET /outcomes?level=community` (page, 1,000 rows)"),
        (f"/outcomes?area={street}", "`GET /outcomes?area=<a street>` (page)"),
    ):
        med, p95 = median_ms(get(path), runs)
        results.append((name, med, p95))
    results += direct_group_by(get_db(app).engine, max(3, runs // 4))
    results += write_cost(get_db(app).engine, runs)
    get_db(app).engine.dispose()
    return results


def direct_group_by(engine: object, runs: int) -> list[tuple[str, float, float]]:
    """What the facts replace: the same report figures for all communities straight from the
    million reports, grouped by their stored community link (no spatial join either)."""
    import sqlalchemy as sa

    assert isinstance(engine, sa.Engine)
    sql = sa.text(
        """
        WITH r AS (
          SELECT community_id, created_at, resolved_at, status FROM reports
           WHERE (created_at >= date_trunc('month', now()) - interval '11 months')
              OR (resolved_at >= date_trunc('month', now()) - interval '11 months'))
        SELECT community_id,
               count(*) FILTER (WHERE created_at >= date_trunc('month', now()) - interval '11 months'),
               count(*) FILTER (WHERE status IN ('resolved', 'closed')),
               percentile_disc(0.5) WITHIN GROUP (
                 ORDER BY floor(extract(epoch FROM resolved_at - created_at) / 86400))
                 FILTER (WHERE status IN ('resolved', 'closed'))
          FROM r GROUP BY community_id
        """
    )

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(sql).all()

    med, p95 = median_ms(run, runs)
    return [
        (
            "for comparison, without the facts: received, resolved and median days for all "
            "1,000 communities by `GROUP BY community_id` over the reports (SQL only)",
            med,
            p95,
        )
    ]


def write_cost(engine: object, runs: int) -> list[tuple[str, float, float]]:
    """One report filed and resolved, with the outcome triggers and without (rolled back)."""
    import sqlalchemy as sa

    assert isinstance(engine, sa.Engine)
    triggers = ("reports_outcomes_ins", "reports_outcomes_upd")
    out = []
    for enabled in (True, False):
        with engine.connect() as conn:
            if not enabled:
                for name in triggers:
                    conn.exec_driver_sql(f"ALTER TABLE reports DISABLE TRIGGER {name}")
            category = conn.scalar(sa.text("SELECT code FROM categories ORDER BY code LIMIT 1"))
            point = conn.scalar(sa.text("SELECT ST_AsEWKT(geom) FROM reports ORDER BY id LIMIT 1"))

            def one(
                conn: sa.Connection = conn, category: str = category, point: str = point
            ) -> None:
                rid = conn.scalar(
                    sa.text(
                        "INSERT INTO reports (category, description, geom) "
                        "VALUES (:c, 'bench', ST_GeomFromEWKT(:g)) RETURNING id"
                    ),
                    {"c": category, "g": point},
                )
                conn.execute(
                    sa.text(
                        "UPDATE reports SET status = 'resolved', resolved_at = now(), "
                        "updated_at = now() WHERE id = :id"
                    ),
                    {"id": rid},
                )

            med, p95 = median_ms(one, runs * 5)
            conn.rollback()
        label = "with" if enabled else "without"
        out.append(
            (
                f"file one report and resolve it (2 statements) {label} the outcome triggers",
                med,
                p95,
            )
        )
    return out


def write_report(section: str) -> Path:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Outcomes\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--password", default=os.environ.get("GISAPP_DB_PASSWORD", ""))
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument(
        "--generated",
        action="store_true",
        help="the demo data are loaded already (a run that stopped after demo-data)",
    )
    args = parser.parse_args()
    password = args.password
    if not password:
        env = ROOT / ".env"
        found = (
            re.search(r"^GISAPP_DB_PASSWORD=(.*)$", env.read_text(), re.M) if env.exists() else None
        )
        password = found.group(1).strip() if found else "gisapp"
    url = f"postgresql://gisapp:{password}@127.0.0.1:5432/{DB}"
    timings: dict[str, float] = {}
    counts: tuple[int, ...] | None = None
    if args.generated:
        timings, counts = load(url, args.communities, args.reports, generated=True)
    elif not args.reuse:
        create_database(url)
        timings, counts = load(url, args.communities, args.reports)
    results = measure(url, args.runs)
    lines = [
        "## Outcomes",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        f"As root (or with sudo, for `dropdb`/`createdb` of the scratch database `{DB}`):",
        "",
        "```sh",
        f".venv/bin/python bench/outcomes/run.py --communities {args.communities} "
        f"--reports {args.reports} --runs {args.runs}",
        "```",
        "",
    ]
    if counts:
        lines += [
            f"Data: {counts[0]:,} communities, {counts[1]:,} grids, {counts[2]:,} reports over two "
            f"years, {counts[3]:,} ratings, {counts[4]:,} projects, {counts[5]:,} pledges; "
            f"{counts[6]:,} area-month and {counts[7]:,} area-month-days fact rows.",
            "",
            "| load step | seconds |",
            "|---|---:|",
            *(f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()),
            "",
        ]
    lines += [
        f"Server-side times through the Flask test client (no network), median and 95th "
        f"percentile of {args.runs} runs after 3 warm-ups (write cost: {args.runs * 5} runs). "
        "Default period: the last 12 months. Target: the dashboard in 200 ms or less.",
        "",
        "| request | median ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {med:.1f} | {p95:.1f} |" for name, med, p95 in results),
        "",
        "How it stays fast: triggers keep, per area (every level down to the grid) and local "
        "month, the reports received and resolved, the days they took, a histogram of whole "
        "days to resolve in 18 bucket columns (exact up to a week, widening after) and the "
        "ratings of the fixes (`outcome_area_months`), so the median over any areas and months "
        "is read from the same sums as the counts. They move by deltas from statement-level "
        "triggers with transition tables, so the COPY of a million reports is one set-based "
        "update. A level's figures are one index range of that table (12 rows per area and "
        "year); the scope's monthly series and total come from one more range (the sums are "
        "additive); projects and pledges, a few thousand rows, are grouped by the projects' "
        "stored area links. No request joins geometries or scans reports.",
        "",
    ]
    path = write_report("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
