"""The residents' story end to end, as people would do it on their phones and desks:
file a report by tapping the map, be offered the twin when filing a second one and support it
instead, a grid worker resolves it, the reporter rates it, and the page shows the timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from .conftest import PHONE, PageLog


@pytest.fixture
def created(engine: sa.Engine) -> Iterator[list[int]]:
    """Ids of reports the test files through the live server; removed afterwards so the
    committed sample stays as it was for the other tests."""
    ids: list[int] = []
    yield ids
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE id = ANY(:ids)"), {"ids": ids})
        conn.execute(sa.text("DELETE FROM follows WHERE report_id IS NULL AND area_id IS NULL"))


@pytest.fixture
def spot(engine: sa.Engine) -> tuple[float, float]:
    """A point inside a grid of the demo grid worker's community, clear of sample reports."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("""
            SELECT ST_X(p), ST_Y(p) FROM (
              SELECT ST_PointOnSurface(a.geom) AS p FROM areas a
              JOIN user_areas ua ON ua.area_id = a.parent_id
              JOIN users u ON u.id = ua.user_id AND u.username = 'demo-grid'
              WHERE a.level = 'grid' ORDER BY a.id LIMIT 1) s
        """)
        ).one()
    return float(row[0]), float(row[1])


def login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("co-create-demo")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")


def tap_map_at(page: Page, lon: float, lat: float) -> None:
    """Centre the map on the place (as a resident pans there), then tap it."""
    page.evaluate(
        "([lat, lon]) => { CoMap.map.setView([lat, lon], 18, {animate: false}); }", [lat, lon]
    )
    x, y = page.evaluate(
        """([lat, lon]) => {
            const p = CoMap.map.latLngToContainerPoint([lat, lon]);
            const r = CoMap.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(x, y)


def start_report(page: Page, lon: float, lat: float) -> None:
    page.get_by_role("button", name="＋ 报告问题").click()
    expect(page.locator("#report-hint")).to_have_text("请在地图上点击问题所在位置。")
    tap_map_at(page, lon, lat)
    expect(page.locator("#report-hint")).to_have_text("已标记位置，再次点击地图可调整。")
    page.get_by_label("类别").select_option("waste")


def test_file_support_resolve_rate(
    new_page: Callable[..., Page],
    page_log: PageLog,
    live_server: str,
    spot: tuple[float, float],
    created: list[int],
    engine: sa.Engine,
) -> None:
    lon, lat = spot
    # 1. A resident, signed in on her phone, files a report by tapping the map.
    resident = new_page(**PHONE)
    login(resident, live_server, "demo-resident")
    resident.wait_for_function("() => CoMap.loaded['reports'] > 0")
    start_report(resident, lon, lat)
    resident.get_by_label("问题描述").fill("垃圾桶满了三天没人清运 <b>急</b>")
    resident.get_by_role("button", name="提交诉求").click()
    done = resident.locator("#report-done")
    expect(done).to_contain_text("感谢！您的诉求已提交。")
    first_id = int(resident.locator("#report-done-link").inner_text().split("#")[1])
    created.append(first_id)
    # The pin is there: the map fetched the tiles under it again.
    resident.wait_for_function(
        "id => CoMap.features('reports').some(f => f.id === id)", arg=first_id
    )

    # 2. A neighbour (anonymous, another phone) starts a report 20 m away and is offered the
    #    twin; she supports it instead of filing a second report.
    neighbour = new_page(**PHONE)
    neighbour.goto(live_server + "/")
    expect(neighbour.locator("html")).to_have_attribute("data-map-ready", "true")
    start_report(neighbour, lon + 0.0002, lat)
    twins = neighbour.locator("#report-twins")
    expect(twins).to_be_visible()
    twin = twins.locator("li").filter(has_text="垃圾桶满了三天没人清运")
    expect(twin).to_contain_text("距此")
    twin.get_by_role("button", name="我也遇到了（附议）").click()
    expect(neighbour.locator("#report-done")).to_contain_text("感谢附议！")
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT support_count FROM reports WHERE id = :i"), {"i": first_id}
            ).scalar()
            == 1
        )
        newest = conn.execute(sa.text("SELECT max(id) FROM reports")).scalar()
    assert newest == first_id, "supporting must not file a second report"

    # 3. The grid worker of that community accepts and resolves it from the report page.
    worker = new_page()
    login(worker, live_server, "demo-grid")
    worker.goto(f"{live_server}/reports/{first_id}")
    for status, note in (("accepted", "已受理"), ("resolved", "已清运完毕")):
        worker.get_by_label("新状态").select_option(status)
        worker.get_by_label("给居民的说明（驳回时必填）").fill(note)
        worker.get_by_role("button", name="更新状态").click()
        expect(worker.locator(".flash-success")).to_have_text("状态已更新。")

    # 4. The reporter rates the fix.
    resident.goto(f"{live_server}/reports/{first_id}")
    resident.get_by_label("5", exact=True).check()
    resident.get_by_label("评价（选填）").fill("清运及时，谢谢！")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".flash-success")).to_have_text("感谢您的评价。")

    # 5. The page shows the whole timeline, in order, and the text stays text.
    steps = resident.locator(".timeline li .timeline-what")
    expect(steps).to_have_count(4)
    texts = [t.strip() for t in steps.all_inner_texts()]
    assert texts == ["居民提交诉求", "状态: 已受理", "状态: 已解决", "居民已评价"]
    expect(resident.locator(".report-description")).to_have_text("垃圾桶满了三天没人清运 <b>急</b>")
    expect(resident.locator(".status").first).to_have_text("已解决")
    page_log.assert_no_errors()
