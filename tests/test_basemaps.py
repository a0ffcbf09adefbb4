"""Basemap choice (GISAPP_BASEMAP): OSM, Gaode with a GCJ-02 map, Tianditu with its key, none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from gisapp import create_app
from gisapp.db import get_db
from gisapp.errors import ConfigError
from gisapp.maps.assets import external_urls
from gisapp.maps.basemaps import csp_img_sources
from gisapp.settings import load_settings
from tests.conftest import make_settings


@pytest.fixture
def app_with(engine: sa.Engine) -> Iterator[object]:
    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        app = create_app(make_settings(**overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        get_db(app).engine.dispose()


def page(app: Flask, path: str = "/") -> str:
    resp = app.test_client().get(path)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_gaode_draws_the_map_in_gcj02(app_with) -> None:  # type: ignore[no-untyped-def]
    html = page(app_with(basemap="gaode"))
    assert "crs: L.CRS.GCJ02" in html
    assert "webrd0{s}.is.autonavi.com/appmaptile" in html
    # The CRS script is in the head, so it is there when the map is created further down.
    assert html.index("/static/js/crs-gcj02.js") < html.index("L.CRS.GCJ02")
    assert external_urls(html) == []


def test_tianditu_uses_the_key_and_no_shift(app_with) -> None:  # type: ignore[no-untyped-def]
    html = page(app_with(basemap="tianditu", tianditu_key="k&y"))
    assert "crs: L.CRS.EPSG3857" in html
    assert "crs-gcj02.js" not in html
    assert "tianditu.gov.cn/vec_w/wmts" in html and "tianditu.gov.cn/cva_w/wmts" in html
    assert "tk=k%26y" in html


def test_none_and_osm(app_with) -> None:  # type: ignore[no-untyped-def]
    assert "L.tileLayer" not in page(app_with(basemap="none"))
    html = page(app_with(basemap="osm", basemap_url="https://tiles.example/{z}/{x}/{y}.png"))
    assert "https://tiles.example/{z}/{x}/{y}.png" in html
    assert "crs: L.CRS.EPSG3857" in html


def test_bad_basemap_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISAPP_BASEMAP", "tianditu")
    monkeypatch.delenv("GISAPP_TIANDITU_KEY", raising=False)
    with pytest.raises(ConfigError, match="GISAPP_TIANDITU_KEY"):
        load_settings(_env_file=None)
    monkeypatch.setenv("GISAPP_BASEMAP", "google")
    with pytest.raises(ConfigError, match="GISAPP_BASEMAP"):
        load_settings(_env_file=None)


def test_csp_sources_cover_the_tile_hosts() -> None:
    assert csp_img_sources(make_settings(basemap="gaode")) == ["https://*.is.autonavi.com"]
    tianditu = make_settings(basemap="tianditu", tianditu_key="k")
    assert csp_img_sources(tianditu) == ["https://*.tianditu.gov.cn"]
    assert csp_img_sources(make_settings(basemap="none")) == []
    osm = make_settings(basemap="osm", basemap_url="https://{s}.tile.example/{z}/{x}/{y}.png")
    assert csp_img_sources(osm) == ["https://*.tile.example"]
