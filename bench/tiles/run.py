"""Vector tiles: our /tiles route against the raw SQL, on a database that already holds data.

    DATABASE_URL=postgresql://gisapp:...@127.0.0.1:5432/gisapp_bench \\
        .venv/bin/python bench/tiles/run.py [--layer reports] [--zooms 10,12,14,16] [--grid 3]

Fill the database first (``gisapp demo-data --communities 1000 --reports 1000000
--facilities 50000``). For each zoom, a ``grid`` x ``grid`` block of tiles around the middle of
the layer's data is fetched

- through the app (Flask test client: server time, no network or HTTP server) with an empty
  tile cache ("cold"), then again ("warm", from the cache), then with ``If-None-Match`` (304);
- as our tile statement alone through psycopg (``sql ours``: the same bytes, no Flask);
- as a plain ``ST_AsMVT`` of every feature in the same box with the same properties (``sql all``:
  what a server without aggregation sends, e.g. TiPg without its 10,000 cap), both after one
  untimed run so that neither pays for reading pages into the cache.

Prints a Markdown table of medians (ms) and tile sizes. JIT and parallel workers are turned
off for the session, as for the web role (shared/reference/anchor-bench.md). The full
benchmark against TiPg over HTTP is bench/scale.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gisapp import create_app  # noqa: E402
from gisapp.api.layers import layer_properties  # noqa: E402
from gisapp.db import get_db  # noqa: E402
from gisapp.settings import load_settings  # noqa: E402
from gisapp.standards.tiles.cache import LruCache  # noqa: E402
from gisapp.standards.tiles.query import (  # noqa: E402
    cell_specs,
    cells_plan,
    tile_params,
    tile_statement,
)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", default="reports")
    parser.add_argument("--zooms", default="10,12,14,16")
    parser.add_argument("--grid", type=int, default=3)
    args = parser.parse_args()

    settings = load_settings(redis_url="")
    app = create_app(settings)
    spec = app.extensions["gisapp.catalog"][args.layer]
    props = tuple(layer_properties(spec, "anonymous"))
    table = spec.source.table
    engine = get_db(app).engine
    with engine.connect() as conn:
        # table: the catalog's source table, one of four known names.
        middle = (
            f"SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c FROM {table}) s"  # noqa: S608
        )
        lon, lat = conn.execute(sa.text(middle)).one()
        total = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    print(f"{args.layer}: {total:,} rows in {table}; tiles around ({lon:.4f}, {lat:.4f})\n")
    print(
        "| z | tiles | app cold | app warm | 304 | sql ours | sql all | ours/all bytes | aggregated |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    client = app.test_client()
    for z in (int(v) for v in args.zooms.split(",")):
        cx, cy = tile_of(lon, lat, z)
        half = args.grid // 2
        tiles = [
            (z, cx + dx, cy + dy)
            for dx in range(-half, args.grid - half)
            for dy in range(-half, args.grid - half)
        ]
        app.extensions["gisapp.tile_cache"] = LruCache(512 * 1024 * 1024)
        cold, warm, revalidate, ours, plain = [], [], [], [], []
        size_ours, size_all, aggregated = [], [], 0
        etags = {}
        for t in tiles:
            start = time.perf_counter()
            resp = client.get(f"/tiles/{args.layer}/{t[0]}/{t[1]}/{t[2]}.pbf")
            cold.append(ms(start))
            etags[t] = resp.headers["ETag"]
            size_ours.append(len(resp.get_data()))
            aggregated += "X-Tile-Aggregated" in resp.headers
        for t in tiles:
            start = time.perf_counter()
            client.get(f"/tiles/{args.layer}/{t[0]}/{t[1]}/{t[2]}.pbf")
            warm.append(ms(start))
            start = time.perf_counter()
            client.get(
                f"/tiles/{args.layer}/{t[0]}/{t[1]}/{t[2]}.pbf",
                headers={"If-None-Match": etags[t]},
            )
            revalidate.append(ms(start))
        with engine.connect() as conn:
            conn.execute(sa.text("SET jit = off"))
            conn.execute(sa.text("SET max_parallel_workers_per_gather = 0"))
            cells = cell_specs(Session(bind=conn))
            cols = ", ".join(f'"{p}"' for p in props)
            every = sa.text(
                f"WITH b AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e), t AS ("  # noqa: S608
                f" SELECT id, {cols}, ST_AsMVTGeom(ST_Transform(geom, 3857), b.e, 4096, 256, true) AS g"
                # The same box as ours: the tile, its buffer and the rounding margin.
                f" FROM {table}, b WHERE geom && ST_Transform(ST_Expand(b.e, :margin), 4326))"
                " SELECT ST_AsMVT(t.*, 'layer', 4096, 'g') FROM t"
            )
            for t in tiles:
                plan = cells_plan(
                    spec,
                    props,
                    *t,
                    cells,
                    cap=settings.tile_max_features,
                    rounding_m=settings.sensitive_rounding_m,
                )
                statement = plan or (
                    tile_statement(spec, props),
                    tile_params(
                        spec,
                        *t,
                        cap=settings.tile_max_features,
                        rounding_m=settings.sensitive_rounding_m,
                    ),
                )
                margin = tile_params(spec, *t, cap=1, rounding_m=settings.sensitive_rounding_m)[
                    "margin"
                ]
                values = {"z": t[0], "x": t[1], "y": t[2], "margin": margin}
                # Both once untimed, so neither pays for reading the table into the cache.
                conn.execute(*statement).one()
                conn.execute(every, values).scalar()
                start = time.perf_counter()
                conn.execute(*statement).one()
                ours.append(ms(start))
                start = time.perf_counter()
                body = conn.execute(every, values).scalar()
                plain.append(ms(start))
                size_all.append(len(body or b""))
        med = statistics.median
        print(
            f"| {z} | {len(tiles)} | {med(cold):.1f} | {med(warm):.2f} | {med(revalidate):.2f} "
            f"| {med(ours):.1f} | {med(plain):.1f} | {med(size_ours):,.0f} / {med(size_all):,.0f} "
            f"| {aggregated}/{len(tiles)} |"
        )
    print(f"\n{os.cpu_count()} cores; medians in ms; cache: in-process LRU.")


if __name__ == "__main__":
    main()
