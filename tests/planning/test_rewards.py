"""以奖代补 rewards: the rules file, the arithmetic against cases worked by hand, the data that
feeds it (on a small street built inside the test), and the JSON/CSV API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.errors import ConfigError
from gisapp.models import (
    Area,
    Ballot,
    Facility,
    MaintenanceRecord,
    Pledge,
    Project,
    User,
    VoteCandidate,
    VoteRound,
)
from gisapp.planning import reward_queries
from gisapp.planning.rewards import RULES_FILE, ProjectInputs, RewardRules, compute, load_rules

CST = dt.timezone(dt.timedelta(hours=8))


def rules(**changes: object) -> RewardRules:
    data: dict[str, object] = {
        "eligible_phases": ["co_build", "co_manage", "co_evaluate", "co_share"],
        "cap_share_of_budget": "0.5",
        "weights": {
            "residents_money": "0.4",
            "residents_labour": "0.2",
            "households": "0.2",
            "votes": "0.1",
            "co_management": "0.1",
        },
        "pools": [{"street": "T-STREET", "year": 2026, "pool_yuan": 100000}],
    }
    data.update(changes)
    return RewardRules.model_validate(data)


def inputs(pid: int, code: str, **values: object) -> ProjectInputs:
    base: dict[str, object] = {
        "id": pid,
        "code": code,
        "title_zh": code,
        "title_en": code,
        "phase": "co_build",
        "community_id": 1,
        "budget_yuan": Decimal(200000),
    }
    base.update(values)
    return ProjectInputs(**base)  # type: ignore[arg-type]


def run(projects: list[ProjectInputs], pool: int = 100000, **rule_changes: object) -> dict:
    return compute(
        rules(**rule_changes),
        street={"code": "T-STREET"},
        year=2026,
        pool_yuan=Decimal(pool),
        projects=projects,
        hour_value=Decimal(30),
    )


# ----------------------------------------------------------------------------- by hand
def test_two_projects_worked_by_hand() -> None:
    """Pool 100,000; weights money .4, labour .2, households .2, votes .1, co-management .1.

    A: money 3,000, labour 10 h (= 300 yuan), 3 households, 5 votes, 2 tasks, budget 200,000
    B: money 1,000, labour 30 h (= 900 yuan), 1 household, 5 votes, 0 tasks, budget 20,000
    Street totals: 4,000 / 1,200 / 4 / 10 / 2.
    A's shares .75 .25 .75 .5 1 -> 100 x (.3 + .05 + .15 + .05 + .1) = 65 points
    B's shares .25 .75 .25 .5 0 -> 100 x (.1 + .15 + .05 + .05 + 0) = 35 points
    A: 100,000 x 65/100 = 65,000 (cap 100,000: not reached)
    B: 35,000, capped at 50% of 20,000 = 10,000; 25,000 stays in the pool.
    """
    a = inputs(
        1,
        "A",
        money_yuan=Decimal(3000),
        labour_hours=Decimal(10),
        households=3,
        votes=5,
        co_management=2,
    )
    b = inputs(
        2,
        "B",
        budget_yuan=Decimal(20000),
        money_yuan=Decimal(1000),
        labour_hours=Decimal(30),
        households=1,
        votes=5,
    )
    result = run([b, a])
    first, second = result["projects"]
    assert (first["code"], first["rank"], second["code"], second["rank"]) == ("A", 1, "B", 2)
    factors = {f["factor"]: f for f in first["breakdown"]["factors"]}
    assert factors["residents_money"] == {
        "factor": "residents_money",
        "unit": "yuan",
        "value": 3000.0,
        "street_total": 4000.0,
        "share": 0.75,
        "weight": 0.4,
        "points": 30.0,
        "formula": "100 x 0.4 x 3000.0 / 4000.0",
    }
    assert factors["residents_labour"]["value"] == 300.0
    assert factors["residents_labour"]["hours"] == 10.0
    assert factors["residents_labour"]["hour_value_yuan"] == 30.0
    assert factors["residents_labour"]["street_total"] == 1200.0
    assert [f["share"] for f in first["breakdown"]["factors"]] == [0.75, 0.25, 0.75, 0.5, 1.0]
    assert [f["points"] for f in first["breakdown"]["factors"]] == [30.0, 5.0, 15.0, 5.0, 10.0]
    assert [f["points"] for f in second["breakdown"]["factors"]] == [10.0, 15.0, 5.0, 5.0, 0.0]
    assert first["points"] == 65.0 and second["points"] == 35.0
    assert first["breakdown"]["street_points"] == 100.0
    assert first["breakdown"]["pool_share"] == 0.65
    assert first["breakdown"]["uncapped_yuan"] == 65000.0
    assert first["breakdown"]["cap_yuan"] == 100000.0
    assert first["breakdown"]["capped"] is False
    assert first["reward_yuan"] == 65000
    assert second["breakdown"]["uncapped_yuan"] == 35000.0
    assert second["breakdown"]["cap_yuan"] == 10000.0
    assert second["breakdown"]["capped"] is True
    assert second["reward_yuan"] == 10000
    assert result["allocated_yuan"] == 75000
    assert result["unallocated_yuan"] == 25000.0
    assert result["totals"] == {
        "residents_money": 4000.0,
        "residents_labour": 1200.0,
        "households": 4.0,
        "votes": 10.0,
        "co_management": 2.0,
    }
    assert "capped at 10000.0 -> 10000" in second["breakdown"]["formula"]


def test_rounding_to_whole_yuan() -> None:
    """Three equal projects share 1,000 yuan: 333.33 each, shown as 333; 1 yuan unallocated."""
    projects = [inputs(i, f"P{i}", money_yuan=Decimal(100)) for i in (1, 2, 3)]
    result = run(
        projects,
        pool=1000,
        weights={
            "residents_money": "1",
            "residents_labour": "0",
            "households": "0",
            "votes": "0",
            "co_management": "0",
        },
    )
    assert [p["reward_yuan"] for p in result["projects"]] == [333, 333, 333]
    assert [p["breakdown"]["uncapped_yuan"] for p in result["projects"]] == [333.33] * 3
    assert [p["rank"] for p in result["projects"]] == [1, 2, 3]
    assert [p["code"] for p in result["projects"]] == ["P1", "P2", "P3"]  # ties: by code
    assert result["unallocated_yuan"] == 1.0


def test_half_a_yuan_rounds_up() -> None:
    """Pool 3 yuan, points 1:1 -> 1.5 each -> 2 each (more than the pool by rounding alone)."""
    projects = [inputs(i, f"P{i}", votes=1) for i in (1, 2)]
    result = run(projects, pool=3)
    assert [p["breakdown"]["uncapped_yuan"] for p in result["projects"]] == [1.5, 1.5]
    assert [p["reward_yuan"] for p in result["projects"]] == [2, 2]


def test_no_participation_gives_no_reward() -> None:
    result = run([inputs(1, "A"), inputs(2, "B")])
    assert [p["reward_yuan"] for p in result["projects"]] == [0, 0]
    assert all(f["points"] == 0 for f in result["projects"][0]["breakdown"]["factors"])
    assert result["projects"][0]["breakdown"]["factors"][0]["formula"].startswith("no project")
    assert result["unallocated_yuan"] == 100000.0


def test_projects_being_decided_or_without_budget_do_not_share() -> None:
    deciding = inputs(1, "D", phase="co_decide", money_yuan=Decimal(5000))
    unbudgeted = inputs(2, "U", budget_yuan=None, money_yuan=Decimal(5000))
    built = inputs(3, "B", money_yuan=Decimal(1000))
    result = run([deciding, unbudgeted, built])
    assert [p["code"] for p in result["projects"]] == ["B"]
    # B holds every point of the street, so it takes the whole pool up to its cap.
    assert result["projects"][0]["breakdown"]["pool_share"] == 1.0
    assert result["projects"][0]["reward_yuan"] == 100000
    assert {(p["code"], p["reason"]) for p in result["ineligible"]} == {
        ("D", "phase"),
        ("U", "no_budget"),
    }
    assert result["projects"][0]["breakdown"]["factors"][0]["street_total"] == 1000.0


# ----------------------------------------------------------------------------- rules file
def test_the_shipped_rules_are_valid() -> None:
    loaded = load_rules()
    assert loaded.pool_for("420106001", 2026) == Decimal(600000)
    assert loaded.pool_for("420106001", 1999) is None


def _weights(data: dict) -> None:
    data["weights"]["residents_money"] = 0.5  # now they add up to 1.2


def _cap(data: dict) -> None:
    data["cap_share_of_budget"] = 1.5


def _phase(data: dict) -> None:
    data["eligible_phases"] = ["co_build", "co_later"]


def _unknown(data: dict) -> None:
    data["surprise"] = 1


def _twice(data: dict) -> None:
    data["pools"] = [{"street": "1", "year": 2026, "pool_yuan": 5}] * 2


def _negative(data: dict) -> None:
    data["pools"] = [{"street": "1", "year": 2026, "pool_yuan": -5}]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_weights, "weights: .*add up to 1"),
        (_cap, "cap_share_of_budget"),
        (_phase, "eligible_phases"),
        (_unknown, "surprise"),
        (_twice, "two pools"),
        (_negative, "pools.0.pool_yuan"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_field(tmp_path: Path, edit, message: str) -> None:
    import yaml

    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "rewards.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_rules(path)
    assert str(caught.value).startswith("rewards.yaml: ")


def test_an_unreadable_rules_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rewards.yaml"
    path.write_text("weights: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="rewards.yaml"):
        load_rules(path)


# ----------------------------------------------------------------------------- from the data
def _square(x: float, y: float, size: float) -> sa.ColumnElement[object]:
    return sa.func.ST_Multi(sa.func.ST_MakeEnvelope(x, y, x + size, y + size, 4326))


@pytest.fixture
def small_street(db_session: Session) -> dict[str, object]:
    """A street of one community, away from the sample, with two projects and some residents."""
    street = Area(
        level="street",
        code="T-STREET",
        name_zh="测试街道",
        name_en="Test Street",
        geom=_square(114.50, 30.60, 0.02),
    )
    db_session.add(street)
    db_session.flush()
    community = Area(
        level="community",
        code="T-COMM",
        name_zh="测试社区",
        name_en="Test Community",
        parent_id=street.id,
        geom=_square(114.50, 30.60, 0.02),
    )
    db_session.add(community)
    db_session.flush()
    point_a = sa.func.ST_SetSRID(sa.func.ST_MakePoint(114.505, 30.605), 4326)
    point_b = sa.func.ST_SetSRID(sa.func.ST_MakePoint(114.512, 30.612), 4326)
    a = Project(
        code="T-A",
        title_zh="甲",
        title_en="A",
        phase="co_build",
        budget_yuan=Decimal(200000),
        geom=point_a,
    )
    b = Project(
        code="T-B",
        title_zh="乙",
        title_en="B",
        phase="co_manage",
        budget_yuan=Decimal(20000),
        geom=point_b,
    )
    c = Project(
        code="T-C",
        title_zh="丙",
        title_en="C",
        phase="co_decide",
        budget_yuan=Decimal(50000),
        geom=point_b,
    )
    db_session.add_all([a, b, c])
    db_session.flush()
    users = []
    for i in range(4):
        user = User(username=f"t-resident-{i}", password_hash="!", role="resident")
        db_session.add(user)
        users.append(user)
    db_session.flush()
    return {"street": street, "community": community, "a": a, "b": b, "c": c, "users": users}


def _at(month: int, day: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=CST)


def _fill(db_session: Session, s: dict) -> None:
    """The hand case's data: A money 3,000, 10 h, 3 households, 5 votes; B money 1,000, 30 h,
    1 household, 5 votes; 2 volunteer tasks in the community (both projects are there)."""
    a, b, users = s["a"], s["b"], s["users"]
    add = db_session.add
    add(
        Pledge(
            project_id=a.id,
            user_id=users[0].id,
            kind="money",
            amount_yuan=Decimal(2000),
            created_at=_at(3),
        )
    )
    add(
        Pledge(
            project_id=a.id,
            user_id=users[1].id,
            kind="money",
            amount_yuan=Decimal(1000),
            created_at=_at(4),
        )
    )
    add(
        Pledge(
            project_id=a.id,
            user_id=users[2].id,
            kind="labour",
            hours=Decimal(10),
            created_at=_at(5),
        )
    )
    # Not counted: withdrawn, or made in another year.
    add(
        Pledge(
            project_id=a.id,
            user_id=users[3].id,
            kind="money",
            amount_yuan=Decimal(9000),
            created_at=_at(5),
            withdrawn_at=_at(6),
        )
    )
    add(
        Pledge(
            project_id=a.id,
            user_id=users[3].id,
            kind="money",
            amount_yuan=Decimal(7000),
            created_at=_at(12, 31, 2025),
        )
    )
    add(
        Pledge(
            project_id=b.id,
            user_id=users[0].id,
            kind="money",
            amount_yuan=Decimal(1000),
            created_at=_at(2),
        )
    )
    add(
        Pledge(
            project_id=b.id,
            user_id=users[0].id,
            kind="labour",
            hours=Decimal(30),
            created_at=_at(2),
        )
    )
    # Votes: a round (made directly: both projects are past co-decide now) with 5 ballots each.
    vote_round = VoteRound(
        community_id=s["community"].id, title="t", opens_at=_at(1, 1), closes_at=_at(2, 1)
    )
    add(vote_round)
    db_session.flush()
    add(VoteCandidate(round_id=vote_round.id, project_id=a.id))
    add(VoteCandidate(round_id=vote_round.id, project_id=b.id))
    db_session.flush()
    voters = []
    for i in range(10):
        user = User(username=f"t-voter-{i}", password_hash="!", role="resident")
        add(user)
        voters.append(user)
    db_session.flush()
    for i, voter in enumerate(voters):
        add(
            Ballot(
                round_id=vote_round.id,
                project_id=a.id if i < 5 else b.id,
                user_id=voter.id,
                created_at=_at(1, 15),
            )
        )
    # Co-management: 2 volunteer tasks this year in the community; staff and last year's don't count.
    facility = Facility(
        code="T-F1",
        type=_any_facility_type(db_session),
        geom=sa.func.ST_SetSRID(sa.func.ST_MakePoint(114.506, 30.606), 4326),
    )
    add(facility)
    db_session.flush()
    for day, volunteer in (
        (dt.date(2026, 3, 1), True),
        (dt.date(2026, 4, 1), True),
        (dt.date(2026, 5, 1), False),
        (dt.date(2025, 5, 1), True),
    ):
        add(
            MaintenanceRecord(
                facility_id=facility.id,
                kind="inspection",
                performed_on=day,
                result="ok",
                volunteer=volunteer,
            )
        )
    db_session.flush()


def _any_facility_type(db_session: Session) -> str:
    from gisapp.models import FacilityType

    return db_session.scalars(sa.select(FacilityType.code).limit(1)).one()


def test_the_data_feeds_the_hand_case(db_session: Session, small_street: dict) -> None:
    _fill(db_session, small_street)
    got = {
        p.code: p
        for p in reward_queries.reward_inputs(
            db_session, small_street["street"].id, 2026, "Asia/Shanghai"
        )
    }
    assert set(got) == {"T-A", "T-B", "T-C"}
    a, b = got["T-A"], got["T-B"]
    assert (a.money_yuan, a.labour_hours, a.households, a.votes, a.co_management) == (
        Decimal(3000),
        Decimal(10),
        3 + 5,
        5,
        2,
    )
    assert (b.money_yuan, b.labour_hours, b.households, b.votes, b.co_management) == (
        Decimal(1000),
        Decimal(30),
        1 + 5,
        5,
        2,
    )


def test_rewards_api_on_the_small_street(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    small_street: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fill(db_session, small_street)
    monkeypatch.setitem(app.extensions, "gisapp.rewards", rules())
    resp = client.get("/api/v1/rewards?street=T-STREET&year=2026")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["street"]["code"] == "T-STREET"
    assert body["pool_yuan"] == 100000.0
    # Households 8 and 6 of 14; votes 5 and 5; tasks 2 and 2; money and labour as by hand.
    a, b = body["projects"]
    assert a["code"] == "T-A" and b["code"] == "T-B"
    fa = {f["factor"]: f for f in a["breakdown"]["factors"]}
    assert fa["households"]["share"] == round(8 / 14, 4)
    assert fa["co_management"]["share"] == 0.5
    # 100 x (.4 x .75 + .2 x .25 + .2 x 8/14 + .1 x .5 + .1 x .5) = 56.43 (to 2 places)
    assert a["points"] == 56.43
    assert b["points"] == 43.57
    assert a["reward_yuan"] == round(100000 * (0.3 + 0.05 + 0.2 * 8 / 14 + 0.05 + 0.05))
    assert b["reward_yuan"] == 10000 and b["breakdown"]["capped"] is True
    assert [p["code"] for p in body["ineligible"]] == ["T-C"]
    # The CSV says the same, ranked, with every factor.
    for url in (
        "/api/v1/rewards.csv?street=T-STREET&year=2026",
        "/api/v1/rewards?street=T-STREET&year=2026&format=csv",
    ):
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp.mimetype == "text/csv"
        assert "attachment" in resp.headers["Content-Disposition"]
        text = resp.get_data(as_text=True)
        assert text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert [r["code"] for r in rows] == ["T-A", "T-B"]
        assert rows[0]["money_yuan"] == "3000.0" and rows[1]["labour_hours"] == "30.0"
        assert rows[1]["capped"] == "yes" and rows[1]["reward_yuan"] == "10000"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("", 422, "street"),
        ("street=nowhere", 404, "street"),
        ("street=420106001001", 422, "street"),  # a community, not a street
        ("street=420106001&year=20x6", 422, "year"),
        ("street=420106001&year=1999", 422, "year"),
        ("street=420106001&year=2040", 404, "year"),  # no pool configured
        ("street=420106001&format=xml", 422, "format"),
        ("street=420106001&colour=red", 422, "colour"),
    ],
)
def test_rewards_api_bad_requests(client: FlaskClient, query: str, status: int, field: str) -> None:
    resp = client.get(f"/api/v1/rewards?{query}")
    assert resp.status_code == status
    assert resp.get_json()["error"]["field"] == field


def test_sample_street_rewards_add_up(client: FlaskClient) -> None:
    body = client.get("/api/v1/rewards?street=420106001&year=2026").get_json()
    assert body["projects"], body
    assert body["allocated_yuan"] + body["unallocated_yuan"] == body["pool_yuan"]
    assert sum(p["reward_yuan"] for p in body["projects"]) == body["allocated_yuan"]
    for p in body["projects"]:
        b = p["breakdown"]
        assert b["reward_yuan"] <= b["cap_yuan"] + 0.5
        assert round(sum(f["points"] for f in b["factors"]), 1) == round(b["points"], 1)
    assert [p["rank"] for p in body["projects"]] == list(range(1, len(body["projects"]) + 1))
