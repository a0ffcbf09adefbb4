"""axe-core finds no serious or critical accessibility problem on the pages residents see."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import PageLog

AXE = Axe()
BLOCKING = ("serious", "critical")


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -- {v['helpUrl']}")
        lines.extend(f"    {' '.join(map(str, node['target']))}" for node in v["nodes"])
    return "\n".join(lines)


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("path", ["/", "/?lang=en"])
def test_map_page(page: Page, page_log: PageLog, live_server: str, path: str) -> None:
    page.goto(live_server + path)
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.wait_for_function("() => CoMap.loaded['reports'] > 0")

    violations = blocking_violations(page)

    assert violations == [], describe(violations)
    page_log.assert_no_errors()


def test_map_with_a_popup_and_the_layer_list_open(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("data-map-ready", "true")
    page.wait_for_function("() => CoMap.loaded['reports'] > 0")
    page.evaluate("() => { CoMap.openPopup('reports', CoMap.features('reports')[0].id); }")
    expect(page.locator(".leaflet-popup")).to_be_visible()
    page.locator(".leaflet-control-layers").hover()
    expect(page.locator(".leaflet-control-layers-list")).to_be_visible()

    violations = blocking_violations(page)

    assert violations == [], describe(violations)
    page_log.assert_no_errors()


@pytest.mark.parametrize("path", ["/login", "/login?lang=en"])
def test_sign_in_page(page: Page, page_log: PageLog, live_server: str, path: str) -> None:
    page.goto(live_server + path)

    violations = blocking_violations(page)

    assert violations == [], describe(violations)
    page_log.assert_no_errors()


def test_not_found_page(page: Page, page_log: PageLog, live_server: str) -> None:
    url = live_server + "/no-such-page"
    response = page.goto(url)
    assert response is not None and response.status == 404

    violations = blocking_violations(page)

    assert violations == [], describe(violations)
    # The browser logs the 404 of the page itself as a console error; nothing else may go wrong.
    assert page_log.page_errors == []
    assert [e for e in page_log.console_errors if not e.endswith(f"({url})")] == []
