"""Vector tiles under other settings: a small feature cap, Redis as the cache, a layer with a
staff-only field."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import mapbox_vector_tile
import pytest
import sqlalchemy as sa
from flask import Flask

from gisapp import create_app
from gisapp.db import get_db
from gisapp.settings import Settings
from gisapp.standards.tiles.cache import RedisCache, make_cache
from tests.conftest import ROOT, AuthActions, make_settings
from tests.standards.test_tiles import LAT, LON, count_in_tile, tile_of, url

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def make_app(engine: sa.Engine) -> Iterator[object]:
    """``make_app(**settings)``: an app of its own over the committed sample (read-only)."""
    apps: list[Flask] = []

    def make(**overrides: object) -> Flask:
        app = create_app(make_settings(**overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        get_db(app).engine.dispose()


def test_an_over_full_tile_carries_clusters_and_says_so(make_app, engine: sa.Engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tile_max_features=20)
    zxy = tile_of(LON, LAT, 14)  # single reports at z14, some 260 of them here

    resp = app.test_client().get(url("reports", *zxy))

    assert resp.status_code == 200
    assert resp.headers["X-Tile-Aggregated"] == "cap"
    feats = mapbox_vector_tile.decode(resp.get_data())["reports"]["features"]
    assert len(feats) <= 20
    assert all(f["properties"]["agg"] == "cap" for f in feats)
    with engine.connect() as conn:
        from sqlalchemy.orm import Session

        expected = count_in_tile(Session(bind=conn), *zxy)
    assert sum(f["properties"]["count"] for f in feats) == expected > 20


def test_a_dense_z14_tile_is_drawn_from_its_kept_cells(make_app, engine: sa.Engine) -> None:  # type: ignore[no-untyped-def]
    # With a cap of 256 (a 16 x 16 grid fits it) the cells can answer: the tile's 8 x 8
    # level-17 cells (~300 m) become its clusters, counted without reading the reports.
    app = make_app(tile_max_features=256)
    zxy = tile_of(LON, LAT, 14)
    with engine.connect() as conn:
        from sqlalchemy.orm import Session

        expected = count_in_tile(Session(bind=conn), *zxy)
    if expected <= 256:
        pytest.skip(f"the sample tile holds only {expected} reports")

    resp = app.test_client().get(url("reports", *zxy))

    assert resp.status_code == 200
    assert resp.headers["X-Tile-Aggregated"] == "cap"
    feats = mapbox_vector_tile.decode(resp.get_data())["reports"]["features"]
    assert 0 < len(feats) <= 64
    assert all(f["properties"]["agg"] == "cap" for f in feats)
    assert sum(f["properties"]["count"] for f in feats) == expected


def test_a_tile_the_cells_show_within_the_cap_is_drawn_without_counting(  # type: ignore[no-untyped-def]
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisapp.standards.tiles import views

    used = []
    real = views._compiled_plain
    monkeypatch.setattr(views, "_compiled_plain", lambda *a: used.append(a) or real(*a))
    app = make_app()
    zxy = tile_of(LON, LAT, 15)

    resp = app.test_client().get(url("reports", *zxy))

    assert resp.status_code == 200 and "X-Tile-Aggregated" not in resp.headers
    assert len(used) == 1
    feats = mapbox_vector_tile.decode(resp.get_data())["reports"]["features"]
    assert feats and all("agg" not in f["properties"] for f in feats)


def test_tiles_are_kept_in_redis_when_it_is_configured(make_app) -> None:  # type: ignore[no-untyped-def]
    probe = RedisCache(REDIS_URL)
    probe.set("probe", b"x")
    if probe.get("probe") != b"x":
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = make_app(redis_url=REDIS_URL)
    cache = app.extensions["gisapp.tile_cache"]
    assert isinstance(cache, RedisCache)
    client = app.test_client()
    tile = url("reports", *tile_of(LON, LAT, 15))

    first = client.get(tile)
    key = next(k for k in cache._redis.scan_iter("gisapp:tile:reports:*"))
    second = client.get(tile)

    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert cache._redis.ttl(key) > 0
    cache._redis.delete(key)


def test_a_redis_that_is_down_costs_a_render_not_an_error() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0")
    cache.set("k", b"v")
    assert cache.get("k") is None


def test_without_redis_the_cache_is_in_process() -> None:
    settings: Settings = make_settings(redis_url="", tile_cache_mb=1)
    cache = make_cache(settings)
    assert not isinstance(cache, RedisCache)
    cache.set("k", b"v")
    assert cache.get("k") == b"v"


@pytest.fixture
def staff_layers(tmp_path: Path) -> Path:
    """The catalog with report descriptions shown to planners only."""
    layers = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", layers)
    path = layers / "reports.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - {name: description, label: {zh: 描述, en: Description}}"
    assert old in text
    path.write_text(text.replace(old, old[:-1] + ", roles: [planner]}"), encoding="utf-8")
    return layers


def test_staff_only_fields_reach_staff_only_and_never_a_shared_cache(
    make_app, staff_layers: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(layers_dir=staff_layers)
    tile = url("reports", *tile_of(LON, LAT, 15))
    anonymous = app.test_client()
    public = anonymous.get(tile)
    public_props = mapbox_vector_tile.decode(public.get_data())["reports"]["features"][0]
    assert "description" not in public_props["properties"]
    assert public.headers["Cache-Control"].startswith("public")

    planner = app.test_client()
    AuthActions(planner).login("demo-planner")
    staff = planner.get(tile)

    staff_feats = mapbox_vector_tile.decode(staff.get_data())["reports"]["features"]
    assert all("description" in f["properties"] for f in staff_feats)
    assert staff.headers["Cache-Control"].startswith("private")
    assert "Cookie" in staff.headers["Vary"]
    assert staff.headers["ETag"] != public.headers["ETag"]
    # The planner's ETag does not open the public tile's 304, nor the other way round.
    assert anonymous.get(tile, headers={"If-None-Match": staff.headers["ETag"]}).status_code == 200
