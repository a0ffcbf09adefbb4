"""Votes, pledges and ratings through the JSON API: what is written, what is refused (4xx with
the field named, nothing written), and what the public sees (never who)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from geoalchemy2 import Geography
from sqlalchemy.orm import Session

from gisapp.auth.passwords import hash_password
from gisapp.models import (
    Area,
    Ballot,
    Pledge,
    Project,
    ProjectBudgetLine,
    ProjectRating,
    Report,
    User,
    VoteCandidate,
    VoteRound,
)
from tests.conftest import AuthActions

NOW = dt.datetime.now(dt.UTC)
PASSWORD = "co-create-demo"


def bearer(auth: AuthActions, username: str = "demo-resident") -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.token(username)}"}


def resident(db_session: Session, name: str) -> User:
    user = User(username=name, password_hash=hash_password(PASSWORD), role="resident")
    db_session.add(user)
    db_session.flush()
    return user


def count(db_session: Session, model: type) -> int:
    return int(db_session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def community(db_session: Session, n: int = 0) -> Area:
    return db_session.scalars(
        sa.select(Area).where(Area.level == "community").order_by(Area.code).offset(n)
    ).first()


def point_in(db_session: Session, area: Area, dx: float = 0.0) -> sa.ColumnElement[object]:
    x, y = db_session.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        ).where(Area.id == area.id)
    ).one()
    return sa.func.ST_SetSRID(sa.func.ST_MakePoint(x + dx, y), 4326)


def candidate(
    db_session: Session, area: Area, code: str, phase: str = "co_decide", **extra: object
) -> Project:
    project = Project(
        code=code,
        title_zh=f"候选{code}",
        title_en=f"Candidate {code}",
        phase=phase,
        budget_yuan=Decimal(100000),
        geom=point_in(db_session, area),
        **extra,
    )
    db_session.add(project)
    db_session.flush()
    db_session.refresh(project)
    assert project.community_id == area.id
    return project


def open_round(
    db_session: Session, area: Area, projects: list[Project], **times: dt.datetime
) -> VoteRound:
    round_ = VoteRound(
        community_id=area.id,
        title="测试投票",
        opens_at=times.get("opens_at", NOW - dt.timedelta(days=1)),
        closes_at=times.get("closes_at", NOW + dt.timedelta(days=7)),
    )
    db_session.add(round_)
    db_session.flush()
    for i, project in enumerate(projects):
        db_session.add(VoteCandidate(round_id=round_.id, project_id=project.id, sort_order=i))
    db_session.flush()
    return round_


def project_by_code(db_session: Session, code: str) -> Project:
    return db_session.scalars(sa.select(Project).where(Project.code == code)).one()


# ----------------------------------------------------------------------------- votes
def _new_vote_body(area: Area, ids: list[int], **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "community": area.code,
        "title": "2027年第一批微更新项目",
        "opens_at": (NOW - dt.timedelta(hours=1)).isoformat(),
        "closes_at": (NOW + dt.timedelta(days=14)).isoformat(),
        "project_ids": ids,
    }
    body.update(changes)
    return body


def test_a_planner_opens_a_vote(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    resp = client.post(
        "/api/v1/votes",
        json=_new_vote_body(area, [a.id, b.id]),
        headers=bearer(auth, "demo-planner"),
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "open" and body["ballots"] == 0
    assert [c["project_id"] for c in body["candidates"]] == [a.id, b.id]
    assert body["candidates"][0]["geometry"]["type"] == "Point"
    assert body["community"]["code"] == area.code
    listed = client.get(f"/api/v1/votes?community={area.code}").get_json()
    assert [v["id"] for v in listed] == [body["id"]]
    # The same candidates cannot stand in a second vote at the same time.
    resp = client.post(
        "/api/v1/votes",
        json=_new_vote_body(area, [a.id, b.id]),
        headers=bearer(auth, "demo-planner"),
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["field"] == "project_ids"


def test_naive_times_are_local(client: FlaskClient, auth: AuthActions, db_session: Session) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    resp = client.post(
        "/api/v1/votes",
        json=_new_vote_body(
            area, [a.id, b.id], opens_at="2030-01-01T08:00", closes_at="2030-01-10T20:00"
        ),
        headers=bearer(auth, "demo-planner"),
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["opens_at"] == "2030-01-01T08:00:00+08:00"
    assert resp.get_json()["status"] == "upcoming"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"community": "nowhere"}, 422, "community"),
        ({"community": "420106001"}, 422, "community"),  # a street
        ({"title": "  "}, 422, "title"),
        ({"title": "x" * 201}, 422, "title"),
        ({"opens_at": "tomorrow"}, 422, "opens_at"),
        ({"closes_at": (NOW - dt.timedelta(days=2)).isoformat()}, 422, "closes_at"),
        (
            {
                "opens_at": (NOW + dt.timedelta(days=3)).isoformat(),
                "closes_at": (NOW + dt.timedelta(days=2)).isoformat(),
            },
            422,
            "closes_at",
        ),
        ({"closes_at": (NOW + dt.timedelta(days=400)).isoformat()}, 422, "closes_at"),
        ({"project_ids": "1,2"}, 422, "project_ids"),
        ({"project_ids": ["x", 1]}, 422, "project_ids"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_a_bad_vote_is_refused(
    client: FlaskClient, auth: AuthActions, db_session: Session, changes, status: int, field: str
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    before = count(db_session, VoteRound)
    resp = client.post(
        "/api/v1/votes",
        json=_new_vote_body(area, [a.id, b.id], **changes),
        headers=bearer(auth, "demo-planner"),
    )
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, VoteRound) == before


def test_vote_candidates_must_be_undecided_projects_of_the_community(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    here, there = community(db_session, 0), community(db_session, 1)
    a = candidate(db_session, here, "V-A")
    other = candidate(db_session, there, "V-O")
    built = candidate(db_session, here, "V-B", phase="co_build")
    headers = bearer(auth, "demo-planner")
    for ids in ([a.id], [a.id, a.id], [a.id, other.id], [a.id, built.id], [a.id, 999999]):
        resp = client.post("/api/v1/votes", json=_new_vote_body(here, ids), headers=headers)
        assert resp.status_code == 422, ids
        assert resp.get_json()["error"]["field"] == "project_ids"
    assert count(db_session, VoteRound) == 1  # the sample's


def test_only_planners_open_votes(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    body = _new_vote_body(area, [a.id, b.id])
    assert client.post("/api/v1/votes", json=body).status_code == 401
    resp = client.post("/api/v1/votes", json=body, headers=bearer(auth, "demo-resident"))
    assert resp.status_code == 403
    assert count(db_session, VoteRound) == 1


def test_one_ballot_per_account(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    round_ = open_round(db_session, area, [a, b])
    headers = bearer(auth, "demo-resident")
    resp = client.post(
        f"/api/v1/votes/{round_.id}/ballots", json={"project_id": b.id}, headers=headers
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["ballots"] == 1
    assert body["my_ballot"] == {"project_id": b.id}
    assert [(c["project_id"], c["votes"], c["rank"]) for c in body["candidates"]] == [
        (b.id, 1, 1),
        (a.id, 0, 2),
    ]
    # A second ballot, for either candidate, is refused and changes nothing.
    for pid in (a.id, b.id):
        resp = client.post(
            f"/api/v1/votes/{round_.id}/ballots", json={"project_id": pid}, headers=headers
        )
        assert resp.status_code == 409
        assert resp.get_json()["error"]["field"] == "vote_id"
    assert count(db_session, Ballot) == 23 + 1
    # Another resident's vote counts too; results are public, voters are not.
    other = resident(db_session, "t-neighbour")
    resp = client.post(
        f"/api/v1/votes/{round_.id}/ballots",
        json={"project_id": a.id},
        headers=bearer(auth, other.username),
    )
    assert resp.status_code == 201
    public = client.get(f"/api/v1/votes/{round_.id}").get_json()
    assert [c["votes"] for c in public["candidates"]] == [1, 1]
    assert [c["rank"] for c in public["candidates"]] == [1, 1]  # a tie shares the first place
    assert "my_ballot" not in public
    text = client.get(f"/api/v1/votes/{round_.id}").get_data(as_text=True)
    assert "demo-resident" not in text and "t-neighbour" not in text and "user" not in text


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"project_id": "abc"}, 422, "project_id"),
        ({"project_id": True}, 422, "project_id"),
        ({"project_id": -1}, 422, "project_id"),
        ({}, 422, "project_id"),
        ({"project_id": 1, "weight": 2}, 422, "weight"),
    ],
)
def test_bad_ballots_are_refused(
    client: FlaskClient, auth: AuthActions, db_session: Session, body, status: int, field: str
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    round_ = open_round(db_session, area, [a, b])
    resp = client.post(f"/api/v1/votes/{round_.id}/ballots", json=body, headers=bearer(auth))
    assert resp.status_code == status
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, Ballot) == 23


def test_ballots_only_for_candidates_inside_the_window(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    a, b = candidate(db_session, area, "V-A"), candidate(db_session, area, "V-B")
    outsider = candidate(db_session, area, "V-C")
    headers = bearer(auth)
    current = open_round(db_session, area, [a, b])
    resp = client.post(
        f"/api/v1/votes/{current.id}/ballots", json={"project_id": outsider.id}, headers=headers
    )
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (422, "project_id")
    later = open_round(
        db_session,
        area,
        [outsider, a],
        opens_at=NOW + dt.timedelta(days=30),
        closes_at=NOW + dt.timedelta(days=40),
    )
    resp = client.post(
        f"/api/v1/votes/{later.id}/ballots", json={"project_id": a.id}, headers=headers
    )
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "opens_at")
    sample = db_session.scalars(sa.select(VoteRound).order_by(VoteRound.id)).first()
    park = project_by_code(db_session, "P2026-05")
    resp = client.post(
        f"/api/v1/votes/{sample.id}/ballots", json={"project_id": park.id}, headers=headers
    )
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "closes_at")
    resp = client.post(f"/api/v1/votes/{current.id}/ballots", json={"project_id": a.id})
    assert resp.status_code == 401
    assert (
        client.post(
            "/api/v1/votes/999999/ballots", json={"project_id": a.id}, headers=headers
        ).status_code
        == 404
    )
    assert count(db_session, Ballot) == 23


def test_the_sample_vote_and_its_results(client: FlaskClient, db_session: Session) -> None:
    votes = client.get("/api/v1/votes").get_json()
    assert len(votes) == 1 and votes[0]["status"] == "closed" and votes[0]["ballots"] == 23
    body = client.get(votes[0]["url"].replace("/votes", "/api/v1/votes")).get_json()
    assert [(c["code"], c["votes"], c["percent"]) for c in body["candidates"]] == [
        ("P2026-05", 14, 60.9),
        ("P2026-10", 9, 39.1),
    ]
    assert client.get("/api/v1/votes?community=nowhere").status_code == 404
    assert client.get("/api/v1/votes/999999").status_code == 404


# ----------------------------------------------------------------------------- pledges
def test_pledges_add_up_against_the_plan(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    area = community(db_session)
    project = candidate(db_session, area, "V-P", phase="co_build")
    db_session.add_all(
        [
            ProjectBudgetLine(
                project_id=project.id, source="residents_money", amount_yuan=Decimal(2000)
            ),
            ProjectBudgetLine(
                project_id=project.id,
                source="residents_labour",
                amount_yuan=Decimal(3000),
                hours=Decimal(100),
            ),
        ]
    )
    db_session.flush()
    headers = bearer(auth)
    url = f"/api/v1/projects/{project.id}/pledges"
    for body in (
        {"kind": "money", "amount_yuan": 500, "note": "全家支持"},
        {"kind": "money", "amount_yuan": "250.50"},
        {"kind": "labour", "hours": 12.5},
        {"kind": "volunteer"},
    ):
        resp = client.post(url, json=body, headers=headers)
        assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["money"] == {
        "pledged_yuan": 750.5,
        "pledges": 2,
        "planned_yuan": 2000.0,
        "percent": 37.5,
    }
    assert body["labour"]["pledged_hours"] == 12.5
    assert body["labour"]["planned_hours"] == 100.0
    assert body["labour"]["percent"] == 12.5
    assert body["labour"]["pledged_value_yuan"] == 375.0
    assert body["volunteers"] == 1 and body["households"] == 1
    assert [p["kind"] for p in body["mine"]] == ["volunteer", "labour", "money", "money"]
    # Signing up as a volunteer twice is refused.
    resp = client.post(url, json={"kind": "volunteer"}, headers=headers)
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "kind")
    # Withdrawing a pledge takes it out of the totals; only its maker may, and only once.
    money_id = next(p["id"] for p in body["mine"] if p["amount_yuan"] == 500)
    other = resident(db_session, "t-other")
    resp = client.delete(f"{url}/{money_id}", headers=bearer(auth, other.username))
    assert resp.status_code == 403
    resp = client.delete(f"{url}/{money_id}", headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["money"]["pledged_yuan"] == 250.5
    resp = client.delete(f"{url}/{money_id}", headers=headers)
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "pledge_id")
    assert client.delete(f"{url}/999999", headers=headers).status_code == 404
    # The public sees totals, never who.
    public = client.get(url)
    text = public.get_data(as_text=True)
    assert "mine" not in public.get_json()
    assert "demo-resident" not in text and "全家支持" not in text and "user" not in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "money", "amount_yuan": -5}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": 0}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": "abc"}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": "NaN"}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": "Infinity"}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": True}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": [5]}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": 1.005}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": 1_000_001}, "amount_yuan"),
        ({"kind": "money"}, "amount_yuan"),
        ({"kind": "money", "amount_yuan": 5, "hours": 2}, "hours"),
        ({"kind": "labour", "hours": -1}, "hours"),
        ({"kind": "labour", "hours": "three"}, "hours"),
        ({"kind": "labour", "hours": 2.25}, "hours"),
        ({"kind": "labour", "hours": 1001}, "hours"),
        ({"kind": "labour"}, "hours"),
        ({"kind": "labour", "hours": 2, "amount_yuan": 60}, "amount_yuan"),
        ({"kind": "volunteer", "hours": 2}, "hours"),
        ({"kind": "gold", "amount_yuan": 5}, "kind"),
        ({"kind": 1}, "kind"),
        ({"amount_yuan": 5}, "kind"),
        ({"kind": "money", "amount_yuan": 5, "note": "x" * 501}, "note"),
        ({"kind": "money", "amount_yuan": 5, "note": 5}, "note"),
        ({"kind": "money", "amount_yuan": 5, "name": "me"}, "name"),
    ],
)
def test_bad_pledges_are_refused_and_nothing_is_written(
    client: FlaskClient, auth: AuthActions, db_session: Session, body, field: str
) -> None:
    project = project_by_code(db_session, "P2026-01")  # co_build: takes every kind
    before = count(db_session, Pledge)
    resp = client.post(f"/api/v1/projects/{project.id}/pledges", json=body, headers=bearer(auth))
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, Pledge) == before


def test_pledges_follow_the_phase(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    headers = bearer(auth)
    managed = project_by_code(db_session, "P2026-06")  # co_manage: volunteers only
    finished = project_by_code(db_session, "P2026-02")  # co_share: nothing
    before = count(db_session, Pledge)
    resp = client.post(
        f"/api/v1/projects/{managed.id}/pledges",
        json={"kind": "money", "amount_yuan": 5},
        headers=headers,
    )
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "kind")
    resp = client.post(
        f"/api/v1/projects/{finished.id}/pledges", json={"kind": "volunteer"}, headers=headers
    )
    assert (resp.status_code, resp.get_json()["error"]["field"]) == (409, "kind")
    assert count(db_session, Pledge) == before
    resp = client.post(
        f"/api/v1/projects/{managed.id}/pledges", json={"kind": "volunteer"}, headers=headers
    )
    assert resp.status_code == 201
    resp = client.post(f"/api/v1/projects/{managed.id}/pledges", json={"kind": "volunteer"})
    assert resp.status_code == 401
    resp = client.post(
        "/api/v1/projects/999999/pledges", json={"kind": "volunteer"}, headers=headers
    )
    assert resp.status_code == 404


# ----------------------------------------------------------------------------- ratings
def test_residents_rate_a_finished_project(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    finished = project_by_code(db_session, "P2026-05")
    url = f"/api/v1/projects/{finished.id}/ratings"
    before = client.get(url).get_json()
    headers = bearer(auth)
    resp = client.post(url, json={"score": 2, "comment": "<b>灯太暗</b>"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["mine"] == {"score": 2, "comment": "<b>灯太暗</b>"}
    resp = client.post(url, json={"score": "5"}, headers=headers)  # rating again replaces it
    assert resp.status_code == 201
    after = resp.get_json()
    assert after["count"] == before["count"] + 1
    assert after["distribution"]["5"] == before["distribution"]["5"] + 1
    assert after["distribution"]["2"] == before["distribution"]["2"]
    public = client.get(url).get_data(as_text=True)
    assert "demo-resident" not in public and "user" not in public


@pytest.mark.parametrize(
    ("code", "body", "status", "field"),
    [
        ("P2026-05", {"score": 0}, 422, "score"),
        ("P2026-05", {"score": 6}, 422, "score"),
        ("P2026-05", {"score": "good"}, 422, "score"),
        ("P2026-05", {"score": True}, 422, "score"),
        ("P2026-05", {"score": 4.5}, 422, "score"),
        ("P2026-05", {"score": 4, "comment": "x" * 2001}, 422, "comment"),
        ("P2026-05", {"score": 4, "stars": 4}, 422, "stars"),
        ("P2026-01", {"score": 4}, 409, "id"),  # still being built
    ],
)
def test_bad_ratings_are_refused(
    client: FlaskClient,
    auth: AuthActions,
    db_session: Session,
    code: str,
    body,
    status: int,
    field: str,
) -> None:
    project = project_by_code(db_session, code)
    before = count(db_session, ProjectRating)
    resp = client.post(f"/api/v1/projects/{project.id}/ratings", json=body, headers=bearer(auth))
    assert resp.status_code == status
    assert resp.get_json()["error"]["field"] == field
    assert count(db_session, ProjectRating) == before


def test_rating_needs_an_account(client: FlaskClient, db_session: Session) -> None:
    project = project_by_code(db_session, "P2026-05")
    assert (
        client.post(f"/api/v1/projects/{project.id}/ratings", json={"score": 4}).status_code == 401
    )


# ----------------------------------------------------------------------------- related reports
def test_related_reports_before_and_after_completion(
    client: FlaskClient, db_session: Session
) -> None:
    """Reports within 300 m, 6 months either side of completion; twins, far ones and ones
    outside the window are not counted."""
    area = community(db_session, 4)
    project = candidate(
        db_session, area, "V-R", phase="co_evaluate", completed_on=dt.date(2026, 5, 17)
    )
    # Clear the sample's reports around it so the counts are ours alone.
    x, y = db_session.execute(
        sa.select(sa.func.ST_X(Project.geom), sa.func.ST_Y(Project.geom)).where(
            Project.id == project.id
        )
    ).one()
    here = sa.select(Project.geom).where(Project.id == project.id).scalar_subquery()
    db_session.execute(
        sa.delete(Report).where(
            sa.func.ST_DWithin(sa.cast(Report.geom, Geography), sa.cast(here, Geography), 2000)
        )
    )
    cst = dt.timezone(dt.timedelta(hours=8))

    def report(dx_m: float, when: dt.datetime, status: str = "submitted") -> None:
        dx = dx_m / 96_000  # metres to degrees of longitude at 30.5° N (about)
        db_session.add(
            Report(
                category="waste",
                description="t",
                status=status,
                geom=sa.func.ST_SetSRID(sa.func.ST_MakePoint(x + dx, y), 4326),
                created_at=when,
                updated_at=when,
            )
        )

    report(50, dt.datetime(2026, 1, 5, tzinfo=cst))
    report(250, dt.datetime(2026, 5, 16, 23, 30, tzinfo=cst))  # the evening before completion
    report(100, dt.datetime(2026, 5, 17, 0, 30, tzinfo=cst))  # after
    report(100, dt.datetime(2026, 5, 20, tzinfo=cst), status="duplicate")  # a twin
    report(400, dt.datetime(2026, 3, 1, tzinfo=cst))  # too far
    report(50, dt.datetime(2025, 11, 1, tzinfo=cst))  # before the window
    db_session.flush()
    body = client.get(f"/api/v1/projects/{project.id}/related-reports").get_json()
    assert body["radius_m"] == 300
    assert body["window"] == {"start": "2025-11-17", "end": "2026-11-17"}
    assert body["before"]["reports"] == 2
    assert body["after"]["reports"] == 1
    months = {m["month"]: (m["before"], m["after"]) for m in body["months"]}
    assert months["2026-01"] == (1, 0)
    assert months["2026-05"] == (1, 1)
    assert len(body["months"]) == 13
    unfinished = project_by_code(db_session, "P2026-01")
    assert (
        client.get(f"/api/v1/projects/{unfinished.id}/related-reports").get_json()["completed_on"]
        is None
    )
