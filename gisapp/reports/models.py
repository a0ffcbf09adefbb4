"""Residents' reports (诉求) and the categories they are filed under."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisapp.db import Base
from gisapp.geo.models import AreaLinks

STATUSES = ("submitted", "accepted", "in_progress", "resolved", "closed", "duplicate", "rejected")
OPEN_STATUSES = ("submitted", "accepted", "in_progress")


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    # Sensitive categories (e.g. safety hazards at a home) have their public location rounded.
    sensitive: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    color: Mapped[str] = mapped_column(sa.String(9), default="#d7263d", server_default="#d7263d")
    # The 12345-style time limit: days from filing to resolution.
    time_limit_days: Mapped[int] = mapped_column(default=7, server_default="7")
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class Report(AreaLinks, Base):
    __tablename__ = "reports"
    # The INSERT returns what the database fills in (id, area links, defaults): filing a report
    # needs no second round trip to read them back.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'in_progress', 'resolved', 'closed', "
            "'duplicate', 'rejected')",
            name="status",
        ),
        sa.CheckConstraint("char_length(description) BETWEEN 1 AND 2000", name="description"),
        sa.CheckConstraint("support_count >= 0", name="support_count"),
        sa.CheckConstraint("updated_at >= created_at", name="timestamps"),
        sa.Index("ix_reports_status_category", "status", "category"),
        sa.Index("ix_reports_created_at", "created_at"),
        sa.CheckConstraint("moderation IN ('visible', 'held', 'hidden')", name="moderation"),
        sa.Index(
            "ix_reports_moderation_queue",
            "created_at",
            postgresql_where=sa.text("moderation <> 'visible'"),
        ),
        # The spam checks of every new report (gisapp.reports.moderation.spam_signals): the
        # same text again (a hash index: descriptions outgrow a btree entry), and one
        # reporter's recent reports.
        sa.Index("ix_reports_description_hash", "description", postgresql_using="hash"),
        sa.Index("ix_reports_reporter_recent", "reporter_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.ForeignKey("categories.code"))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(
        sa.String(16), default="submitted", server_default="submitted"
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reporter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who filed it, as a supporter key ("u:<user id>" or "a:<hash of an anonymous browser id>"),
    # so an anonymous reporter can still rate the fix; private like the contact.
    reporter_key: Mapped[str | None] = mapped_column(sa.String(80))
    due_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    # A fault report on a facility (tap the facility or scan its label): an open fault of it.
    facility_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="SET NULL"), index=True
    )

    # Moderation (gisapp.reports.moderation): "held" waits for review after a spam signal,
    # "hidden" was taken down by staff; both are left out of every public view.
    moderation: Mapped[str] = mapped_column(
        sa.String(8), default="visible", server_default="visible"
    )
    moderation_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    spam_flags: Mapped[list[str]] = mapped_column(
        ARRAY(sa.String(16)), default=list, server_default=sa.text("'{}'::varchar[]")
    )

    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportPhoto.id"
    )
    contact: Mapped[ReportContact | None] = relationship(
        cascade="all, delete-orphan", uselist=False
    )


class ReportContact(Base):
    """The reporter's contact, in its own table so no public query can select it by accident."""

    __tablename__ = "report_contacts"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    contact: Mapped[str] = mapped_column(sa.String(200))


class ReportPhoto(Base):
    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size_bytes: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    report: Mapped[Report] = relationship(back_populates="photos")


EVENT_KINDS = ("filed", "status", "update", "merged", "reopened", "rated")


class ReportEvent(Base):
    """The timeline and audit trail of a report: every change, who made it, and why.

    ``public`` events appear on the report page without the actor's identity; the actor is kept
    for the audit trail only.
    """

    __tablename__ = "report_events"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('filed', 'status', 'update', 'merged', 'reopened', 'rated')", name="kind"
        ),
        sa.Index("ix_report_events_report_created", "report_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    public: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(sa.String(16), default="anonymous")
    related_report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="SET NULL")
    )
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class ReportSupport(Base):
    """附议 ("me too"): one per supporter per report."""

    __tablename__ = "report_supports"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    supporter: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class ReportRating(Base):
    """满意度: the reporter's or a supporter's rating of the fix, 1-5, with a comment."""

    __tablename__ = "report_ratings"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    rater: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Follow(Base):
    """A resident following a report or an area."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint("(report_id IS NULL) <> (area_id IS NULL)", name="one_target"),
        sa.UniqueConstraint(
            "user_id",
            "report_id",
            "area_id",
            name="uq_follows_target",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
