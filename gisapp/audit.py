"""The audit log: who did what to which object, for moderation and administration.

Rows are only ever added. Report-level history also lives in ``report_events`` (the timeline);
this log covers what has no timeline of its own (accounts, roles, categories, API keys) and keeps
the original of anything moderators hide.

Usage::

    record(session, "report.hide", "report", report.id, reason=reason, before=original)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from gisapp.auth.roles import role_of
from gisapp.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_target", "target_type", "target_id", "at"),
        sa.Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(48))
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


def record(
    session: Session,
    action: str,
    target_type: str,
    target_id: object,
    *,
    actor_id: int | None = None,
    actor_role: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add one entry in the caller's transaction; the actor defaults to the signed-in user."""
    if actor_role is None:
        user = current_user if has_request_context() else None
        actor_role = role_of(user) if user is not None else "system"
        if actor_id is None and getattr(user, "is_authenticated", False):
            actor_id = int(user.id)  # type: ignore[union-attr]
    entry = AuditEntry(
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
    )
    session.add(entry)
    return entry


def entries_for(session: Session, target_type: str, target_id: object) -> list[AuditEntry]:
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.target_type == target_type, AuditEntry.target_id == str(target_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
