"""Every page under the Content-Security-Policy in Chromium: no violation, the maps still draw.

The listener is installed through DevTools (``add_init_script``), which CSP does not govern, so
it sees every ``securitypolicyviolation`` event from the first byte of each page.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageLog

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _sign_in(page: Page, base: str, username: str) -> None:
    # back to a light page: the map page would keep the browser busy loading tiles
    page.goto(base + "/login?next=/votes")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("co-create-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/votes")


def _ids(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as conn:
        one = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        return {
            "report": one("SELECT min(id) FROM reports"),
            "project": one("SELECT min(id) FROM projects"),
            "facility": one("SELECT min(id) FROM facilities WHERE status = 'active'"),
            "code": one("SELECT code FROM facilities WHERE status = 'active' ORDER BY id LIMIT 1"),
            "vote": one("SELECT min(id) FROM vote_rounds"),
        }


def _check(page: Page, url: str, has_map: bool) -> list[str]:
    resp = page.goto(url)
    assert resp is not None and resp.status == 200, url
    assert "script-src" in (resp.headers.get("content-security-policy") or "")
    if has_map:
        # Leaflet built the map and drew into it (a detail page's feature, the catalog layers)
        expect(page.locator(".leaflet-container").first).to_be_visible()
        expect(page.locator(".leaflet-control-zoom").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    violations: list[str] = page.evaluate("window.__csp")
    return [f"{url}: {v}" for v in violations]


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            None,
            [
                ("/", True),
                ("/login", False),
                ("/reports/{report}", True),
                ("/projects/{project}", True),
                ("/facilities/{facility}", True),
                ("/f/{code}", True),
                ("/votes", False),
                ("/votes/{vote}", True),
                ("/rewards", False),
                ("/outcomes", True),
                ("/ogc/collections/reports/items?f=html&limit=5", True),
            ],
        ),
        (
            "demo-resident",
            [("/", True), ("/me", False), ("/me/facilities", False), ("/me/delete", False)],
        ),
        ("demo-grid", [("/queue", False), ("/reports/{report}", True), ("/moderation", False)]),
        ("demo-planner", [("/planner", True)]),
        ("demo-manager", [("/manager", True), ("/facilities/{facility}", True)]),
        (
            "demo-admin",
            [
                ("/admin/", False),
                ("/admin/users", False),
                ("/admin/categories", False),
                ("/admin/open311-keys", False),
            ],
        ),
    ],
)
def test_pages_run_under_the_policy_without_violations(
    username: str | None,
    paths: list[tuple[str, bool]],
    page: Page,
    page_log: PageLog,
    live_server: str,
    engine: sa.Engine,
) -> None:
    ids = _ids(engine)
    page.add_init_script(LISTEN)
    if username:
        _sign_in(page, live_server, username)
    violations: list[str] = []
    for path, has_map in paths:
        violations += _check(page, live_server + path.format(**ids), has_map)
    assert violations == []
    page_log.assert_no_errors()


def test_injected_inline_script_is_blocked(page: Page, page_log: PageLog, live_server: str) -> None:
    """The policy bites: an inline script without the nonce does not run."""
    page.add_init_script(LISTEN)
    page.goto(live_server + "/login")
    ran = page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__pwned = true'; document.body.appendChild(s);
                   return window.__pwned === true; }"""
    )
    assert ran is False
    assert any("script-src" in v for v in page.evaluate("window.__csp"))
    page_log.console_errors.clear()  # the refusal is logged, as it should be
