"""Vector tiles (Mapbox Vector Tile) of every catalog layer at ``/tiles/{layer}/{z}/{x}/{y}.pbf``.

- ``query.py`` + ``tiles.sql``: the one PostGIS statement per tile (features, or clusters with
  counts at low zoom and in over-full tiles) and the tile's data version;
- ``cache.py``: rendered tiles in Redis or an in-process LRU, keyed by data version;
- ``views.py``: the route, ETag / ``Cache-Control`` / 304;
- ``fastpath.py``: a cached public tile asked again, answered in front of Flask.

Migration 0008 keeps the versions: triggers bump a counter per table and z10 tile whenever rows
under it change.
"""

from __future__ import annotations

from flask import Flask

from gisapp.standards.tiles.cache import make_cache
from gisapp.standards.tiles.fastpath import FastTiles


def init_app(app: Flask) -> None:
    from gisapp.standards.tiles.views import bp

    app.extensions["gisapp.tile_cache"] = make_cache(app.extensions["gisapp.settings"])
    app.register_blueprint(bp)


def wrap_wsgi(app: Flask) -> None:
    """Put the tile fast path in front of everything else (call once the app is complete)."""
    fast = FastTiles(app.wsgi_app, app)
    app.extensions["gisapp.fast_tiles"] = fast
    app.wsgi_app = fast  # type: ignore[method-assign]
