"""Folium elements of our own: catalog layers drawn from vector tiles, and the legend.

Folium's templates are not auto-escaped, so nothing user-supplied is spliced into them as HTML:
options go to the browser as JSON (``|tojson`` escapes ``<``, ``>`` and ``&``) and the shared
script ``static/js/comap.js`` builds popups and the legend with ``textContent``.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import VectorGridProtobuf
from folium.template import Template

from gisapp.maps.assets import ASSETS, register_assets


class CatalogLayer(JSCSSMixin, Layer):
    """A layer from ``layers/``: the browser draws its vector tiles (``/tiles/{id}/{z}/{x}/{y}.pbf``)
    with Leaflet.VectorGrid, like folium's ``VectorGridProtobuf``, through ``CoMap.catalogLayer``
    (styles from the catalog, escaped popups, clusters). Localize it (``assets.localize``) so
    VectorGrid and our Leaflet 1.9 click fix come from the app, not a CDN."""

    default_js = VectorGridProtobuf.default_js

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CoMap.catalogLayer(
            {{ this._parent.get_name() }}, {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, name: str, options: dict[str, Any], show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CatalogLayer"
        self.options = options


register_assets(CatalogLayer, ASSETS[VectorGridProtobuf])


class Legend(MacroElement):
    """The legend, built in the browser from the layers' styles and lookups."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        CoMap.legend({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Legend"
        self.options = options


class MapReady(MacroElement):
    """Announces the map to the page script (tests and page code find it as ``CoMap.map``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        CoMap.ready({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MapReady"
        self.options = options
