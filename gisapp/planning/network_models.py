"""The walking network: street segments and the vertices that join them (a pgRouting graph).

Each segment runs from vertex ``source`` to vertex ``target``; ``length_m`` is its length on
the spheroid, the cost pgRouting walks. Segments and vertices are rebuilt together by
:func:`gisapp.planning.network.build_topology`, never edited one by one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Mapped, mapped_column

from gisapp.db import Base


class StreetVertex(Base):
    __tablename__ = "street_vertices"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))


class Street(Base):
    __tablename__ = "streets"
    __table_args__ = (sa.CheckConstraint("length_m >= 0", name="length"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # OSM-style class (primary, secondary, residential, footway, lane …); kept for the map and
    # for future per-class walking rules, not used in the cost yet.
    highway: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    geom: Mapped[Any] = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True))
    length_m: Mapped[float] = mapped_column(sa.Float, default=0, server_default="0")
    source: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("street_vertices.id", ondelete="SET NULL"), index=True
    )
    target: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("street_vertices.id", ondelete="SET NULL"), index=True
    )
