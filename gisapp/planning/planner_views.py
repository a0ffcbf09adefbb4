"""``/planner``: demand, coverage gaps, site selection and new projects on one map."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user

from gisapp.auth.roles import require_roles, role_of
from gisapp.db import get_session
from gisapp.geo.models import Area
from gisapp.geo.queries import overview_bounds
from gisapp.i18n import current_locale
from gisapp.maintenance.models import FacilityType
from gisapp.maps.builder import build_map, map_parts
from gisapp.maps.lookups import all_lookups
from gisapp.pages import static_url
from gisapp.planning.models import BUDGET_SOURCES
from gisapp.planning.network import network_available
from gisapp.planning.settings import planning_settings
from gisapp.reports.models import Category

bp = Blueprint("planner", __name__)


@bp.get("/planner")
@require_roles("planner")
def index() -> str:
    session = get_session()
    locale = current_locale()
    settings = current_app.extensions["gisapp.settings"]
    catalog = current_app.extensions["gisapp.catalog"]
    # The planner's map starts with the outlines and projects; reports show as demand layers.
    shown = {k: v for k, v in catalog.items() if k != "reports"}
    m = build_map(
        shown,
        role=role_of(current_user),
        locale=locale,
        settings=settings,
        lookups=all_lookups(session, locale),
        static_url=static_url,
        bounds=overview_bounds(session),
        extra_js=("vendor/leaflet.heat/leaflet_heat.min.js",),
        draw=True,
    )
    en = locale == "en"
    types = session.scalars(sa.select(FacilityType).order_by(FacilityType.sort_order)).all()
    areas = session.execute(
        sa.select(Area.code, Area.name_zh, Area.name_en, Area.level)
        .where(Area.level.in_(("street", "community")))
        .order_by(Area.level.desc(), Area.id)
    ).all()
    planning = planning_settings()
    return render_template(
        "planner/index.html",
        map_parts=map_parts(m),
        categories=session.scalars(sa.select(Category).order_by(Category.sort_order)).all(),
        facility_types=[
            (t.code, t.name_en if en else t.name_zh, planning.radius_for(t.code)) for t in types
        ],
        areas=[(a.code, a.name_en if en else a.name_zh, a.level) for a in areas],
        budget_sources=BUDGET_SOURCES,
        labour_value=settings.labour_hour_value_yuan,
        network_ready=network_available(session),
    )
