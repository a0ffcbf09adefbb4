"""Items pages kept in the tile cache under the data version of their box.

A map client, or many residents' browsers, ask for the same box of the same collection again
and again; while nothing under the box changed the page is the same. The key is the query
string and the version of the z10 tiles under the box (``tiles.query.bbox_version``: the same
counters the triggers bump for vector tiles), so a change under the box makes a new key and
the page is never served stale. Only tables the tile triggers count are cached, and only the
JSON features (the envelope's timestamp and links are written per request). The cache is the
tile cache (Redis when ``GISAPP_REDIS_URL`` is set, else per process; ``GISAPP_TILE_CACHE_MB=0``
turns both off).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from flask import current_app
from sqlalchemy.orm import Session

from gisapp.geo.features import FeaturePage
from gisapp.standards.ogc.collections import Collection
from gisapp.standards.ogc.params import ItemsQuery
from gisapp.standards.tiles.cache import TileCache
from gisapp.standards.tiles.query import bbox_version

# Tables whose changes bump tile versions (migration 0008's triggers).
VERSIONED = frozenset({"reports", "facilities", "projects", "areas"})
# Bump when the page's content changes for the same data and query.
FORMAT = 1


def cached_page(
    session: Session,
    c: Collection,
    query: ItemsQuery,
    args: Mapping[str, str],
    make: Callable[[], FeaturePage],
) -> FeaturePage:
    cache: TileCache | None = current_app.extensions.get("gisapp.tile_cache")
    if cache is None or c.table.name not in VERSIONED:
        return make()
    version = bbox_version(session, c.table.name, query.bbox)
    # f (the output format) picks the envelope, not the features.
    asked = sorted((k, v) for k, v in args.items() if k != "f")
    key = "ogc:" + hashlib.sha256(repr((FORMAT, c.id, asked, version)).encode()).hexdigest()
    entry = cache.get(key)
    if entry is not None:
        found, _, features = entry.partition(b"\n")
        returned, more, matched = found.decode().split(",")
        return FeaturePage(
            features.decode(), int(returned), more == "1", int(matched) if matched else None
        )
    page = make()
    head = f"{page.returned},{int(page.more)},{'' if page.matched is None else page.matched}\n"
    cache.set(key, head.encode() + page.features.encode())
    return page
