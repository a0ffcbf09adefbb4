"""Open311 GeoReport v2 at ``/open311/v2/`` (co-share, 成果共享): other systems read reports
and file new ones with an API key that admins manage at ``/admin/open311-keys`` or with
``gisapp open311 key create|list|revoke``.

Every answer of this blueprint, errors included, is in the spec's format (``.json`` or
``.xml`` by suffix; XML when the suffix is missing or unknown, XML being the spec's required
format).
"""

from __future__ import annotations

import logging
import math
import time

import sqlalchemy.exc
from flask import Blueprint, Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from gisapp.errors import GisAppError

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
log = logging.getLogger(__name__)


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt is None and request.path.endswith(".json"):
        fmt = "json"
    return "json" if fmt == "json" else "xml"


def _answer(status: int, description: str) -> Response:
    from gisapp.standards.open311.formats import respond

    resp = respond(_format(), "errors", [{"code": status, "description": description}], status)
    if status == 503:
        resp.headers["Retry-After"] = str(
            current_app.extensions["gisapp.settings"].retry_after_seconds
        )
    return resp


@bp.errorhandler(GisAppError)
def _app_error(exc: GisAppError) -> Response:
    from gisapp.standards.open311.errors import error_list, spec_status

    status = spec_status(exc)
    if status >= 500:
        log.error("open311: %s", exc.message)
        return _answer(status, _("Something went wrong on our side."))
    return _answer(status, str(error_list(exc)[0]["description"]))


@bp.errorhandler(HTTPException)
@bp.errorhandler(429)  # looked up by code before the app's own 429 handler
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 429:
        # A rate limit (gisapp.security.limits) keeps its status: a client must back off, not
        # fix its request; Retry-After says for how long.
        resp = _answer(429, _("Too many requests; please wait a moment and try again."))
        limiter = current_app.extensions.get("gisapp.limiter")
        current = getattr(limiter, "current_limit", None)
        wait = math.ceil(current.reset_at - time.time()) if current is not None else 60
        resp.headers["Retry-After"] = str(max(wait, 1))
        return resp
    return _answer(status if status in (403, 404, 503) else 400, exc.description or exc.name)


@bp.errorhandler(sqlalchemy.exc.OperationalError)
@bp.errorhandler(sqlalchemy.exc.InterfaceError)
def _db_unavailable(exc: Exception) -> Response:
    log.warning("open311: database unavailable")
    return _answer(503, _("The database is unavailable; please retry shortly."))


def init_app(app: Flask) -> None:
    from gisapp.auth import csrf
    from gisapp.standards.open311 import views  # noqa: F401
    from gisapp.standards.open311.admin import bp as admin_bp

    # Clients authenticate with api_key in the form body, never with a cookie: no CSRF here.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
