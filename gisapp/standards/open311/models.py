"""What an Open311 client filed: which key, its ``media_url`` and the request's token."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gisapp.db import Base


class Open311Request(Base):
    """One row per report filed through ``POST /open311/v2/requests``."""

    __tablename__ = "open311_requests"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    api_key_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # A link the client gave (GeoReport v2 has no upload); shown back as the request's media_url.
    media_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
