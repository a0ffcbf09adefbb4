"""The public outcomes dashboard in a real browser: the map colours the communities, the figure
on the map can be changed, a click drills down to a community's grids, the CSV downloads, and
the page fits a phone."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from .conftest import PageLog


def wait_for_areas(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.wait_for_function("() => CoMap.loaded['outcomes'] > 0")


def click_area(page: Page, area_id: int) -> None:
    """Click inside the area's polygon on the map, where nothing else covers it."""
    point = page.evaluate(
        """(id) => {
            const map = CoMap.map, r = map.getContainer().getBoundingClientRect();
            let target = null;
            CoMap.layers.outcomes.eachLayer(l => { if (l.feature.id === id) target = l; });
            if (!target) return null;
            map.fitBounds(target.getBounds(), {animate: false, padding: [40, 40]});
            const b = target.getBounds(), size = map.getSize();
            for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
                const ll = L.latLng(b.getSouth() + (b.getNorth() - b.getSouth()) * i / 20,
                                    b.getWest() + (b.getEast() - b.getWest()) * j / 20);
                const p = map.latLngToContainerPoint(ll);
                if (p.x < 60 || p.y < 60 || p.x > size.x - 60 || p.y > size.y - 60) continue;
                const hit = document.elementFromPoint(r.left + p.x, r.top + p.y);
                if (hit && target.getElement() === hit) return [r.left + p.x, r.top + p.y];
            }
            return null;
        }""",
        area_id,
    )
    assert point, f"no free spot inside area {area_id} on the map"
    page.mouse.click(*point)


def test_the_public_reads_outcomes_and_drills_down(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        communities = conn.execute(
            sa.text("SELECT id, name_zh FROM areas WHERE level = 'community' ORDER BY code")
        ).all()
        grids = conn.execute(
            sa.text("SELECT count(*) FROM areas WHERE level = 'grid' AND parent_id = :c"),
            {"c": communities[0].id},
        ).scalar()
    page.goto(live_server + "/outcomes")
    wait_for_areas(page)
    assert page.evaluate("() => CoMap.loaded['outcomes']") == len(communities)
    rows = page.locator("#outcome-table tbody tr")
    expect(rows).to_have_count(len(communities))
    expect(page.locator("#chart-reports rect.bar-received").first).to_be_attached()
    expect(page.locator("#outcome-kpis [data-figure=received]")).not_to_have_text("0")
    legend = page.locator(".outcome-legend")
    expect(legend.locator(".comap-legend-title")).to_have_count(1)
    first_title = legend.locator(".comap-legend-title").inner_text()
    fills = page.evaluate(
        "() => { const s = new Set(); CoMap.layers.outcomes.eachLayer(l => s.add(l.options.fillColor)); return s.size; }"
    )
    assert fills >= 2, "the choropleth tells the communities apart"

    # Another figure on the map: the legend follows and the address keeps the choice.
    page.select_option("#outcome-metric", "median_days_to_resolve")
    expect(legend.locator(".comap-legend-title")).not_to_have_text(first_title)
    assert "metric=median_days_to_resolve" in page.url

    # A community on the map: its grids.
    click_area(page, communities[0].id)
    page.wait_for_url(re.compile(rf"/outcomes\?area={communities[0].id}\b"))
    wait_for_areas(page)
    expect(page.locator("nav.crumbs")).to_contain_text(communities[0].name_zh)
    expect(page.locator("h1")).to_contain_text(communities[0].name_zh)
    expect(page.locator("#outcome-table tbody tr")).to_have_count(grids)
    expect(page.locator("#outcome-metric")).to_have_value("median_days_to_resolve")

    # The table of areas as CSV.
    with page.expect_download() as info:
        page.locator("#outcome-csv").click()
    download = info.value
    assert re.match(r"outcomes-grid-\d+-\d{4}-\d{2}-\d{4}-\d{2}\.csv", download.suggested_filename)
    path = download.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == grids and {"received", "median_days_to_resolve"} <= set(table[0])
    page_log.assert_no_errors()
    assert page_log.aborted == [], "the page tried to reach the internet"


def test_outcomes_on_a_phone(phone_page: Page, page_log: PageLog, live_server: str) -> None:
    page = phone_page
    page.goto(live_server + "/outcomes?lang=en")
    wait_for_areas(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    expect(page.locator(".manager-map .folium-map")).to_be_visible()
    box = page.locator(".manager-map").bounding_box()
    assert box and box["width"] <= 390 and box["height"] >= 250
    expect(page.locator("#outcome-kpis")).to_be_visible()
    expect(page.locator("#outcome-metric")).to_be_visible()
    chart = page.locator("#chart-reports").bounding_box()
    assert chart and chart["width"] <= 390
    page_log.assert_no_errors()
    assert page_log.aborted == []
