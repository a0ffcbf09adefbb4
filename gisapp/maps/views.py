"""``/``: the resident map."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user

from gisapp.auth.roles import role_of
from gisapp.db import read_session
from gisapp.geo.queries import overview_bounds
from gisapp.i18n import current_locale
from gisapp.maps.builder import build_map, map_parts
from gisapp.maps.lookups import all_lookups
from gisapp.pages import static_url
from gisapp.reports.models import Category

bp = Blueprint("maps", __name__)


@bp.get("/")
def index() -> str:
    locale = current_locale()
    m = build_map(
        current_app.extensions["gisapp.catalog"],
        role=role_of(current_user),
        locale=locale,
        settings=current_app.extensions["gisapp.settings"],
        lookups=all_lookups(read_session(), locale),
        static_url=static_url,
        bounds=overview_bounds(read_session()),
    )
    categories = read_session().scalars(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)
    )
    settings = current_app.extensions["gisapp.settings"]
    return render_template(
        "map.html",
        map_parts=map_parts(m),
        categories=list(categories),
        max_photos=settings.photos_per_report,
    )
