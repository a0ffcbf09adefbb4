"""``GET /tiles/{layer}/{z}/{x}/{y}.pbf``: a catalog layer as a Mapbox Vector Tile.

The caller's role picks the fields, as in ``/api/v1/layers`` (anonymous visitors get the public
ones). A tile is rendered by one PostGIS statement (``query.py``), kept in the tile cache under
its data version, and sent with a strong ETag and a short ``Cache-Control`` so browsers
revalidate with ``If-None-Match`` and get 304 while nothing under the tile changed. An empty
tile is ``204 No Content`` (VectorGrid draws nothing for it).
"""

from __future__ import annotations

import hashlib
import json
import time

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from gisapp.api.layers import layer_properties
from gisapp.auth.roles import role_of
from gisapp.catalog import Catalog, LayerSpec
from gisapp.db import PRIMARY_COOKIE, read_session
from gisapp.errors import BadRequest, GisAppError, NotFound
from gisapp.settings import Settings
from gisapp.standards.tiles.cache import TileCache
from gisapp.standards.tiles.fastpath import ENVIRON_KEY as FAST_TILE
from gisapp.standards.tiles.fastpath import revalidates
from gisapp.standards.tiles.query import (
    MAX_ZOOM,
    cell_count,
    cell_specs,
    cells_plan,
    gcj02_offset,
    tile_params,
    tile_statement,
    tile_version,
    version_range,
)

bp = Blueprint("tiles", __name__)

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
# Bump when the tile's content changes for the same data (SQL, properties): new keys, new ETags.
FORMAT = 1
# The first byte of a cached entry says how the tile was aggregated (header X-Tile-Aggregated).
_AGG = {b"-": None, b"z": "zoom", b"c": "cap"}


@bp.errorhandler(GisAppError)
def _json_error(exc: GisAppError) -> tuple[Response, int]:
    # Tile clients are programs: always the API's JSON error format, never an HTML page.
    return jsonify(exc.to_json()), exc.status


def _parse(z: str, x: str, y: str) -> tuple[int, int, int]:
    numbers = []
    for name, raw in (("z", z), ("x", x), ("y", y)):
        if not raw.isascii() or not raw.isdigit() or len(raw) > 8:
            raise BadRequest(_("%(name)s must be a whole number", name=name), field=name)
        numbers.append(int(raw))
    zoom, col, row = numbers
    if zoom > MAX_ZOOM:
        raise NotFound(_("no tiles beyond zoom %(max)d", max=MAX_ZOOM), field="z")
    if col >= 1 << zoom or row >= 1 << zoom:
        raise NotFound(
            _("no such tile at zoom %(z)d", z=zoom), field="x" if col >= 1 << zoom else "y"
        )
    return zoom, col, row


def _layer(layer_id: str, role: str) -> LayerSpec:
    catalog: Catalog = current_app.extensions["gisapp.catalog"]
    spec = catalog.get(layer_id)
    if spec is None or not spec.visible_to(role):
        # The name is not echoed back: error bodies never carry request text.
        raise NotFound(_("There is no such map layer."), field="layer")
    return spec


_COMPILED: dict[tuple[object, ...], tuple[str, sa.TextClause]] = {}


def _compiled(
    spec: LayerSpec, properties: tuple[str, ...], settings: Settings
) -> tuple[str, sa.TextClause]:
    """The layer's tile statement, and a digest of what besides the data decides the tile's
    bytes (layer file, fields, cap, rounding, format) for cache keys and ETags."""
    memo = (
        id(spec),
        spec.id,
        properties,
        settings.tile_max_features,
        settings.sensitive_rounding_m,
    )
    found = _COMPILED.get(memo)
    if found is None:
        shape = [FORMAT, spec.model_dump(mode="json"), properties, *memo[3:]]
        digest = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
        found = _COMPILED[memo] = (digest, tile_statement(spec, properties))
    return found


# Versions read in the last GISAPP_TILE_VERSION_SECONDS, per process: a map asks for dozens of
# tiles under the same z10 counters at once, and a busy map for the same tiles again and again.
_VERSIONS: dict[tuple[str, int, int, int, int], tuple[float, int]] = {}
_VERSIONS_MAX = 50_000


def _version(table: str, z: int, x: int, y: int, settings: Settings) -> tuple[int, float | None]:
    """The tile's data version, from the memo unless this client must see the latest: it asked
    to revalidate (the map refreshes its tiles that way after a write) or wrote just now; and
    until when (monotonic) the memo holds it, None when it was read afresh."""
    fresh = (
        settings.tile_version_seconds <= 0
        or revalidates(request.environ)
        or PRIMARY_COOKIE in request.cookies
    )
    if fresh:
        return tile_version(read_session(), table, z, x, y), None
    key = (table, *version_range(z, x, y))
    now = time.monotonic()
    hit = _VERSIONS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1], hit[0]
    version = tile_version(read_session(), table, z, x, y)
    if len(_VERSIONS) >= _VERSIONS_MAX:
        _VERSIONS.clear()
    _VERSIONS[key] = (now + settings.tile_version_seconds, version)
    return version, now + settings.tile_version_seconds


_PLAIN: dict[tuple[object, ...], sa.TextClause] = {}


def _compiled_plain(spec: LayerSpec, properties: tuple[str, ...]) -> sa.TextClause:
    memo = (id(spec), spec.id, properties)
    found = _PLAIN.get(memo)
    if found is None:
        found = _PLAIN[memo] = tile_statement(spec, properties, plain=True)
    return found


@bp.get("/tiles/<layer>/<z>/<x>/<y>.pbf")
def tile(layer: str, z: str, x: str, y: str) -> Response:
    zoom, col, row = _parse(z, x, y)
    # ?crs=gcj02: the tile as a map drawn on GCJ-02 tiles (the Gaode basemap) needs it.
    crs = request.args.get("crs", "")
    if crs not in ("", "gcj02"):
        raise BadRequest("crs may only be gcj02", field="crs")
    role = role_of(current_user)
    spec = _layer(layer, role)
    settings: Settings = current_app.extensions["gisapp.settings"]
    cache: TileCache = current_app.extensions["gisapp.tile_cache"]
    properties = tuple(layer_properties(spec, role))
    # Tiles that anyone would get alike may sit in shared caches; a role's own fields may not.
    public = spec.visible_to("anonymous") and properties == tuple(
        layer_properties(spec, "anonymous")
    )
    # The version is read before the tile: a tile rendered later is at least as new as its key.
    # A remembered version and a cached tile need no database session at all.
    version, holds_until = _version(spec.source.table, zoom, col, row, settings)
    shape, statement = _compiled(spec, properties, settings)
    key = f"{spec.id}:{shape}:{crs}:{zoom}/{col}/{row}:{version}"
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]

    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": (
            f"{'public' if public else 'private'}, "
            f"max-age={settings.tile_max_age_seconds}, must-revalidate"
        ),
        "Access-Control-Allow-Origin": "*" if public else "",
    }
    if not public:
        headers["Vary"] = "Cookie, Authorization"
    headers = {k: v for k, v in headers.items() if v}
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    if holds_until is not None and public and role == "anonymous":
        # The same request without a cookie gets this answer until then (fastpath.py).
        request.environ[FAST_TILE] = (holds_until, key)

    entry = cache.get(key)
    if entry is None:
        session = read_session()
        if zoom < spec.min_zoom:
            body, aggregated = b"", False
        else:
            params = tile_params(
                spec,
                zoom,
                col,
                row,
                cap=settings.tile_max_features,
                rounding_m=settings.sensitive_rounding_m,
                tz=settings.timezone,
            )
            cells = current_app.extensions.get("gisapp.tile_cells")
            if cells is None:
                cells = current_app.extensions["gisapp.tile_cells"] = cell_specs(session)
            plan = cells_plan(
                spec,
                properties,
                zoom,
                col,
                row,
                cells,
                cap=settings.tile_max_features,
                rounding_m=settings.sensitive_rounding_m,
            )
            if plan is None:
                n = cell_count(
                    session,
                    spec,
                    zoom,
                    col,
                    row,
                    cells,
                    rounding_m=settings.sensitive_rounding_m,
                )
                if n is not None and n <= settings.tile_max_features:
                    # The cells say the tile holds few features: draw them without counting.
                    plan = (_compiled_plain(spec, properties), params)
                elif n is not None:
                    plan = cells_plan(
                        spec,
                        properties,
                        zoom,
                        col,
                        row,
                        cells,
                        cap=settings.tile_max_features,
                        rounding_m=settings.sensitive_rounding_m,
                        dense=True,
                    )
            chosen = plan or (statement, params)
            if crs:
                dx, dy = gcj02_offset(zoom, col, row)
                chosen[1].update(dx=dx, dy=dy)
            data, aggregated = session.execute(*chosen).one()
            body = bytes(data or b"")
        clustered = spec.cluster_below is not None and zoom < spec.cluster_below
        flag = (b"z" if clustered else b"c") if aggregated else b"-"
        entry = flag + body
        cache.set(key, entry)
    body, how = entry[1:], _AGG[entry[:1]]
    if how:
        headers["X-Tile-Aggregated"] = how
    if not body:
        return Response(status=204, headers=headers)
    return Response(body, status=200, mimetype=MEDIA_TYPE, headers=headers)
