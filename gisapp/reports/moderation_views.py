"""Moderators' pages: ``/moderation`` (the review queue) and the hide/publish forms on a report.

The rules and the audit trail live in :mod:`gisapp.reports.moderation`; these views only turn
forms into calls and answer with a flash message on the report page (303, no re-post on reload).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import NotFound, ValidationFailed
from gisapp.pages import form_action
from gisapp.reports import moderation, workflow
from gisapp.reports.actors import current_actor
from gisapp.reports.models import ReportEvent, ReportPhoto

bp = Blueprint("moderation", __name__)

MODERATORS = ("grid_worker", "manager")


@bp.get("/moderation")
@require_roles(*MODERATORS)
def queue() -> str:
    reports = moderation.review_queue(get_session(), current_actor())
    return render_template("reports/moderation.html", reports=reports)


def _back(report_id: int) -> str:
    return url_for("reports.detail", report_id=report_id)


@bp.post("/reports/<int:report_id>/moderation")
@require_roles(*MODERATORS)
def moderate(report_id: int) -> ResponseReturnValue:
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    action = request.form.get("action")
    actor = current_actor()

    def work() -> None:
        if action == "hide":
            moderation.hide_report(session, report, actor, request.form.get("reason"))
        elif action == "show":
            moderation.show_report(session, report, actor)
        else:
            raise ValidationFailed(_("Choose hide or show."), field="action")

    done = _("The report is hidden.") if action == "hide" else _("The report is public.")
    return form_action(work, done, _back(report_id))


@bp.post("/reports/<int:report_id>/events/<int:event_id>/hide")
@require_roles(*MODERATORS)
def hide_event(report_id: int, event_id: int) -> ResponseReturnValue:
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    event = session.get(ReportEvent, event_id)
    if event is None or event.report_id != report_id:
        raise NotFound(f"no update {event_id} on report {report_id}")
    return form_action(
        lambda: moderation.hide_event(
            session, event, report, current_actor(), request.form.get("reason")
        ),
        _("The text is hidden."),
        _back(report_id),
    )


@bp.post("/reports/<int:report_id>/photos/<int:photo_id>/hide")
@require_roles(*MODERATORS)
def hide_photo(report_id: int, photo_id: int) -> ResponseReturnValue:
    session = get_session()
    report = workflow.get_report(session, report_id, lock=True)
    photo = session.get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report_id:
        raise NotFound(f"no photo {photo_id} on report {report_id}")
    return form_action(
        lambda: moderation.hide_photo(
            session, photo, report, current_actor(), request.form.get("reason")
        ),
        _("The photo is hidden."),
        _back(report_id),
    )
