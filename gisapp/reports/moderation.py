"""Moderation: spam signals on filing, staff hiding reports, updates and photos with a reason.

A report is ``visible``, ``held`` (a spam signal fired when it was filed; it waits in the review
queue and is not public until a moderator lets it through) or ``hidden`` (a moderator took it
down). Held and hidden reports are left out of every public view: the map layers (the catalog's
``source.filter``), tiles, the OGC API, Open311 and the report API. The reporter still sees
their report with the moderator's reason, and the original text stays in the audit log.

Spam signals are deliberately simple and explainable to the person who tripped them:

- ``link``   the text carries a web address (the usual payload of spam)
- ``repeat`` the same text was filed in the last 24 hours (copy-paste flooding)
- ``burst``  the same person or browser filed ``spam_burst`` reports in ``spam_window_minutes``
             (the hard rate limit is Flask-Limiter's; this only asks a human to look)

Moderators are the area's grid worker, managers and admins.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.audit import record
from gisapp.errors import Forbidden, Unauthorized, ValidationFailed
from gisapp.notify.models import OutboxMessage
from gisapp.reports.actors import Actor
from gisapp.reports.models import Report, ReportEvent, ReportPhoto
from gisapp.reports.workflow import can_manage
from gisapp.settings import Settings
from gisapp.validation import text_field

LINK = re.compile(
    r"https?://|www\.|\b[a-z0-9-]{2,63}\.(?:com|cn|net|org|top|xyz|info|site|vip|cc)\b",
    re.IGNORECASE,
)
REPEAT_WINDOW = dt.timedelta(hours=24)
REASON_MAX = 500


def spam_signals(
    session: Session, description: str, actor_key: str | None, settings: Settings
) -> list[str]:
    now = dt.datetime.now(dt.UTC)
    flags = []
    if LINK.search(description):
        flags.append("link")
    # One round trip for both checks (they run on every report filed).
    window = dt.timedelta(minutes=settings.spam_window_minutes)
    repeated, recent = session.execute(
        sa.select(
            sa.exists().where(
                Report.created_at > now - REPEAT_WINDOW, Report.description == description
            ),
            sa.select(sa.func.count())
            .where(Report.created_at > now - window, Report.reporter_key == actor_key)
            .scalar_subquery()
            if actor_key is not None
            else sa.literal(0),
        )
    ).one()
    if repeated:
        flags.append("repeat")
    if actor_key is not None and (recent or 0) >= settings.spam_burst:
        flags.append("burst")
    return flags


def can_moderate(actor: Actor, report: Report) -> bool:
    return actor.role in ("manager", "admin") or can_manage(actor, report)


def require_moderator(actor: Actor, report: Report) -> None:
    if not actor.signed_in:
        raise Unauthorized(_("Sign in as a moderator."))
    if not can_moderate(actor, report):
        raise Forbidden(_("Only the area's grid worker, managers and admins moderate reports."))


def is_public(report: Report) -> bool:
    return report.moderation == "visible"


def may_see(actor: Actor, report: Report) -> bool:
    """Public reports to everyone; held or hidden ones to moderators and their reporter."""
    if is_public(report):
        return True
    if actor.key is not None and actor.key == report.reporter_key:
        return True
    return actor.signed_in and can_moderate(actor, report)


def _reason(raw: object) -> str:
    return text_field(raw, "reason", REASON_MAX, required=True)


def _tell_reporter(session: Session, report: Report, subject: str, body: str) -> None:
    if report.reporter_id is not None:
        session.add(
            OutboxMessage(
                user_id=report.reporter_id,
                kind="moderation",
                report_id=report.id,
                subject=subject,
                body=body,
            )
        )


def hide_report(session: Session, report: Report, actor: Actor, reason: object) -> None:
    require_moderator(actor, report)
    why = _reason(reason)
    record(
        session,
        "report.hide",
        "report",
        report.id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        reason=why,
        before={"moderation": report.moderation, "description": report.description},
    )
    report.moderation = "hidden"
    report.moderation_reason = why
    _tell_reporter(
        session,
        report,
        _("Your report #%(id)d was hidden", id=report.id),
        _("A moderator hid your report. Reason: %(reason)s", reason=why),
    )


def show_report(session: Session, report: Report, actor: Actor) -> None:
    """Let a held report through, or put a hidden one back."""
    require_moderator(actor, report)
    if report.moderation == "visible":
        raise ValidationFailed(_("This report is already public."), field="moderation")
    record(
        session,
        "report.approve" if report.moderation == "held" else "report.unhide",
        "report",
        report.id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        before={"moderation": report.moderation, "reason": report.moderation_reason},
    )
    report.moderation = "visible"
    report.moderation_reason = ""


def hide_event(
    session: Session, event: ReportEvent, report: Report, actor: Actor, reason: object
) -> None:
    require_moderator(actor, report)
    if event.kind != "update" and not event.note:
        raise ValidationFailed(_("Only updates with text can be hidden."), field="event")
    why = _reason(reason)
    record(
        session,
        "report_event.hide",
        "report_event",
        event.id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        report_id=report.id,
        reason=why,
        before={"note": event.note},
    )
    event.hidden_reason = why


def hide_photo(
    session: Session, photo: ReportPhoto, report: Report, actor: Actor, reason: object
) -> None:
    require_moderator(actor, report)
    why = _reason(reason)
    record(
        session,
        "report_photo.hide",
        "report_photo",
        photo.id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        report_id=report.id,
        reason=why,
        before={"filename": photo.filename},
    )
    photo.hidden_reason = why
    _tell_reporter(
        session,
        report,
        _("A photo of your report #%(id)d was hidden", id=report.id),
        _("A moderator hid a photo. Reason: %(reason)s", reason=why),
    )


def review_queue(session: Session, actor: Actor, limit: int = 200) -> list[Report]:
    """Held reports first, then recently hidden ones, within the moderator's reach."""
    rows = session.scalars(
        sa.select(Report)
        .where(Report.moderation != "visible")
        .order_by(sa.case((Report.moderation == "held", 0), else_=1), Report.created_at.desc())
        .limit(limit * 4 if actor.role == "grid_worker" else limit)
    )
    return [r for r in rows if can_moderate(actor, r)][:limit]
