"""The database floor: the same content built by one SQL statement through psycopg, no HTTP.

Connections run serially (``jit=off``, ``max_parallel_workers_per_gather=0``), as our app's
and tuned TiPg's do, so the ratio "server time / raw SQL time" is what the web layer costs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from load import Result, passes

# Every report in the tile, the public fields only, nothing dropped: the content our tiles
# must carry at z >= 14 (and what TiPg would send if it did not cut at 10,000 features).
POINTS_MVT = """
WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env),
t AS (
  SELECT r.id, r.category, r.status,
         ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.env, 4096, 64, true) AS geom
  FROM reports r, b
  WHERE r.geom && ST_Transform(b.env, 4326)
)
SELECT ST_AsMVT(t, 'reports', 4096, 'geom') FROM t
"""

# Per-community counts as polygons: the aggregate content a low-zoom tile can carry.
AREAS_MVT = """
WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env),
c AS (
  SELECT community_id, count(*) AS n FROM reports
  WHERE geom && ST_Transform((SELECT env FROM b), 4326) GROUP BY community_id
),
t AS (
  SELECT a.id, c.n AS reports,
         ST_AsMVTGeom(ST_Transform(a.geom, 3857), b.env, 4096, 64, true) AS geom
  FROM c JOIN areas a ON a.id = c.community_id, b
)
SELECT ST_AsMVT(t, 'reports', 4096, 'geom') FROM t
"""

ITEMS_FC = """
SELECT json_build_object(
  'type', 'FeatureCollection',
  'numberReturned', count(*),
  'features', coalesce(json_agg(json_build_object(
     'type', 'Feature', 'id', id,
     'geometry', ST_AsGeoJSON(geom, 6)::json,
     'properties', json_build_object('category', category, 'status', status,
                                     'support_count', support_count, 'created_at', created_at)
  )), '[]'::json))::text
FROM (
  SELECT id, geom, category, status, support_count, created_at FROM reports
  WHERE geom && ST_MakeEnvelope(%(a)s, %(b)s, %(c)s, %(d)s, 4326)
  ORDER BY id LIMIT 1000
) page
"""


class Floor:
    """One serial connection per thread."""

    def __init__(self, dsn: str):
        self.dsn = dsn.replace("postgresql+psycopg://", "postgresql://")
        self.local = threading.local()
        self.all: list[psycopg.Connection] = []
        self.lock = threading.Lock()

    def conn(self) -> psycopg.Connection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = psycopg.connect(
                self.dsn,
                autocommit=True,
                options="-c jit=off -c max_parallel_workers_per_gather=0",
            )
            self.local.conn = c
            with self.lock:
                self.all.append(c)
        return c

    def run(self, sql: str, params: dict[str, object]) -> tuple[int, int]:
        row = self.conn().execute(sql, params).fetchone()
        value = row[0] if row else None
        return 200, len(value) if value is not None else 0

    def close(self) -> None:
        for c in self.all:
            c.close()


@contextmanager
def floor(dsn: str) -> Iterator[Floor]:
    f = Floor(dsn)
    try:
        yield f
    finally:
        f.close()


def tile_pass(
    f: Floor,
    sql: str | Callable[[int, int, int], str],
    tiles: Sequence[tuple[int, int, int]],
    concurrency: int,
    repeat: int = 1,
) -> Result:
    """Each tile once (``repeat`` times). ``sql`` is a template with %(z)s %(x)s %(y)s, or a
    function giving each tile's literal SQL (built before the clock starts)."""
    keys = [f"{z}/{x}/{y}" for z, x, y in tiles]
    literal = {k: sql(*t) for k, t in zip(keys, tiles, strict=True)} if callable(sql) else None

    def work(key: str) -> tuple[int, int]:
        if literal is not None:
            return f.run(literal[key], {})
        z, x, y = (int(v) for v in key.split("/"))
        return f.run(str(sql), {"z": z, "x": x, "y": y})

    return passes(work, keys, concurrency=concurrency, repeat=repeat)


def items_loop(
    f: Floor, bbox: tuple[float, float, float, float], runs: int, concurrency: int
) -> Result:
    params = dict(zip("abcd", bbox, strict=True))
    work: Callable[[str], tuple[int, int]] = lambda _key: f.run(ITEMS_FC, params)  # noqa: E731
    for _ in range(3):
        work("")
    return passes(work, [str(i) for i in range(runs)], concurrency=concurrency)
