"""Volunteer stewards (认领): a resident adopts facilities, checks them, and may withdraw.

The rule (README, "Co-managing"):

- only residents adopt (staff log their work directly);
- one active steward per facility, and only facilities in use;
- a steward looks after at most ``MAX_ADOPTIONS`` facilities at once;
- a steward's facilities lie in one community, the community's volunteer team: the first
  adoption sets it, and adopting elsewhere is refused until the steward has withdrawn from
  every facility there. (There is no resident address to check against; this keeps stewards
  local and shows each in exactly one community's volunteer table.)

Usage::

    adoption = adopt(session, facility, actor)      # 401/403/409 with a message; caller commits
    withdraw(session, facility, actor)
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.errors import Conflict, Forbidden, Unauthorized
from gisapp.geo.models import Area
from gisapp.i18n import current_locale
from gisapp.maintenance.logbook import STAFF_ROLES, steward_of
from gisapp.maintenance.models import Facility, FacilitySteward
from gisapp.reports.actors import Actor

MAX_ADOPTIONS = 10


def adoptions_of(session: Session, user_id: int) -> list[FacilitySteward]:
    return list(
        session.scalars(
            sa.select(FacilitySteward)
            .where(FacilitySteward.user_id == user_id, FacilitySteward.ended_at.is_(None))
            .order_by(FacilitySteward.started_at)
        )
    )


def check_adoption(session: Session, facility: Facility, actor: Actor) -> None:
    """Raise the error :func:`adopt` would raise now (pages explain instead of offering)."""
    if not actor.signed_in or actor.user_id is None:
        raise Unauthorized(_("Sign in to adopt a facility."))
    if actor.role != "resident":
        raise Forbidden(_("only residents adopt facilities; staff log their work directly"))
    if facility.status != "active":
        raise Conflict(_("this facility has been removed"), field="id")
    if facility.community_id is None:
        raise Conflict(_("this facility lies outside every community"), field="id")
    current = steward_of(session, facility.id)
    if current is not None:
        if current.user_id == actor.user_id:
            raise Conflict(_("you already look after this facility"), field="id")
        raise Conflict(_("another volunteer already looks after this facility"), field="id")
    mine = adoptions_of(session, actor.user_id)
    if len(mine) >= MAX_ADOPTIONS:
        raise Conflict(
            _("a steward looks after at most %(n)d facilities at once", n=MAX_ADOPTIONS),
            field="id",
        )
    elsewhere = {a.community_id for a in mine} - {facility.community_id}
    if elsewhere:
        home = session.get(Area, next(iter(elsewhere)))
        raise Conflict(
            _(
                "your facilities are in %(community)s; stewards look after one community, "
                "so withdraw from those before adopting here",
                community=home.name(current_locale()) if home else "?",
            ),
            field="id",
        )


def adopt(session: Session, facility: Facility, actor: Actor) -> FacilitySteward:
    if actor.user_id is not None:
        # One adoption at a time per resident: the limit and the community rule read their rows.
        session.execute(sa.select(User.id).where(User.id == actor.user_id).with_for_update())
    check_adoption(session, facility, actor)
    assert actor.user_id is not None
    adoption = FacilitySteward(
        facility_id=facility.id,
        user_id=actor.user_id,
        community_id=facility.community_id,
        started_at=dt.datetime.now(dt.UTC),
    )
    try:
        with session.begin_nested():
            session.add(adoption)
    except IntegrityError:
        # Someone adopted it between our check and our insert (the partial unique index).
        raise Conflict(
            _("another volunteer already looks after this facility"), field="id"
        ) from None
    return adoption


def withdraw(session: Session, facility: Facility, actor: Actor) -> FacilitySteward:
    """End the adoption: by its steward, or by a manager (a steward who moved away)."""
    if not actor.signed_in:
        raise Unauthorized(_("Sign in to adopt a facility."))
    current = steward_of(session, facility.id)
    if current is None:
        raise Conflict(_("nobody looks after this facility"), field="id")
    if current.user_id != actor.user_id and actor.role not in STAFF_ROLES:
        raise Forbidden(_("only the facility's steward or a manager may end the adoption"))
    current.ended_at = dt.datetime.now(dt.UTC)
    current.ended_by_id = actor.user_id
    session.flush()
    return current


def release_all(session: Session, facility: Facility, actor: Actor) -> None:
    """A facility taken out of use has no steward any more."""
    session.execute(
        sa.update(FacilitySteward)
        .where(FacilitySteward.facility_id == facility.id, FacilitySteward.ended_at.is_(None))
        .values(ended_at=dt.datetime.now(dt.UTC), ended_by_id=actor.user_id)
    )
