"""A planner at a desk: demand, hot spots, gaps, ranked candidates, the MCLP choice, and a new
project created from the chosen site."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.planning.routing import pgrouting_in

from .conftest import PageLog


@pytest.fixture
def new_projects(engine: sa.Engine) -> Iterator[None]:
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM projects")).scalar()
    yield
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM projects WHERE id > :i"), {"i": before})


def test_planner_chooses_sites_and_creates_a_project(
    new_page: Callable[..., Page],
    page_log: PageLog,
    live_server: str,
    new_projects: None,
    engine: sa.Engine,
) -> None:
    page = new_page(viewport={"width": 1400, "height": 900})
    page.goto(live_server + "/login?next=/planner")
    page.get_by_label("用户名").fill("demo-planner")
    page.get_by_label("密码").fill("co-create-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_function("() => window.CoMap && CoMap.loaded['areas-community'] > 0")

    page.get_by_role("button", name="每千人诉求数").click()
    expect(page.locator("#demand-legend .legend-row")).to_have_count(5)
    page.get_by_role("button", name="热点分析（Gi*）").click()
    # esda loads on first use: seconds on a busy machine.
    expect(page.locator("#demand-legend")).to_contain_text("Getis-Ord Gi*", timeout=30_000)

    page.locator("#gaps-type").select_option("playground")
    page.get_by_role("button", name="显示覆盖缺口").click()
    expect(page.locator("#gaps-result")).to_contain_text("栋")
    # The sample ships its street network: walking distance is the default, and the two
    # measures can be compared on the map with totals for each. A database without pgRouting
    # answers in straight lines, labelled so.
    routing = pgrouting_in(engine)
    # The page's own (translated) name for the measure.
    measure = page.locator(".planner-panel").get_attribute(
        "data-text-measure-network" if routing else "data-text-measure-straight"
    )
    assert measure
    expect(page.locator("#gaps-distance")).to_have_value("network" if routing else "straight")
    expect(page.locator("#gaps-result .gaps-measure")).to_have_text(measure)
    if routing:
        compare_gaps(page)

    page.locator("#sites-type").select_option("playground")
    page.get_by_role("button", name="对候选点排序").click()
    rows = page.locator("#sites-result tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    page.get_by_role("button", name="选出 k 个点位").click()
    # The first MCLP request imports spopt and starts CBC: seconds on a busy machine.
    expect(page.locator("#sites-result")).to_contain_text("最大覆盖（MCLP）", timeout=30_000)
    expect(page.locator("#sites-result")).to_contain_text("得分最高（贪心）")
    expect(page.locator("#sites-result .sites-measure")).to_have_text(measure)

    page.locator(".site-label.mclp").first.click()
    page.get_by_role("button", name="在此新建项目").click()
    form = page.locator("#project-form")
    form.get_by_label("项目名称（中文）").fill("新建儿童游乐场")
    form.get_by_label("政府资金").fill("200000")
    form.get_by_label("居民投工投劳（小时").fill("120")
    form.get_by_role("button", name="新建项目").click()
    link = page.locator("#project-created-link")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1")).to_have_text("新建儿童游乐场")
    page_log.assert_no_errors()


def compare_gaps(page: Page) -> None:
    """Both measures on the map at once, with totals for each."""
    page.locator("#gaps-distance").select_option("compare")
    page.get_by_role("button", name="显示覆盖缺口").click()
    rows = page.locator("#gaps-result table.gaps-compare tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-distance", "network")
    expect(rows.nth(1)).to_have_attribute("data-distance", "straight")
    walking = int(rows.nth(0).locator("td").nth(2).inner_text())
    straight = int(rows.nth(1).locator("td").nth(2).inner_text())
    assert walking >= straight
    expect(page.locator("#gaps-result")).to_contain_text(str(walking - straight))
    # Reached streets in green, straight-line gaps as dashed outlines over the walking gaps.
    expect(page.locator('path[stroke="#2f855a"]').first).to_be_attached()
    expect(page.locator('path[stroke="#2b6cb0"]').first).to_be_attached()
    expect(page.locator('path[stroke="#c53030"]').first).to_be_attached()
