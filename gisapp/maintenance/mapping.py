"""The managers' map: the shared Folium map (``maps.builder``) with two layers of our own, fed
from the API by bounding box like every catalog layer, so the page never embeds the data.

- coverage choropleth: ``/api/v1/coverage?format=geojson`` for the areas of one level in scope;
  a click drills down (``static/js/manager.js`` builds tooltips with ``textContent``)
- facility status: ``/api/v1/facilities`` as dots coloured ok / due / overdue / out of service

Usage::

    m = manager_map(level="community", area=street, types=("bench",), bounds=..., ...)
    parts = map_parts(m)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import folium
from flask_babel import gettext as _
from folium.map import Layer
from folium.template import Template

from gisapp.maps.builder import build_map
from gisapp.settings import Settings

MANAGER_JS = "js/manager.js"
# Coverage classes (share of facilities visited within their interval), worst first;
# a red-to-green ramp from ColorBrewer RdYlGn, readable in print.
COVERAGE_CLASSES = (
    (0.0, "#d7191c"),
    (0.5, "#fdae61"),
    (0.7, "#ffffbf"),
    (0.85, "#a6d96a"),
    (0.95, "#1a9641"),
)
NO_FACILITIES = "#d9d9d9"
STATUS_COLORS = {
    "ok": "#1a9641",
    "due": "#f0ad00",
    "overdue": "#d7191c",
    "out_of_service": "#4a1486",
}


def coverage_color(coverage: float | None) -> str:
    """The choropleth's colour for a coverage share (the table's bars use it too)."""
    if coverage is None:
        return NO_FACILITIES
    return [color for low, color in COVERAGE_CLASSES if coverage >= low][-1]


class CoverageLayer(Layer):
    """Areas of one level coloured by coverage; the browser fetches those in view."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CoMap.coverageLayer(
            {{ this._parent.get_name() }}, {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CoverageLayer"
        self.options = options


class FacilityStatusLayer(Layer):
    """Facilities in view as dots coloured by maintenance status."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CoMap.facilityStatusLayer(
            {{ this._parent.get_name() }}, {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, name: str, options: dict[str, Any], show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FacilityStatusLayer"
        self.options = options


def status_names() -> dict[str, str]:
    return {
        "ok": _("OK"),
        "due": _("Due soon"),
        "overdue": _("Overdue"),
        "out_of_service": _("Out of service"),
        "removed": _("Removed"),
    }


def _strings() -> dict[str, str]:
    return {
        "coverage": _("Coverage"),
        "facilities": _("Facilities"),
        "overdue": _("Overdue"),
        "outOfService": _("Out of service"),
        "noFacilities": _("No facilities"),
        "drill": _("Click to see its areas and facilities"),
        "daysOverdue": _("Days overdue"),
        "details": _("Details"),
        "legendCoverage": _("Coverage (visited within interval)"),
        "legendStatus": _("Facility status"),
    }


def manager_map(
    *,
    level: str | None,
    area_id: int | None,
    types: tuple[str, ...],
    bounds: list[list[float]] | None,
    settings: Settings,
    locale: str,
    static_url: Callable[[str], str],
    drill_url: str,
    facilities_from_zoom: int,
) -> folium.Map:
    """The shared map with no catalog layers, plus the choropleth (when there is a level below
    the scope) and the facility dots."""
    m = build_map(
        {},
        role="manager",
        locale=locale,
        settings=settings,
        lookups={},
        static_url=static_url,
        bounds=bounds,
    )
    m.add_js_link("manager_js", static_url(MANAGER_JS))
    # Our layers must come before the layer control (its script names them) and the empty
    # catalog legend goes: this map draws its own.
    control = next(c for c in m._children.values() if isinstance(c, folium.LayerControl))
    for child in list(m._children.values()):
        if child is control or type(child).__name__ == "Legend":
            del m._children[child.get_name()]
    query: dict[str, Any] = {}
    if area_id is not None:
        query["area"] = area_id
    if types:
        query["type"] = ",".join(types)
    strings = _strings()
    if level is not None:
        CoverageLayer(
            _("Coverage by %(level)s", level=_level_name(level, locale)),
            {
                "id": "coverage",
                "url": "/api/v1/coverage?"
                + urlencode({**query, "level": level, "format": "geojson"}),
                "drillUrl": drill_url,
                "locale": locale,
                "classes": [list(c) for c in COVERAGE_CLASSES],
                "noData": NO_FACILITIES,
                "strings": strings,
            },
        ).add_to(m)
    FacilityStatusLayer(
        _("Facilities by status"),
        {
            "id": "facility-status",
            "url": "/api/v1/facilities?" + urlencode(query) if query else "/api/v1/facilities",
            "link": "/facilities/{id}",
            "minZoom": facilities_from_zoom,
            "colors": STATUS_COLORS,
            "statusNames": status_names(),
            "strings": strings,
        },
        show=True,
    ).add_to(m)
    ManagerLegend(
        {
            "classes": [list(c) for c in COVERAGE_CLASSES] if level else [],
            "noData": NO_FACILITIES,
            "colors": STATUS_COLORS,
            "statusOrder": list(STATUS_COLORS),
            "statusNames": status_names(),
            "strings": strings,
        }
    ).add_to(m)
    control.add_to(m)
    return m


def _level_name(level: str, locale: str) -> str:
    from gisapp.geo.models import LEVEL_NAMES

    return LEVEL_NAMES[level][1 if locale == "en" else 0]


class ManagerLegend(folium.MacroElement):
    """The legend of coverage classes and facility statuses."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        CoMap.managerLegend({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ManagerLegend"
        self.options = options
