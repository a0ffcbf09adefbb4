"""Facilities (设施), their types, the maintenance log (巡检/养护), stewards (认领) and the
facts that per-area coverage is computed from.

``facility_facts``, ``facility_months`` and ``maintenance_area_months`` are written only by
database triggers (``gisapp/migrations/sql/0003_maintenance_facts.sql``): every change to a
facility, its log or a report linked to it refreshes that facility's rows and moves its share of
its areas' sums, so coverage by area reads narrow tables grouped by a stored area link, never a
walk through the whole history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisapp.db import Base
from gisapp.geo.models import AreaLinks

KINDS = ("inspection", "repair")
RESULTS = ("ok", "fault", "fixed")
# What each kind of visit may report: an inspection finds the facility ok or faulty; a repair
# fixes it or leaves it faulty.
RESULTS_BY_KIND = {"inspection": ("ok", "fault"), "repair": ("fixed", "fault")}
CONDITIONS = ("good", "fair", "poor")


class FacilityType(Base):
    __tablename__ = "facility_types"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    interval_days: Mapped[int] = mapped_column()
    color: Mapped[str] = mapped_column(sa.String(9), default="#1b998b", server_default="#1b998b")
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class Facility(AreaLinks, Base):
    __tablename__ = "facilities"
    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'removed')", name="status"),
        sa.CheckConstraint("condition IN ('good', 'fair', 'poor')", name="condition"),
        sa.CheckConstraint(
            "maintenance_interval_days IS NULL OR maintenance_interval_days > 0", name="interval"
        ),
        sa.CheckConstraint("removed_on IS NULL OR status = 'removed'", name="removed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    type: Mapped[str] = mapped_column(sa.ForeignKey("facility_types.code"), index=True)
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    install_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The agency team that answers for the facility; a volunteer steward is an adoption.
    responsible_party: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    condition: Mapped[str] = mapped_column(sa.String(8), default="good", server_default="good")
    # NULL means "the type's default interval".
    maintenance_interval_days: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(8), default="active", server_default="active")
    removed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    records: Mapped[list[MaintenanceRecord]] = relationship(
        back_populates="facility", order_by="MaintenanceRecord.performed_on"
    )


class MaintenanceRecord(Base):
    __tablename__ = "maintenance_records"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('inspection', 'repair')", name="kind"),
        sa.CheckConstraint("result IN ('ok', 'fault', 'fixed')", name="result"),
        sa.CheckConstraint(
            "(kind = 'inspection' AND result IN ('ok', 'fault')) "
            "OR (kind = 'repair' AND result IN ('fixed', 'fault'))",
            name="kind_result",
        ),
        sa.CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
        sa.Index("ix_maintenance_records_facility_date", "facility_id", "performed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    performed_on: Mapped[dt.date] = mapped_column(sa.Date)
    result: Mapped[str] = mapped_column(sa.String(8))
    performed_by: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    volunteer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    minutes: Mapped[int | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    facility: Mapped[Facility] = relationship(back_populates="records")


class FacilitySteward(Base):
    """认领: a resident adopts a facility and checks it; withdrawing ends the adoption.

    ``community_id`` is the facility's community when adopted: a steward's active adoptions all
    lie in one community (see ``gisapp.maintenance.stewards``).
    """

    __tablename__ = "facility_stewards"
    __table_args__ = (
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="period"),
        # One active steward per facility.
        sa.Index(
            "uq_facility_stewards_active_facility",
            "facility_id",
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index(
            "ix_facility_stewards_active_user",
            "user_id",
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    ended_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class FacilityPhoto(Base):
    """A photo of a facility, taken with a log entry (re-encoded, metadata stripped)."""

    __tablename__ = "facility_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True
    )
    record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("maintenance_records.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size_bytes: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


COVERAGE_COLUMNS = [
    "active",
    "type",
    "next_due_on",
    "out_of_service",
    "open_reports",
    "last_result",
]


class FacilityFacts(Base):
    """One row per facility, kept by triggers: what its status is computed from.

    Status needs "today", so it is not stored; ``next_due_on`` and ``out_of_service`` are, and
    the coverage query compares them with the date it is given.
    """

    __tablename__ = "facility_facts"
    # One index per level, holding what the coverage figures read: a level's figures are then
    # an index-only scan already in area order (no sort, no table access).
    __table_args__ = tuple(
        sa.Index(
            f"ix_facility_facts_{level}",
            f"{level}_id",
            postgresql_include=COVERAGE_COLUMNS,
        )
        for level in ("district", "street", "community", "grid", "building")
    )

    facility_id: Mapped[int] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column()
    district_id: Mapped[int | None] = mapped_column()
    street_id: Mapped[int | None] = mapped_column()
    community_id: Mapped[int | None] = mapped_column()
    grid_id: Mapped[int | None] = mapped_column()
    building_id: Mapped[int | None] = mapped_column()
    interval_days: Mapped[int] = mapped_column()
    # Installation date, or the day the facility was registered when that is unknown.
    start_on: Mapped[dt.date] = mapped_column(sa.Date)
    removed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    last_visit_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    last_result: Mapped[str | None] = mapped_column(sa.String(8))
    open_reports: Mapped[int] = mapped_column(default=0, server_default="0")
    next_due_on: Mapped[dt.date] = mapped_column(
        sa.Date, sa.Computed("coalesce(last_visit_on, start_on) + interval_days", persisted=True)
    )
    out_of_service: Mapped[bool] = mapped_column(
        sa.Computed("open_reports > 0 OR coalesce(last_result = 'fault', false)", persisted=True)
    )


class FacilityMonth(Base):
    """Per facility and calendar month, kept by triggers: the work logged and faults closed."""

    __tablename__ = "facility_months"
    __table_args__ = (sa.Index("ix_facility_months_month", "month"),)

    facility_id: Mapped[int] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    records: Mapped[int] = mapped_column(default=0, server_default="0")
    volunteer_records: Mapped[int] = mapped_column(default=0, server_default="0")
    minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    volunteer_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    last_visit_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    faults_closed: Mapped[int] = mapped_column(default=0, server_default="0")
    # Sum over the faults closed this month of the days each was open (fractions for reports).
    fault_close_days: Mapped[float] = mapped_column(
        sa.Double, default=0, server_default=sa.text("0")
    )


class AreaMonth(Base):
    """Per area (every level), facility type and month, kept by triggers: ``facility_months``
    summed over the area's facilities, so a level's history figures read one row per area and
    month instead of one per facility. ``type`` "" holds all types together.
    """

    __tablename__ = "maintenance_area_months"
    # The key serves a whole level (level, type, month range); this, the areas of one scope.
    __table_args__ = (sa.Index("ix_maintenance_area_months_area", "area_id", "type", "month"),)

    level: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    month: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(primary_key=True)
    records: Mapped[int] = mapped_column(default=0, server_default="0")
    volunteer_records: Mapped[int] = mapped_column(default=0, server_default="0")
    minutes: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    volunteer_minutes: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    faults_closed: Mapped[int] = mapped_column(default=0, server_default="0")
    fault_close_days: Mapped[float] = mapped_column(
        sa.Double, default=0, server_default=sa.text("0")
    )
