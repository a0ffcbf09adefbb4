"""The area hierarchy district → street → community → grid → building, and the links to it.

Every report, facility and project carries one foreign key per level (``district_id`` …
``building_id``). The links are kept by database triggers (``gisapp/sql/area_links.sql``): a
row gets its links when written or moved, and every row under a boundary is relinked when the
boundary is edited. Per-area statistics are then index lookups, not spatial joins.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from gisapp.db import Base

LEVELS = ("district", "street", "community", "grid", "building")
"""Levels from the top down; statistics roll up along this chain."""

LEVEL_NAMES = {
    "district": ("区", "District"),
    "street": ("街道", "Street"),
    "community": ("社区", "Community"),
    "grid": ("网格", "Grid"),
    "building": ("楼栋", "Building"),
}


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        sa.CheckConstraint(
            "level IN ('district', 'street', 'community', 'grid', 'building')", name="level"
        ),
        sa.CheckConstraint("ST_IsValid(geom)", name="valid_geom"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
        sa.CheckConstraint("households IS NULL OR households >= 0", name="households"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    population: Mapped[int | None] = mapped_column(sa.Integer)
    households: Mapped[int | None] = mapped_column(sa.Integer)
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False
    )

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


# The database writes the links (the area_links trigger): after an insert or an update the ORM
# takes them from RETURNING (mappers with eager_defaults) or reloads them when read.
_BY_TRIGGER: dict[str, Any] = {
    "server_default": sa.FetchedValue(),
    "server_onupdate": sa.FetchedValue(),
}


class AreaLinks:
    """Mixin: one nullable link per level, filled by the ``area_links`` trigger."""

    @declared_attr
    def district_id(cls) -> Mapped[int | None]:
        return mapped_column(
            sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True, **_BY_TRIGGER
        )

    @declared_attr
    def street_id(cls) -> Mapped[int | None]:
        return mapped_column(
            sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True, **_BY_TRIGGER
        )

    @declared_attr
    def community_id(cls) -> Mapped[int | None]:
        return mapped_column(
            sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True, **_BY_TRIGGER
        )

    @declared_attr
    def grid_id(cls) -> Mapped[int | None]:
        return mapped_column(
            sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True, **_BY_TRIGGER
        )

    @declared_attr
    def building_id(cls) -> Mapped[int | None]:
        return mapped_column(
            sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True, **_BY_TRIGGER
        )

    def area_ids(self) -> dict[str, int | None]:
        return {level: getattr(self, f"{level}_id") for level in LEVELS}
