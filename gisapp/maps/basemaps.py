"""Basemaps: which tiles lie under the overlays, and in which coordinate system the map draws.

``GISAPP_BASEMAP`` chooses:

- ``osm`` (default): the tiles of ``GISAPP_BASEMAP_URL`` (OpenStreetMap unless changed; empty for
  none), as before.
- ``gaode``: Amap (高德) road tiles. They are drawn in GCJ-02, so the map is created with the
  CRS ``L.CRS.GCJ02`` from ``static/js/crs-gcj02.js``: Web Mercator whose projection shifts
  WGS 84 to GCJ-02 before projecting and shifts back after unprojecting. Every overlay and
  every click (a report's placement) stays in WGS 84; only the drawing is shifted.
- ``tianditu``: the national basemap (天地图) vector tiles with their label layer, Web Mercator
  on CGCS2000, which is within centimetres of WGS 84: no shift. Needs ``GISAPP_TIANDITU_KEY``.
- ``none``: no tiles; every layer still draws.

A Leaflet map cannot change its CRS once made, so there is no switch between a shifted and an
unshifted basemap on one page: the choice is the site's.

Usage (the page builders call it instead of adding a TileLayer)::

    add_basemap(m, settings, static_url)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import folium
from flask_babel import gettext as _
from markupsafe import escape

from gisapp.settings import Settings

GCJ02_JS = "js/crs-gcj02.js"
GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
GAODE_ATTRIBUTION = "&copy; 高德地图 AutoNavi"
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
TIANDITU_ATTRIBUTION = "&copy; 天地图 Tianditu"


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str
    subdomains: str = "abc"
    max_native_zoom: int = 19
    labels: bool = False  # a transparent label layer that goes with the base, not a choice


def basemap_tiles(settings: Settings) -> list[Tiles]:
    """The tile layers of the configured basemap, base first."""
    if settings.basemap == "gaode":
        return [Tiles(GAODE_URL, GAODE_ATTRIBUTION, subdomains="1234", max_native_zoom=18)]
    if settings.basemap == "tianditu":
        key = quote(settings.tianditu_key, safe="")

        def layer(name: str) -> str:
            # {s}/{x}/{y}/{z} stay for Leaflet; only the layer name and the key are filled in.
            return TIANDITU_URL.replace("{layer}", name).replace("{key}", key)

        return [
            Tiles(layer("vec"), TIANDITU_ATTRIBUTION, "01234567", 18),
            Tiles(layer("cva"), TIANDITU_ATTRIBUTION, "01234567", 18, labels=True),
        ]
    if settings.basemap == "osm" and settings.basemap_url:
        return [Tiles(settings.basemap_url, settings.basemap_attribution)]
    return []


def csp_img_sources(settings: Settings) -> list[str]:
    """Content-Security-Policy ``img-src`` sources for the basemap's tiles.

    A placeholder anywhere in a host label (``webrd0{s}``, ``t{s}``) widens the whole label to
    ``*``, the only wildcard CSP allows:

    >>> from gisapp.settings import Settings
    >>> csp_img_sources(Settings(_env_file=None, basemap="gaode"))
    ['https://*.is.autonavi.com']
    """
    sources: list[str] = []
    for tiles in basemap_tiles(settings):
        parts = urlsplit(tiles.url)
        if not parts.scheme or not parts.netloc:
            continue
        labels = ["*" if "{" in label else label for label in parts.netloc.split(".")]
        source = f"{parts.scheme}://{'.'.join(labels)}"
        if source not in sources:
            sources.append(source)
    return sources


def map_crs(settings: Settings) -> str:
    """The name under ``L.CRS`` the map is created with."""
    return "GCJ02" if settings.basemap == "gaode" else "EPSG3857"


def add_basemap(
    m: folium.Map, settings: Settings, static_url: Callable[[str], str], *, control: bool = True
) -> None:
    """Put the basemap on *m* and, for GCJ-02 tiles, make the map draw in GCJ-02."""
    if map_crs(settings) == "GCJ02":
        # folium renders ``crs: L.CRS.{{ this.crs }}`` when the map is created, after the
        # header's scripts; the link goes in the header, so L.CRS.GCJ02 exists by then.
        m.crs = "GCJ02"
        m.add_js_link("crs_gcj02_js", static_url(GCJ02_JS))
    for tiles in basemap_tiles(settings):
        folium.TileLayer(
            tiles=tiles.url,
            attr=tiles.attribution,
            name=str(escape(_("Basemap"))),
            max_zoom=19,
            max_native_zoom=tiles.max_native_zoom,
            subdomains=tiles.subdomains,
            overlay=tiles.labels,
            control=control and not tiles.labels,
        ).add_to(m)
