"""Residents' and grid workers' pages.

- ``/reports/<id>``: the report, its timeline, photos and the actions open to the visitor
  (support, follow, rate, reopen; for the area's grid worker: status, update, merge)
- ``/me``: my reports and what changed
- ``/queue``: the grid worker's queue with the time-limit figures

Actions are plain forms (CSRF-protected) that call the same workflow as the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.dialects.postgresql import insert

from gisapp.auth.roles import require_roles
from gisapp.db import get_session
from gisapp.errors import ApiError, NotFound
from gisapp.geo.queries import areas_of
from gisapp.i18n import current_locale
from gisapp.maps.lookups import report_statuses
from gisapp.notify.models import OutboxMessage
from gisapp.pages import form_action, geometry_of, small_map
from gisapp.reports import moderation, workflow
from gisapp.reports.actors import Actor, current_actor
from gisapp.reports.models import OPEN_STATUSES, Category, Follow, Report, ReportRating
from gisapp.reports.queries import QueueFilter, photos_of, public_geom, queue, time_limit_stats
from gisapp.reports.queries import timeline as report_timeline

bp = Blueprint("reports", __name__)

ALL_ROLES = ("resident", "grid_worker", "planner", "manager", "admin")


def _category_names() -> dict[str, Category]:
    return {c.code: c for c in get_session().scalars(sa.select(Category))}


def _name(category: Category | None, fallback: str) -> str:
    if category is None:
        return fallback
    return category.name_en if current_locale() == "en" else category.name_zh


@bp.get("/reports/<int:report_id>")
def detail(report_id: int) -> str:
    session = get_session()
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}")
    actor = current_actor()
    if not moderation.may_see(actor, report):
        raise NotFound(f"no report {report_id}")
    moderator = actor.signed_in and moderation.can_moderate(actor, report)
    categories = _category_names()
    category = categories.get(report.category)
    settings = current_app.extensions["gisapp.settings"]
    party = workflow.is_party(session, report, actor)
    within = report.resolved_at is not None and (
        dt.datetime.now(dt.UTC) - report.resolved_at <= dt.timedelta(days=settings.reopen_days)
    )
    my_rating = (
        session.get(ReportRating, {"report_id": report.id, "rater": actor.key})
        if actor.key
        else None
    )
    following = None
    if actor.user_id:
        following = session.scalars(
            sa.select(Follow).where(Follow.user_id == actor.user_id, Follow.report_id == report.id)
        ).first()
    geom = public_geom(Report.geom, Report.category, settings.sensitive_rounding_m)
    shown = geometry_of(session, geom, Report.id == report.id)
    return render_template(
        "reports/detail.html",
        report=report,
        category_name=_name(category, report.category),
        statuses=report_statuses(),
        areas=areas_of(session, report),
        events=report_timeline(session, report.id, hidden=moderator),
        photos=photos_of(session, report.id, hidden=moderator),
        moderator=moderator,
        mine=actor.key is not None and actor.key == report.reporter_key,
        can_support=report.status in OPEN_STATUSES and not party,
        can_manage=workflow.can_manage(actor, report),
        transitions=workflow.TRANSITIONS[report.status],
        can_rate=party and report.status in ("resolved", "closed"),
        my_rating=my_rating,
        can_reopen=party and report.status in ("resolved", "closed") and within,
        following=following,
        overdue=bool(
            report.due_at
            and report.due_at < dt.datetime.now(dt.UTC)
            and report.status in OPEN_STATUSES
        ),
        map_parts=small_map(shown, category.color if category else "#d7263d"),
    )


def _act(
    report_id: int, action: Callable[[Actor, Report], object], done: str
) -> ResponseReturnValue:
    """Run a workflow action from a form; show its error or success on the report page."""
    report = workflow.get_report(get_session(), report_id, lock=True)
    return form_action(
        lambda: action(current_actor(create_anonymous=True), report),
        done,
        url_for("reports.detail", report_id=report_id),
    )


@bp.post("/reports/<int:report_id>/support")
def support(report_id: int) -> ResponseReturnValue:
    return _act(
        report_id,
        lambda a, r: workflow.support(get_session(), r, a),
        _("Thank you: your support was added."),
    )


@bp.post("/reports/<int:report_id>/status")
def change_status(report_id: int) -> ResponseReturnValue:
    form = request.form
    return _act(
        report_id,
        lambda a, r: workflow.change_status(
            get_session(),
            r,
            a,
            form.get("status"),
            form.get("note"),
            form.get("duplicate_of") or None,
        ),
        _("Status changed."),
    )


@bp.post("/reports/<int:report_id>/update")
def add_update(report_id: int) -> ResponseReturnValue:
    note = request.form.get("note")
    return _act(
        report_id,
        lambda a, r: workflow.add_update(get_session(), r, a, note),
        _("Update published."),
    )


@bp.post("/reports/<int:report_id>/rate")
def rate(report_id: int) -> ResponseReturnValue:
    form = request.form
    return _act(
        report_id,
        lambda a, r: workflow.rate(get_session(), r, a, form.get("score"), form.get("comment")),
        _("Thank you for rating the fix."),
    )


@bp.post("/reports/<int:report_id>/reopen")
def reopen(report_id: int) -> ResponseReturnValue:
    days = current_app.extensions["gisapp.settings"].reopen_days
    reason = request.form.get("reason")
    return _act(
        report_id,
        lambda a, r: workflow.reopen(get_session(), r, a, reason, days),
        _("The report was reopened."),
    )


@bp.post("/reports/<int:report_id>/follow")
@require_roles(*ALL_ROLES)
def follow(report_id: int) -> ResponseReturnValue:
    session = get_session()
    workflow.get_report(session, report_id)
    if request.form.get("stop"):
        session.execute(
            sa.delete(Follow).where(
                Follow.user_id == current_user.id, Follow.report_id == report_id
            )
        )
        flash(_("You no longer follow this report."), "success")
    else:
        session.execute(
            insert(Follow)
            .values(user_id=current_user.id, report_id=report_id)
            .on_conflict_do_nothing()
        )
        flash(_("You follow this report; changes appear under My reports."), "success")
    session.commit()
    return redirect(url_for("reports.detail", report_id=report_id), 303)


@bp.get("/me")
@require_roles(*ALL_ROLES)
def mine() -> str:
    from gisapp.api.following import my_reports_rows

    session = get_session()
    notes = list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.user_id == current_user.id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(50)
        )
    )
    unread = {n.id for n in notes if n.read_at is None}
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(unread))
        .values(read_at=dt.datetime.now(dt.UTC))
    )
    session.commit()
    return render_template(
        "reports/mine.html",
        rows=my_reports_rows(int(current_user.id)),
        notes=notes,
        unread=unread,
        categories=_category_names(),
        statuses=report_statuses(),
    )


@bp.get("/queue")
@require_roles("grid_worker")
def work_queue() -> str:
    from gisapp.api.following import queue_filter_from_args

    try:
        flt = queue_filter_from_args()
    except ApiError as exc:
        flash(exc.message, "error")
        flt = QueueFilter()
    actor = current_actor()
    session = get_session()
    return render_template(
        "reports/queue.html",
        reports=queue(session, actor, flt),
        stats=time_limit_stats(session, actor),
        flt=flt,
        categories=_category_names(),
        statuses=report_statuses(),
        now=dt.datetime.now(dt.UTC),
    )
