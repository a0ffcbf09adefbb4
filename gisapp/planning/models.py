"""Improvement projects (项目) with footprints, phases along the five co-s, and budgets."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Mapped, mapped_column

from gisapp.db import Base
from gisapp.geo.models import AreaLinks

PHASES = ("co_decide", "co_build", "co_manage", "co_evaluate", "co_share")
"""The five co-s, in the order a project passes through them."""

PHASE_NAMES = {
    "co_decide": ("决策共谋", "Co-decide"),
    "co_build": ("发展共建", "Co-build"),
    "co_manage": ("建设共管", "Co-manage"),
    "co_evaluate": ("效果共评", "Co-evaluate"),
    "co_share": ("成果共享", "Co-share"),
}


class Project(AreaLinks, Base):
    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint(
            "phase IN ('co_decide', 'co_build', 'co_manage', 'co_evaluate', 'co_share')",
            name="phase",
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        sa.CheckConstraint("budget_yuan IS NULL OR budget_yuan >= 0", name="budget"),
        sa.CheckConstraint(
            "GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', "
            "'MULTILINESTRING', 'MULTIPOLYGON') AND ST_IsValid(geom)",
            name="geom",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    phase: Mapped[str] = mapped_column(
        sa.String(16), default="co_decide", server_default="co_decide", index=True
    )
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    budget_yuan: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(14, 2))
    started_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    completed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    geom: Mapped[Any] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    # Where the project came from: a candidate site chosen by analysis, with its facility type.
    facility_type: Mapped[str | None] = mapped_column(sa.ForeignKey("facility_types.code"))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh


BUDGET_SOURCES = (
    "government",
    "reward",
    "residents_money",
    "residents_labour",
    "enterprise",
    "social",
)
"""Where a project's money comes from: government funds, the 以奖代补 reward, residents' money,
residents' labour (hours valued at a configured rate), enterprise and social donations."""


class ProjectBudgetLine(Base):
    """One planned source of a project's budget."""

    __tablename__ = "project_budget_lines"
    __table_args__ = (
        sa.CheckConstraint(
            "source IN ('government', 'reward', 'residents_money', 'residents_labour', "
            "'enterprise', 'social')",
            name="source",
        ),
        sa.CheckConstraint("amount_yuan >= 0", name="amount"),
        sa.CheckConstraint("hours IS NULL OR hours >= 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(sa.String(20))
    amount_yuan: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(14, 2))
    # Labour lines keep the hours; amount_yuan is then hours x the configured hourly value.
    hours: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(10, 1))
    note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")


class ProjectMilestone(Base):
    """A dated step of a project, in one of the five co-s."""

    __tablename__ = "project_milestones"
    __table_args__ = (
        sa.CheckConstraint(
            "phase IN ('co_decide', 'co_build', 'co_manage', 'co_evaluate', 'co_share')",
            name="phase",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class ProjectReport(Base):
    """A residents' report that a project answers."""

    __tablename__ = "project_reports"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, index=True
    )
