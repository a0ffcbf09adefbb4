"""Helpers for the co-managing tests: fresh facilities with a history we choose, users,
tokens, and today's date as the app sees it (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.auth.passwords import hash_password
from gisapp.auth.tokens import issue_token
from gisapp.maintenance.models import Facility, FacilityFacts, MaintenanceRecord
from gisapp.maintenance.status import local_today
from gisapp.models import Area

_codes = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password("co-create-demo")


@pytest.fixture
def today(app: Flask) -> dt.date:
    return local_today(app.extensions["gisapp.settings"])


def point_in(session: Session, area_id: int) -> tuple[float, float]:
    x, y = session.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(Area.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Area.geom)),
        ).where(Area.id == area_id)
    ).one()
    return float(x), float(y)


def grids(session: Session) -> list[Area]:
    return list(session.scalars(sa.select(Area).where(Area.level == "grid").order_by(Area.id)))


@pytest.fixture
def make_facility(db_session: Session, today: dt.date) -> Callable[..., Facility]:
    """``make_facility(visits=[(days_ago, result), ...], grid=Area, type=..., installed=...)``."""

    def make(
        *,
        visits: tuple[tuple[int, str], ...] = (),
        grid: Area | None = None,
        type: str = "bench",
        installed_days_ago: int = 400,
        interval: int | None = None,
        volunteer: bool = False,
        minutes: int | None = 30,
    ) -> Facility:
        area = grid or grids(db_session)[0]
        lon, lat = point_in(db_session, area.id)
        facility = Facility(
            code=f"T-{next(_codes):05d}",
            type=type,
            geom=sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326),
            install_date=today - dt.timedelta(days=installed_days_ago),
            responsible_party="测试养护班组",
            maintenance_interval_days=interval,
        )
        db_session.add(facility)
        db_session.flush()
        for days_ago, result in visits:
            kind = "repair" if result == "fixed" else "inspection"
            db_session.add(
                MaintenanceRecord(
                    facility_id=facility.id,
                    kind=kind,
                    performed_on=today - dt.timedelta(days=days_ago),
                    result=result,
                    performed_by="测试",
                    volunteer=volunteer,
                    minutes=minutes,
                )
            )
        db_session.flush()
        db_session.refresh(facility)
        return facility

    return make


def facts(db_session: Session, facility_id: int) -> FacilityFacts:
    row = db_session.get(FacilityFacts, facility_id, populate_existing=True)
    assert row is not None
    return row


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., User]:
    def make(username: str, role: str = "resident", display_name: str = "") -> User:
        user = User(
            username=username,
            password_hash=_password_hash(),
            role=role,
            display_name=display_name or username,
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


def bearer(session: Session, username: str) -> dict[str, str]:
    """A bearer token for an account, issued directly (the password check is tested elsewhere
    and costs a quarter second of Argon2 each time)."""
    user = session.scalars(sa.select(User).where(User.username == username)).one()
    token, _expires = issue_token(session, user, ttl_hours=1)
    session.flush()
    return {"Authorization": f"Bearer {token}"}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def count(session: Session, model: Any) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
