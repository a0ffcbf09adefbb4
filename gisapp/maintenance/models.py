"""Facilities (设施), their types, and the maintenance log (巡检/养护)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisapp.db import Base
from gisapp.geo.models import AreaLinks


class FacilityType(Base):
    __tablename__ = "facility_types"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    interval_days: Mapped[int] = mapped_column()
    color: Mapped[str] = mapped_column(sa.String(9), default="#1b998b", server_default="#1b998b")
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")


class Facility(AreaLinks, Base):
    __tablename__ = "facilities"
    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'removed')", name="status"),
        sa.CheckConstraint("condition IN ('good', 'fair', 'poor')", name="condition"),
        sa.CheckConstraint(
            "maintenance_interval_days IS NULL OR maintenance_interval_days > 0", name="interval"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    type: Mapped[str] = mapped_column(sa.ForeignKey("facility_types.code"), index=True)
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    install_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    responsible_party: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    condition: Mapped[str] = mapped_column(sa.String(8), default="good", server_default="good")
    # NULL means "the type's default interval".
    maintenance_interval_days: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(8), default="active", server_default="active")
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
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    facility: Mapped[Facility] = relationship(back_populates="records")
