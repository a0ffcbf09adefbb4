"""Co-managing in a real browser: a manager reads coverage and drills from the street down to a
community's facilities on the map; a resident's phone scans a facility's QR label and files a
fault report, and the facility shows as out of service."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from .conftest import PageLog


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("co-create-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def wait_for_coverage(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.wait_for_function("() => CoMap.loaded['coverage'] > 0")


def click_area(page: Page, area_id: int) -> None:
    """Click inside the area's polygon on the map, away from any facility dot."""
    point = page.evaluate(
        """(id) => {
            const map = CoMap.map, r = map.getContainer().getBoundingClientRect();
            let target = null;
            CoMap.layers.coverage.eachLayer(l => { if (l.feature.id === id) target = l; });
            if (!target) return null;
            map.fitBounds(target.getBounds(), {animate: false, padding: [40, 40]});
            const dots = [];
            const status = CoMap.layers['facility-status'];
            if (status && map.hasLayer(status))
                status.eachLayer(d => dots.push(map.latLngToContainerPoint(d.getLatLng())));
            const b = target.getBounds(), size = map.getSize();
            for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
                const ll = L.latLng(b.getSouth() + (b.getNorth() - b.getSouth()) * i / 20,
                                    b.getWest() + (b.getEast() - b.getWest()) * j / 20);
                const p = map.latLngToContainerPoint(ll);
                if (p.x < 60 || p.y < 60 || p.x > size.x - 60 || p.y > size.y - 60) continue;
                if (dots.some(d => d.distanceTo(p) < 14)) continue;
                const hit = document.elementFromPoint(r.left + p.x, r.top + p.y);
                if (hit && hit.classList.contains('leaflet-interactive') && hit.closest('.leaflet-overlay-pane')
                    && target.getElement() === hit) return [r.left + p.x, r.top + p.y];
            }
            return null;
        }""",
        area_id,
    )
    assert point, f"no free spot inside area {area_id} on the map"
    page.mouse.click(*point)


def test_a_manager_drills_from_the_street_to_a_communitys_facilities(
    page: Page, page_log: PageLog, live_server: str, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        street_id, street_name = conn.execute(
            sa.text("SELECT id, name_zh FROM areas WHERE level = 'street' ORDER BY id LIMIT 1")
        ).one()
        community_id, community_name = conn.execute(
            sa.text(
                "SELECT id, name_zh FROM areas WHERE level = 'community' AND parent_id = :s "
                "ORDER BY id LIMIT 1"
            ),
            {"s": street_id},
        ).one()
        codes = set(
            conn.execute(
                sa.text(
                    "SELECT code FROM facilities WHERE community_id = :c AND status = 'active'"
                ),
                {"c": community_id},
            ).scalars()
        )
    sign_in(page, live_server, "demo-manager")
    page.goto(live_server + "/manager?level=street")
    wait_for_coverage(page)
    table = page.locator("#coverage-table")
    expect(table.get_by_role("link", name=street_name)).to_be_visible()
    expect(page.locator(".coverage-chart polyline")).to_be_visible()
    expect(page.locator(".comap-legend")).to_be_attached()

    # The street on the map: a click drills down to its communities.
    click_area(page, street_id)
    page.wait_for_url(re.compile(rf"/manager\?area={street_id}\b"))
    wait_for_coverage(page)
    assert page.evaluate("() => CoMap.loaded['coverage']") >= 2
    expect(page.locator("nav.crumbs")).to_contain_text(street_name)
    rows = page.locator("#coverage-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    shapes = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    assert shapes.count() >= page.evaluate("() => CoMap.loaded['coverage']")

    # A community on the map: its grids, and its facilities in the table.
    click_area(page, community_id)
    page.wait_for_url(re.compile(rf"/manager\?area={community_id}\b"))
    wait_for_coverage(page)
    expect(page.locator("h1")).to_contain_text(community_name)
    listed = set(page.locator("#facility-table tbody tr td:first-child a").all_inner_texts())
    assert listed == codes
    page.wait_for_function("() => CoMap.loaded['facility-status'] > 0")
    page.locator("#facility-table tbody tr td:first-child a").first.click()
    page.wait_for_url(re.compile(r"/facilities/\d+$"))
    expect(page.locator("h1")).to_contain_text("F-")
    page_log.assert_no_errors()
    assert page_log.aborted == [], "the page tried to reach the internet"


@pytest.fixture
def filed(engine: sa.Engine) -> Iterator[list[int]]:
    """Reports filed through the live server; removed again so the sample stays as it was."""
    ids: list[int] = []
    yield ids
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE id = ANY(:ids)"), {"ids": ids})


def test_a_phone_scans_a_label_and_reports_a_fault(
    new_page: Callable[..., Page],
    phone_page: Page,
    page_log: PageLog,
    live_server: str,
    engine: sa.Engine,
    filed: list[int],
) -> None:
    with engine.connect() as conn:
        facility_id, code = conn.execute(
            sa.text(
                "SELECT f.id, f.code FROM facilities f JOIN facility_facts ff ON ff.facility_id = f.id "
                "WHERE f.status = 'active' AND NOT ff.out_of_service AND f.type = 'bench' "
                "ORDER BY f.id LIMIT 1"
            )
        ).one()
    page = phone_page
    page.goto(f"{live_server}/f/{code}")  # what the label's QR code holds
    status = page.locator(".status-facility")
    expect(status).not_to_have_attribute("data-status", "out_of_service")
    form = page.locator("#report")
    expect(form).to_be_in_viewport()  # a scan opens the form, not a page to scroll through
    expect(page.locator("#fault-category")).to_have_value("facility_damage")
    page.locator("#fault-description").fill("座椅的木条断了，小心划伤")
    page.locator("#report button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/\d+$"))
    filed.append(int(page.url.rsplit("/", 1)[-1]))
    expect(page.locator(".report-description")).to_have_text("座椅的木条断了，小心划伤")

    page.goto(f"{live_server}/f/{code}")
    expect(page.locator(".status-facility")).to_have_attribute("data-status", "out_of_service")
    with engine.connect() as conn:
        linked = conn.execute(
            sa.text("SELECT facility_id FROM reports WHERE id = :id"), {"id": filed[0]}
        ).scalar()
    assert linked == facility_id
    page_log.assert_no_errors()
    assert page_log.aborted == []
