"""Vector tiles for a map on GCJ-02 basemap tiles (Gaode): ``?crs=gcj02`` moves the tile so
every feature lands at its GCJ-02 place while the data stay WGS 84."""

from __future__ import annotations

import math

from flask.testing import FlaskClient

from gisapp.geo.gcj02 import shift_at
from gisapp.standards.tiles.query import WEB_MERCATOR_WIDTH, gcj02_offset
from tests.standards.test_tiles import LAT, LON, features, tile_of, url


def _points(resp) -> dict[int, tuple[float, float]]:  # type: ignore[no-untyped-def]
    return {
        int(f["properties"]["id"]): tuple(f["geometry"]["coordinates"])  # type: ignore[misc]
        for f in features(resp, "reports")
        if f["geometry"]["type"] == "Point" and "id" in f["properties"]
    }


def test_the_offset_is_minus_the_gcj02_shift_in_web_mercator_metres() -> None:
    z, x, y = tile_of(LON, LAT, 14)
    dx, dy = gcj02_offset(z, x, y)
    dlon, _dlat = shift_at(LON, LAT)
    radius = WEB_MERCATOR_WIDTH / (2 * math.pi)
    # Near Wuhan GCJ-02 lies a few hundred metres east and south of WGS 84.
    assert abs(dx + radius * math.radians(dlon)) < 30
    assert -800 < dx < -100 and 100 < dy < 800
    # Outside China there is nothing to move.
    assert gcj02_offset(*tile_of(2.35, 48.85, 14)) == (0.0, 0.0)


def test_gcj02_tiles_move_every_feature_by_the_shift(client: FlaskClient) -> None:
    z, x, y = tile_of(LON, LAT, 14)
    plain = client.get(url("reports", z, x, y))
    moved = client.get(url("reports", z, x, y) + "?crs=gcj02")
    assert plain.headers["ETag"] != moved.headers["ETag"]
    before, after = _points(plain), _points(moved)
    common = set(before) & set(after)
    assert len(common) >= 5
    dx, dy = gcj02_offset(z, x, y)
    units = 4096 / (WEB_MERCATOR_WIDTH / (1 << z))
    for fid in common:
        (px, py), (gx, gy) = before[fid], after[fid]
        # The envelope moved by (dx, dy): the tile-local position moves the other way.
        assert abs((gx - px) + dx * units) <= 1.5
        assert abs((gy - py) + dy * units) <= 1.5


def test_unknown_crs_is_a_json_400(client: FlaskClient) -> None:
    z, x, y = tile_of(LON, LAT, 14)
    resp = client.get(url("reports", z, x, y) + "?crs=bd09")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["field"] == "crs"
