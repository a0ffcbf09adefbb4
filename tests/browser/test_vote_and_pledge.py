"""A resident on her phone votes among her community's candidate projects, sees the result on
the map, then pledges money, labour and a volunteer sign-up to the project she chose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from .conftest import PHONE, PageLog


@pytest.fixture
def open_vote(engine: sa.Engine) -> Iterator[dict[str, int]]:
    """Two candidate projects in a community without projects, and a vote open now; removed
    afterwards (with their ballots and pledges) so the committed sample stays as it was."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        community = conn.execute(
            sa.text("""
            SELECT a.id, ST_X(ST_PointOnSurface(a.geom)), ST_Y(ST_PointOnSurface(a.geom))
            FROM areas a WHERE a.level = 'community'
              AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.community_id = a.id)
            ORDER BY a.code LIMIT 1""")
        ).one()
        area_id, x, y = community
        ids = []
        for n, (zh, en) in enumerate(
            (("口袋花园", "Pocket Garden"), ("休闲长廊", "Shaded Walkway"))
        ):
            ids.append(
                conn.execute(
                    sa.text("""
                    INSERT INTO projects (code, title_zh, title_en, phase, budget_yuan, geom)
                    VALUES (:code, :zh, :en, 'co_decide', 80000,
                            ST_SetSRID(ST_MakePoint(:x, :y), 4326))
                    RETURNING id"""),
                    {"code": f"B-VOTE-{n}", "zh": zh, "en": en, "x": x + n * 0.0006, "y": y},
                ).scalar_one()
            )
        vote_id = conn.execute(
            sa.text("""
            INSERT INTO vote_rounds (community_id, title, opens_at, closes_at)
            VALUES (:c, '2027 micro-renewal vote', :o, :e) RETURNING id"""),
            {"c": area_id, "o": now - dt.timedelta(hours=1), "e": now + dt.timedelta(days=7)},
        ).scalar_one()
        for order, pid in enumerate(ids):
            conn.execute(
                sa.text(
                    "INSERT INTO vote_candidates (round_id, project_id, sort_order) VALUES (:r, :p, :o)"
                ),
                {"r": vote_id, "p": pid, "o": order},
            )
    yield {"vote": vote_id, "garden": ids[0], "walkway": ids[1]}
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM vote_rounds WHERE id = :v"), {"v": vote_id})
        conn.execute(sa.text("DELETE FROM projects WHERE id = ANY(:ids)"), {"ids": ids})


def sign_in(page: Page, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/login?next={then}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("co-create-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{then.split('?')[0]}*")


def test_vote_then_pledge_on_a_phone(
    new_page: Callable[..., Page],
    page_log: PageLog,
    live_server: str,
    open_vote: dict[str, int],
    engine: sa.Engine,
) -> None:
    phone = new_page(**PHONE)
    vote_url = f"/votes/{open_vote['vote']}?lang=en"
    sign_in(phone, live_server, "demo-resident", vote_url)
    expect(phone.locator("html")).to_have_attribute("data-vote-map-ready", "true")
    labels = phone.locator(".leaflet-tooltip.vote-label")
    expect(labels).to_have_count(2)
    expect(labels).to_have_text(["1 · 0 votes", "2 · 0 votes"])

    # 1. She votes for the garden; the page and the map show her vote counted.
    phone.get_by_label("Pocket Garden").check()
    phone.get_by_role("button", name="Cast my vote").click()
    expect(phone.locator(".flash-success")).to_have_text("Thank you: your vote was counted.")
    expect(phone.locator(".my-ballot")).to_have_text("You voted for Pocket Garden.")
    expect(phone.locator(".vote-total")).to_have_text("1")
    expect(labels).to_have_text(["1 · 1 vote", "2 · 0 votes"])
    # Tapping a footprint names the project and links to it.
    labels.first.click()
    popup = phone.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Pocket Garden")
    expect(popup.get_by_role("link", name="Project page")).to_be_visible()
    expect(phone.get_by_role("button", name="Cast my vote")).to_have_count(0)

    # 2. She opens the project from the results and pledges money, labour and her time.
    phone.locator(".vote-results").get_by_role("link", name="Pocket Garden").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pocket Garden")
    phone.get_by_label("Pledge money (CNY)").fill("-5")
    phone.get_by_role("button", name="Pledge money").click()
    expect(phone.locator(".flash-error")).to_have_text(
        "Enter an amount in yuan greater than 0, with at most 2 decimals."
    )
    phone.get_by_label("Pledge money (CNY)").fill("200")
    phone.get_by_label("Note (optional)").fill("<b>全家</b>支持")
    phone.get_by_role("button", name="Pledge money").click()
    expect(phone.locator(".flash-success")).to_have_text(
        "Thank you: your money pledge was recorded."
    )
    phone.get_by_label("Pledge labour (hours)").fill("3.5")
    phone.get_by_role("button", name="Pledge labour").click()
    expect(phone.locator(".flash-success")).to_have_text(
        "Thank you: your labour pledge was recorded."
    )
    phone.get_by_role("button", name="Sign up as a volunteer").click()
    expect(phone.locator(".flash-success")).to_have_text("Thank you for signing up as a volunteer.")
    progress = phone.locator(".pledge-progress")
    expect(progress).to_contain_text("200")
    expect(progress).to_contain_text("3.5")
    mine = phone.locator(".my-pledges li")
    expect(mine).to_have_count(3)
    expect(phone.locator(".pledge-note")).to_have_text("<b>全家</b>支持")  # text, not markup

    # 3. The vote is in the project page, and the database agrees with the pages.
    expect(phone.locator("#vote")).to_contain_text("1 of 1 votes")
    with engine.connect() as conn:
        ballots = (
            conn.execute(
                sa.text("SELECT project_id FROM vote_ballots WHERE round_id = :v"),
                {"v": open_vote["vote"]},
            )
            .scalars()
            .all()
        )
        pledges = (
            conn.execute(
                sa.text("SELECT kind FROM project_pledges WHERE project_id = :p ORDER BY id"),
                {"p": open_vote["garden"]},
            )
            .scalars()
            .all()
        )
    assert ballots == [open_vote["garden"]]
    assert pledges == ["money", "labour", "volunteer"]
    page_log.assert_no_errors()


@pytest.mark.parametrize("path", ["/projects/{garden}", "/votes/{vote}", "/rewards", "/votes"])
def test_participation_pages_are_accessible(
    new_page: Callable[..., Page],
    page_log: PageLog,
    live_server: str,
    open_vote: dict[str, int],
    engine: sa.Engine,
    path: str,
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    with engine.connect() as conn:
        finished = conn.execute(
            sa.text("SELECT id FROM projects WHERE completed_on IS NOT NULL ORDER BY code LIMIT 1")
        ).scalar_one()
    phone = new_page(**PHONE)
    sign_in(phone, live_server, "demo-resident", "/votes")
    for url in (path.format(**open_vote), f"/projects/{finished}?lang=en"):
        phone.goto(live_server + url)
        phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        results = Axe().run(phone)
        blocking = [
            f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert blocking == [], url
    page_log.assert_no_errors()
