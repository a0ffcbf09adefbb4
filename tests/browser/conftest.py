"""Browser fixtures: Debian's Chromium driven by Playwright, cut off from the internet.

Every page gets a fresh browser context. Requests to any host other than the live server on the
loopback interface are aborted (the app must work on an intranet without internet access) and
recorded, together with console errors, uncaught page errors and JavaScript dialogs, in the
test's :class:`PageLog`. A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Error,
    Page,
    Playwright,
    Request,
    Route,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
# Where the phone says it is: a lane in the sample neighbourhood (Wuchang, Wuhan).
PHONE_LOCATION = {"latitude": 30.548, "longitude": 114.318}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell at teardown if the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(item: pytest.Item) -> bool:
    return any(
        getattr(getattr(item, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@dataclass
class PageLog:
    """What went wrong, or went outside, while a test used its pages."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    """URLs on other hosts the browser tried to reach (all aborted: there is no internet)."""
    dialogs: list[str] = field(default_factory=list)
    """alert/confirm/prompt messages (each dismissed at once)."""

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # Chromium asks every new site for /favicon.ico; the app has none, which is no error of
        # the page's. Requests we cut off are in ``aborted``, for the tests to judge.
        if urlsplit(source).path == "/favicon.ico" or source in self.aborted:
            return
        self.console_errors.append(f"{message.text} ({source})" if source else message.text)

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def cut_off_internet(self, route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            self.aborted.append(request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def assert_no_errors(self) -> None:
        assert self.page_errors == [], "uncaught JavaScript errors"
        assert self.console_errors == [], "errors in the browser console"
        assert self.dialogs == [], "the page opened dialogs"


# One Playwright and one Chromium for the whole folder. "package", not "session": Playwright's
# sync API cannot run twice at once, and tests elsewhere (tests/test_offline_assets.py) start
# their own after this folder is done.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, page_log: PageLog
) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)``: a page in a fresh context, cut off from the internet."""
    pages: list[Page] = []
    in_flight: set[Request] = set()

    def started(request: Request) -> None:
        in_flight.add(request)

    def ended(request: Request) -> None:
        in_flight.discard(request)

    def make(**options: Any) -> Page:
        context = browser.new_context(**{**DESKTOP, "locale": "zh-CN", **options})
        context.set_default_timeout(10_000)
        context.route("**/*", page_log.cut_off_internet)
        context.on("request", started)
        context.on("requestfinished", ended)
        context.on("requestfailed", ended)
        page = context.new_page()
        page.on("console", page_log.on_console)
        page.on("pageerror", page_log.on_page_error)
        page.on("dialog", page_log.on_dialog)
        pages.append(page)
        return page

    yield make

    # Let the server answer what the pages asked for (the map fetches layers as it moves): a
    # request still running when the session's live server stops would leak its database
    # connection.
    deadline = time.monotonic() + 5
    open_pages = [page for page in pages if not page.is_closed()]
    while in_flight and open_pages and time.monotonic() < deadline:
        open_pages[0].wait_for_timeout(50)  # Playwright delivers the request events meanwhile
    for number, page in enumerate(pages, start=1):
        if _failed(request.node) and not page.is_closed():
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            suffix = f"-{number}" if len(pages) > 1 else ""
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
            except Error as exc:  # a crashed page cannot be photographed; don't hide the failure
                print(f"no screenshot of {name}{suffix}: {exc}")
        page.context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop browser tab (1280x800)."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A phone (390x844, touch, 3x screen) that lets the page know where it is."""
    return new_page(**PHONE, geolocation=PHONE_LOCATION, permissions=["geolocation"])
