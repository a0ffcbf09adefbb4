"""The outcomes map: the shared Folium map (``maps.builder``) with one layer of our own, a
choropleth of the areas of one level fed from ``/api/v1/outcomes?format=geojson`` by bounding
box like every catalog layer, so the page never embeds the data. The browser colours the areas
by the chosen figure (``static/js/outcomes.js``, quantile classes, tooltips built with
``textContent``) and a click drills down to the area.

Usage::

    m = outcomes_map(level="community", query={...}, bounds=..., settings=..., locale="en",
                     static_url=static_url, drill_url="/outcomes?area={id}", metric="received")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import folium
from flask_babel import gettext as _
from folium.map import Layer
from folium.template import Template

from gisapp.geo.models import LEVEL_NAMES
from gisapp.maps.builder import build_map
from gisapp.settings import Settings

OUTCOMES_JS = "js/outcomes.js"
METRICS = (
    "received",
    "resolved",
    "median_days_to_resolve",
    "satisfaction",
    "projects_completed",
    "money_yuan",
    "labour_hours",
    "volunteers",
)
# Sequential ColorBrewer ramps (5 classes); for days to resolve, more is worse, so it runs
# from green to red, the others from light to dark.
RAMP = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
RAMP_WORSE = ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c")
NO_DATA = "#d9d9d9"


def metric_names() -> dict[str, str]:
    return {
        "received": _("Reports received"),
        "resolved": _("Reports resolved"),
        "median_days_to_resolve": _("Median days to resolve"),
        "satisfaction": _("Satisfaction (1-5)"),
        "projects_completed": _("Projects completed"),
        "money_yuan": _("Residents' money (yuan)"),
        "labour_hours": _("Residents' labour (hours)"),
        "volunteers": _("Volunteers"),
    }


class OutcomesLayer(Layer):
    """Areas of one level coloured by an outcome figure; the browser fetches those in view."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CoMap.outcomesLayer(
            {{ this._parent.get_name() }}, {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "OutcomesLayer"
        self.options = options


def outcomes_map(
    *,
    level: str,
    query: dict[str, Any],
    bounds: list[list[float]] | None,
    settings: Settings,
    locale: str,
    static_url: Callable[[str], str],
    drill_url: str,
    metric: str,
) -> folium.Map:
    """The shared map with no catalog layers, plus the outcomes choropleth."""
    m = build_map(
        {},
        role="anonymous",
        locale=locale,
        settings=settings,
        lookups={},
        static_url=static_url,
        bounds=bounds,
    )
    m.add_js_link("outcomes_js", static_url(OUTCOMES_JS))
    # Our layer must come before the layer control (its script names it), and the empty
    # catalog legend goes: this map draws its own.
    control = next(c for c in m._children.values() if isinstance(c, folium.LayerControl))
    for child in list(m._children.values()):
        if child is control or type(child).__name__ == "Legend":
            del m._children[child.get_name()]
    params = {k: v for k, v in query.items() if v not in (None, "")}
    level_name = LEVEL_NAMES[level][1 if locale == "en" else 0]
    OutcomesLayer(
        _("Outcomes by %(level)s", level=level_name),
        {
            "id": "outcomes",
            "url": "/api/v1/outcomes?" + urlencode({**params, "format": "geojson"}),
            "drillUrl": drill_url,
            "metric": metric,
            "metricSelect": "outcome-metric",
            "ramp": list(RAMP),
            "rampWorse": list(RAMP_WORSE),
            "worse": ["median_days_to_resolve"],
            "noData": NO_DATA,
            "names": metric_names(),
            "strings": {
                "noData": _("No data"),
                "drill": _("Click to see its areas"),
                "legend": _("Legend"),
            },
        },
    ).add_to(m)
    control.add_to(m)
    return m
