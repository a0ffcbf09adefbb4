"""Outcome tables: projects' before/after photos and the per-area monthly facts.

The facts are written only by the triggers of ``migrations/sql/0010_outcome_facts.sql``; the
app reads them. Every level but buildings has rows (0015), so a level's figures for a year
are at most 12 rows per area. The triggers append to ``outcome_area_month_changes`` (0012), folded into the
facts every few seconds; readers add the two (:data:`FACTS_WITH_CHANGES`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gisapp.db import Base

STAGES = ("before", "after")


class ProjectPhoto(Base):
    """A photo of a project's site before or after the works (re-encoded, metadata stripped).

    ``user_id`` (the planner or manager who uploaded it) is kept for the audit trail only and
    never shown.
    """

    __tablename__ = "project_photos"
    __table_args__ = (sa.CheckConstraint("stage IN ('before', 'after')", name="stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(sa.String(10))
    filename: Mapped[str] = mapped_column(sa.String(200), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size_bytes: Mapped[int] = mapped_column()
    caption: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


DAY_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("d0", 0, 0),
    ("d1", 1, 1),
    ("d2", 2, 2),
    ("d3", 3, 3),
    ("d4", 4, 4),
    ("d5", 5, 5),
    ("d6", 6, 6),
    ("d7", 7, 7),
    ("d8", 8, 10),
    ("d11", 11, 14),
    ("d15", 15, 21),
    ("d22", 22, 30),
    ("d31", 31, 45),
    ("d46", 46, 60),
    ("d61", 61, 90),
    ("d91", 91, 180),
    ("d181", 181, 365),
    ("d366", 366, 730),
)
"""Histogram columns of whole days to resolve: (column, first day, last day). Exact up to a
week, then widening; the last bucket is open (730 is only used to estimate inside it)."""


class OutcomeAreaMonth(Base):
    """Per area and local month: reports received and resolved, days taken (their sum and a
    histogram, ``d0`` … ``d366``), and residents' ratings of the fixes."""

    __tablename__ = "outcome_area_months"
    __table_args__ = (sa.Index("ix_outcome_area_months_area", "area_id", "month"),)

    level: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    month: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(primary_key=True)
    received: Mapped[int] = mapped_column(default=0, server_default="0")
    resolved: Mapped[int] = mapped_column(default=0, server_default="0")
    resolve_days: Mapped[float] = mapped_column(sa.Double, default=0, server_default=sa.text("0"))
    ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    # the histogram, one column per DAY_BUCKETS entry
    d0: Mapped[int] = mapped_column(default=0, server_default="0")
    d1: Mapped[int] = mapped_column(default=0, server_default="0")
    d2: Mapped[int] = mapped_column(default=0, server_default="0")
    d3: Mapped[int] = mapped_column(default=0, server_default="0")
    d4: Mapped[int] = mapped_column(default=0, server_default="0")
    d5: Mapped[int] = mapped_column(default=0, server_default="0")
    d6: Mapped[int] = mapped_column(default=0, server_default="0")
    d7: Mapped[int] = mapped_column(default=0, server_default="0")
    d8: Mapped[int] = mapped_column(default=0, server_default="0")
    d11: Mapped[int] = mapped_column(default=0, server_default="0")
    d15: Mapped[int] = mapped_column(default=0, server_default="0")
    d22: Mapped[int] = mapped_column(default=0, server_default="0")
    d31: Mapped[int] = mapped_column(default=0, server_default="0")
    d46: Mapped[int] = mapped_column(default=0, server_default="0")
    d61: Mapped[int] = mapped_column(default=0, server_default="0")
    d91: Mapped[int] = mapped_column(default=0, server_default="0")
    d181: Mapped[int] = mapped_column(default=0, server_default="0")
    d366: Mapped[int] = mapped_column(default=0, server_default="0")


# The facts' unfolded deltas (migration 0012): same columns, a key may repeat, no primary key.
outcome_area_month_changes = sa.Table(
    "outcome_area_month_changes",
    Base.metadata,
    *(sa.Column(c.name, c.type, nullable=False) for c in OutcomeAreaMonth.__table__.columns),
)

# What the facts say right now: the summary rows and the changes not yet folded into them,
# read in one statement (one snapshot). Sum per key; a key may appear more than once.
FACTS_WITH_CHANGES = sa.union_all(
    sa.select(OutcomeAreaMonth.__table__), sa.select(outcome_area_month_changes)
).subquery("facts")
