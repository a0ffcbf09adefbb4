"""The scale benchmark (issue 7): our server against TiPg and the raw SQL, in one run.

    bench/scale/run [--reuse] [--seconds 10] [--connections 4] [--no-write]

Loads 1,000 communities, 1,000,000 reports and 50,000 facilities into ``gisapp_bench`` with
``gisapp demo-data`` (``--reuse`` keeps a database that already holds them), the sample street
into ``gisapp_bench_sample``, then measures against the same database:

- map pages: bytes and server time, sample vs province;
- vector tiles at z10, z12, z14, z16: our ``/tiles`` (gunicorn via ``gisapp serve``) with a cold
  cache (every tile asked once, tile caches emptied first) and warm (wrk loop), TiPg with its
  defaults and tuned, and the raw ``ST_AsMVT`` statement through psycopg;
- GeoJSON items in a 1 km box (limit 1,000): our ``/ogc`` against TiPg, and the SQL floor;
- per-area dashboards (``/api/v1/coverage``, outcomes when present);
- report intake per second with concurrent clients (wrk POSTs), reconciled with the database.

Prints the results as ratios against the targets of issue 7 item 6, writes them to
``bench/scale/results/latest.json`` and the "Scale" section of ``docs/benchmarks.md``.
Load tools: wrk for timed loops, a threaded urllib3 client for cold passes (see load.py).
Run as root (or with sudo) on the machine that runs PostgreSQL; needs wrk (``apt-get install
wrk``) and network access to PyPI the first time (TiPg's venv, under /tmp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import data  # noqa: E402
import load  # noqa: E402
import pages  # noqa: E402
import rawsql  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import truncation  # noqa: E402
import urllib3  # noqa: E402

from gisapp.cli import default_workers  # noqa: E402

ZOOMS = (10, 12, 14, 16)
# Cold passes over few tiles are repeated (caches emptied before each) to get enough samples.
COLD_REPEAT = {10: 6, 12: 2, 14: 1, 16: 1}
# The gunicorn workers gisapp serve starts (each keeps its own tile cache without Redis).
WORKERS = default_workers()
# The same fields as our reports layer carries (layers/reports.yaml), so tiles compare alike.
TIPG_PROPS = "category,status,description,support_count,created_at"


def ITEM_BOXES(where: data.Places) -> dict[str, tuple[float, float, float, float]]:
    """The items boxes by result-key suffix: the issue's (~1,000 reports), then the hot spot's."""
    return {"": where.items_bbox, "_dense": where.dense_bbox}


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def available(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[bool, str]:
    """Whether a route is there (another module may not be built yet): a 4xx/5xx says no."""
    resp = urllib3.request("GET", base + path, headers=headers, timeout=120, retries=False)
    if resp.status >= 400:
        return False, f"{path.split('?')[0]} answered {resp.status}"
    return True, ""


def tile_paths_ours(tiles: list[tuple[int, int, int]]) -> list[str]:
    return [f"/tiles/reports/{z}/{x}/{y}.pbf" for z, x, y in tiles]


def tile_paths_tipg(tiles: list[tuple[int, int, int]]) -> list[str]:
    return [
        f"/collections/public.reports/tiles/WebMercatorQuad/{z}/{x}/{y}?properties={TIPG_PROPS}"
        for z, x, y in tiles
    ]


def bbox_param(b: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.5f}" for v in b)


def same_content_sql(db_url: str) -> tuple[Callable[[int, int, int], str], str] | None:
    """Our tile statement for the reports layer as literal SQL, when the tiles module has one:
    the raw floor then builds exactly what our server sends. None: not available."""
    from tiles_sql import ours_tile_sql

    try:
        return ours_tile_sql(db_url)
    except Exception as exc:
        log(f"our tile statement not usable for the raw floor: {exc!r}")
        return None


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--communities", type=int, default=1000)
    p.add_argument("--reports", type=int, default=1_000_000)
    p.add_argument("--facilities", type=int, default=50_000)
    p.add_argument("--reuse", action="store_true", help="keep gisapp_bench if it holds the data")
    p.add_argument("--seconds", type=int, default=10, help="length of each wrk loop")
    p.add_argument("--connections", type=int, default=4, help="concurrent clients for reads")
    p.add_argument("--intake-connections", type=int, default=8)
    p.add_argument("--tipg-venv", type=Path, default=servers.DEFAULT_TIPG_VENV)
    p.add_argument("--only", default="", help="comma list: pages,tiles,items,dashboard,intake")
    p.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    p.add_argument("--docs", type=Path, default=HERE.parents[1] / "docs" / "benchmarks.md")
    args = p.parse_args()
    only = set(filter(None, args.only.split(",")))

    def wanted(part: str) -> bool:
        return not only or part in only

    password = data.local_password()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": report.machine(),
        "command": "bench/scale/run" + (" --reuse" if args.reuse else ""),
        "connections": args.connections,
        "seconds": args.seconds,
        "notes": [],
    }
    log("preparing databases")
    big, load_s = data.prepare_big(
        password, args.communities, args.reports, args.facilities, args.reuse
    )
    results["load_s"] = load_s
    results["counts"] = data.counts(big)
    where = data.places(big)
    results["places"] = {
        "items_bbox": where.items_bbox,
        "items_matched": where.items_matched,
        "dense_bbox": where.dense_bbox,
        "dense_matched": where.dense_matched,
        "hotspot": where.hotspot,
        "extent": where.extent,
    }
    log(f"data: {results['counts']}; items box matches {where.items_matched} reports")
    log_dir = HERE / "results"
    log_dir.mkdir(exist_ok=True)

    if wanted("pages"):
        log("pages: sample street")
        sample = data.prepare_sample(password)
        results["pages"] = pages.measure(sample, big)

    tiles = {z: where.tiles(z) for z in ZOOMS}
    results["tile_counts"] = {z: len(t) for z, t in tiles.items()}
    c = args.connections
    env = {"GISAPP_RATE_LIMITS_ENABLED": "false"}  # one load generator is not a crowd of residents
    results["notes"].append("rate limits off for the load test (GISAPP_RATE_LIMITS_ENABLED=false)")

    # Cold: the tile cache switched off (GISAPP_TILE_CACHE_MB=0), so every tile is rendered,
    # and any tile cache table emptied before each pass. Warm: a second server with its cache.
    cold_env = {**env, "GISAPP_TILE_CACHE_MB": "0"}
    with ours_server(results, big, log_dir, cold_env, "cold") as base:
        if base and wanted("tiles"):
            ok, why = available(base, tile_paths_ours([tiles[14][0]])[0])
            results["tiles_ours"] = {} if ok else {"unavailable": why}
            if ok:
                http = load.Http(base, c)
                for z in ZOOMS:
                    cleared: list[str] = []

                    def clear(cleared: list[str] = cleared) -> None:
                        cleared[:] = data.clear_tile_caches(big)

                    cold = load.passes(
                        http.get,
                        tile_paths_ours(tiles[z]),
                        concurrency=c,
                        before_each_pass=clear,
                        repeat=COLD_REPEAT[z],
                    )
                    results["tiles_ours"][z] = {"cold": cold.as_dict(), "caches_emptied": cleared}
                    log(f"ours z{z}: cold {cold.per_s:.1f}/s p50 {cold.p50_ms:.0f} ms")
                    fetch = fetcher(http, lambda t: tile_paths_ours([t])[0])
                    results.setdefault("truncation", {})[z] = truncation.check(
                        big, tiles[z], {"ours": fetch}
                    )
        for suffix, box in ITEM_BOXES(where).items() if base and wanted("items") else ():
            path = f"/ogc/collections/reports/items?bbox={bbox_param(box)}&limit=1000"
            ok, why = available(base, path)
            if ok:
                r = load.wrk(base, [path], seconds=args.seconds, connections=c)
                results["items_ours" + suffix] = r.as_dict()
                log(
                    f"ours items{suffix}: {r.per_s:.1f}/s p50 {r.p50_ms:.1f} ms, {r.mean_bytes:.0f} B"
                )
            else:
                results["items_ours" + suffix] = {"unavailable": why}
        if base and wanted("dashboard"):
            results["dashboard"] = dashboards(base)
        if base and wanted("intake"):
            results["intake"] = intake(base, big, where, args)

    if wanted("tiles") and "unavailable" not in results.get("tiles_ours", {"unavailable": 1}):
        with ours_server(results, big, log_dir, env, "warm") as base:
            for z in ZOOMS if base else ():
                paths = tile_paths_ours(tiles[z])
                # The first loop fills every worker's cache (each gunicorn worker keeps its own
                # without Redis): every tile rendered once per worker at the cold rate, with a
                # margin; the second loop is measured.
                cold_rate = results["tiles_ours"].get(z, {}).get("cold", {}).get("per_s") or 10
                fill = len(paths) * WORKERS / cold_rate * 1.5
                load.wrk(base, paths, seconds=max(args.seconds, math.ceil(fill)), connections=c)
                warm = load.wrk(base, paths, seconds=args.seconds, connections=c)
                results["tiles_ours"][z]["warm"] = warm.as_dict()
                log(f"ours z{z}: warm {warm.per_s:.0f}/s p50 {warm.p50_ms:.1f} ms")
            # Items pages are kept in the same cache under the versions of their box: the same
            # page asked again (many residents looking at one neighbourhood) is served from it.
            for suffix, box in ITEM_BOXES(where).items() if base and wanted("items") else ():
                path = f"/ogc/collections/reports/items?bbox={bbox_param(box)}&limit=1000"
                r = load.wrk(base, [path], seconds=args.seconds, connections=c)
                results["items_ours_cached" + suffix] = r.as_dict()
                log(f"ours items{suffix}, cached: {r.per_s:.1f}/s p50 {r.p50_ms:.1f} ms")

    if wanted("tiles") or wanted("items"):
        for tuned in (False, True):
            name = "tipg_tuned" if tuned else "tipg_default"
            try:
                ctx = servers.tipg(big, args.tipg_venv, log_dir, tuned=tuned)
                base = ctx.__enter__()
            except Exception as exc:
                results[name] = {"unavailable": f"TiPg did not start: {exc}"}
                continue
            try:
                log(f"TiPg ({'tuned' if tuned else 'defaults'}) at {base}")
                results[name] = {}
                if wanted("tiles"):
                    http = load.Http(base, c)
                    for z in ZOOMS:
                        paths = tile_paths_tipg(tiles[z])
                        once = load.passes(http.get, paths, concurrency=c, repeat=COLD_REPEAT[z])
                        loop = load.wrk(base, paths, seconds=args.seconds, connections=c)
                        results[name][z] = {"cold": once.as_dict(), "warm": loop.as_dict()}
                        if not tuned:
                            fetch = fetcher(http, lambda t: tile_paths_tipg([t])[0])
                            found = truncation.check(big, tiles[z], {"tipg": fetch})
                            results.setdefault("truncation", {}).setdefault(z, found)["tipg"] = (
                                found["tipg"]
                            )
                        log(
                            f"{name} z{z}: {once.per_s:.1f}/s p50 {once.p50_ms:.0f} ms; "
                            f"loop {loop.per_s:.1f}/s"
                        )
                for suffix, box in ITEM_BOXES(where).items() if wanted("items") else ():
                    path = (
                        f"/collections/public.reports/items?bbox={bbox_param(box)}"
                        f"&limit=1000&properties={TIPG_PROPS}"
                    )
                    r = load.wrk(base, [path], seconds=args.seconds, connections=c)
                    results[name]["items" + suffix] = r.as_dict()
                    log(f"{name} items{suffix}: {r.per_s:.1f}/s p50 {r.p50_ms:.1f} ms")
            finally:
                ctx.__exit__(None, None, None)

    if wanted("tiles") or wanted("items"):
        log("raw SQL through psycopg")
        results["raw"] = {}
        ours_sql = same_content_sql(big)
        with rawsql.floor(big) as f:
            if wanted("tiles"):
                for z in ZOOMS:
                    entry: dict[str, Any] = {}
                    entry["points"] = rawsql.tile_pass(
                        f, rawsql.POINTS_MVT, tiles[z], c, COLD_REPEAT[z]
                    ).as_dict()
                    if ours_sql is not None:
                        sql_for, what = ours_sql
                        entry["same_as_ours"] = rawsql.tile_pass(
                            f, sql_for, tiles[z], c, COLD_REPEAT[z]
                        ).as_dict()
                        entry["same_as_ours"]["what"] = what
                    results["raw"][z] = entry
                    log(
                        f"raw z{z}: points {entry['points']['per_s']}/s"
                        + (
                            f", ours {entry['same_as_ours']['per_s']}/s"
                            if "same_as_ours" in entry
                            else ""
                        )
                    )
            for suffix, box in ITEM_BOXES(where).items() if wanted("items") else ():
                r = rawsql.items_loop(f, box, runs=200, concurrency=c)
                results["raw"]["items" + suffix] = r.as_dict()

    results["elapsed_s"] = round(time.perf_counter() - started)
    out = log_dir / "latest.json"
    out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    text = report.markdown(results)
    print("\n" + text)
    if not args.no_write and not only:
        report.write_section(args.docs, text)
        log("wrote the Scale section of docs/benchmarks.md")
    log(f"results in {out}")


def fetcher(
    http: load.Http, path: Callable[[tuple[int, int, int]], str]
) -> Callable[[tuple[int, int, int]], bytes]:
    def fetch(t: tuple[int, int, int]) -> bytes:
        resp = http.fetch(path(t))
        return resp.data if resp.status == 200 else b""

    return fetch


@contextmanager
def ours_server(
    results: dict[str, Any], db_url: str, log_dir: Path, env: dict[str, str], label: str
) -> Iterator[str | None]:
    """Our gunicorn; yields None (and records why) when it does not start."""
    try:
        ctx = servers.ours(db_url, log_dir, env)
        base = ctx.__enter__()
    except Exception as exc:
        results.setdefault("server_error", {})[label] = str(exc)
        log(f"our server ({label}) did not start: {exc}")
        yield None
        return
    log(f"our server (gunicorn, {label}) at {base}")
    try:
        yield base
    finally:
        ctx.__exit__(None, None, None)


def dashboards(base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, path in (
        ("coverage by community (/manager table)", "/api/v1/coverage?level=community"),
        ("coverage by grid", "/api/v1/coverage?level=grid"),
        ("outcomes by community", "/api/v1/outcomes?level=community"),
        ("outcomes by street", "/api/v1/outcomes?level=street"),
    ):
        ok, why = available(base, path)
        if not ok:
            out[name] = {"unavailable": why, "path": path}
            continue
        http = load.Http(base, 1)
        r = load.sequential(lambda path=path, http=http: http.get(path), runs=20)
        out[name] = {**r.as_dict(), "path": path}
        log(f"dashboard {path}: p50 {r.p50_ms:.0f} ms")
    return out


def intake(base: str, db_url: str, where: data.Places, args: argparse.Namespace) -> dict[str, Any]:
    marker = f"bench-intake-{int(time.time())}"
    engine = sa.create_engine(db_url)
    # Inside the communities, away from the edge of the served area.
    x0, y0, x1, y1 = where.extent
    box = (x0 + 0.01, y0 + 0.01, x1 - 0.01, y1 - 0.01)
    waits: Counter[str] = Counter()
    stop = threading.Event()

    def sample_waits() -> None:
        # What the app's backends wait on while the clients file reports (locks on summary
        # rows would say that concurrent reports queue behind each other).
        while not stop.is_set():
            with engine.connect() as conn:
                for (w,) in conn.execute(
                    sa.text(
                        "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity"
                        " WHERE application_name = 'gisapp' AND state = 'active'"
                        " AND datname = current_database()"
                    )
                ):
                    waits[w] += 1
            stop.wait(0.1)

    body = (where.categories, box, marker)
    # Warm-up first, as for warm tiles: each new worker connection compiles the triggers'
    # PL/pgSQL and each worker imports what filing needs; steady state is what is measured.
    load.wrk(
        base,
        ["/api/v1/reports"],
        seconds=3,
        connections=args.intake_connections,
        method="POST",
        headers={"Content-Type": "application/json"},
        report_body=body,
    )
    time.sleep(2)  # the warm-up's last requests are answered before its reports go
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE description LIKE :m"), {"m": marker + " %"})
    sampler = threading.Thread(target=sample_waits, daemon=True)
    sampler.start()
    r = load.wrk(
        base,
        ["/api/v1/reports"],
        seconds=args.seconds,
        connections=args.intake_connections,
        method="POST",
        headers={"Content-Type": "application/json"},
        report_body=body,
    )
    stop.set()
    sampler.join()
    time.sleep(1)
    with engine.begin() as conn:
        stored = int(
            conn.scalar(
                sa.text("SELECT count(*) FROM reports WHERE description LIKE :m"),
                {"m": marker + " %"},
            )
            or 0
        )
        # Keep the province at its size for the next --reuse run.
        conn.execute(sa.text("DELETE FROM reports WHERE description LIKE :m"), {"m": marker + " %"})
    engine.dispose()
    log(f"intake: {r.per_s:.0f}/s accepted {r.ok}, stored {stored}, refused {r.bad} {r.note}")
    total = sum(waits.values()) or 1
    top = {k: round(v / total, 3) for k, v in waits.most_common(6)}
    log(f"intake: backends were {top}")
    return {**r.as_dict(), "stored": stored, "connections": args.intake_connections, "waits": top}


if __name__ == "__main__":
    main()
