"""Helpers for the residents' tests: points inside the sample, images, CSRF for cookie users."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from gisapp.models import Area, Report, User, UserArea


def csrf_header(client: FlaskClient) -> dict[str, str]:
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match
    return {"X-CSRFToken": match.group(1)}


@pytest.fixture
def inside(db_session: Session) -> tuple[float, float]:
    """A point well inside the first grid of the sample street."""
    x, y = db_session.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        )
        .where(Area.level == "grid")
        .order_by(Area.id)
        .limit(1)
    ).one()
    return float(x), float(y)


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (30.0, 33.0, 0.0), 3: "E", 4: (114.0, 19.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb() -> bytes:
    """Tiny on disk, 400 million pixels when decoded."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def open_report(db_session: Session, category: str | None = None) -> Report:
    stmt = sa.select(Report).where(Report.status.in_(("submitted", "accepted", "in_progress")))
    if category:
        stmt = stmt.where(Report.category == category)
    report = db_session.scalars(stmt.order_by(Report.id)).first()
    assert report is not None
    return report


def grid_worker_area(db_session: Session) -> int:
    user = db_session.scalars(sa.select(User).where(User.username == "demo-grid")).one()
    return db_session.scalars(sa.select(UserArea.area_id).where(UserArea.user_id == user.id)).one()


@pytest.fixture
def in_scope(db_session: Session) -> tuple[float, float]:
    """A point inside the demo grid worker's community."""
    community = grid_worker_area(db_session)
    x, y = db_session.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        )
        .where(Area.parent_id == community, Area.level == "grid")
        .order_by(Area.id)
        .limit(1)
    ).one()
    return float(x), float(y)
