"""The figures of /api/v1/outcomes against a small district worked out by hand (conftest.py),
and the trigger-kept facts staying right when reports change, move, are rated or deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.models import Report, ReportRating
from tests.outcomes.conftest import PERIOD, Place, at

FACTS = (
    "SELECT level, month, area_id, received, resolved, round(resolve_days::numeric, 4), "
    "ratings, rating_sum, d0, d1, d2, d3, d4, d5, d6, d7, d8, d11, d15, d22, d31, d46, d61, "
    "d91, d181, d366 FROM outcome_area_months "
    "WHERE received <> 0 OR resolved <> 0 OR ratings <> 0 OR rating_sum <> 0 OR resolve_days <> 0 "
    "ORDER BY 1, 2, 3"
)


def get(client: FlaskClient, lang: str = "zh-CN", **params: Any) -> dict[str, Any]:
    resp = client.get(
        "/api/v1/outcomes",
        query_string={**PERIOD, **params},
        headers={"Accept-Language": lang},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data: dict[str, Any] = resp.get_json()
    return data


def by_code(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in data["areas"]}


def test_communities_of_the_street(client: FlaskClient, place: Place) -> None:
    data = get(client, area=place.street.code, level="community")
    assert data["level"] == "community" and data["from"] == "2026-01" and data["to"] == "2026-03"
    assert data["area"]["code"] == "TS1"
    rows = by_code(data)
    assert set(rows) == {"TC1", "TC2"}
    c1, c2 = rows["TC1"], rows["TC2"]
    # C1: r1-r5 filed (r5 at 00:30 local on 1 March is in the period); r1, r2, r3 resolved in
    # 1, 13 and 3 days; rated 5, 4 and 2.
    assert (c1["received"], c1["resolved"], c1["median_days_to_resolve"]) == (5, 3, 3.0)
    assert c1["mean_days_to_resolve"] == round((1.0833 + 13.0417 + 3.0833) / 3, 1)
    assert (c1["ratings"], c1["satisfaction"]) == (3, 3.67)
    # P1 completed in February, rated 5 and 3; pledges in the period: 500 yuan (the withdrawn
    # 1,000 and November's 300 do not count), 10 hours, 1 volunteer.
    assert (c1["projects_completed"], c1["project_ratings"], c1["project_satisfaction"]) == (
        1,
        2,
        4.0,
    )
    assert (c1["money_yuan"], c1["labour_hours"], c1["volunteers"]) == (500.0, 10.0, 1)
    # C2: r6 filed; r6 (5 days) and December's r7 (21 days, resolved in January) resolved: the
    # median of two is their mean; 21 days is in the 15-21 days bucket, read as its middle, 18.
    assert (c2["received"], c2["resolved"], c2["median_days_to_resolve"]) == (1, 2, 11.5)
    assert (c2["ratings"], c2["satisfaction"]) == (1, 4.0)
    assert (c2["projects_completed"], c2["money_yuan"]) == (0, 77.0)  # P2 finished in 2025


def test_scope_totals_and_months(client: FlaskClient, place: Place) -> None:
    data = get(client, area=place.street.code)
    total = data["total"]
    assert (total["received"], total["resolved"]) == (6, 5)
    assert total["median_days_to_resolve"] == 5.0  # 1, 3, 5, 13, 21
    assert (total["ratings"], total["satisfaction"]) == (4, 3.75)
    assert (total["projects_completed"], total["money_yuan"], total["volunteers"]) == (1, 577.0, 1)
    months = {m["month"]: m for m in data["months"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    jan, feb, mar = months["2026-01"], months["2026-02"], months["2026-03"]
    # 1 and 21 (bucket 15-21: 18); 13 (bucket 11-14: 12.5) and 3.
    assert (jan["received"], jan["resolved"], jan["median_days_to_resolve"]) == (2, 2, 9.5)
    assert (feb["received"], feb["resolved"], feb["median_days_to_resolve"]) == (2, 2, 7.8)
    assert (mar["received"], mar["resolved"], mar["median_days_to_resolve"]) == (2, 1, 5.0)
    assert (jan["satisfaction"], feb["satisfaction"], mar["satisfaction"]) == (4.5, 2.0, 4.0)
    assert (jan["money_yuan"], feb["labour_hours"], feb["projects_completed"]) == (577.0, 10.0, 1)
    # The district says the same as its only street.
    assert get(client, area=place.district.code)["total"] == total


def test_grids_and_a_shorter_period(client: FlaskClient, place: Place) -> None:
    rows = by_code(get(client, area=place.street.code, level="grid"))
    assert (rows["TG0"]["received"], rows["TG1"]["received"]) == (5, 1)
    feb = by_code(get(client, area=place.street.code, to="2026-02", months="1"))
    assert (feb["TC1"]["received"], feb["TC1"]["resolved"], feb["TC2"]["resolved"]) == (2, 2, 0)
    assert feb["TC2"]["median_days_to_resolve"] is None and feb["TC2"]["satisfaction"] is None


def test_facts_follow_changes(client: FlaskClient, db_session: Session, place: Place) -> None:
    s = db_session
    r = place.reports
    # r4 resolved 2 days after filing; r5 moves from C1 to C2 and takes nothing else along;
    # r1 is deleted with its two ratings; r3's rating changes from 2 to 5.
    s.execute(
        sa.update(Report)
        .where(Report.id == r["r4"].id)
        .values(status="resolved", resolved_at=at(2026, 3, 2, 23, 30), updated_at=at(2026, 3, 3))
    )
    s.execute(sa.update(Report).where(Report.id == r["r5"].id).values(geom=place.point(place.c2)))
    s.execute(sa.update(Report).values(support_count=Report.support_count + 1))
    s.execute(sa.delete(Report).where(Report.id == r["r1"].id))
    s.execute(sa.update(ReportRating).where(ReportRating.report_id == r["r3"].id).values(score=5))
    s.flush()
    rows = by_code(get(client, area=place.street.code))
    c1, c2 = rows["TC1"], rows["TC2"]
    assert (c1["received"], c1["resolved"], c1["median_days_to_resolve"]) == (3, 3, 3.0)
    assert (c1["ratings"], c1["satisfaction"]) == (1, 5.0)
    assert (c2["received"], c2["resolved"]) == (2, 2)
    # Kept by deltas (folded into the facts) = recomputed from scratch.
    s.execute(sa.text("SELECT gisapp_summaries_fold()"))
    facts = s.execute(sa.text(FACTS)).all()
    s.execute(sa.text("SELECT gisapp_outcomes_rebuild()"))
    assert facts == s.execute(sa.text(FACTS)).all()


def test_truncating_reports_empties_the_facts(db_session: Session, place: Place) -> None:
    db_session.execute(sa.text("TRUNCATE reports CASCADE"))
    assert db_session.execute(sa.text(FACTS)).all() == []


def test_default_period_is_the_last_twelve_months(client: FlaskClient) -> None:
    data = client.get("/api/v1/outcomes").get_json()
    assert len(data["months"]) == 12
    today = dt.date.today()
    assert data["to"] in (today.strftime("%Y-%m"), (today - dt.timedelta(days=1)).strftime("%Y-%m"))
    # The sample's single district and street: the dashboard starts at the communities.
    assert data["level"] == "community" and len(data["areas"]) == 10


def test_completed_projects_in_the_answer(client: FlaskClient, place: Place) -> None:
    projects = get(client, area=place.street.code, lang="en")["projects"]
    assert [p["code"] for p in projects] == ["TP1"]
    p = projects[0]
    assert p["title"] == "Test pocket park" and p["completed_on"] == "2026-02-15"
    # All-time pledges of the project (not only the period's), withdrawn ones left out.
    assert (p["money_yuan"], p["labour_hours"], p["volunteers"]) == (800.0, 10.0, 1)
    assert (p["ratings"], p["satisfaction"]) == (2, 4.0)
    assert p["photos"] == {"before": [], "after": []}


def test_held_and_hidden_reports_stay_out(
    client: FlaskClient, db_session: Session, place: Place
) -> None:
    """The figures count what the public map shows: a report hidden by a moderator (r3, with a
    rating) or held for moderation (r2) leaves them, and comes back when shown again."""
    s = db_session
    r = place.reports

    def c1() -> tuple[int, int, int]:
        row = by_code(get(client, area=place.street.code))["TC1"]
        return row["received"], row["resolved"], row["ratings"]

    received, resolved, ratings = c1()
    s.execute(sa.update(Report).where(Report.id == r["r3"].id).values(moderation="hidden"))
    s.execute(sa.update(Report).where(Report.id == r["r2"].id).values(moderation="held"))
    s.flush()
    assert c1() == (received - 2, resolved - 2, ratings - 1)
    # A rating given to a hidden report does not count either.
    s.add(ReportRating(report_id=r["r3"].id, rater="u:904", score=5, created_at=at(2026, 2, 11)))
    s.flush()
    assert c1() == (received - 2, resolved - 2, ratings - 1)
    s.execute(sa.text("SELECT gisapp_summaries_fold()"))
    facts = s.execute(sa.text(FACTS)).all()
    s.execute(sa.text("SELECT gisapp_outcomes_rebuild()"))
    assert facts == s.execute(sa.text(FACTS)).all()
    s.execute(
        sa.update(Report)
        .where(Report.id.in_([r["r2"].id, r["r3"].id]))
        .values(moderation="visible")
    )
    s.flush()
    assert c1() == (received, resolved, ratings + 1)
