"""``/reports/<id>``: one report, as the public sees it."""

from __future__ import annotations

from flask import Blueprint, render_template

from gisapp.db import get_session
from gisapp.errors import NotFound
from gisapp.geo.queries import areas_of
from gisapp.i18n import current_locale
from gisapp.maps.lookups import report_statuses
from gisapp.pages import small_map
from gisapp.reports.models import Category, Report

bp = Blueprint("reports", __name__)


@bp.get("/reports/<int:report_id>")
def detail(report_id: int) -> str:
    session = get_session()
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}")
    category = session.get(Category, report.category)
    locale = current_locale()
    return render_template(
        "reports/detail.html",
        report=report,
        category_name=(category.name_en if locale == "en" else category.name_zh)
        if category
        else report.category,
        status_name=report_statuses().get(report.status, report.status),
        areas=areas_of(session, report),
        map_parts=small_map(session, report.geom, category.color if category else "#d7263d"),
    )
