"""Vector tiles at /tiles/{layer}/{z}/{x}/{y}.pbf, decoded with mapbox-vector-tile."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import mapbox_vector_tile
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.api.layers import layer_properties
from gisapp.catalog import PRIVATE_COLUMNS
from gisapp.standards.tiles.cache import LruCache
from gisapp.standards.tiles.query import (
    cell_specs,
    cells_plan,
    tile_params,
    tile_statement,
    version_range,
)

# The middle of the sample street (Wuchang, Wuhan).
LON, LAT = 114.316, 30.554


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def url(layer: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


def features(resp: Any, layer: str) -> list[dict[str, Any]]:
    if resp.status_code == 204:
        return []
    assert resp.status_code == 200, resp.get_data(as_text=True)
    decoded = mapbox_vector_tile.decode(resp.get_data())
    assert set(decoded) <= {layer}
    return list(decoded.get(layer, {"features": []})["features"])


@pytest.fixture(autouse=True)
def fresh_cache(app: Flask) -> Iterator[LruCache]:
    """Each test gets an empty tile cache: tiles rendered inside a rolled-back test transaction
    must not outlive it (in production a reader never sees uncommitted versions)."""
    before = app.extensions["gisapp.tile_cache"]
    cache = app.extensions["gisapp.tile_cache"] = LruCache(16 * 1024 * 1024)
    yield cache
    app.extensions["gisapp.tile_cache"] = before


def count_in_tile(session: Session, z: int, x: int, y: int, where: str = "true") -> int:
    """Reports whose public position lies in the tile (the cluster counts must add up to it)."""
    return int(
        session.execute(
            sa.text(
                "WITH p AS (SELECT CASE WHEN category IN "
                " (SELECT code FROM categories WHERE sensitive)"
                " THEN ST_SnapToGrid(ST_Transform(geom, 3857), 100) ELSE ST_Transform(geom, 3857)"
                f" END AS g FROM reports WHERE {where}), e AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env)"
                " SELECT count(*) FROM p, e WHERE ST_X(g) >= ST_XMin(env) AND ST_X(g) < ST_XMax(env)"
                " AND ST_Y(g) > ST_YMin(env) AND ST_Y(g) <= ST_YMax(env)"
            ),
            {"z": z, "x": x, "y": y},
        ).scalar_one()
    )


def test_a_report_tile_carries_the_public_fields_and_nothing_private(
    client: FlaskClient, app: Flask
) -> None:
    resp = client.get(url("reports", *tile_of(LON, LAT, 15)))

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.mapbox-vector-tile"
    feats = features(resp, "reports")
    assert feats
    public = set(layer_properties(app.extensions["gisapp.catalog"]["reports"], "anonymous"))
    for feature in feats:
        keys = set(feature["properties"])
        assert keys <= public | {"id"}
        assert not keys & PRIVATE_COLUMNS
        assert "count" not in keys  # single reports at z15, not clusters
        assert feature["geometry"]["type"] == "Point"
    assert {"id", "category", "status", "description"} <= set(feats[0]["properties"])
    assert "X-Tile-Aggregated" not in resp.headers


def test_a_signed_in_resident_gets_the_same_public_tile(client: FlaskClient, auth: Any) -> None:
    tile = url("reports", *tile_of(LON, LAT, 15))
    anonymous = client.get(tile)
    auth.login("demo-resident")

    resident = client.get(tile)

    assert resident.get_data() == anonymous.get_data()
    assert resident.headers["ETag"] == anonymous.headers["ETag"]
    assert resident.headers["Cache-Control"].startswith("public")


def test_sensitive_reports_are_drawn_where_the_public_api_puts_them(
    client: FlaskClient, db_session: Session
) -> None:
    report_id, z, x, y = db_session.execute(
        sa.text(
            "SELECT r.id, 16, t.x, t.y FROM reports r,"
            " LATERAL (SELECT floor((ST_X(ST_Transform(r.geom, 3857)) + 20037508.342789244)"
            "   / (40075016.68557849 / 65536))::int AS x,"
            "   floor((20037508.342789244 - ST_Y(ST_Transform(r.geom, 3857)))"
            "   / (40075016.68557849 / 65536))::int AS y) t"
            " WHERE r.category = 'public_safety' ORDER BY r.id LIMIT 1"
        )
    ).one()
    expected = db_session.execute(
        sa.text(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_AsMVTGeom(ST_SnapToGrid("
            " ST_Transform(geom, 3857), 100), ST_TileEnvelope(:z, :x, :y), 4096, 256, true) AS g"
            " FROM reports WHERE id = :id) s"
        ),
        {"z": z, "x": x, "y": y, "id": report_id},
    ).one()

    resp = client.get(url("reports", z, x, y))

    drawn = [f for f in features(resp, "reports") if f["properties"].get("id") == report_id]
    assert len(drawn) == 1 or expected[0] is None
    if drawn:
        # mapbox-vector-tile flips y to a y-up grid by default.
        px, py = drawn[0]["geometry"]["coordinates"]
        assert (px, 4096 - py) == (expected[0], expected[1])


@pytest.mark.parametrize("z", [10, 12, 13])
def test_below_zoom_14_reports_come_as_clusters_that_add_up(
    client: FlaskClient, db_session: Session, z: int
) -> None:
    zxy = tile_of(LON, LAT, z)

    resp = client.get(url("reports", *zxy))

    feats = features(resp, "reports")
    assert feats and resp.headers["X-Tile-Aggregated"] == "zoom"
    assert all(set(f["properties"]) <= {"count", "breakdown", "agg", "category"} for f in feats)
    assert all(f["properties"]["agg"] == "zoom" for f in feats)
    assert sum(f["properties"]["count"] for f in feats) == count_in_tile(db_session, *zxy)
    for f in feats:
        breakdown = json.loads(f["properties"]["breakdown"])
        assert sum(breakdown.values()) == f["properties"]["count"]
        # The cluster takes the colour of its most frequent category.
        assert f["properties"]["category"] == min(breakdown, key=lambda k: (-breakdown[k], k))
    assert len(feats) <= 256


def test_clusters_of_four_neighbouring_tiles_add_up_to_their_parent(
    client: FlaskClient,
) -> None:
    z, x, y = tile_of(LON, LAT, 12)
    parent = sum(
        f["properties"]["count"] for f in features(client.get(url("reports", z, x, y)), "reports")
    )
    children = 0
    for dx in (0, 1):
        for dy in (0, 1):
            tile = url("reports", z + 1, 2 * x + dx, 2 * y + dy)
            children += sum(f["properties"]["count"] for f in features(client.get(tile), "reports"))
    assert children == parent > 0


def test_facilities_cluster_by_type(client: FlaskClient) -> None:
    feats = features(client.get(url("facilities", *tile_of(LON, LAT, 12))), "facilities")
    assert feats
    assert all("type" in f["properties"] and "count" in f["properties"] for f in feats)


def test_areas_and_projects_are_drawn_as_shapes(client: FlaskClient) -> None:
    zxy = tile_of(LON, LAT, 14)
    communities = features(client.get(url("areas-community", *zxy)), "areas-community")
    assert communities
    assert {f["geometry"]["type"] for f in communities} <= {"Polygon", "MultiPolygon"}
    assert all("name_zh" in f["properties"] for f in communities)

    projects = features(client.get(url("projects", *tile_of(LON, LAT, 13))), "projects")
    kinds = {f["geometry"]["type"] for f in projects}
    assert {"Point", "LineString", "Polygon"} <= kinds
    # Line footprints are marked so the map strokes them instead of filling them.
    for f in projects:
        assert ("line" in f["properties"]) == (f["geometry"]["type"] == "LineString")


def test_a_layer_below_its_min_zoom_is_an_empty_tile(client: FlaskClient) -> None:
    resp = client.get(url("areas-building", *tile_of(LON, LAT, 15)))
    assert resp.status_code == 204
    assert resp.get_data() == b""
    assert resp.headers["ETag"]

    assert features(client.get(url("areas-building", *tile_of(LON, LAT, 17))), "areas-building")


def test_a_tile_with_no_data_is_204(client: FlaskClient) -> None:
    resp = client.get(url("reports", *tile_of(-150.0, 10.0, 15)))
    assert resp.status_code == 204


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/tiles/reports/a/1/1.pbf", 400, "z"),
        ("/tiles/reports/3/-1/1.pbf", 400, "x"),
        ("/tiles/reports/3/1/1e3.pbf", 400, "y"),
        ("/tiles/reports/3/8/0.pbf", 404, "x"),
        ("/tiles/reports/3/0/8.pbf", 404, "y"),
        ("/tiles/reports/23/0/0.pbf", 404, "z"),
        ("/tiles/nope/3/0/0.pbf", 404, "layer"),
        ("/tiles/%3Cscript%3E/3/0/0.pbf", 404, "layer"),
    ],
)
def test_bad_tiles_are_json_errors(client: FlaskClient, path: str, status: int, field: str) -> None:
    resp = client.get(path)
    assert resp.status_code == status
    body = resp.get_json()
    assert body["error"]["field"] == field
    assert "<script>" not in resp.get_data(as_text=True)


def test_etag_and_304(client: FlaskClient, app: Flask) -> None:
    tile = url("reports", *tile_of(LON, LAT, 15))
    first = client.get(tile)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    max_age = app.extensions["gisapp.settings"].tile_max_age_seconds
    assert first.headers["Cache-Control"] == f"public, max-age={max_age}, must-revalidate"

    again = client.get(tile, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag

    other = client.get(tile, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.get_data() == first.get_data()


def test_versions_are_remembered_briefly_unless_the_client_revalidates(
    client: FlaskClient, app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisapp.standards.tiles import views

    settings = app.extensions["gisapp.settings"].model_copy(update={"tile_version_seconds": 60})
    monkeypatch.setitem(app.extensions, "gisapp.settings", settings)
    monkeypatch.setattr(views, "_VERSIONS", {})
    tile = url("reports", *tile_of(LON, LAT, 15))
    first = client.get(tile)
    before = first.headers["ETag"]
    db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom, created_at, updated_at)"
            " VALUES ('waste', 'memo', 'submitted', ST_SetSRID(ST_MakePoint(:x, :y), 4326),"
            " now(), now())"
        ),
        {"x": LON, "y": LAT},
    )
    # Within the memo's time the version is not read again ...
    assert client.get(tile).headers["ETag"] == before
    # ... but a map that refreshes after a write revalidates, and sees the new report at once.
    fresh = client.get(tile, headers={"Cache-Control": "no-cache"})
    assert fresh.headers["ETag"] != before
    assert len(features(fresh, "reports")) == len(features(first, "reports")) + 1
    # HTTP/1.0's way of asking the same.
    db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom, created_at, updated_at)"
            " VALUES ('waste', 'memo 2', 'submitted', ST_SetSRID(ST_MakePoint(:x, :y), 4326),"
            " now(), now())"
        ),
        {"x": LON, "y": LAT},
    )
    pragma = client.get(tile, headers={"Pragma": "no-cache"})
    assert len(features(pragma, "reports")) == len(features(fresh, "reports")) + 1


def test_a_second_request_is_served_from_the_cache(
    client: FlaskClient, fresh_cache: LruCache
) -> None:
    tile = url("reports", *tile_of(LON, LAT, 15))
    first = client.get(tile)
    assert len(fresh_cache) == 1
    second = client.get(tile)
    assert second.get_data() == first.get_data()
    assert len(fresh_cache) == 1


def test_a_new_report_changes_only_the_tiles_under_it(
    client: FlaskClient, db_session: Session
) -> None:
    here = tile_of(LON, LAT, 15)
    parent = tile_of(LON, LAT, 12)
    low = tile_of(LON, LAT, 5)
    # Elsewhere in Hubei (Yichang): another z10 tile, with data of its own.
    far_lon, far_lat = 111.29, 30.70
    db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom) VALUES"
            " ('waste', 'far away', 'submitted', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
        ),
        {"lon": far_lon, "lat": far_lat},
    )
    far = tile_of(far_lon, far_lat, 15)
    before = {t: client.get(url("reports", *t)) for t in (here, parent, low, far)}
    assert all(r.status_code in (200, 204) for r in before.values())
    clusters_before = sum(f["properties"]["count"] for f in features(before[parent], "reports"))

    new_id = db_session.execute(
        sa.text(
            "INSERT INTO reports (category, description, status, geom) VALUES"
            " ('waste', '新的诉求', 'submitted', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            " RETURNING id"
        ),
        {"lon": LON, "lat": LAT},
    ).scalar_one()

    after = {t: client.get(url("reports", *t)) for t in (here, parent, low, far)}
    for t in (here, parent, low):
        assert after[t].headers["ETag"] != before[t].headers["ETag"], t
        assert (
            client.get(
                url("reports", *t), headers={"If-None-Match": before[t].headers["ETag"]}
            ).status_code
            == 200
        )
    assert after[far].headers["ETag"] == before[far].headers["ETag"]
    assert (
        client.get(
            url("reports", *far), headers={"If-None-Match": before[far].headers["ETag"]}
        ).status_code
        == 304
    )
    assert new_id in {f["properties"].get("id") for f in features(after[here], "reports")}
    clusters_after = sum(f["properties"]["count"] for f in features(after[parent], "reports"))
    assert clusters_after == clusters_before + 1


def test_updates_and_deletes_change_the_tile_too(client: FlaskClient, db_session: Session) -> None:
    tile = url("reports", *tile_of(LON, LAT, 15))
    shown = features(client.get(tile), "reports")
    target = shown[0]["properties"]["id"]
    etag = client.get(tile).headers["ETag"]

    db_session.execute(
        sa.text("UPDATE reports SET status = 'resolved' WHERE id = :id"), {"id": target}
    )
    updated = client.get(tile)
    assert updated.headers["ETag"] != etag
    status = {
        f["properties"]["id"]: f["properties"]["status"] for f in features(updated, "reports")
    }
    assert status[target] == "resolved"

    db_session.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": target})
    deleted = client.get(tile)
    assert deleted.headers["ETag"] not in (etag, updated.headers["ETag"])
    assert target not in {f["properties"]["id"] for f in features(deleted, "reports")}


def test_version_ranges() -> None:
    assert version_range(14, 13395, 6728) == (837, 837, 420, 420)
    assert version_range(10, 837, 420) == (837, 837, 420, 420)
    # z9: its two z10 columns and rows, plus one neighbour each side for the buffer.
    assert version_range(9, 418, 210) == (835, 838, 419, 422)
    assert version_range(0, 0, 0) == (0, 1023, 0, 1023)


def test_the_lru_cache_keeps_to_its_byte_budget() -> None:
    cache = LruCache(100)
    cache.set("a", b"x" * 40)
    cache.set("b", b"y" * 40)
    assert cache.get("a") == b"x" * 40  # now the most recent
    cache.set("c", b"z" * 40)
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    cache.set("huge", b"h" * 1000)
    assert cache.get("huge") is None
    assert cache.size <= 100


@pytest.mark.parametrize("z", [8, 10, 11, 12, 13])
def test_clusters_from_the_kept_cells_match_counting_the_reports(
    client: FlaskClient, app: Flask, db_session: Session, z: int
) -> None:
    spec = app.extensions["gisapp.catalog"]["reports"]
    properties = tuple(layer_properties(spec, "anonymous"))
    zxy = tile_of(LON, LAT, z)
    settings = app.extensions["gisapp.settings"]
    cells = cell_specs(db_session)
    assert cells_plan(spec, properties, *zxy, cells, cap=5000, rounding_m=100) is not None

    served = features(client.get(url("reports", *zxy)), "reports")
    counted, _agg = db_session.execute(
        tile_statement(spec, properties),
        tile_params(spec, *zxy, cap=settings.tile_max_features, rounding_m=100),
    ).one()
    direct = mapbox_vector_tile.decode(bytes(counted))["reports"]["features"]

    def summary(feats: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
        return sorted(
            (f["properties"]["count"], f["properties"]["breakdown"], f["properties"]["category"])
            for f in feats
        )

    assert summary(served) == summary(direct)
    assert sum(f["properties"]["count"] for f in served) == count_in_tile(db_session, *zxy)


def test_hidden_and_moved_reports_leave_their_clusters(
    client: FlaskClient, db_session: Session
) -> None:
    zxy = tile_of(LON, LAT, 12)

    def total() -> int:
        return sum(
            f["properties"]["count"] for f in features(client.get(url("reports", *zxy)), "reports")
        )

    before = total()
    target = db_session.execute(sa.text("SELECT min(id) FROM reports")).scalar_one()
    db_session.execute(
        sa.text("UPDATE reports SET moderation = 'hidden' WHERE id = :id"), {"id": target}
    )
    assert total() == before - 1
    db_session.execute(
        sa.text(
            "UPDATE reports SET moderation = 'visible', geom = ST_SetSRID(ST_MakePoint(111.29, 30.70), 4326) WHERE id = :id"
        ),
        {"id": target},
    )
    assert total() == before - 1  # now in Yichang
    db_session.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": target})
    assert total() == before - 1


def test_the_kept_cells_add_up_to_the_tables(db_session: Session) -> None:
    for table, level in (("reports", 13), ("reports", 15), ("reports", 17), ("facilities", 13)):
        kept = db_session.execute(
            sa.text(
                "SELECT coalesce(sum(n), 0) FROM (SELECT * FROM tile_cells UNION ALL"
                " SELECT * FROM tile_cell_changes) c WHERE tbl = :t AND lvl = :l"
            ),
            {"t": table, "l": level},
        ).scalar_one()
        assert kept == db_session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_cells_counted_before_their_filter_column_existed_are_not_used(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    assert "reports" in cell_specs(db_session)
    db_session.execute(
        sa.text(
            "INSERT INTO tile_cells (tbl, lvl, cx, cy, k, f, n, sx, sy)"
            " VALUES ('reports', 13, 0, 0, 'waste', '', 1, 0, 0)"
        )
    )

    specs = cell_specs(db_session)

    assert "reports" not in specs and "facilities" in specs
    assert "gisapp_tile_cells_rebuild('reports')" in caplog.text
    db_session.execute(sa.text("SELECT gisapp_tile_cells_rebuild('reports')"))
    assert "reports" in cell_specs(db_session)
