"""Account administration: create users, change roles, deactivate, reset passwords, and the
areas a grid worker answers for. Every change is written to the audit log with what it was
before. Functions raise ``ValidationFailed`` (nothing written) and leave the commit to the caller.

Usage::

    user = create_user(session, actor, username="li-grid", password="...", role="grid_worker")
    set_areas(session, actor, user, "WC-01-C03, WC-01-C04")
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.audit import record
from gisapp.auth.models import ROLES, User, UserArea
from gisapp.auth.passwords import hash_password
from gisapp.errors import Conflict, NotFound, ValidationFailed
from gisapp.geo.models import Area

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
MIN_PASSWORD = 10
# Grid workers answer for whole communities or single grids (see reports.workflow.can_manage).
ASSIGNABLE_LEVELS = ("street", "community", "grid")


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD or len(password) > 200:
        raise ValidationFailed(
            _("A password needs %(n)d to 200 characters.", n=MIN_PASSWORD), field="password"
        )
    return password


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed(_("Unknown role %(role)s.", role=role[:20]), field="role")
    return role


def create_user(
    session: Session,
    actor_id: int,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
) -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise ValidationFailed(
            _("A username is 3 to 64 letters, digits, dots, dashes or underscores."),
            field="username",
        )
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower())):
        raise Conflict(_("The username %(name)s is taken.", name=username), field="username")
    if len(display_name) > 100:
        raise ValidationFailed(_("The display name is too long."), field="display_name")
    user = User(
        username=username,
        password_hash=hash_password(_check_password(password)),
        role=_check_role(role),
        display_name=display_name.strip(),
    )
    session.add(user)
    session.flush()
    record(session, "user.create", "user", user.id, actor_id=actor_id, role=role)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no user %(id)d.", id=user_id))
    return user


def update_user(session: Session, actor_id: int, user: User, *, role: str, active: bool) -> None:
    """Change role and whether the account may sign in; an admin can't lock themself out."""
    _check_role(role)
    if user.id == actor_id and (role != user.role or not active):
        raise ValidationFailed(
            _("You can't change your own role or deactivate yourself; ask another admin."),
            field="role",
        )
    before = {"role": user.role, "active": user.active}
    if before == {"role": role, "active": active}:
        return
    user.role = role
    user.active = active
    if role != "grid_worker":
        user.areas.clear()
    record(
        session,
        "user.update",
        "user",
        user.id,
        actor_id=actor_id,
        before=before,
        after={"role": role, "active": active},
    )


def reset_password(session: Session, actor_id: int, user: User, password: str) -> None:
    user.password_hash = hash_password(_check_password(password))
    record(session, "user.reset_password", "user", user.id, actor_id=actor_id)


def set_areas(session: Session, actor_id: int, user: User, codes: str) -> list[Area]:
    """Replace a grid worker's areas with the given comma- or space-separated area codes."""
    if user.role != "grid_worker":
        raise ValidationFailed(_("Only grid workers have areas."), field="areas")
    wanted = [c for c in re.split(r"[\s,，;；]+", codes.strip()) if c]
    if len(wanted) > 200:
        raise ValidationFailed(_("At most 200 areas per grid worker."), field="areas")
    areas = list(session.scalars(sa.select(Area).where(Area.code.in_(wanted)))) if wanted else []
    found = {a.code for a in areas}
    if missing := [c for c in wanted if c not in found]:
        raise ValidationFailed(
            _("No area has the code %(code)s.", code=missing[0][:32]), field="areas"
        )
    if wrong := [a.code for a in areas if a.level not in ASSIGNABLE_LEVELS]:
        raise ValidationFailed(
            _("%(code)s is not a street, community or grid.", code=wrong[0]), field="areas"
        )
    before = sorted(
        session.scalars(
            sa.select(Area.code)
            .join(UserArea, UserArea.area_id == Area.id)
            .where(UserArea.user_id == user.id)
        )
    )
    user.areas.clear()
    session.flush()
    user.areas.extend(UserArea(area_id=a.id) for a in areas)
    record(
        session,
        "user.set_areas",
        "user",
        user.id,
        actor_id=actor_id,
        before=before,
        after=sorted(found),
    )
    return areas


def area_codes(session: Session, user: User) -> list[str]:
    return list(
        session.scalars(
            sa.select(Area.code)
            .join(UserArea, UserArea.area_id == Area.id)
            .where(UserArea.user_id == user.id)
            .order_by(Area.code)
        )
    )


def list_users(
    session: Session, *, query: str = "", role: str = "", limit: int = 200
) -> list[User]:
    stmt = sa.select(User).where(~User.username.startswith("deleted-"))
    if query:
        stmt = stmt.where(User.username.ilike(f"%{query.replace('%', '').replace('_', '')}%"))
    if role:
        stmt = stmt.where(User.role == _check_role(role))
    return list(session.scalars(stmt.order_by(User.role, User.username).limit(limit)))
