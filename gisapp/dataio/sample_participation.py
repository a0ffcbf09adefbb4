"""Participation for the sample street, made in code with fixed dates (no randomness): budget
lines and milestones for every project, a closed resident vote in one community, pledges of
money, labour and volunteers, and ratings of the finished projects.

The pledges, ballots and ratings belong to 24 sample resident accounts
(``sample-resident-01`` …) that cannot sign in: their password is a random secret, thrown away.
"""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.auth.passwords import hash_password
from gisapp.planning.models import PHASES, Project, ProjectBudgetLine, ProjectMilestone
from gisapp.planning.participation import (
    Ballot,
    Pledge,
    ProjectRating,
    VoteCandidate,
    VoteRound,
)

RESIDENTS = 24
HOUR_VALUE = decimal.Decimal(30)  # the default GISAPP_LABOUR_HOUR_VALUE_YUAN
CST = dt.timezone(dt.timedelta(hours=8))

MONEY = (200, 500, 300, 1000, 100, 800, 2000, 150, 600, 400)
HOURS = (4, 8, 6, 12, 3, 16, 5, 10)
NOTES = ("", "", "愿意出一份力", "", "周末有空", "", "全家支持", "")

# code: (money pledges, labour pledges, volunteers, first day, last day)
PLEDGES = {
    "P2026-01": (10, 6, 3, dt.date(2026, 6, 20), dt.date(2026, 10, 30)),
    "P2026-02": (6, 4, 2, dt.date(2025, 4, 10), dt.date(2025, 10, 20)),
    "P2026-03": (5, 8, 2, dt.date(2026, 5, 15), dt.date(2026, 11, 10)),
    "P2026-04": (3, 0, 1, dt.date(2026, 10, 20), dt.date(2026, 11, 18)),
    "P2026-05": (4, 6, 2, dt.date(2025, 9, 5), dt.date(2026, 3, 30)),
    "P2026-06": (0, 2, 4, dt.date(2026, 1, 10), dt.date(2026, 9, 30)),
    "P2026-07": (0, 1, 2, dt.date(2026, 11, 2), dt.date(2026, 11, 20)),
    "P2026-08": (3, 0, 5, dt.date(2025, 12, 1), dt.date(2026, 8, 31)),
    "P2026-09": (3, 3, 1, dt.date(2025, 6, 1), dt.date(2025, 11, 15)),
    "P2026-10": (5, 5, 2, dt.date(2025, 10, 1), dt.date(2026, 8, 15)),
}

RATINGS = {
    "P2026-02": (
        (5, "孩子们终于有地方玩了"),
        (5, ""),
        (4, "座椅可以再多一些"),
        (4, ""),
        (3, "晚上灯光偏暗"),
    ),
    "P2026-05": ((4, "停车方便多了"), (5, ""), (3, "充电桩不够用"), (4, "")),
    "P2026-09": (
        (5, "价格实惠，味道不错"),
        (5, "老人吃饭不用愁了"),
        (4, ""),
        (5, ""),
        (4, "希望增加晚餐"),
        (5, ""),
    ),
    "P2026-10": ((4, "每天晚上都来走一走"), (5, ""), (4, "")),
}

# shares of the budget by source, per project (government takes the rest)
SHARES = (
    ("reward", (0.10, 0.125, 0.15, 0.175)),
    ("residents_money", (0.04, 0.05, 0.06)),
    ("enterprise", (0.05, 0.0, 0.0)),
    ("social", (0.03, 0.0)),
)
LABOUR_SHARE = (0.03, 0.04)


def _accounts(session: Session) -> list[int]:
    unknowable = hash_password(secrets.token_urlsafe(32))
    users = [
        User(
            username=f"sample-resident-{i:02d}",
            password_hash=unknowable,
            role="resident",
            display_name=f"示例居民{i:02d}",
        )
        for i in range(1, RESIDENTS + 1)
    ]
    session.add_all(users)
    session.flush()
    return [u.id for u in users]


def _budget(session: Session, i: int, project: Any) -> int:
    if project.budget_yuan is None:
        return 0
    budget = decimal.Decimal(project.budget_yuan)
    lines: list[tuple[str, decimal.Decimal, decimal.Decimal | None]] = []
    for source, cycle in SHARES:
        share = decimal.Decimal(str(cycle[i % len(cycle)]))
        if share:
            lines.append((source, (budget * share).quantize(decimal.Decimal(1)), None))
    labour_share = decimal.Decimal(str(LABOUR_SHARE[i % len(LABOUR_SHARE)]))
    hours = (budget * labour_share / HOUR_VALUE).quantize(decimal.Decimal(1))
    lines.append(("residents_labour", hours * HOUR_VALUE, hours))
    government = budget - sum((amount for _s, amount, _h in lines), decimal.Decimal(0))
    lines.insert(0, ("government", government, None))
    for source, amount, line_hours in lines:
        session.add(
            ProjectBudgetLine(
                project_id=project.id, source=source, amount_yuan=amount, hours=line_hours
            )
        )
    return len(lines)


def _milestones(session: Session, project: Any) -> int:
    start = project.started_on or dt.date(2027, 1, 15)
    end = project.completed_on or start + dt.timedelta(days=150)
    reached = PHASES.index(project.phase)
    plan = [
        ("co_decide", "入户走访，收集居民意见", start - dt.timedelta(days=75)),
        ("co_decide", "居民议事会表决实施方案", start - dt.timedelta(days=30)),
        ("co_build", "开工", start),
        ("co_build", "完工验收", end),
        ("co_manage", "移交居民自管，志愿者认领养护", end + dt.timedelta(days=15)),
        ("co_evaluate", "居民满意度评议", end + dt.timedelta(days=60)),
        ("co_share", "经验总结，在全街道推广", end + dt.timedelta(days=120)),
    ]
    for phase, title, day in plan:
        index = PHASES.index(phase)
        # A step counts as done when the project is past its phase, or in it and the day passed
        # (the build's end only once the project has a completion date).
        done = index < reached or (
            index == reached and (title != "完工验收" or project.completed_on is not None)
        )
        if index == reached and day > dt.date(2026, 11, 20):
            done = False
        session.add(
            ProjectMilestone(
                project_id=project.id,
                phase=phase,
                title=title,
                due_on=day,
                done_on=day if done else None,
            )
        )
    return len(plan)


def _spread(first: dt.date, last: dt.date, n: int, k: int) -> dt.datetime:
    """The k-th of n moments spread evenly from ``first`` to ``last`` (local evenings)."""
    span = (last - first).days
    day = first + dt.timedelta(days=span * k // max(n - 1, 1))
    return dt.datetime.combine(day, dt.time(19, (k * 7) % 60), tzinfo=CST)


def _pledges(session: Session, p: int, project: Any, users: list[int]) -> int:
    money, labour, volunteers, first, last = PLEDGES[project.code]
    total = money + labour + volunteers
    n = 0
    for k in range(total):
        user = users[(p * 5 + k * 7) % len(users)]
        when = _spread(first, last, total, k)
        if k < money:
            kind, amount, hours = "money", decimal.Decimal(MONEY[(p + k) % len(MONEY)]), None
        elif k < money + labour:
            kind, amount, hours = "labour", None, decimal.Decimal(HOURS[(p + k) % len(HOURS)])
        else:
            kind, amount, hours = "volunteer", None, None
        session.add(
            Pledge(
                project_id=project.id,
                user_id=user,
                kind=kind,
                amount_yuan=amount,
                hours=hours,
                note=NOTES[(p + k) % len(NOTES)],
                created_at=when,
                # One money pledge of the first project was taken back a week later.
                withdrawn_at=when + dt.timedelta(days=7) if (p, k) == (0, 2) else None,
            )
        )
        n += 1
    return n


def _vote(session: Session, projects: dict[str, Any], users: list[int]) -> int:
    """A closed vote in 候补街社区 (summer 2025) that put the car park ahead of the trail."""
    park, trail = projects["P2026-05"], projects["P2026-10"]
    round_ = VoteRound(
        community_id=park.community_id,
        title="候补街社区2025年微改造项目投票",
        description="两个候选项目：停车场改造和健身步道，请每位居民投一票，得票多的先实施。",
        opens_at=dt.datetime(2025, 8, 1, 8, 0, tzinfo=CST),
        closes_at=dt.datetime(2025, 8, 31, 20, 0, tzinfo=CST),
        created_at=dt.datetime(2025, 7, 25, 10, 0, tzinfo=CST),
    )
    session.add(round_)
    session.flush()
    session.add_all(
        [
            VoteCandidate(round_id=round_.id, project_id=park.id, sort_order=0),
            VoteCandidate(round_id=round_.id, project_id=trail.id, sort_order=1),
        ]
    )
    session.flush()
    ballots = 23
    for k in range(ballots):
        session.add(
            Ballot(
                round_id=round_.id,
                project_id=park.id if k < 14 else trail.id,
                user_id=users[k],
                created_at=_spread(dt.date(2025, 8, 1), dt.date(2025, 8, 30), ballots, k),
            )
        )
    return ballots


def _ratings(session: Session, projects: dict[str, Any], users: list[int]) -> int:
    n = 0
    for p, (code, rows) in enumerate(RATINGS.items()):
        project = projects[code]
        base = project.completed_on + dt.timedelta(days=20)
        for k, (score, comment) in enumerate(rows):
            when = dt.datetime.combine(base + dt.timedelta(days=3 * k), dt.time(20), tzinfo=CST)
            session.add(
                ProjectRating(
                    project_id=project.id,
                    user_id=users[(p * 6 + k) % len(users)],
                    score=score,
                    comment=comment,
                    created_at=when,
                    updated_at=when,
                )
            )
            n += 1
    return n


def load_participation(session: Session) -> dict[str, int]:
    """Add the sample's participation to the loaded projects; the caller commits."""
    session.flush()
    # Area links are set by database triggers, so the projects are read back.
    rows = session.execute(
        sa.select(
            Project.id,
            Project.code,
            Project.phase,
            Project.budget_yuan,
            Project.started_on,
            Project.completed_on,
            Project.community_id,
        ).order_by(Project.code)
    ).all()
    projects = {row.code: row for row in rows}
    users = _accounts(session)
    counts = {"budget_lines": 0, "milestones": 0, "pledges": 0}
    for i, project in enumerate(rows):
        counts["budget_lines"] += _budget(session, i, project)
        counts["milestones"] += _milestones(session, project)
        if project.code in PLEDGES:
            counts["pledges"] += _pledges(session, i, project, users)
    if "P2026-05" in projects and "P2026-10" in projects:
        counts["ballots"] = _vote(session, projects, users)
    counts["project_ratings"] = _ratings(
        session, {c: projects[c] for c in RATINGS if c in projects}, users
    )
    session.flush()
    return counts
