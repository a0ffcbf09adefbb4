"""Reference lists: report categories and facility types."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, jsonify

from gisapp.api import bp
from gisapp.db import get_session
from gisapp.maintenance.models import FacilityType
from gisapp.reports.models import Category


@bp.get("/categories")
def categories() -> Response:
    rows = get_session().scalars(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)
    )
    return jsonify(
        [
            {
                "code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "sensitive": c.sensitive,
                "color": c.color,
            }
            for c in rows
        ]
    )


@bp.get("/facility-types")
def facility_types() -> Response:
    rows = get_session().scalars(sa.select(FacilityType).order_by(FacilityType.sort_order))
    return jsonify(
        [
            {
                "code": t.code,
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "interval_days": t.interval_days,
                "color": t.color,
            }
            for t in rows
        ]
    )
