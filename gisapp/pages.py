"""Helpers shared by HTML page views."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import Session

from gisapp.maps.builder import feature_map, map_parts


def static_url(path: str) -> str:
    return url_for("static", filename=path)


def geometry_of(session: Session, geom: Any) -> dict[str, Any]:
    text = session.scalar(sa.select(sa.func.ST_AsGeoJSON(geom, 6)))
    data: dict[str, Any] = json.loads(text or "null")
    return data


def small_map(session: Session, geom: Any, color: str) -> dict[str, str]:
    m = feature_map(
        geometry_of(session, geom),
        settings=current_app.extensions["gisapp.settings"],
        static_url=static_url,
        color=color,
    )
    return map_parts(m)
