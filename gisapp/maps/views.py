"""``/``: the resident map."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from gisapp.auth.roles import role_of
from gisapp.db import get_session
from gisapp.i18n import current_locale
from gisapp.maps.builder import build_map, map_parts
from gisapp.maps.lookups import all_lookups

bp = Blueprint("maps", __name__)


def _static_url(path: str) -> str:
    return url_for("static", filename=path)


@bp.get("/")
def index() -> str:
    locale = current_locale()
    m = build_map(
        current_app.extensions["gisapp.catalog"],
        role=role_of(current_user),
        locale=locale,
        settings=current_app.extensions["gisapp.settings"],
        lookups=all_lookups(get_session(), locale),
        static_url=_static_url,
    )
    return render_template("map.html", map_parts=map_parts(m))
