"""The vote page's map: candidates' footprints coloured and labelled by their votes.

Like ``gisapp/maps/elements.py``, nothing user-written is spliced into the page as HTML: the
features travel as JSON (``|tojson`` escapes ``<``, ``>`` and ``&``) and the labels are built
with ``textContent``.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from gisapp.maps.assets import localize
from gisapp.maps.builder import map_parts
from gisapp.pages import static_url
from gisapp.settings import Settings


class ResultsLayer(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var opts = {{ this.options|tojson }};
          var map = {{ this._parent.get_name() }};
          L.geoJSON(opts.data, {
            style: function (f) {
              return {color: f.properties.color, weight: 6, opacity: 0.9, fillOpacity: 0.45};
            },
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, {radius: 11, color: "#ffffff", weight: 2,
                                             fillColor: f.properties.color, fillOpacity: 0.95});
            },
            onEachFeature: function (f, sub) {
              var p = f.properties;
              var label = document.createElement("span");
              label.textContent = p.label;
              sub.bindTooltip(label, {permanent: true, direction: "top", className: "vote-label",
                                      interactive: true});
              var box = document.createElement("div");
              box.className = "comap-popup";
              var title = document.createElement("p");
              title.className = "comap-popup-title";
              title.textContent = p.title;
              var votes = document.createElement("p");
              votes.textContent = p.votes;
              var link = document.createElement("a");
              link.href = p.url;
              link.textContent = opts.linkText;
              box.append(title, votes, link);
              sub.bindPopup(box);
              label.addEventListener("click", function () { sub.openPopup(); });
            }
          }).addTo(map);
          document.documentElement.setAttribute("data-vote-map-ready", "true");
        })();
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "VoteResults"
        self.options = options


def results_map(
    features: list[dict[str, Any]],
    bounds: list[list[float]] | None,
    settings: Settings,
    link_text: str,
) -> dict[str, str]:
    """Parts (head, body, script) of a map of ``features``: GeoJSON whose properties carry
    ``color``, ``label`` (the permanent tooltip), ``title``, ``votes`` and ``url`` (the popup)."""
    m = folium.Map(tiles=None, control_scale=True, max_zoom=19, zoom_start=16)
    localize(m, static_url)
    if settings.basemap_url:
        folium.TileLayer(
            tiles=settings.basemap_url, attr=settings.basemap_attribution, max_zoom=19
        ).add_to(m)
    data = {"type": "FeatureCollection", "features": features}
    ResultsLayer({"data": data, "linkText": link_text}).add_to(m)
    if bounds:
        m.fit_bounds(bounds, padding=(40, 40), max_zoom=18)
    return map_parts(m)
