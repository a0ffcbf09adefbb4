"""The data behind 以奖代补 rewards: what residents did for each project of a street in a year,
and the street's reward table (the arithmetic is in ``gisapp.planning.rewards``)."""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.errors import NotFound, ValidationFailed
from gisapp.geo.models import Area
from gisapp.maintenance.models import Facility, MaintenanceRecord
from gisapp.planning.models import Project
from gisapp.planning.participation import Ballot, Pledge
from gisapp.planning.rewards import ProjectInputs, RewardRules, compute

ZERO = decimal.Decimal(0)


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def streets(session: Session) -> list[Area]:
    return list(session.scalars(sa.select(Area).where(Area.level == "street").order_by(Area.code)))


def reward_inputs(
    session: Session, street_id: int, year: int, timezone: str
) -> list[ProjectInputs]:
    """Each project of the street with what residents did for it in the (local) calendar year."""
    tz = zoneinfo.ZoneInfo(timezone)
    start, end = _midnight(dt.date(year, 1, 1), tz), _midnight(dt.date(year + 1, 1, 1), tz)
    projects = list(
        session.scalars(
            sa.select(Project).where(Project.street_id == street_id).order_by(Project.code)
        )
    )
    ids = [p.id for p in projects]
    if not ids:
        return []
    in_year = (Pledge.created_at >= start, Pledge.created_at < end)
    standing = (Pledge.project_id.in_(ids), Pledge.withdrawn_at.is_(None), *in_year)
    sums = {
        pid: (money or ZERO, hours or ZERO)
        for pid, money, hours in session.execute(
            sa.select(
                Pledge.project_id,
                sa.func.sum(Pledge.amount_yuan).filter(Pledge.kind == "money"),
                sa.func.sum(Pledge.hours).filter(Pledge.kind == "labour"),
            )
            .where(*standing)
            .group_by(Pledge.project_id)
        ).all()
    }
    ballots_in_year = (
        Ballot.project_id.in_(ids),
        Ballot.created_at >= start,
        Ballot.created_at < end,
    )
    votes = dict(
        session.execute(
            sa.select(Ballot.project_id, sa.func.count())
            .where(*ballots_in_year)
            .group_by(Ballot.project_id)
        ).all()
    )
    people = sa.union(
        sa.select(Pledge.project_id, Pledge.user_id).where(*standing),
        sa.select(Ballot.project_id, Ballot.user_id).where(*ballots_in_year),
    ).subquery()
    households: dict[int, int] = dict(
        session.execute(
            sa.select(people.c.project_id, sa.func.count(sa.distinct(people.c.user_id))).group_by(
                people.c.project_id
            )
        ).all()
    )
    communities = {p.community_id for p in projects if p.community_id is not None}
    tasks = dict(
        session.execute(
            sa.select(Facility.community_id, sa.func.count())
            .join(MaintenanceRecord, MaintenanceRecord.facility_id == Facility.id)
            .where(
                Facility.community_id.in_(communities),
                MaintenanceRecord.volunteer.is_(True),
                MaintenanceRecord.performed_on >= dt.date(year, 1, 1),
                MaintenanceRecord.performed_on < dt.date(year + 1, 1, 1),
            )
            .group_by(Facility.community_id)
        ).all()
    )
    return [
        ProjectInputs(
            id=p.id,
            code=p.code,
            title_zh=p.title_zh,
            title_en=p.title_en,
            phase=p.phase,
            community_id=p.community_id,
            budget_yuan=p.budget_yuan,
            money_yuan=sums.get(p.id, (ZERO, ZERO))[0],
            labour_hours=sums.get(p.id, (ZERO, ZERO))[1],
            households=int(households.get(p.id, 0)),
            votes=int(votes.get(p.id, 0)),
            co_management=int(tasks.get(p.community_id, 0)),
        )
        for p in projects
    ]


def street_rewards(
    session: Session,
    rules: RewardRules,
    street_raw: str | None,
    year_raw: str | None,
    *,
    timezone: str,
    hour_value: decimal.Decimal,
) -> dict[str, Any]:
    """The reward table of a street (code or id) and year (default: this year, local time)."""
    if not street_raw:
        raise ValidationFailed("street is required (a street code or id)", field="street")
    raw = street_raw.strip()[:32]
    street = session.scalars(sa.select(Area).where(Area.code == raw)).first()
    if street is None and raw.isdecimal() and int(raw) < 2**31:
        street = session.get(Area, int(raw))
    if street is None:
        raise NotFound(f"no area {raw!r}", field="street")
    if street.level != "street":
        raise ValidationFailed(f"{raw!r} is not a street", field="street")
    if year_raw:
        if not year_raw.isdecimal() or not 2000 <= int(year_raw) <= 2100:
            raise ValidationFailed("year must be a year like 2026", field="year")
        year = int(year_raw)
    else:
        year = dt.datetime.now(zoneinfo.ZoneInfo(timezone)).year
    pool = rules.pool_for(street.code, year)
    if pool is None:
        raise NotFound(
            f"no reward pool is configured for street {street.code} in {year}", field="year"
        )
    return compute(
        rules,
        street={
            "id": street.id,
            "code": street.code,
            "name_zh": street.name_zh,
            "name_en": street.name_en,
        },
        year=year,
        pool_yuan=pool,
        projects=reward_inputs(session, street.id, year, timezone),
        hour_value=hour_value,
    )
