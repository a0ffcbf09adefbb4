"""Writing the maintenance log: who may log on a facility, the checks that need the database,
photos, and what a repair does to the residents' reports it fixed.

Usage::

    facility = get_facility(session, facility_id, lock=True)
    as_staff = who_logs(session, facility, actor)          # raises 401/403
    entry = parse_log_entry(fields, photos, settings, today=today, staff=as_staff)
    record = log_work(session, facility, entry, actor, settings)   # the caller commits

The facility row is locked while its log is written, so two entries for one facility are
written one after the other (the triggers that keep ``facility_facts`` rely on it too).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from gisapp.maintenance.intake import LogEntry
from gisapp.maintenance.models import Facility, FacilityPhoto, FacilitySteward, MaintenanceRecord
from gisapp.notify.outbox import notify_report_change
from gisapp.reports.actors import Actor
from gisapp.reports.models import OPEN_STATUSES, Report, ReportEvent
from gisapp.reports.photos import CleanPhoto
from gisapp.settings import Settings

STAFF_ROLES = ("manager", "admin")


def get_facility(session: Session, facility_id: int, *, lock: bool = False) -> Facility:
    stmt = sa.select(Facility).where(Facility.id == facility_id)
    if lock:
        stmt = stmt.with_for_update()
    facility = session.scalars(stmt).first()
    if facility is None:
        raise NotFound(_("no facility %(id)s", id=facility_id), field="id")
    return facility


def steward_of(session: Session, facility_id: int) -> FacilitySteward | None:
    return session.scalars(
        sa.select(FacilitySteward).where(
            FacilitySteward.facility_id == facility_id, FacilitySteward.ended_at.is_(None)
        )
    ).first()


def in_areas(actor: Actor, facility: Facility) -> bool:
    return bool(actor.area_ids & {i for i in facility.area_ids().values() if i is not None})


def who_logs(session: Session, facility: Facility, actor: Actor) -> bool:
    """True when the actor logs as staff, False as the facility's steward; else 401/403.

    Managers (and admins) log anywhere, grid workers in their areas, residents only on the
    facility they have adopted.
    """
    if not actor.signed_in:
        raise Unauthorized(_("Sign in or send a bearer token."))
    if actor.role in STAFF_ROLES or (actor.role == "grid_worker" and in_areas(actor, facility)):
        return True
    if actor.role == "resident":
        steward = steward_of(session, facility.id)
        if steward is not None and steward.user_id == actor.user_id:
            return False
        raise Forbidden(_("adopt this facility to log checks on it"), field="id")
    raise Forbidden(_("your role may not log work on this facility"), field="id")


def _display_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return ""
    return user.display_name or user.username


def store_photo(photo: CleanPhoto, upload_dir: Path) -> str:
    folder = upload_dir / "facilities"
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}{'.png' if photo.content_type == 'image/png' else '.jpg'}"
    (folder / filename).write_bytes(photo.data)
    return filename


def photo_path(upload_dir: Path, filename: str) -> Path:
    return upload_dir / "facilities" / filename


def log_work(
    session: Session,
    facility: Facility,
    entry: LogEntry,
    actor: Actor,
    settings: Settings,
    *,
    as_staff: bool,
) -> MaintenanceRecord:
    """Write one log entry with its photos; photos on disk are removed if the write fails."""
    if facility.status != "active":
        raise Conflict(_("this facility has been removed; its log is closed"), field="id")
    if facility.install_date and entry.performed_on < facility.install_date:
        raise ValidationFailed(
            _(
                "date is before the facility was installed (%(day)s)",
                day=facility.install_date.isoformat(),
            ),
            field="date",
        )
    name = _display_name(session, actor.user_id)
    record = MaintenanceRecord(
        facility_id=facility.id,
        kind=entry.kind,
        performed_on=entry.performed_on,
        result=entry.result,
        performed_by=(entry.performed_by or name) if as_staff else name,
        volunteer=entry.volunteer if as_staff else True,
        minutes=entry.minutes,
        notes=entry.notes,
        user_id=actor.user_id,
    )
    stored: list[str] = []
    try:
        session.add(record)
        session.flush()
        for photo in entry.photos:
            filename = store_photo(photo, settings.upload_dir)
            stored.append(filename)
            session.add(
                FacilityPhoto(
                    facility_id=facility.id,
                    record_id=record.id,
                    filename=filename,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=len(photo.data),
                    user_id=actor.user_id,
                )
            )
        if as_staff and entry.result == "fixed":
            resolve_fixed_reports(session, facility, record, actor)
        session.flush()
    except BaseException:
        for filename in stored:
            photo_path(settings.upload_dir, filename).unlink(missing_ok=True)
        raise
    return record


def resolve_fixed_reports(
    session: Session, facility: Facility, record: MaintenanceRecord, actor: Actor
) -> list[int]:
    """A staff repair that fixed the facility resolves the residents' open reports on it.

    The residents hear of it (their timeline and notifications) and may rate or reopen it.
    """
    reports = list(
        session.scalars(
            sa.select(Report)
            .where(Report.facility_id == facility.id, Report.status.in_(OPEN_STATUSES))
            .order_by(Report.id)
            .with_for_update()
        )
    )
    now = dt.datetime.now(dt.UTC)
    note = _("Repaired on %(day)s by the maintenance crew.", day=record.performed_on.isoformat())
    for report in reports:
        event = ReportEvent(
            report_id=report.id,
            kind="status",
            from_status=report.status,
            to_status="resolved",
            note=note,
            actor_id=actor.user_id,
            actor_role=actor.role,
            created_at=now,
        )
        report.status = "resolved"
        report.resolved_at = now
        report.updated_at = now
        session.add(event)
        session.flush()
        notify_report_change(session, report, event)
    return [r.id for r in reports]
