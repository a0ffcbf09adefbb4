"""OGC API - Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0) at ``/ogc``, from the catalog.

Endpoints: ``/ogc`` (landing page), ``/ogc/conformance``, ``/ogc/api`` (OpenAPI 3.0),
``/ogc/collections``, ``/ogc/collections/{id}``, ``/ogc/collections/{id}/queryables``,
``/ogc/collections/{id}/items`` and ``/ogc/collections/{id}/items/{fid}``; each answers JSON or
HTML (``?f=json|html`` or the ``Accept`` header). Anonymous role, public fields only.

Why our own thin implementation rather than mounting pygeoapi: see ``docs/ogc.md`` (pygeoapi's
PostgreSQL provider shapes every feature in Python, about 10x slower than letting PostgreSQL
build the FeatureCollection; the contract asks for 5x TiPg).

Errors are OGC exception JSON ``{"code", "description"}`` (status 400/404/503), or the friendly
error page when HTML was asked for.
"""

from __future__ import annotations

import logging

import sqlalchemy.exc
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template
from flask_babel import gettext as _

from gisapp.errors import GisAppError
from gisapp.standards.ogc.collections import build_collections
from gisapp.standards.ogc.http import wants_html

log = logging.getLogger(__name__)

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

OGC_CODES = {400: "InvalidParameterValue", 404: "NotFound", 503: "ServiceUnavailable"}


def _exception(status: int, description: str) -> Response:
    if wants_html():
        resp = current_app.make_response(
            render_template("error.html", status=status, message=description)
        )
    else:
        code = OGC_CODES.get(status, "NoApplicableCode")
        resp = jsonify({"code": code, "description": description})
    resp.status_code = status
    if status == 503:
        settings = current_app.extensions["gisapp.settings"]
        resp.headers["Retry-After"] = str(settings.retry_after_seconds)
    return resp


@bp.after_request
def _open_to_other_sites(resp: Response) -> Response:
    # Open data: web maps on other sites may read the JSON (no cookies are honoured for it,
    # and it holds nothing personal). HTML pages stay same-origin.
    if resp.mimetype != "text/html":
        resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.errorhandler(GisAppError)
def _app_error(exc: GisAppError) -> Response:
    # Validation errors are 422 in the JSON API; OGC clients expect 400 for a bad parameter.
    status = 400 if exc.status == 422 else exc.status
    return _exception(status, exc.message)


@bp.errorhandler(sqlalchemy.exc.OperationalError)
@bp.errorhandler(sqlalchemy.exc.InterfaceError)
def _db_unavailable(exc: Exception) -> Response:
    log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
    return _exception(503, _("The database is unavailable; please retry shortly."))


def init_app(app: Flask) -> None:
    import gisapp.standards.ogc.views  # noqa: F401  (routes register on import)

    settings = app.extensions["gisapp.settings"]
    app.extensions["gisapp.ogc"] = build_collections(app.extensions["gisapp.catalog"], settings)
    app.register_blueprint(bp)
