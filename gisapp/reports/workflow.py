"""What happens to a report after filing: supports, staff status changes, merges, public
updates, ratings, reopening. Every change writes a ``ReportEvent`` (timeline + audit trail)
and notifies the people following the report.

Each function validates, writes, and leaves the commit to the caller::

    support(session, report, actor)
    change_status(session, report, actor, "accepted", note="...")
    rate(session, report, actor, score=5, comment="...")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from gisapp.db import affected
from gisapp.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from gisapp.notify.outbox import notify_report_change
from gisapp.reports.actors import Actor
from gisapp.reports.models import (
    OPEN_STATUSES,
    Report,
    ReportEvent,
    ReportRating,
    ReportSupport,
)
from gisapp.validation import text_field

# Status changes staff may make (reopening by residents is separate).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("accepted", "rejected", "duplicate"),
    "accepted": ("in_progress", "resolved", "rejected", "duplicate"),
    "in_progress": ("resolved", "duplicate"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "duplicate": (),
    "rejected": (),
}
STAFF_ROLES = ("grid_worker", "admin")
MAX_NOTE = 2000


def get_report(session: Session, report_id: int, *, lock: bool = False) -> Report:
    stmt = sa.select(Report).where(Report.id == report_id)
    if lock:
        stmt = stmt.with_for_update()
    report = session.scalars(stmt).first()
    if report is None:
        raise NotFound(f"no report {report_id}", field="id")
    return report


def _note(value: Any, name: str = "note", *, required: bool = False) -> str:
    return text_field(value, name, MAX_NOTE, required=required)


def _event(session: Session, report: Report, actor: Actor, kind: str, **values: Any) -> ReportEvent:
    # Stamped here, not by now(): now() is the transaction's start, which would misorder
    # several events written in one transaction.
    event = ReportEvent(
        report_id=report.id,
        kind=kind,
        actor_id=actor.user_id,
        actor_role=actor.role,
        created_at=dt.datetime.now(dt.UTC),
        **values,
    )
    session.add(event)
    return event


def _touch(report: Report) -> None:
    report.updated_at = dt.datetime.now(dt.UTC)


def can_manage(actor: Actor, report: Report) -> bool:
    """Grid workers act on reports in their areas; admins everywhere."""
    if actor.role == "admin":
        return True
    if actor.role != "grid_worker":
        return False
    return bool(actor.area_ids & {i for i in report.area_ids().values() if i is not None})


def require_manager(actor: Actor, report: Report) -> None:
    if not actor.signed_in:
        raise Unauthorized("sign in as the grid worker of this area")
    if not can_manage(actor, report):
        raise Forbidden("only the grid worker of this area may change this report")


def is_party(session: Session, report: Report, actor: Actor) -> bool:
    """The reporter or a supporter: the people whose problem this is."""
    if actor.key is None:
        return False
    if report.reporter_key == actor.key:
        return True
    return session.get(ReportSupport, {"report_id": report.id, "supporter": actor.key}) is not None


def support(session: Session, report: Report, actor: Actor) -> int:
    """Add one support (附议); returns the new count. A second support is a 409."""
    if actor.key is None:
        raise Unauthorized("supports need a session cookie or a sign-in")
    if report.status not in OPEN_STATUSES:
        raise Conflict("this report is no longer open for support", field="id")
    if report.reporter_key == actor.key:
        raise Conflict("you filed this report; it already counts you", field="id")
    added = affected(
        session,
        (
            insert(ReportSupport)
            .values(report_id=report.id, supporter=actor.key, user_id=actor.user_id)
            .on_conflict_do_nothing()
        ),
    )
    if not added:
        raise Conflict("you already support this report", field="id")
    session.execute(
        sa.update(Report)
        .where(Report.id == report.id)
        .values(support_count=Report.support_count + 1)
    )
    session.refresh(report)
    return report.support_count


def change_status(
    session: Session,
    report: Report,
    actor: Actor,
    status: Any,
    note: Any = None,
    duplicate_of: Any = None,
) -> ReportEvent:
    require_manager(actor, report)
    if not isinstance(status, str) or status not in TRANSITIONS:
        raise ValidationFailed("unknown status", field="status")
    if status not in TRANSITIONS[report.status]:
        raise ValidationFailed(f"a {report.status} report cannot become {status}", field="status")
    text = _note(note, required=status == "rejected")
    if status == "duplicate":
        return merge(session, report, actor, duplicate_of, text)
    previous = report.status
    report.status = status
    if status == "resolved":
        report.resolved_at = dt.datetime.now(dt.UTC)
    if status == "in_progress" and previous == "resolved":
        report.resolved_at = None
    _touch(report)
    event = _event(
        session, report, actor, "status", from_status=previous, to_status=status, note=text
    )
    session.flush()
    notify_report_change(session, report, event)
    return event


def merge(
    session: Session, duplicate: Report, actor: Actor, original_id: Any, note: str
) -> ReportEvent:
    """Mark ``duplicate`` as a twin of the original; its supporters count for the original."""
    if isinstance(original_id, bool) or not isinstance(original_id, int):
        try:
            original_id = int(str(original_id))
        except ValueError:
            raise ValidationFailed(
                "duplicate_of must be a report id", field="duplicate_of"
            ) from None
    if original_id == duplicate.id:
        raise ValidationFailed("a report cannot duplicate itself", field="duplicate_of")
    original = session.get(Report, original_id)
    if original is None:
        raise ValidationFailed(f"no report {original_id}", field="duplicate_of")
    if original.status == "duplicate":
        raise ValidationFailed(
            "merge into the original, not into another duplicate", field="duplicate_of"
        )
    # The twin's reporter and supporters become supporters of the original.
    movers = [duplicate.reporter_key] if duplicate.reporter_key else []
    movers += list(
        session.scalars(
            sa.select(ReportSupport.supporter).where(ReportSupport.report_id == duplicate.id)
        )
    )
    moved = 0
    for key in movers:
        if key == original.reporter_key:
            continue
        moved += affected(
            session,
            (
                insert(ReportSupport)
                .values(
                    report_id=original.id,
                    supporter=key,
                    user_id=int(key[2:]) if key.startswith("u:") else None,
                )
                .on_conflict_do_nothing()
            ),
        )
    original.support_count += moved
    previous = duplicate.status
    duplicate.status = "duplicate"
    duplicate.duplicate_of_id = original.id
    _touch(duplicate)
    _touch(original)
    event = _event(
        session,
        duplicate,
        actor,
        "status",
        from_status=previous,
        to_status="duplicate",
        note=note,
        related_report_id=original.id,
    )
    _event(session, original, actor, "merged", related_report_id=duplicate.id, note=note)
    session.flush()
    notify_report_change(session, duplicate, event)
    return event


def add_update(session: Session, report: Report, actor: Actor, note: Any) -> ReportEvent:
    """A public progress note from staff (e.g. "crew booked for Thursday")."""
    require_manager(actor, report)
    event = _event(session, report, actor, "update", note=_note(note, required=True))
    _touch(report)
    session.flush()
    notify_report_change(session, report, event)
    return event


def rate(session: Session, report: Report, actor: Actor, score: Any, comment: Any) -> ReportRating:
    """满意度 from the reporter or a supporter once the report is resolved; re-rating updates."""
    if report.status not in ("resolved", "closed"):
        raise Conflict("a report can be rated once it is resolved", field="id")
    if not is_party(session, report, actor):
        raise Forbidden("only the reporter and supporters may rate this report")
    if isinstance(score, bool) or not isinstance(score, int | str):
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score")
    try:
        value = int(score)
    except ValueError:
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score") from None
    if not 1 <= value <= 5:
        raise ValidationFailed("score must be a whole number from 1 to 5", field="score")
    text = _note(comment, "comment")
    assert actor.key is not None
    existing = session.get(ReportRating, {"report_id": report.id, "rater": actor.key})
    if existing is None:
        rating = ReportRating(report_id=report.id, rater=actor.key, score=value, comment=text)
        session.add(rating)
    else:
        existing.score, existing.comment = value, text
        rating = existing
    _event(session, report, actor, "rated", note=f"{value}/5" + (f" {text}" if text else ""))
    session.flush()
    return rating


def reopen(
    session: Session, report: Report, actor: Actor, reason: Any, reopen_days: int
) -> ReportEvent:
    """ "Resolved but not fixed": the reporter or a supporter, within ``reopen_days``."""
    if report.status not in ("resolved", "closed") or report.resolved_at is None:
        raise Conflict("only a resolved report can be reopened", field="id")
    if not is_party(session, report, actor):
        raise Forbidden("only the reporter and supporters may reopen this report")
    if dt.datetime.now(dt.UTC) - report.resolved_at > dt.timedelta(days=reopen_days):
        raise Conflict(
            f"reports can be reopened within {reopen_days} days of resolution", field="id"
        )
    previous = report.status
    report.status = "in_progress"
    report.resolved_at = None
    _touch(report)
    event = _event(
        session,
        report,
        actor,
        "reopened",
        from_status=previous,
        to_status="in_progress",
        note=_note(reason, "reason"),
    )
    session.flush()
    notify_report_change(session, report, event)
    return event
