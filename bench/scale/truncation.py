"""Does a tile carry every report under it? Decode tiles and compare with the database.

A feature counts 1, or its ``count`` property when it stands for several (our clusters). The
database count is of the reports inside the tile proper; a tile may carry more (points in its
buffer), never fewer: fewer means features were dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mapbox_vector_tile
import sqlalchemy as sa

SHORT = 0.99
COUNT_IN_TILE = sa.text(
    "SELECT count(*) FROM reports WHERE geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)"
)


def carried(body: bytes) -> int:
    if not body:
        return 0
    total = 0
    for layer in mapbox_vector_tile.decode(body).values():
        for feature in layer["features"]:
            n = feature.get("properties", {}).get("count")
            total += int(n) if isinstance(n, int | float) else 1
    return total


def check(
    db_url: str,
    tiles: Sequence[tuple[int, int, int]],
    fetchers: dict[str, Callable[[tuple[int, int, int]], bytes]],
    sample: int = 24,
) -> dict[str, Any]:
    """Per server: tiles checked, tiles that carried fewer features than reports under them,
    and the worst ratio carried / in the tile."""
    engine = sa.create_engine(db_url)
    picked = list(tiles)[:sample]
    with engine.connect() as conn:
        under = {
            t: int(conn.scalar(COUNT_IN_TILE, dict(zip("zxy", t, strict=True))) or 0)
            for t in picked
        }
    engine.dispose()
    out: dict[str, Any] = {"tiles": len(picked), "reports_max": max(under.values(), default=0)}
    for name, fetch in fetchers.items():
        short, worst = 0, 1.0
        for t in picked:
            if not under[t]:
                continue
            ratio = carried(fetch(t)) / under[t]
            if ratio < SHORT:
                short += 1
            worst = min(worst, ratio)
        out[name] = {"short_tiles": short, "worst_ratio": round(worst, 4)}
    return out
