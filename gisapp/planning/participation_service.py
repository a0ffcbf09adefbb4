"""Residents' participation, the write side: vote rounds and ballots, pledges, project ratings.

Each function validates everything first, then writes; the caller commits. A rejected call
raises an error from ``gisapp.errors`` naming the field and has written nothing::

    round_ = create_round(session, actor, {"community": "420106001007", "title": "...",
                          "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-15T20:00",
                          "project_ids": [4, 11]}, timezone="Asia/Shanghai")
    cast_ballot(session, round_, actor, project_id=4)
    pledge(session, project, actor, "money", amount_yuan="200")
    pledge(session, project, actor, "labour", hours=6)
    rate_project(session, project, actor, score=5, comment="...")
"""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from gisapp.db import affected
from gisapp.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from gisapp.geo.models import Area
from gisapp.planning.models import Project
from gisapp.planning.participation import (
    PLEDGE_KINDS,
    Ballot,
    Pledge,
    ProjectRating,
    VoteCandidate,
    VoteRound,
)
from gisapp.reports.actors import Actor
from gisapp.validation import text_field

PLANNER_ROLES = ("planner", "admin")
# Money and labour are pledged while a project is decided and built; volunteers also sign up
# to keep what was built (co-manage).
PLEDGE_PHASES = {
    "money": ("co_decide", "co_build"),
    "labour": ("co_decide", "co_build"),
    "volunteer": ("co_decide", "co_build", "co_manage"),
}
RATED_PHASES = ("co_evaluate", "co_share")
MAX_PLEDGE_YUAN = decimal.Decimal(1_000_000)
MAX_PLEDGE_HOURS = decimal.Decimal(1_000)
MAX_NOTE = 500
MAX_COMMENT = 2000
MAX_CANDIDATES = 20
MAX_VOTE_DAYS = 366


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _signed_in(actor: Actor, what: str) -> int:
    if actor.user_id is None:
        raise Unauthorized(f"sign in to {what}")
    return actor.user_id


def _id(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a whole number", field=field)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    else:
        raise ValidationFailed(f"{field} must be a whole number", field=field)
    if not 0 < number < 2**31:
        raise ValidationFailed(f"{field} is out of range", field=field)
    return number


def _amount(
    value: Any, field: str, places: int, maximum: decimal.Decimal, unit: str
) -> decimal.Decimal:
    """A positive number with at most ``places`` decimals; strings from forms are accepted."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationFailed(f"{field} must be a number", field=field)
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValidationFailed(f"{field} must be a number", field=field) from None
    if not number.is_finite():
        raise ValidationFailed(f"{field} must be a number", field=field)
    if number <= 0:
        raise ValidationFailed(f"{field} must be more than 0", field=field)
    if number > maximum:
        raise ValidationFailed(f"{field} must be at most {maximum} {unit}", field=field)
    if number != number.quantize(decimal.Decimal(1).scaleb(-places)):
        raise ValidationFailed(f"{field} may have at most {places} decimal places", field=field)
    return number.quantize(decimal.Decimal(1).scaleb(-places))


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ----------------------------------------------------------------------------- votes
def get_round(session: Session, round_id: int) -> VoteRound:
    found = session.get(VoteRound, round_id)
    if found is None:
        raise NotFound(f"no vote {round_id}", field="vote_id")
    return found


def _when(value: Any, field: str, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """An ISO 8601 date-time; without an offset it is local time (as a form sends it)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(
            f"{field} must be a date and time like 2026-12-01T08:00", field=field
        )
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a date and time like 2026-12-01T08:00", field=field
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=tz)
    return stamp.astimezone(dt.UTC)


def _community(session: Session, value: Any) -> Area:
    if isinstance(value, bool) or not isinstance(value, str | int) or _absent(value):
        raise ValidationFailed("community must be a community code or id", field="community")
    raw = str(value).strip()[:32]
    area = session.scalars(sa.select(Area).where(Area.code == raw)).first()
    if area is None and raw.isdecimal() and int(raw) < 2**31:
        area = session.get(Area, int(raw))
    if area is None or area.level != "community":
        raise ValidationFailed(f"no community {raw!r}", field="community")
    return area


def create_round(
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    *,
    timezone: str,
    now: dt.datetime | None = None,
) -> VoteRound:
    """A planner opens a vote among a community's candidate projects (phase co_decide)."""
    _signed_in(actor, "create a vote")
    if actor.role not in PLANNER_ROLES:
        raise Forbidden("only planners may create votes")
    now = now or _now()
    tz = zoneinfo.ZoneInfo(timezone)
    community = _community(session, data.get("community"))
    title = text_field(data.get("title"), "title", 200, required=True)
    description = text_field(data.get("description"), "description", MAX_COMMENT)
    opens_at = _when(data.get("opens_at"), "opens_at", tz)
    closes_at = _when(data.get("closes_at"), "closes_at", tz)
    if closes_at <= opens_at:
        raise ValidationFailed("closes_at must be after opens_at", field="closes_at")
    if closes_at <= now:
        raise ValidationFailed("closes_at must be in the future", field="closes_at")
    if closes_at - opens_at > dt.timedelta(days=MAX_VOTE_DAYS):
        raise ValidationFailed(f"a vote may last at most {MAX_VOTE_DAYS} days", field="closes_at")
    raw_ids = data.get("project_ids")
    if not isinstance(raw_ids, list):
        raise ValidationFailed("project_ids must be a list of project ids", field="project_ids")
    ids = [_id(v, "project_ids") for v in raw_ids]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("a project is listed twice", field="project_ids")
    if not 2 <= len(ids) <= MAX_CANDIDATES:
        raise ValidationFailed(
            f"a vote needs 2 to {MAX_CANDIDATES} candidate projects", field="project_ids"
        )
    projects = {p.id: p for p in session.scalars(sa.select(Project).where(Project.id.in_(ids)))}
    for pid in ids:
        project = projects.get(pid)
        if project is None:
            raise ValidationFailed(f"no project {pid}", field="project_ids")
        if project.community_id != community.id:
            raise ValidationFailed(
                f"project {project.code} is not in community {community.code}", field="project_ids"
            )
        if project.phase != "co_decide":
            raise ValidationFailed(
                f"project {project.code} is past co-decide; only projects still being decided "
                "can stand in a vote",
                field="project_ids",
            )
    overlapping = session.scalars(
        sa.select(Project.code)
        .join(VoteCandidate, VoteCandidate.project_id == Project.id)
        .join(VoteRound, VoteRound.id == VoteCandidate.round_id)
        .where(Project.id.in_(ids), VoteRound.opens_at < closes_at, VoteRound.closes_at > opens_at)
    ).first()
    if overlapping:
        raise Conflict(
            f"project {overlapping} is already in a vote at that time", field="project_ids"
        )
    round_ = VoteRound(
        community_id=community.id,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(round_)
    session.flush()
    for order, pid in enumerate(ids):
        session.add(VoteCandidate(round_id=round_.id, project_id=pid, sort_order=order))
    session.flush()
    return round_


def cast_ballot(
    session: Session,
    round_: VoteRound,
    actor: Actor,
    project_id: Any,
    now: dt.datetime | None = None,
) -> Ballot:
    """One ballot per account and round, for one candidate, while the vote is open."""
    user_id = _signed_in(actor, "vote")
    pid = _id(project_id, "project_id")
    now = now or _now()
    if now < round_.opens_at:
        raise Conflict("this vote has not opened yet", field="opens_at")
    if now >= round_.closes_at:
        raise Conflict("this vote has closed", field="closes_at")
    if session.get(VoteCandidate, {"round_id": round_.id, "project_id": pid}) is None:
        raise ValidationFailed(f"project {pid} is not a candidate in this vote", field="project_id")
    stmt = (
        insert(Ballot)
        .values(round_id=round_.id, project_id=pid, user_id=user_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
    )
    if not affected(session, stmt):
        raise Conflict("you have already voted in this vote", field="vote_id")
    ballot = session.scalars(
        sa.select(Ballot).where(Ballot.round_id == round_.id, Ballot.user_id == user_id)
    ).one()
    return ballot


# ----------------------------------------------------------------------------- pledges
def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}", field="project_id")
    return project


def pledge(
    session: Session,
    project: Project,
    actor: Actor,
    kind: Any,
    amount_yuan: Any = None,
    hours: Any = None,
    note: Any = None,
) -> Pledge:
    """Pledge money (yuan) or labour (hours), or sign up as a volunteer."""
    user_id = _signed_in(actor, "pledge")
    if not isinstance(kind, str) or kind not in PLEDGE_KINDS:
        raise ValidationFailed("kind must be money, labour or volunteer", field="kind")
    amount = hour_count = None
    if kind == "money":
        if _absent(amount_yuan):
            raise ValidationFailed("amount_yuan is required for money", field="amount_yuan")
        amount = _amount(amount_yuan, "amount_yuan", 2, MAX_PLEDGE_YUAN, "yuan")
    elif not _absent(amount_yuan):
        raise ValidationFailed("only money pledges have amount_yuan", field="amount_yuan")
    if kind == "labour":
        if _absent(hours):
            raise ValidationFailed("hours is required for labour", field="hours")
        hour_count = _amount(hours, "hours", 1, MAX_PLEDGE_HOURS, "hours")
    elif not _absent(hours):
        raise ValidationFailed("only labour pledges have hours", field="hours")
    text = text_field(note, "note", MAX_NOTE)
    if project.phase not in PLEDGE_PHASES[kind]:
        raise Conflict(f"this project no longer takes {kind} pledges", field="kind")
    stmt = (
        insert(Pledge)
        .values(
            project_id=project.id,
            user_id=user_id,
            kind=kind,
            amount_yuan=amount,
            hours=hour_count,
            note=text,
            created_at=_now(),
        )
        .on_conflict_do_nothing(
            index_elements=["project_id", "user_id"],
            index_where=sa.text("kind = 'volunteer' AND withdrawn_at IS NULL"),
        )
        .returning(Pledge.id)
    )
    session.flush()
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        raise Conflict("you have already signed up as a volunteer", field="kind")
    made = session.get(Pledge, new_id)
    assert made is not None
    return made


def withdraw_pledge(session: Session, project: Project, actor: Actor, pledge_id: int) -> Pledge:
    """The pledger takes a pledge back while the project still takes that kind of pledge."""
    user_id = _signed_in(actor, "withdraw a pledge")
    found = session.get(Pledge, pledge_id, with_for_update=True)
    if found is None or found.project_id != project.id:
        raise NotFound(f"no pledge {pledge_id} for this project", field="pledge_id")
    if found.user_id != user_id:
        raise Forbidden("only the person who pledged may withdraw a pledge")
    if found.withdrawn_at is not None:
        raise Conflict("this pledge was already withdrawn", field="pledge_id")
    if project.phase not in PLEDGE_PHASES[found.kind]:
        raise Conflict(
            "the project has moved on; this pledge can no longer be withdrawn", field="pledge_id"
        )
    found.withdrawn_at = _now()
    session.flush()
    return found


# ----------------------------------------------------------------------------- ratings
def is_finished(project: Project) -> bool:
    return project.completed_on is not None or project.phase in RATED_PHASES


def rate_project(
    session: Session, project: Project, actor: Actor, score: Any, comment: Any = None
) -> ProjectRating:
    """效果共评: one 1-5 score per account once the project is finished; rating again replaces."""
    user_id = _signed_in(actor, "rate a project")
    if not is_finished(project):
        raise Conflict("a project can be rated once it is finished", field="id")
    if isinstance(score, bool) or not isinstance(score, int | str):
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score")
    try:
        value = int(score)
    except ValueError:
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score") from None
    if not 1 <= value <= 5:
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score")
    text = text_field(comment, "comment", MAX_COMMENT)
    now = _now()
    stmt = insert(ProjectRating).values(
        project_id=project.id,
        user_id=user_id,
        score=value,
        comment=text,
        created_at=now,
        updated_at=now,
    )
    session.flush()
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["project_id", "user_id"],
            set_={"score": value, "comment": text, "updated_at": now},
        )
    )
    rating = session.get(
        ProjectRating, {"project_id": project.id, "user_id": user_id}, populate_existing=True
    )
    assert rating is not None
    return rating
