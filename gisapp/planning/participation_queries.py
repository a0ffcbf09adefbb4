"""Read-side queries for projects and participation: budget, milestones, pledge progress, vote
results, ratings and the reports nearby before and after completion (rewards:
``gisapp.planning.reward_queries``).

Public answers never carry who pledged, voted or rated: only counts, sums and anonymous
comments. Spatial questions use geography distances (metres).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.orm import Session

from gisapp.geo.models import Area
from gisapp.planning.models import (
    BUDGET_SOURCES,
    Project,
    ProjectBudgetLine,
    ProjectMilestone,
    ProjectReport,
)
from gisapp.planning.participation import (
    Ballot,
    Pledge,
    ProjectRating,
    VoteCandidate,
    VoteRound,
)
from gisapp.reports.models import Report

ZERO = decimal.Decimal(0)
# Twins and rejected reports would count one problem twice or count a non-problem.
COUNTED_REPORT_STATUSES = ("submitted", "accepted", "in_progress", "resolved", "closed")


# ----------------------------------------------------------------------------- budget, plan
def budget_by_source(session: Session, project_id: int) -> dict[str, Any]:
    """Planned budget lines summed by source, in BUDGET_SOURCES order, with the total."""
    rows = session.execute(
        sa.select(
            ProjectBudgetLine.source,
            sa.func.sum(ProjectBudgetLine.amount_yuan),
            sa.func.sum(ProjectBudgetLine.hours),
        )
        .where(ProjectBudgetLine.project_id == project_id)
        .group_by(ProjectBudgetLine.source)
    ).all()
    found = {source: (amount or ZERO, hours) for source, amount, hours in rows}
    lines: list[dict[str, Any]] = [
        {"source": s, "amount_yuan": found[s][0], "hours": found[s][1]}
        for s in BUDGET_SOURCES
        if s in found
    ]
    total = sum((line["amount_yuan"] for line in lines), ZERO)
    return {"lines": lines, "total_yuan": total}


def milestones(session: Session, project_id: int) -> list[ProjectMilestone]:
    return list(
        session.scalars(
            sa.select(ProjectMilestone)
            .where(ProjectMilestone.project_id == project_id)
            .order_by(
                sa.func.coalesce(ProjectMilestone.done_on, ProjectMilestone.due_on).nulls_last(),
                ProjectMilestone.id,
            )
        )
    )


def linked_reports(session: Session, project_id: int) -> list[Report]:
    return list(
        session.scalars(
            sa.select(Report)
            .join(ProjectReport, ProjectReport.report_id == Report.id)
            # The project page is public: held and hidden reports stay out of it.
            .where(ProjectReport.project_id == project_id, Report.moderation == "visible")
            .order_by(Report.created_at)
        )
    )


# ----------------------------------------------------------------------------- pledges
def pledge_summary(
    session: Session, project_id: int, hour_value: decimal.Decimal
) -> dict[str, Any]:
    """Standing pledges (not withdrawn) against the plan's residents' lines; no names."""
    row = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(Pledge.amount_yuan).filter(Pledge.kind == "money"), ZERO),
            sa.func.count().filter(Pledge.kind == "money"),
            sa.func.coalesce(sa.func.sum(Pledge.hours).filter(Pledge.kind == "labour"), ZERO),
            sa.func.count().filter(Pledge.kind == "labour"),
            sa.func.count().filter(Pledge.kind == "volunteer"),
            sa.func.count(sa.distinct(Pledge.user_id)),
        ).where(Pledge.project_id == project_id, Pledge.withdrawn_at.is_(None))
    ).one()
    money, hours = decimal.Decimal(row[0] or 0), decimal.Decimal(row[2] or 0)
    money_n, hours_n, volunteers, people = (int(row[i] or 0) for i in (1, 3, 4, 5))
    plan = {line["source"]: line for line in budget_by_source(session, project_id)["lines"]}
    planned_money = plan["residents_money"]["amount_yuan"] if "residents_money" in plan else None
    planned_hours = None
    if "residents_labour" in plan:
        labour = plan["residents_labour"]
        planned_hours = labour["hours"]
        if planned_hours is None and hour_value:
            planned_hours = (labour["amount_yuan"] / hour_value).quantize(decimal.Decimal("0.1"))
    return {
        "money": {
            "pledged_yuan": money,
            "pledges": money_n,
            "planned_yuan": planned_money,
            "percent": _percent(money, planned_money),
        },
        "labour": {
            "pledged_hours": hours,
            "pledged_value_yuan": (hours * hour_value).quantize(decimal.Decimal("0.01")),
            "pledges": hours_n,
            "planned_hours": planned_hours,
            "percent": _percent(hours, planned_hours),
        },
        "volunteers": volunteers,
        "households": people,
        "hour_value_yuan": hour_value,
    }


def _percent(done: decimal.Decimal, planned: decimal.Decimal | None) -> float | None:
    if not planned:
        return None
    return round(float(done / planned * 100), 1)


def my_pledges(session: Session, project_id: int, user_id: int) -> list[Pledge]:
    return list(
        session.scalars(
            sa.select(Pledge)
            .where(Pledge.project_id == project_id, Pledge.user_id == user_id)
            .order_by(Pledge.created_at.desc(), Pledge.id.desc())
        )
    )


# ----------------------------------------------------------------------------- votes
def rounds(
    session: Session, community_id: int | None = None, limit: int = 100
) -> list[tuple[VoteRound, Area]]:
    """Vote rounds, the latest to close first."""
    stmt = (
        sa.select(VoteRound, Area)
        .join(Area, Area.id == VoteRound.community_id)
        .order_by(VoteRound.closes_at.desc(), VoteRound.id.desc())
        .limit(limit)
    )
    if community_id is not None:
        stmt = stmt.where(VoteRound.community_id == community_id)
    return [(r, a) for r, a in session.execute(stmt).all()]


def rounds_of_project(session: Session, project_id: int) -> list[VoteRound]:
    return list(
        session.scalars(
            sa.select(VoteRound)
            .join(VoteCandidate, VoteCandidate.round_id == VoteRound.id)
            .where(VoteCandidate.project_id == project_id)
            .order_by(VoteRound.closes_at.desc())
        )
    )


def ballot_counts(session: Session, round_ids: list[int]) -> dict[int, int]:
    """Ballots cast per round."""
    if not round_ids:
        return {}
    rows = session.execute(
        sa.select(Ballot.round_id, sa.func.count())
        .where(Ballot.round_id.in_(round_ids))
        .group_by(Ballot.round_id)
    ).all()
    return {rid: int(n) for rid, n in rows}


def results(session: Session, round_id: int) -> list[dict[str, Any]]:
    """Candidates with their votes and share, most votes first, with footprints as GeoJSON."""
    votes = (
        sa.select(sa.func.count())
        .where(Ballot.round_id == round_id, Ballot.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Project, votes.label("votes"), sa.func.ST_AsGeoJSON(Project.geom, 6))
        .join(VoteCandidate, VoteCandidate.project_id == Project.id)
        .where(VoteCandidate.round_id == round_id)
        .order_by(VoteCandidate.sort_order, Project.id)
    ).all()
    total = sum(int(r.votes) for r in rows)
    out = [
        {
            "project": project,
            "order": order,
            "votes": int(n),
            "percent": round(100 * int(n) / total, 1) if total else 0.0,
            "geometry": json.loads(geometry),
        }
        for order, (project, n, geometry) in enumerate(rows)
    ]
    for candidate in out:
        # Ties share a rank: one more than the number of candidates with more votes.
        candidate["rank"] = 1 + sum(1 for c in out if c["votes"] > candidate["votes"])
    return sorted(out, key=lambda c: c["rank"])


def my_ballot(session: Session, round_id: int, user_id: int) -> Ballot | None:
    return session.scalars(
        sa.select(Ballot).where(Ballot.round_id == round_id, Ballot.user_id == user_id)
    ).first()


def vote_candidates_open(session: Session, limit: int = 500) -> list[tuple[Project, Area]]:
    """Projects that may stand in a new vote (still being decided), with their community."""
    return [
        (p, a)
        for p, a in session.execute(
            sa.select(Project, Area)
            .join(Area, Area.id == Project.community_id)
            .where(Project.phase == "co_decide")
            .order_by(Area.code, Project.code)
            .limit(limit)
        ).all()
    ]


# ----------------------------------------------------------------------------- ratings
def rating_summary(session: Session, project_id: int, comments: int = 20) -> dict[str, Any]:
    rows = session.execute(
        sa.select(ProjectRating.score, sa.func.count())
        .where(ProjectRating.project_id == project_id)
        .group_by(ProjectRating.score)
    ).all()
    distribution = {score: 0 for score in range(1, 6)}
    for score, n in rows:
        distribution[int(score)] = int(n)
    count = sum(distribution.values())
    average = sum(s * n for s, n in distribution.items()) / count if count else None
    latest = session.execute(
        sa.select(ProjectRating.score, ProjectRating.comment, ProjectRating.updated_at)
        .where(ProjectRating.project_id == project_id, ProjectRating.comment != "")
        .order_by(ProjectRating.updated_at.desc())
        .limit(comments)
    ).all()
    return {
        "count": count,
        "average": round(average, 2) if average is not None else None,
        "distribution": distribution,
        "satisfied_percent": (
            round(100 * (distribution[4] + distribution[5]) / count, 1) if count else None
        ),
        "comments": [
            {"score": int(s), "comment": c, "updated_at": t.isoformat()} for s, c, t in latest
        ],
    }


# ----------------------------------------------------------------------------- related reports
def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


@dataclass(frozen=True)
class RelatedReports:
    radius_m: float
    completed_on: dt.date
    start: dt.date
    end: dt.date
    before: int
    after: int
    after_days: int
    """Days of the 'after' window that have passed (the window may still be running)."""
    months: list[tuple[dt.date, int, int]]
    """(first day of the month, reports before completion, reports after) per calendar month."""

    @property
    def before_days(self) -> int:
        return (self.completed_on - self.start).days


def related_reports(
    session: Session,
    project: Project,
    radius_m: float,
    timezone: str,
    today: dt.date | None = None,
) -> RelatedReports | None:
    """Reports within ``radius_m`` of the footprint, 6 months before and after completion."""
    if project.completed_on is None:
        return None
    tz = zoneinfo.ZoneInfo(timezone)
    start, end = add_months(project.completed_on, -6), add_months(project.completed_on, 6)
    mid = _midnight(project.completed_on, tz)
    lat = session.scalar(
        sa.select(
            sa.func.greatest(
                sa.func.abs(sa.func.ST_YMin(Project.geom)),
                sa.func.abs(sa.func.ST_YMax(Project.geom)),
            )
        ).where(Project.id == project.id)
    )
    # A degree bound the spatial index can use, then the exact distance in metres.
    degrees = radius_m / (111_320 * math.cos(math.radians(min(float(lat or 0), 85.0)))) * 1.01
    footprint = sa.select(Project.geom).where(Project.id == project.id).scalar_subquery()
    local_month = sa.func.date_trunc("month", sa.func.timezone(timezone, Report.created_at))
    rows = session.execute(
        sa.select(
            local_month.label("month"),
            sa.func.count().filter(Report.created_at < mid),
            sa.func.count().filter(Report.created_at >= mid),
        )
        .where(
            Report.created_at >= _midnight(start, tz),
            Report.created_at < _midnight(end, tz),
            Report.status.in_(COUNTED_REPORT_STATUSES),
            sa.func.ST_DWithin(Report.geom, footprint, degrees),
            sa.func.ST_DWithin(
                sa.cast(Report.geom, Geography(srid=4326)),
                sa.cast(footprint, Geography(srid=4326)),
                radius_m,
            ),
        )
        .group_by(local_month)
    ).all()
    counts = {m.date(): (int(b), int(a)) for m, b, a in rows}
    months = []
    month = start.replace(day=1)
    while month < end:
        before, after = counts.get(month, (0, 0))
        months.append((month, before, after))
        month = add_months(month, 1)
    today = today or dt.datetime.now(tz).date()
    after_days = max(0, (min(today, end) - project.completed_on).days)
    return RelatedReports(
        radius_m=radius_m,
        completed_on=project.completed_on,
        start=start,
        end=end,
        before=sum(b for _m, b, _a in months),
        after=sum(a for _m, _b, a in months),
        after_days=after_days,
        months=months,
    )
