"""Services are the report categories (``service_code`` = category code).

A category gets a service definition (``metadata=true``) when it has attributes:

- ``facility_code`` on the categories a facility fault is filed under (the code on the
  facility's QR label): the report is linked to the facility and placed at it;
- an informational ``public_location`` on sensitive categories, whose public location is rounded.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from gisapp.i18n import current_locale
from gisapp.maintenance.views import DEFAULT_FAULT_CATEGORY, FAULT_CATEGORY
from gisapp.reports.models import Category
from gisapp.standards.open311.errors import Open311Error

FACILITY_CATEGORIES = frozenset({*FAULT_CATEGORY.values(), DEFAULT_FAULT_CATEGORY})
FACILITY_ATTRIBUTE = "facility_code"


def active_categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            sa.select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)
        )
    )


def service_name(category: Category) -> str:
    return category.name_en if current_locale() == "en" else category.name_zh


def attributes(category: Category, rounding_m: float) -> list[dict[str, Any]]:
    """The service definition's attributes, in the spec's shape."""
    found: list[dict[str, Any]] = []
    if category.code in FACILITY_CATEGORIES:
        found.append(
            {
                "variable": True,
                "code": FACILITY_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": _("The code on the facility's QR label."),
                "order": len(found) + 1,
                "description": _(
                    "Facility code, if the problem is with a registered facility; "
                    "without lat/long the request is placed at the facility."
                ),
            }
        )
    if category.sensitive:
        found.append(
            {
                "variable": False,
                "code": "public_location",
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": len(found) + 1,
                "description": _(
                    "To protect residents, the public location of these requests is rounded "
                    "to about %(metres)d m.",
                    metres=round(rounding_m),
                ),
            }
        )
    return found


def service_list(session: Session, rounding_m: float) -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.code,
            "service_name": service_name(c),
            "description": _(
                "%(name)s. Time limit: %(days)d days.",
                name=service_name(c),
                days=c.time_limit_days,
            ),
            "metadata": bool(attributes(c, rounding_m)),
            "type": "realtime",
            "keywords": f"{c.name_zh},{c.name_en}",
            "group": None,
        }
        for c in active_categories(session)
    ]


def get_category(session: Session, code: str) -> Category:
    """The active category for a service code; 404 (the spec's answer) otherwise."""
    category = session.get(Category, code) if len(code) <= 40 else None
    if category is None or not category.active:
        raise Open311Error(404, _("There is no service %(code)s.", code=code[:40]))
    return category


def service_definition(session: Session, code: str, rounding_m: float) -> dict[str, Any]:
    category = get_category(session, code)
    return {"service_code": category.code, "attributes": attributes(category, rounding_m)}
