"""Labels and colours for coded values, in the request's language, for map popups and legends."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.geo.models import LEVEL_NAMES
from gisapp.maintenance.models import FacilityType
from gisapp.planning.models import PHASE_NAMES
from gisapp.reports.models import Category


def report_statuses() -> dict[str, str]:
    return {
        "submitted": _("Submitted"),
        "accepted": _("Accepted"),
        "in_progress": _("In progress"),
        "resolved": _("Resolved"),
        "closed": _("Closed"),
        "duplicate": _("Duplicate"),
        "rejected": _("Rejected"),
    }


def facility_conditions() -> dict[str, str]:
    return {"good": _("Good"), "fair": _("Fair"), "poor": _("Poor")}


def facility_statuses() -> dict[str, str]:
    return {"active": _("In use"), "removed": _("Removed")}


def all_lookups(session: Session, locale: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Every lookup the catalog may name: ``{lookup: {code: {"name": ..., "color": ...}}}``."""
    en = locale == "en"

    def plain(mapping: dict[str, str]) -> dict[str, dict[str, Any]]:
        return {code: {"name": name} for code, name in mapping.items()}

    return {
        "categories": {
            c.code: {"name": c.name_en if en else c.name_zh, "color": c.color}
            for c in session.scalars(sa.select(Category).order_by(Category.sort_order))
        },
        "facility_types": {
            t.code: {"name": t.name_en if en else t.name_zh, "color": t.color}
            for t in session.scalars(sa.select(FacilityType).order_by(FacilityType.sort_order))
        },
        "report_status": plain(report_statuses()),
        "project_phase": {k: {"name": v[1] if en else v[0]} for k, v in PHASE_NAMES.items()},
        "area_level": {k: {"name": v[1] if en else v[0]} for k, v in LEVEL_NAMES.items()},
        "facility_condition": plain(facility_conditions()),
        "facility_status": plain(facility_statuses()),
    }
