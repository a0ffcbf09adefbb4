"""The map's layers come as vector tiles: a resident clicks a tile-drawn report and a cluster,
and the shapes under the reports still answer their clicks."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from .conftest import PageLog
from .test_resident_map import HOSTILE_TEXT, open_map


def click_at(page: Page, latlng: dict[str, float]) -> None:
    """A real mouse click where the map draws ``latlng``."""
    x, y = page.evaluate(
        """ll => {
            const p = CoMap.map.latLngToContainerPoint(ll);
            const r = CoMap.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        latlng,
    )
    page.mouse.click(x, y)


def drawn(page: Page, layer: str) -> list[dict[str, Any]]:
    return list(page.evaluate("id => CoMap.features(id)", layer))


def test_clicking_a_tile_drawn_report_shows_its_escaped_popup(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        report = (
            conn.execute(
                sa.text(
                    "SELECT id, ST_Y(geom) AS lat, ST_X(geom) AS lon FROM reports"
                    " WHERE description = :text"
                ),
                {"text": HOSTILE_TEXT},
            )
            .mappings()
            .one()
        )
    open_map(page, live_server + "/")
    page.evaluate("r => { CoMap.map.setView([r.lat, r.lon], 18, {animate: false}); }", dict(report))
    page.wait_for_function(
        "id => CoMap.features('reports').some(f => f.id === id)", arg=report["id"]
    )
    feature = next(f for f in drawn(page, "reports") if f["id"] == report["id"])
    # The tiles are canvases: nothing in the DOM but pixels.
    assert page.locator(".comap-reports path").count() == 0

    click_at(page, feature["latlng"])

    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    assert '<script>alert("xss")</script>' in popup.inner_text()
    assert popup.locator("script").count() == 0
    expect(popup.get_by_role("link", name="详情")).to_have_attribute(
        "href", f"/reports/{report['id']}"
    )
    assert page_log.dialogs == [], "the description ran as script"
    page_log.assert_no_errors()


def test_a_cluster_at_low_zoom_shows_its_counts_and_zooms_in(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
    open_map(page, live_server + "/")
    page.evaluate("() => { CoMap.map.setZoom(14, {animate: false}); }")
    page.wait_for_function(
        "() => CoMap.map.getZoom() === 14 && CoMap.features('reports').length > 0"
        " && CoMap.features('reports').every(f => f.properties.count > 0)"
    )
    clusters = drawn(page, "reports")
    # Every report is in exactly one cluster (the sample fits in the tiles on screen).
    assert sum(c["properties"]["count"] for c in clusters) == total
    # The biggest cluster whose centre no other cluster's circle covers (circles grow with
    # the count, as comap.js draws them, and may overlap).
    at = page.evaluate("cs => cs.map(c => CoMap.map.latLngToContainerPoint(c.latlng))", clusters)

    def radius(cluster: dict[str, Any]) -> float:
        return min(24, 8 + 3 * math.log2(cluster["properties"]["count"])) + 2

    lone = [
        c
        for c, p in zip(clusters, at, strict=True)
        if all(
            q is p or math.dist((p["x"], p["y"]), (q["x"], q["y"])) > radius(o)
            for o, q in zip(clusters, at, strict=True)
        )
    ]
    biggest = max(lone, key=lambda c: c["properties"]["count"])

    click_at(page, biggest["latlng"])

    popup = page.locator(".leaflet-popup")
    expect(popup.locator(".comap-popup-title")).to_contain_text(
        f"{biggest['properties']['count']:,}"
    )
    expect(popup.locator("dt").first).to_be_visible()
    assert popup.locator("dd").count() >= 1
    popup.locator("button.comap-popup-zoom").click()
    page.wait_for_function("() => CoMap.map.getZoom() >= 15")
    page.wait_for_function("() => CoMap.features('reports').some(f => f.id !== undefined)")
    page_log.assert_no_errors()


def test_a_community_under_the_reports_still_opens_its_popup(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        # A spot inside a community, far (> 60 m) from every report.
        spot = (
            conn.execute(
                sa.text(
                    "SELECT a.name_zh, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lng"
                    " FROM areas a, LATERAL (SELECT (ST_Dump(ST_GeneratePoints(a.geom, 200, 1))).geom) p"
                    " WHERE a.level = 'community' AND NOT EXISTS (SELECT 1 FROM reports r"
                    "   WHERE ST_DWithin(r.geom::geography, p.geom::geography, 60))"
                    " ORDER BY a.id LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
    open_map(page, live_server + "/")
    page.evaluate("s => { CoMap.map.setView([s.lat, s.lng], 17, {animate: false}); }", dict(spot))
    page.wait_for_function("() => CoMap.features('areas-community').length > 0")
    page.wait_for_function("() => CoMap.features('reports').length > 0")

    click_at(page, {"lat": spot["lat"], "lng": spot["lng"]})

    expect(page.locator(".leaflet-popup .comap-popup-title")).to_have_text(spot["name_zh"])
    page_log.assert_no_errors()
