"""The pages: /projects/<id> with everything about a project and its forms, /votes and
/votes/<id> with the ballot form and the results map, /rewards with the ranked table."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.maps.assets import external_urls
from gisapp.models import Ballot, Pledge, Project, ProjectRating, User, VoteRound
from tests.conftest import AuthActions, csrf_from
from tests.planning.test_participation import candidate, community, open_round, project_by_code


def _page(client: FlaskClient, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def test_project_page_shows_everything_in_english(client: FlaskClient, db_session: Session) -> None:
    project = project_by_code(db_session, "P2026-05")  # finished, in the sample vote
    html = _page(client, f"/projects/{project.id}?lang=en")
    assert project.title_en in html
    for heading in (
        "Milestones",
        "Budget by source",
        "Residents' contributions",
        "Resident vote",
        "Residents' ratings",
        "Reports nearby before and after completion",
        "Reports this project answers",
    ):
        assert heading in html, heading
    assert "Government funds" in html and "Total" in html
    assert f"{project.budget_yuan:,.0f}" in html  # the lines add up to the budget
    assert "14 of 23 votes (60.9%), place 1 of 2 candidates." in html
    assert "居民满意度评议" in html  # a milestone
    assert 'class="chart chart-budget"' in html and 'class="chart chart-months"' in html
    assert "This project no longer takes pledges." in html
    assert "Sign in to rate this project." in html
    assert external_urls(html) == []
    # No pledger, voter or rater is named.
    names = db_session.scalars(sa.select(User.username).where(User.username.like("sample-%")))
    assert not any(name in html for name in names)


def test_project_page_in_chinese_has_pledge_forms_for_residents(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    project = project_by_code(db_session, "P2026-01")  # being built
    anonymous = _page(client, f"/projects/{project.id}")
    assert 'name="amount_yuan"' not in anonymous
    auth.login("demo-resident")
    html = _page(client, f"/projects/{project.id}?lang=en")
    assert 'name="amount_yuan"' in html and 'name="hours"' in html
    assert "Sign up as a volunteer" in html
    assert "Residents rate the project once it is finished." in html


def test_pledging_from_the_page(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    project = project_by_code(db_session, "P2026-01")
    auth.login("demo-resident")
    page = _page(client, f"/projects/{project.id}?lang=en")
    token = csrf_from(page)
    url = f"/projects/{project.id}/pledge"
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Pledge))
    resp = client.post(
        url,
        data={"csrf_token": token, "kind": "money", "amount_yuan": "-20", "note": ""},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Enter an amount in yuan greater than 0, with at most 2 decimals." in html
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Pledge)) == before
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "kind": "money",
            "amount_yuan": "300",
            "note": "<script>alert(1)</script>",
        },
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Thank you: your money pledge was recorded." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    mine = db_session.scalars(
        sa.select(Pledge).where(Pledge.project_id == project.id).order_by(Pledge.id.desc())
    ).first()
    assert mine.amount_yuan == Decimal(300)
    resp = client.post(
        url, data={"csrf_token": token, "kind": "labour", "hours": "4"}, follow_redirects=True
    )
    assert "Thank you: your labour pledge was recorded." in resp.get_data(as_text=True)
    resp = client.post(
        f"/projects/{project.id}/pledges/{mine.id}/withdraw",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Your pledge was withdrawn." in resp.get_data(as_text=True)
    db_session.refresh(mine)
    assert mine.withdrawn_at is not None
    # Without the CSRF token nothing happens.
    resp = client.post(url, data={"kind": "money", "amount_yuan": "5"})
    assert resp.status_code == 400


def test_rating_from_the_page(client: FlaskClient, auth: AuthActions, db_session: Session) -> None:
    project = project_by_code(db_session, "P2026-10")
    auth.login("demo-resident")
    token = csrf_from(_page(client, f"/projects/{project.id}"))
    resp = client.post(
        f"/projects/{project.id}/rate",
        data={"csrf_token": token, "score": "9"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    resp = client.post(
        f"/projects/{project.id}/rate?lang=en",
        data={"csrf_token": token, "score": "4", "comment": "<img src=x onerror=alert(1)>"},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Thank you for rating this project." in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    rated = db_session.scalars(
        sa.select(ProjectRating).where(ProjectRating.project_id == project.id)
    ).all()
    assert 4 in {r.score for r in rated} and 9 not in {r.score for r in rated}


def test_vote_page_ballot_and_results_map(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    a = candidate(db_session, area, "V-A")
    b = candidate(db_session, area, "V-B")
    b.title_zh = "</script><script>alert('x')</script>"
    db_session.flush()
    round_ = open_round(db_session, area, [a, b])
    html = _page(client, f"/votes/{round_.id}")
    assert "登录后即可投票。" in html or "Sign in to vote." in html
    assert (
        "</script><script>alert" not in html
    )  # the title is escaped, in HTML and in the map's JSON
    assert external_urls(html) == []
    assert "VoteResults" in html or "vote-label" in html
    auth.login("demo-resident")
    page = _page(client, f"/votes/{round_.id}?lang=en")
    assert 'name="project_id"' in page
    token = csrf_from(page)
    resp = client.post(
        f"/votes/{round_.id}/ballot",
        data={"csrf_token": token, "project_id": str(a.id)},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Thank you: your vote was counted." in html
    assert f"You voted for {a.title_en}." in html
    assert 'name="project_id"' not in html
    resp = client.post(
        f"/votes/{round_.id}/ballot",
        data={"csrf_token": token, "project_id": str(b.id)},
        follow_redirects=True,
    )
    assert "You have already voted in this vote." in resp.get_data(as_text=True)
    assert (
        db_session.scalar(
            sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)
        )
        == 1
    )
    # The map's labels carry the counts, as JSON for the page script (textContent there).
    assert re.search(r'"title": "Candidate V-A", "url": "/projects/\d+", "votes": "1 vote"', html)


def test_closed_sample_vote_page(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    sample = db_session.scalars(sa.select(VoteRound)).one()
    auth.login("demo-resident")
    html = _page(client, f"/votes/{sample.id}?lang=en")
    assert "This vote has closed." in html and 'name="project_id"' not in html
    assert "Voting closed" in html and ">23<" in html


def test_votes_index_and_creating_a_vote_from_the_page(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    html = _page(client, "/votes?lang=en")
    assert "候补街社区2025年微改造项目投票" in html
    assert "Open a new vote" not in html
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    auth.login("demo-planner")
    page = _page(client, "/votes?lang=en")
    assert "Open a new vote" in page and a.title_en in page
    token = csrf_from(page)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)
    form = {
        "csrf_token": token,
        "community": area.code,
        "title": "测试投票",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "project_ids": [str(a.id)],
    }
    resp = client.post("/votes", data=form, follow_redirects=True)
    assert "Choose 2 to 20 candidate projects" in resp.get_data(as_text=True)
    form["project_ids"] = [str(a.id), str(b.id)]
    resp = client.post("/votes", data=form, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "The vote was created." in html and "测试投票" in html
    # Residents cannot post the planner's form.
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    auth.login("demo-resident")
    resp = client.post("/votes", data={**form, "csrf_token": csrf_from(_page(client, "/votes"))})
    assert resp.status_code == 403


def test_rewards_page(client: FlaskClient, db_session: Session) -> None:
    html = _page(client, "/rewards?lang=en")
    assert "Rewards in lieu of subsidies (以奖代补)" in html
    assert "How this was computed" in html and "Download CSV" in html
    assert "/api/v1/rewards.csv?street=420106001" in html
    top = db_session.scalars(sa.select(Project).where(Project.code == "P2026-01")).one()
    assert top.title_en in html
    assert "capped" in html  # the kiosk's reward hits its cap
    html = _page(client, "/rewards?street=420106001&year=2019&lang=en")
    assert "No reward pool is configured for this street and year." in html
    html = _page(client, "/rewards?street=nowhere&lang=en")
    assert "No reward pool" in html or "no area" in html


def test_missing_vote_and_project_are_404(client: FlaskClient) -> None:
    for url in ("/votes/999999", "/projects/999999"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert "<html" in resp.get_data(as_text=True)
