"""Build the Folium map for a page from the layer catalog.

The page holds the map's code and the catalog's styles, never the data: each layer draws the
vector tiles in view from ``/tiles/{id}/{z}/{x}/{y}.pbf`` (clusters with counts at low zoom). A
page is the same size with 300 or a million reports.

Usage::

    m = build_map(catalog, role="anonymous", locale="zh_Hans", settings=settings,
                  lookups=all_lookups(session, "zh_Hans"), static_url=static_url)
    parts = map_parts(m)   # header / html / script for the page template
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import folium
from branca.element import Figure
from flask_babel import gettext as _
from folium.plugins import Draw, LocateControl
from markupsafe import escape

from gisapp.catalog import Catalog, LayerSpec
from gisapp.maps.assets import localize
from gisapp.maps.basemaps import add_basemap
from gisapp.maps.elements import CatalogLayer, Legend, MapReady
from gisapp.security.headers import add_nonce
from gisapp.settings import Settings

SHARED_JS = "js/comap.js"


def _layer_options(
    spec: LayerSpec, role: str, locale: str, lookups: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    fields = spec.fields_for(role)
    used = {f.lookup for f in fields if f.lookup}
    color_lookup = None
    if spec.style.color_by:
        color_lookup = next((f.lookup for f in spec.fields if f.name == spec.style.color_by), None)
        if color_lookup:
            used.add(color_lookup)
    # Clusters count their members by this column; the popup names its codes.
    breakdown_lookup = next((f.lookup for f in spec.fields if f.name == spec.breakdown_by), None)
    if breakdown_lookup:
        used.add(breakdown_lookup)
    return {
        "id": spec.id,
        "title": spec.title.get(locale),
        # Drawn from vector tiles; /api/v1/layers/{id}/features stays for other clients.
        "tiles": f"/tiles/{spec.id}/{{z}}/{{x}}/{{y}}.pbf",
        "geometry": spec.geometry,
        "minZoom": spec.min_zoom,
        "clusterBelow": spec.cluster_below,
        "breakdownLookup": breakdown_lookup,
        "style": spec.style.model_dump(),
        "colorLookup": color_lookup,
        "popupTitle": spec.popup_title,
        "link": spec.link,
        "fields": [
            {"name": f.name, "label": f.label.get(locale), "lookup": f.lookup, "format": f.format}
            for f in fields
        ],
        "lookups": {name: lookups.get(name, {}) for name in sorted(used)},
    }


def _strings() -> dict[str, str]:
    return {
        "details": _("Details"),
        "truncated": _("Only part of this layer is drawn; zoom in to see everything."),
        "loadFailed": _("Could not load a map layer; it will retry when the map moves."),
        "zoomIn": _("Zoom in to see this layer."),
        "legend": _("Legend"),
        "empty": _("(none)"),
        "yuan": _("CNY"),
        "locateFailed": _("Your location is not available; tap the map instead."),
        "layers": _("Layers"),
        # A cluster's popup: "{count}" is replaced by the number of features in it.
        "clusterCount": _("{count} here"),
        "zoomInHere": _("Zoom in here"),
        "dense": _("Too many to draw one by one here: shown as groups with counts; zoom in."),
    }


def build_map(
    catalog: Catalog,
    *,
    role: str,
    locale: str,
    settings: Settings,
    lookups: dict[str, dict[str, Any]],
    static_url: Callable[[str], str],
    bounds: list[list[float]] | None = None,
    extra_js: tuple[str, ...] = (),
    draw: bool = False,
) -> folium.Map:
    m = folium.Map(
        location=[settings.map_center_lat, settings.map_center_lon],
        zoom_start=settings.map_zoom,
        tiles=None,
        control_scale=True,
        max_zoom=19,
        prefer_canvas=False,
        zoom_snap=0.5,
    )
    localize(m, static_url)
    # Folium gives max_zoom only to a tile layer; without a basemap the map needs its own.
    m.options["maxZoom"] = 19
    if bounds:
        m.fit_bounds(bounds, padding=(12, 12))
    # The page template already links comap.css; the map adds only its script.
    m.add_js_link("comap_js", static_url(SHARED_JS))
    for path in extra_js:
        m.add_js_link(path.rsplit("/", 1)[-1], static_url(path))
    add_basemap(m, settings, static_url)

    MapReady({"strings": _strings(), "locale": locale}).add_to(m)
    legend_layers = []
    for spec in catalog.values():
        if not spec.visible_to(role):
            continue
        options = _layer_options(spec, role, locale, lookups)
        layer = CatalogLayer(str(escape(spec.title.get(locale))), options, show=spec.show)
        localize(layer, static_url).add_to(m)
        legend_layers.append(
            {
                "id": spec.id,
                "title": options["title"],
                "style": options["style"],
                "geometry": spec.geometry,
                "colorLookup": options["colorLookup"],
                "lookups": options["lookups"],
            }
        )

    locate = LocateControl(
        position="topleft",
        strings={"title": _("Show my location")},
        flyTo=True,
        keepCurrentZoomLevel=False,
        locateOptions={"maxZoom": 17},
    )
    localize(locate, static_url)
    locate.add_to(m)
    if draw:
        # Footprints for projects: the page script listens for the map's draw:created event.
        drawing = Draw(
            export=False,
            show_geometry_on_click=False,
            draw_options={"circle": False, "circlemarker": False, "rectangle": False},
            edit_options={"edit": False, "remove": True},
        )
        localize(drawing, static_url)
        drawing.add_to(m)
    Legend({"layers": legend_layers, "strings": _strings()}).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def map_parts(m: folium.Map) -> dict[str, str]:
    """Render the map into the three parts a page template places (head, body, script)."""
    root = m.get_root()
    assert isinstance(root, Figure)
    root.render()
    # Folium's viewport tag forbids pinch-zoom (user-scalable=no); the page has its own.
    header = re.sub(r'<meta name="viewport"[^>]*>', "", root.header.render())
    # Folium's inline <script>/<style> blocks carry this response's CSP nonce; the "script" part
    # goes into the template's own <script nonce="{{ csp_nonce() }}">.
    return {
        "header": add_nonce(header),
        "html": add_nonce(root.html.render()),
        "script": root.script.render(),
    }


def feature_map(
    geometry: dict[str, Any],
    *,
    settings: Settings,
    static_url: Callable[[str], str],
    color: str = "#d7263d",
) -> folium.Map:
    """A small map of one feature (detail pages); the feature's geometry is the only data."""
    m = folium.Map(tiles=None, control_scale=True, max_zoom=19, zoom_start=17)
    localize(m, static_url)
    add_basemap(m, settings, static_url, control=False)
    feature = {"type": "Feature", "geometry": geometry, "properties": {}}
    layer = folium.GeoJson(
        feature,
        style_function=lambda _f: {"color": color, "weight": 4, "fillOpacity": 0.35},
        marker=folium.CircleMarker(
            radius=9, color="#ffffff", weight=2, fill_color=color, fill_opacity=0.95
        ),
    )
    layer.add_to(m)
    (south, west), (north, east) = layer.get_bounds()
    if south is not None and west is not None and north is not None and east is not None:
        m.fit_bounds([[south, west], [north, east]], max_zoom=18)
    return m
