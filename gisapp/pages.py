"""Helpers shared by HTML page views."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from gisapp.db import get_session
from gisapp.errors import ApiError
from gisapp.maps.builder import feature_map, map_parts


def static_url(path: str) -> str:
    return url_for("static", filename=path)


def geometry_of(session: Session, geometry: Any, *where: sa.ColumnElement[bool]) -> dict[str, Any]:
    """One geometry (a column or expression, filtered by ``where``) as GeoJSON."""
    text = session.scalar(sa.select(sa.func.ST_AsGeoJSON(geometry, 6)).where(*where))
    data: dict[str, Any] = json.loads(text or "null")
    return data


def small_map(geometry: dict[str, Any], color: str) -> dict[str, str]:
    """The parts of a small map showing one GeoJSON geometry."""
    m = feature_map(
        geometry,
        settings=current_app.extensions["gisapp.settings"],
        static_url=static_url,
        color=color,
    )
    return map_parts(m)


def form_action(
    work: Callable[[], object],
    done: str,
    back: str,
    describe: Callable[[ApiError], str] = lambda exc: exc.message,
) -> Response:
    """Run a page form's write: commit and flash ``done``, or roll back and flash the error;
    either way go back to ``back`` (303, so a reload does not post again)."""
    session = get_session()
    try:
        work()
    except ApiError as exc:
        session.rollback()
        flash(describe(exc), "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(back, 303)
