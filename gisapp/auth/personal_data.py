"""A resident's own data: everything we hold about them as one document, and account deletion.

Deletion anonymises instead of deleting rows: the reports, supports, votes, pledges and ratings
stay (the neighbourhood's record and the counts on public pages depend on them) but nothing left
leads back to the person. What identifies them is removed: name, e-mail, phone, the contact
they gave with their reports, follows, notifications, tokens, stewardships, the supporter keys
that tied their "me too" and ratings to the account. The audit trail keeps ``actor_id`` pointing
at the anonymised account, so staff actions on their reports still read "who did what".

Usage::

    document = export_personal_data(session, user_id)     # JSON-ready dict
    erase_account(session, user_id)                       # caller commits
"""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.auth.models import ApiToken, User
from gisapp.maintenance.models import FacilityPhoto, FacilitySteward, MaintenanceRecord
from gisapp.notify.models import OutboxMessage as Outbox
from gisapp.planning.participation import Ballot as VoteBallot
from gisapp.planning.participation import Pledge as ProjectPledge
from gisapp.planning.participation import ProjectRating
from gisapp.reports.models import (
    Follow,
    Report,
    ReportContact,
    ReportPhoto,
    ReportRating,
    ReportSupport,
)

FORMAT = "gisapp-personal-data/1"
# An unusable password hash: no password verifies against it (not an argon2 string).
_NO_PASSWORD = "!deleted"  # noqa: S105 - a marker, not a password


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _rows(session: Session, columns: list[Any], *where: Any) -> list[dict[str, Any]]:
    result = session.execute(sa.select(*columns).where(*where).order_by(columns[0]))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def supporter_key(user_id: int) -> str:
    """How supports and ratings name a signed-in resident (see gisapp.reports.actors)."""
    return f"u:{user_id}"


def export_personal_data(session: Session, user_id: int) -> dict[str, Any]:
    """Everything tied to the account, including the private parts only they may see."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    key = supporter_key(user_id)
    reports = [
        {k: _plain(v) for k, v in row._mapping.items()}
        for row in session.execute(
            sa.select(
                Report.id,
                Report.category,
                Report.description,
                Report.status,
                sa.func.ST_X(Report.geom).label("lon"),
                sa.func.ST_Y(Report.geom).label("lat"),
                Report.created_at,
                Report.updated_at,
                ReportContact.contact,
            )
            .outerjoin(ReportContact, ReportContact.report_id == Report.id)
            .where(Report.reporter_id == user_id)
            .order_by(Report.id)
        )
    ]
    return {
        "format": FORMAT,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "role": user.role,
            "created_at": _plain(user.created_at),
        },
        "reports": reports,
        "report_photos": _rows(
            session,
            [ReportPhoto.id, ReportPhoto.report_id, ReportPhoto.filename],
            ReportPhoto.report_id.in_(sa.select(Report.id).where(Report.reporter_id == user_id)),
        ),
        "supports": _rows(
            session,
            [ReportSupport.report_id, ReportSupport.created_at],
            ReportSupport.supporter == key,
        ),
        "ratings": _rows(
            session,
            [
                ReportRating.report_id,
                ReportRating.score,
                ReportRating.comment,
                ReportRating.created_at,
            ],
            ReportRating.rater == key,
        ),
        "follows": _rows(
            session,
            [Follow.id, Follow.report_id, Follow.area_id, Follow.created_at],
            Follow.user_id == user_id,
        ),
        "notifications": _rows(
            session,
            [
                Outbox.id,
                Outbox.kind,
                Outbox.report_id,
                Outbox.subject,
                Outbox.body,
                Outbox.created_at,
            ],
            Outbox.user_id == user_id,
        ),
        "votes": _rows(
            session,
            [VoteBallot.id, VoteBallot.round_id, VoteBallot.project_id, VoteBallot.created_at],
            VoteBallot.user_id == user_id,
        ),
        "pledges": _rows(
            session,
            [
                ProjectPledge.id,
                ProjectPledge.project_id,
                ProjectPledge.kind,
                ProjectPledge.amount_yuan,
                ProjectPledge.hours,
                ProjectPledge.note,
                ProjectPledge.created_at,
                ProjectPledge.withdrawn_at,
            ],
            ProjectPledge.user_id == user_id,
        ),
        "project_ratings": _rows(
            session,
            [
                ProjectRating.project_id,
                ProjectRating.score,
                ProjectRating.comment,
                ProjectRating.created_at,
            ],
            ProjectRating.user_id == user_id,
        ),
        "stewardships": _rows(
            session,
            [
                FacilitySteward.id,
                FacilitySteward.facility_id,
                FacilitySteward.started_at,
                FacilitySteward.ended_at,
            ],
            FacilitySteward.user_id == user_id,
        ),
        "maintenance_records": _rows(
            session,
            [
                MaintenanceRecord.id,
                MaintenanceRecord.facility_id,
                MaintenanceRecord.kind,
                MaintenanceRecord.performed_on,
                MaintenanceRecord.result,
                MaintenanceRecord.notes,
            ],
            MaintenanceRecord.user_id == user_id,
        ),
    }


def erase_account(session: Session, user_id: int) -> None:
    """Remove what identifies the resident; keep their reports and contributions anonymised."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    key = supporter_key(user_id)
    # A fresh random key per row: the anonymised supports can't even be grouped back together.
    gone = sa.func.concat("x:", sa.func.md5(sa.func.random().cast(sa.Text)))
    mine = sa.select(Report.id).where(Report.reporter_id == user_id).scalar_subquery()
    session.execute(sa.delete(ReportContact).where(ReportContact.report_id.in_(mine)))
    session.execute(
        sa.update(Report)
        .where(Report.reporter_id == user_id)
        .values(reporter_id=None, reporter_key=None)
    )
    session.execute(
        sa.update(ReportSupport)
        .where(ReportSupport.supporter == key)
        .values(supporter=gone, user_id=None)
    )
    session.execute(sa.update(ReportRating).where(ReportRating.rater == key).values(rater=gone))
    session.execute(
        sa.update(ProjectPledge).where(ProjectPledge.user_id == user_id).values(note="")
    )
    session.execute(
        sa.update(MaintenanceRecord)
        .where(MaintenanceRecord.user_id == user_id)
        .values(performed_by="", user_id=None)
    )
    session.execute(
        sa.update(FacilityPhoto).where(FacilityPhoto.user_id == user_id).values(user_id=None)
    )
    session.execute(
        sa.update(FacilitySteward)
        .where(FacilitySteward.user_id == user_id, FacilitySteward.ended_at.is_(None))
        .values(ended_at=sa.func.now())
    )
    for table in (Follow, Outbox, ApiToken):
        session.execute(sa.delete(table).where(table.user_id == user_id))
    user.username = f"deleted-{user_id}-{secrets.token_hex(4)}"
    user.password_hash = _NO_PASSWORD
    user.display_name = ""
    user.email = None
    user.phone = None
    user.active = False
    user.areas.clear()
    session.flush()
