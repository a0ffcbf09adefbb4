"""Following, "my reports", notifications, and the grid worker's queue.

- ``POST /api/v1/follows`` ``{report_id}`` or ``{area}``; ``DELETE /api/v1/follows/{id}``
- ``GET /api/v1/me/reports``        what I filed, supported or follow, newest change first
- ``GET /api/v1/me/notifications``  my outbox; ``POST .../read`` marks them read
- ``GET /api/v1/queue``             grid worker: my areas' reports + time-limit figures
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Response, jsonify, request
from flask_login import current_user
from sqlalchemy.dialects.postgresql import insert

from gisapp.api import bp
from gisapp.api.areas import _area_id
from gisapp.api.util import json_body, unknown_params
from gisapp.auth.roles import require_roles
from gisapp.db import affected, get_session
from gisapp.errors import NotFound, ValidationFailed
from gisapp.notify.models import OutboxMessage
from gisapp.reports import workflow
from gisapp.reports.actors import current_actor
from gisapp.reports.models import OPEN_STATUSES, STATUSES, Follow, Report, ReportSupport
from gisapp.reports.queries import QueueFilter, queue, time_limit_stats

ALL_ROLES = ("resident", "grid_worker", "planner", "manager", "admin")


@bp.post("/follows")
@require_roles(*ALL_ROLES)
def follow() -> tuple[Response, int]:
    data = json_body({"report_id", "area"}, set())
    if ("report_id" in data) == ("area" in data):
        raise ValidationFailed("give either report_id or area", field="report_id")
    session = get_session()
    values: dict[str, int] = {"user_id": int(current_user.id)}
    if "report_id" in data:
        if isinstance(data["report_id"], bool) or not isinstance(data["report_id"], int):
            raise ValidationFailed("report_id must be a report id", field="report_id")
        values["report_id"] = workflow.get_report(session, data["report_id"]).id
    else:
        values["area_id"] = _area_id(str(data["area"]), "area")
    session.execute(insert(Follow).values(**values).on_conflict_do_nothing())
    session.commit()
    row = session.scalars(
        sa.select(Follow).where(
            Follow.user_id == values["user_id"],
            Follow.report_id == values.get("report_id"),
            Follow.area_id == values.get("area_id"),
        )
    ).one()
    return jsonify({"id": row.id, "report_id": row.report_id, "area_id": row.area_id}), 201


@bp.delete("/follows/<int:follow_id>")
@require_roles(*ALL_ROLES)
def unfollow(follow_id: int) -> tuple[str, int]:
    session = get_session()
    row = session.get(Follow, follow_id)
    if row is None or row.user_id != current_user.id:
        raise NotFound("no such follow", field="id")
    session.delete(row)
    session.commit()
    return "", 204


def my_reports_rows(user_id: int) -> list[dict[str, object]]:
    """Reports I filed, support or follow, with my relation to each, newest change first."""
    session = get_session()
    key = f"u:{user_id}"
    supported = sa.select(ReportSupport.report_id).where(ReportSupport.supporter == key)
    followed = sa.select(Follow.report_id).where(
        Follow.user_id == user_id, Follow.report_id.is_not(None)
    )
    rows = session.scalars(
        sa.select(Report)
        .where(
            sa.or_(Report.reporter_id == user_id, Report.id.in_(supported), Report.id.in_(followed))
        )
        .order_by(Report.updated_at.desc())
        .limit(200)
    ).all()
    supported_ids = set(session.scalars(supported))
    followed_ids = set(session.scalars(followed))
    return [
        {
            "id": r.id,
            "category": r.category,
            "description": r.description,
            "status": r.status,
            "support_count": r.support_count,
            "updated_at": r.updated_at.isoformat(),
            "relation": "filed"
            if r.reporter_id == user_id
            else "supported"
            if r.id in supported_ids
            else "following",
            "following": r.id in followed_ids,
        }
        for r in rows
    ]


@bp.get("/me/reports")
@require_roles(*ALL_ROLES)
def my_reports() -> Response:
    return jsonify(my_reports_rows(int(current_user.id)))


@bp.get("/me/notifications")
@require_roles(*ALL_ROLES)
def my_notifications() -> Response:
    rows = get_session().scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.user_id == current_user.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(100)
    )
    return jsonify(
        [
            {
                "id": m.id,
                "kind": m.kind,
                "report_id": m.report_id,
                "subject": m.subject,
                "created_at": m.created_at.isoformat(),
                "read": m.read_at is not None,
            }
            for m in rows
        ]
    )


@bp.post("/me/notifications/read")
@require_roles(*ALL_ROLES)
def read_notifications() -> Response:
    session = get_session()
    done = affected(
        session,
        (
            sa.update(OutboxMessage)
            .where(OutboxMessage.user_id == current_user.id, OutboxMessage.read_at.is_(None))
            .values(read_at=dt.datetime.now(dt.UTC))
        ),
    )
    session.commit()
    return jsonify({"marked_read": done})


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdecimal() or len(raw) > 6:
        raise ValidationFailed(f"{name} must be a whole number", field=name)
    return int(raw)


def queue_filter_from_args() -> QueueFilter:
    statuses = tuple(request.args.get("status", ",".join(OPEN_STATUSES)).split(","))
    if bad := [s for s in statuses if s not in STATUSES]:
        raise ValidationFailed(f"unknown status {bad[0][:32]!r}", field="status")
    overdue = request.args.get("overdue", "")
    if overdue not in ("", "true", "false", "1", "0"):
        raise ValidationFailed("overdue must be true or false", field="overdue")
    return QueueFilter(
        status=statuses,
        category=request.args.get("category") or None,
        min_age_days=_int_arg("min_age_days"),
        min_supports=_int_arg("min_supports"),
        overdue_only=overdue in ("true", "1"),
    )


@bp.get("/queue")
@require_roles("grid_worker")
def work_queue() -> Response:
    unknown_params({"status", "category", "min_age_days", "min_supports", "overdue"})
    flt = queue_filter_from_args()
    actor = current_actor()
    now = dt.datetime.now(dt.UTC)
    reports = queue(get_session(), actor, flt)
    return jsonify(
        {
            "stats": time_limit_stats(get_session(), actor),
            "reports": [
                {
                    "id": r.id,
                    "category": r.category,
                    "description": r.description,
                    "status": r.status,
                    "support_count": r.support_count,
                    "created_at": r.created_at.isoformat(),
                    "due_at": r.due_at.isoformat() if r.due_at else None,
                    "overdue": bool(r.due_at and r.due_at < now and r.status in OPEN_STATUSES),
                    "age_days": (now - r.created_at).days,
                    "grid_id": r.grid_id,
                }
                for r in reports
            ],
        }
    )
