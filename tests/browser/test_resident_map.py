"""A resident opens the co-creation map in a real browser, on a network without internet."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from gisapp.settings import Settings

from .conftest import PHONE_LOCATION, PageLog

HOSTILE_TEXT = '<script>alert("xss")</script> 路灯不亮'


def open_map(page: Page, url: str) -> None:
    """Go to a map page and wait until the communities and the reports are drawn."""
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.wait_for_function(
        "() => CoMap.loaded['areas-community'] > 0 && CoMap.loaded['reports'] > 0"
    )


def loaded(page: Page) -> dict[str, int]:
    return page.evaluate("() => ({...CoMap.loaded})")


def tile_pattern(template: str) -> re.Pattern[str]:
    """``https://{s}.tile.example/{z}/{x}/{y}.png`` -> a regex matching the tiles it names."""
    placeholders = {"s": r"[a-z0-9-]+", "z": r"\d+", "x": r"\d+", "y": r"-?\d+", "r": "(@2x)?"}
    pattern = re.escape(template)
    for name, regex in placeholders.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), regex)
    return re.compile(pattern + r"(\?.*)?")


def test_the_map_draws_communities_and_reports_without_internet(
    page: Page, page_log: PageLog, live_server: str, settings: Settings
) -> None:
    open_map(page, live_server + "/")

    counts = loaded(page)
    # Drawn from vector tiles, on canvas: what is drawn is what the tiles in view carry.
    assert page.locator(".leaflet-overlay-pane canvas").count() > 0
    assert page.evaluate("() => CoMap.features('reports').length") == counts["reports"]

    expect(page.locator(".leaflet-control-layers")).to_be_visible()
    legend = page.locator(".comap-legend")
    expect(legend).to_be_visible()
    expect(legend.get_by_text("居民诉求", exact=True)).to_be_visible()
    expect(legend.get_by_text("道路破损", exact=True)).to_be_visible()

    page_log.assert_no_errors()
    if settings.basemap_url:
        tiles = tile_pattern(settings.basemap_url)
        assert [url for url in page_log.aborted if not tiles.fullmatch(url)] == []
    else:
        assert page_log.aborted == [], "the page tried to reach the internet"


def a_lone_report_marker(page: Page) -> dict[str, float]:
    """A report marker well inside the map (clear of the controls), with no other marker on it:
    its id and where it is on the map, in pixels."""
    marker = page.evaluate(
        """() => {
            const map = CoMap.map, size = map.getSize(), markers = [];
            CoMap.features('reports').forEach(f => markers.push({
                id: f.id, at: map.latLngToContainerPoint(f.latlng)}));
            const alone = m => markers.every(o => o === m || o.at.distanceTo(m.at) > 20);
            const inside = p => p.x > 100 && p.x < size.x - 300 && p.y > 150 && p.y < size.y - 100;
            const m = markers.find(m => inside(m.at) && alone(m));
            return m && {id: m.id, x: m.at.x, y: m.at.y};
        }"""
    )
    assert marker, "no report marker to click in the middle of the map"
    return marker


def category_of(engine: sa.Engine, report_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT c.name_zh FROM reports r JOIN categories c ON c.code = r.category"
                " WHERE r.id = :id"
            ),
            {"id": report_id},
        ).scalar_one()


def test_clicking_a_report_shows_its_category_and_a_link_to_it(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    open_map(page, live_server + "/")
    marker = a_lone_report_marker(page)

    page.locator(".folium-map").click(position={"x": marker["x"], "y": marker["y"]})

    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup.locator(".comap-popup-title")).to_have_text(category_of(engine, marker["id"]))
    expect(popup.get_by_role("link", name="详情")).to_have_attribute(
        "href", f"/reports/{marker['id']}"
    )
    page_log.assert_no_errors()


def test_reports_stay_on_top_when_the_communities_arrive_last(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    """Layers load in parallel; whichever answers last must not cover the report markers."""
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.fallback()  # later requests (the map may move meanwhile) go straight through
        else:
            held.append(route)

    page.route("**/tiles/areas-community/**", hold_the_first)
    page.goto(live_server + "/")
    page.wait_for_function("() => CoMap.loaded['reports'] > 0")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the map never asked for the communities"
    held[0].fallback()
    page.wait_for_function("() => CoMap.loaded['areas-community'] > 0")
    marker = a_lone_report_marker(page)

    page.locator(".folium-map").click(position={"x": marker["x"], "y": marker["y"]})

    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".comap-popup-title")).to_have_text(category_of(engine, marker["id"]))
    page_log.assert_no_errors()


def test_a_description_with_a_script_tag_is_shown_as_text(
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
    page.evaluate("r => { CoMap.map.setView([r.lat, r.lon], 17); }", dict(report))
    page.wait_for_function(
        "id => CoMap.features('reports').some(f => f.id === id)", arg=report["id"]
    )

    # Tiles still arriving may redraw the layer under a popup opened too early: ask again
    # until one stays open.
    page.wait_for_function(
        "id => { if (!document.querySelector('.leaflet-popup')) CoMap.openPopup('reports', id);"
        " return document.querySelector('.leaflet-popup') !== null; }",
        arg=report["id"],
        polling=250,
    )

    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    assert '<script>alert("xss")</script>' in popup.inner_text()
    assert popup.locator("script").count() == 0
    assert page_log.dialogs == [], "the description ran as script"
    page_log.assert_no_errors()


def test_english_map_names_layers_and_categories_in_english(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    open_map(page, live_server + "/?lang=en")

    layers = page.locator(".leaflet-control-layers")
    layers.hover()
    expect(layers.get_by_text("Communities", exact=True)).to_be_visible()
    legend = page.locator(".comap-legend")
    expect(legend.get_by_text("Road damage", exact=True)).to_be_visible()
    expect(legend.get_by_text("道路破损")).to_have_count(0)
    page_log.assert_no_errors()


def test_on_a_phone_the_map_fills_the_screen_and_finds_me(
    phone_page: Page, page_log: PageLog, live_server: str
) -> None:
    page = phone_page
    open_map(page, live_server + "/")

    box = page.locator(".folium-map").bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert box and header
    assert box["height"] > 600
    assert box["y"] == pytest.approx(header["y"] + header["height"], abs=1)
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    assert box["width"] == pytest.approx(390, abs=1)

    legend = page.locator("details.comap-legend")
    expect(legend).to_be_visible()
    assert legend.evaluate("details => details.open") is False, "the legend should start folded"

    locate = page.locator(".leaflet-control-locate a")
    expect(locate).to_be_visible()
    locate.tap()
    try:
        page.wait_for_function(
            """here => {
                const c = CoMap.map.getCenter();
                return Math.abs(c.lat - here.latitude) < 0.0005
                    && Math.abs(c.lng - here.longitude) < 0.0005;
            }""",
            arg=PHONE_LOCATION,
        )
    except PlaywrightTimeoutError:
        centre = page.evaluate("() => CoMap.map.getCenter()")
        pytest.fail(f"the map stayed at {centre}; page errors: {page_log.page_errors[:3]}")
    page_log.assert_no_errors()


def test_a_resident_signs_in_and_sees_their_name(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill("demo-resident")
    page.get_by_label("密码").fill("co-create-demo")
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(live_server + "/")
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    header = page.locator(".site-header")
    expect(header.get_by_text("示例居民")).to_be_visible()
    expect(header.get_by_role("button", name="退出登录")).to_be_visible()
    page_log.assert_no_errors()
