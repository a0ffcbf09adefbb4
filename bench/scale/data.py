"""The benchmark's databases and the places it asks about.

``gisapp_bench``: 1,000 communities, 1,000,000 reports, 50,000 facilities from
``gisapp demo-data`` (reused with ``--reuse`` when it already holds them);
``gisapp_bench_sample``: the sample street (``gisapp load-sample``), rebuilt every run, for
the page comparison. Both on the local cluster, owned by the role ``gisapp``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIG_DB = "gisapp_bench"
SAMPLE_DB = "gisapp_bench_sample"


def local_password() -> str:
    """The password scripts/serve or scripts/test generated into .env, else the env var."""
    env_file = ROOT / ".env"
    if env_file.exists():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            if line.startswith("GISAPP_DB_PASSWORD="):
                return line.split("=", 1)[1].strip()
    return os.environ.get("GISAPP_DB_PASSWORD", "gisapp")


def url(db: str, password: str) -> str:
    return f"postgresql+psycopg://gisapp:{password}@127.0.0.1:5432/{db}"


def _as_postgres(*args: str) -> None:
    runuser = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    subprocess.run([*runuser, *args], check=True, cwd="/")  # noqa: S603


def _gisapp(db_url: str, *args: str) -> None:
    # PYTHONPATH: the code next to this script, even when the venv's editable install points
    # elsewhere (a snapshot of the tree can be benchmarked while the tree keeps changing).
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-secret",
        "PYTHONPATH": str(ROOT),
    }
    exe = str(Path(sys.executable).parent / "gisapp")
    subprocess.run([exe, *args], env=env, check=True, cwd=ROOT)  # noqa: S603


def recreate(db: str) -> None:
    _as_postgres("dropdb", "--if-exists", db)
    _as_postgres("createdb", "-O", "gisapp", db)
    _as_postgres("psql", "-q", "-d", db, "-c", "CREATE EXTENSION postgis")


def counts(db_url: str) -> dict[str, int]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            has = conn.scalar(sa.text("SELECT to_regclass('public.reports') IS NOT NULL"))
            if not has:
                return {}
            return {
                name: int(conn.scalar(sa.text(f"SELECT count(*) FROM {name}")) or 0)  # noqa: S608
                for name in ("reports", "facilities")
            } | {
                "communities": int(
                    conn.scalar(sa.text("SELECT count(*) FROM areas WHERE level = 'community'"))
                    or 0
                )
            }
    except sa.exc.OperationalError:
        return {}
    finally:
        engine.dispose()


def prepare_big(
    password: str, communities: int, reports: int, facilities: int, reuse: bool
) -> tuple[str, float | None]:
    """The province database; returns its URL and the load time (None when reused)."""
    db_url = url(BIG_DB, password)
    have = counts(db_url) if reuse else {}
    if reuse and have.get("reports", 0) >= reports and have.get("communities", 0) >= communities:
        print(f"reusing {BIG_DB}: {have}", flush=True)
        _gisapp(db_url, "db", "upgrade")  # newer migrations (tile caches, summaries) apply
        return db_url, None
    print(
        f"loading {BIG_DB}: {communities} communities, {reports:,} reports, "
        f"{facilities:,} facilities",
        flush=True,
    )
    recreate(BIG_DB)
    _gisapp(db_url, "db", "upgrade")
    started = time.perf_counter()
    _gisapp(
        db_url,
        "demo-data",
        "--communities",
        str(communities),
        "--reports",
        str(reports),
        "--facilities",
        str(facilities),
    )
    load_s = time.perf_counter() - started
    _as_postgres("psql", "-q", "-d", BIG_DB, "-c", "VACUUM ANALYZE")
    return db_url, load_s


def prepare_sample(password: str) -> str:
    db_url = url(SAMPLE_DB, password)
    recreate(SAMPLE_DB)
    _gisapp(db_url, "db", "upgrade")
    _gisapp(db_url, "load-sample")
    return db_url


# --- where to look -------------------------------------------------------------------------


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


@dataclass(frozen=True)
class Places:
    extent: tuple[float, float, float, float]  # the reports' bounding box
    hotspot: tuple[float, float]  # centre of the densest community
    items_bbox: tuple[float, float, float, float]  # ~1 km x 1 km holding ~1,000 reports
    items_matched: int  # reports in that box
    dense_bbox: tuple[float, float, float, float]  # ~1 km x 1 km around the hot spot
    dense_matched: int
    categories: list[str]

    def tiles(self, z: int, side: int = 12) -> list[tuple[int, int, int]]:
        """``side`` x ``side`` tiles around the hot spot, or all tiles over the extent if fewer."""
        x0, y1 = lonlat_to_tile(self.extent[0], self.extent[1], z)
        x1, y0 = lonlat_to_tile(self.extent[2], self.extent[3], z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= side * side:
            return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        cx, cy = lonlat_to_tile(*self.hotspot, z)
        half = side // 2
        return [
            (z, x, y)
            for x in range(cx - half, cx - half + side)
            for y in range(cy - half, cy - half + side)
        ]


def _box(lon: float, lat: float) -> tuple[float, float, float, float]:
    """1.0 km x 1.0 km around a point: degrees of longitude shrink with the latitude's cosine."""
    dlat = 0.5 / 111.32
    dlon = 0.5 / (111.32 * math.cos(math.radians(lat)))
    return (round(lon - dlon, 5), round(lat - dlat, 5), round(lon + dlon, 5), round(lat + dlat, 5))


def _count(conn: sa.Connection, box: tuple[float, float, float, float]) -> int:
    return int(
        conn.scalar(
            sa.text(
                "SELECT count(*) FROM reports WHERE geom && ST_MakeEnvelope(:a, :b, :c, :d, 4326)"
            ),
            dict(zip("abcd", box, strict=True)),
        )
        or 0
    )


def places(db_url: str) -> Places:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        x0, y0, x1, y1 = conn.execute(
            sa.text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(geom) AS e FROM reports) s"
            )
        ).one()
        cid = conn.scalar(
            sa.text(
                "SELECT community_id FROM reports WHERE community_id IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        )
        lon, lat = conn.execute(
            sa.text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) AS c FROM areas WHERE id = :id) s"
            ),
            {"id": cid},
        ).one()
        dense = _box(lon, lat)
        # The workload: a ~1 km box holding about 1,000 reports. Of the 1 km boxes
        # around community centres, the one whose count is nearest.
        found = conn.execute(
            sa.text(
                "SELECT ST_X(c.p), ST_Y(c.p) FROM (SELECT ST_Centroid(geom) AS p FROM areas"
                " WHERE level = 'community') AS c"
                " ORDER BY abs((SELECT count(*) FROM reports r WHERE r.geom && ST_Expand(c.p,"
                " 0.5 / 111.32 / cos(radians(ST_Y(c.p))), 0.5 / 111.32)) - 1000), 1, 2 LIMIT 1"
            )
        ).one()
        box = _box(*found)
        matched, dense_matched = (_count(conn, b) for b in (box, dense))
        categories = list(
            conn.scalars(sa.text("SELECT code FROM categories WHERE active ORDER BY sort_order"))
        )
    engine.dispose()
    return Places((x0, y0, x1, y1), (lon, lat), box, matched, dense, dense_matched, categories)


def clear_tile_caches(db_url: str) -> list[str]:
    """Empty every table that caches tiles (whatever the tiles module named it); returns them."""
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        names = list(
            conn.scalars(
                sa.text(
                    "SELECT quote_ident(table_name) FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_name ILIKE '%tile%' "
                    "AND table_name ILIKE '%cache%' AND table_type = 'BASE TABLE'"
                )
            )
        )
        for name in names:
            conn.execute(sa.text(f"TRUNCATE {name}"))
    engine.dispose()
    return names
