"""GISAPP_BASEMAP=gaode: overlays drawn where the GCJ-02 tiles show them, clicks back in WGS 84.

The tiles themselves are unreachable here (no internet): the map must work without them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from gisapp import create_app
from gisapp.db import get_db
from gisapp.geo.gcj02 import wgs_to_gcj
from tests.conftest import make_settings
from tests.test_gcj02 import REFERENCE

from .conftest import PageLog

# A lane in the sample neighbourhood (WGS 84).
LON, LAT = 114.3150, 30.5505


@pytest.fixture(scope="module")
def gaode_server(engine: sa.Engine) -> Iterator[str]:
    app = create_app(make_settings(basemap="gaode"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    get_db(app).engine.dispose()


def open_map(page: Page, url: str) -> None:
    page.goto(url + "/", timeout=30_000)
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.evaluate(f"() => {{ CoMap.map.setView([{LAT}, {LON}], 16, {{animate: false}}); }}")


def test_browser_formula_matches_the_published_points(page: Page, gaode_server: str) -> None:
    open_map(page, gaode_server)
    for wlat, wlon, glat, glon in REFERENCE:
        got = page.evaluate(f"() => CoMapGCJ02.wgsToGcj({wlon}, {wlat})")
        assert got == pytest.approx([glon, glat], abs=1e-9)
        back = page.evaluate(f"() => CoMapGCJ02.gcjToWgs({glon}, {glat})")
        assert back == pytest.approx([wlon, wlat], abs=1e-6)


def test_overlay_drawn_at_the_gcj_pixel(page: Page, gaode_server: str, page_log: PageLog) -> None:
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "/tiles/" in r.url else None)
    open_map(page, gaode_server)
    glon, glat = wgs_to_gcj(LON, LAT)
    drawn, expected, unshifted = page.evaluate(
        f"""() => {{
            const m = CoMap.map;
            const marker = L.circleMarker([{LAT}, {LON}]).addTo(m);
            const origin = m.getPixelOrigin(), z = m.getZoom();
            const at = (lat, lon) => L.CRS.EPSG3857.latLngToPoint(L.latLng(lat, lon), z)
                .subtract(origin);
            const e = at({glat}, {glon}), u = at({LAT}, {LON});
            return [[marker._point.x, marker._point.y], [e.x, e.y], [u.x, u.y]];
        }}"""
    )
    assert drawn == pytest.approx(expected, abs=0.5)
    # The shift is real: at zoom 16 GCJ-02 moves Wuhan by well over 50 screen pixels.
    assert abs(drawn[0] - unshifted[0]) + abs(drawn[1] - unshifted[1]) > 50
    # Catalog layers still arrive (in WGS 84, shifted only when drawn) without any tiles.
    page.wait_for_function("() => Object.values(CoMap.loaded).some((n) => n > 0)")
    assert page_log.page_errors == []
    # Vector tiles are asked for moved to GCJ-02 too (the server shifts their envelope).
    assert tiles and all(u.endswith("?crs=gcj02") for u in tiles)
    # Tiles are the only thing the page wants from outside (aborted here, or refused by the
    # Content-Security-Policy where that does not list the tile host).
    assert all("is.autonavi.com/appmaptile" in url for url in page_log.aborted)
    assert all("autonavi.com" in msg for msg in page_log.console_errors)


def test_a_report_is_placed_in_wgs84(page: Page, gaode_server: str, page_log: PageLog) -> None:
    open_map(page, gaode_server)
    # Projecting and unprojecting (pixels unrounded) is exact up to floating point.
    back = page.evaluate(
        f"""() => {{
            const m = CoMap.map;
            const ll = m.unproject(m.project([{LAT}, {LON}], 16), 16);
            return [ll.lng, ll.lat];
        }}"""
    )
    assert back == pytest.approx([LON, LAT], abs=1e-7)
    page.click("#report-start")
    x, y, metres_per_px = page.evaluate(
        f"""() => {{
            const m = CoMap.map, p = m.latLngToContainerPoint([{LAT}, {LON}]);
            const box = m.getContainer().getBoundingClientRect();
            const a = m.containerPointToLatLng([p.x, p.y]), b = m.containerPointToLatLng([p.x + 1, p.y]);
            return [box.left + p.x, box.top + p.y, a.distanceTo(b)];
        }}"""
    )
    page.mouse.click(x, y)
    expect(page.locator("html")).to_have_attribute("data-report-draft", re.compile(".+"))
    draft = page.locator("html").get_attribute("data-report-draft") or ""
    lon, lat = (float(v) for v in draft.split(","))
    tolerance = 1.5 * metres_per_px / 111_000  # a click lands on a whole pixel
    assert lon == pytest.approx(LON, abs=tolerance)
    assert lat == pytest.approx(LAT, abs=tolerance)
    assert page_log.page_errors == []
