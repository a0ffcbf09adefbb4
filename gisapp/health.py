"""``/healthz`` (the process is up) and ``/readyz`` (it can serve: database, PostGIS, schema).

Both answer JSON; ``/readyz`` answers 503 with a one-line ``reason`` when not ready, which is
also what ``gisapp serve`` prints before refusing to start.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify

from gisapp.db import get_db
from gisapp.migrate import current_revision, head_revision

bp = Blueprint("health", __name__)


def check_connection(conn: sa.Connection) -> tuple[bool, str]:
    """PostGIS present and migrations current, on an open connection."""
    conn.execute(sa.text("SELECT 1"))
    has_postgis = conn.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    ).first()
    if not has_postgis:
        return False, "PostGIS is not installed in the database (CREATE EXTENSION postgis)"
    current = current_revision(conn)
    head = head_revision()
    if current != head:
        return False, (
            f"migrations behind: database at {current or 'none'}, code at {head} "
            "(run gisapp db upgrade)"
        )
    return True, "ok"


def readiness(engine: sa.Engine) -> tuple[bool, str]:
    """Check the database; return (ready, one-line reason)."""
    try:
        with engine.connect() as conn:
            return check_connection(conn)
    except sa.exc.DBAPIError as exc:
        text = str(exc.orig or exc).strip()
        return False, "database unreachable: " + (
            text.splitlines()[0] if text else type(exc).__name__
        )


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    ready, reason = readiness(get_db().engine)
    resp = jsonify({"status": "ready" if ready else "unavailable", "reason": reason})
    if not ready:
        resp.status_code = 503
        resp.headers["Retry-After"] = str(
            current_app.extensions["gisapp.settings"].retry_after_seconds
        )
    return resp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
