"""Serve folium's JavaScript and CSS from our own static folder instead of CDNs.

The app runs on intranets without internet access.  folium renders a ``<script src>`` /
``<link href>`` for every ``(name, url)`` pair in an element's ``default_js`` / ``default_css``,
and those point at public CDNs.  This module swaps them for the copies in
``gisapp/static/vendor/`` (rebuilt by ``scripts/vendor-assets``).

Typical use, once per map, after every element has been added::

    import folium
    from flask import url_for
    from folium import plugins

    from gisapp.maps.assets import localize_tree

    m = folium.Map(location=[30.59, 114.30], zoom_start=12, tiles=None)
    plugins.Fullscreen().add_to(m)
    plugins.MarkerCluster().add_to(m)
    localize_tree(m, lambda path: url_for("static", filename=path))
    html = m.get_root().render()

or one element at a time (``localize`` returns its argument, so it chains)::

    localize(plugins.Draw(export=False), static_url).add_to(m)

``localize`` only sets *instance* attributes: the class-level lists stay as folium ships them, so
nothing else in the process (another map, a notebook, folium's own tests) is affected.

Tests use :func:`external_urls` to prove a rendered page loads nothing from outside::

    assert external_urls(m.get_root().render()) == []
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any, TypeVar

import folium
from folium import plugins
from folium.elements import JSCSSMixin

__all__ = [
    "ASSETS",
    "VENDOR",
    "Assets",
    "StaticUrl",
    "UnmappedAssetsError",
    "UnsupportedElementError",
    "assets_for",
    "css_external_urls",
    "external_urls",
    "is_external",
    "localize",
    "localize_tree",
    "register_assets",
]

StaticUrl = Callable[[str], str]
"""Turns a path relative to the Flask static folder into a URL,
e.g. ``lambda p: url_for("static", filename=p)``."""

VENDOR = "vendor"
"""Folder under the static folder that holds the vendored libraries."""

_E = TypeVar("_E", bound=JSCSSMixin)


@dataclass(frozen=True)
class Assets:
    """The local files that replace one element class's ``default_js`` / ``default_css``.

    Each entry is ``(name, path)``: *name* is the key folium uses in the page header, *path* is
    relative to the static folder.  We reuse folium's names, because the header keeps one link per
    name: two MarkerClusters on a page then still load the library once.

    >>> Assets(js=(("leaflet", "vendor/leaflet/leaflet.js"),)).paths()
    ('vendor/leaflet/leaflet.js',)
    """

    js: tuple[tuple[str, str], ...] = ()
    css: tuple[tuple[str, str], ...] = ()

    def paths(self) -> tuple[str, ...]:
        """Every static path, JS first, in the order the page loads them."""
        return tuple(path for _, path in (*self.js, *self.css))


def _v(path: str) -> str:
    return f"{VENDOR}/{path}"


_ASSETS: dict[type[JSCSSMixin], Assets] = {
    # folium.Map also asks for jQuery, Bootstrap (JS+CSS), Glyphicons, Font Awesome and
    # Leaflet.awesome-markers.  They only serve folium.Icon (awesome markers) and Bootstrap-styled
    # popups, which our maps don't use, so the page gets Leaflet and nothing else: hundreds of KB less
    # and no fonts to fetch.  localize_tree() refuses folium.Icon for that reason.
    folium.Map: Assets(
        js=(("leaflet", _v("leaflet/leaflet.js")),),
        css=(("leaflet_css", _v("leaflet/leaflet.css")),),
    ),
    plugins.LocateControl: Assets(
        js=(("Control_locate_min_js", _v("leaflet.locatecontrol/L.Control.Locate.min.js")),),
        css=(
            ("Control_locate_min_css", _v("leaflet.locatecontrol/L.Control.Locate.min.css")),
            # The button's icons are Font Awesome glyphs, which we don't ship; this draws them.
            ("Control_locate_icons_css", _v("leaflet.locatecontrol/locate-icons.css")),
        ),
    ),
    # Also covers plugins.FastMarkerCluster, which inherits these lists unchanged.
    plugins.MarkerCluster: Assets(
        js=(("markerclusterjs", _v("leaflet.markercluster/leaflet.markercluster.js")),),
        css=(
            ("markerclustercss", _v("leaflet.markercluster/MarkerCluster.css")),
            ("markerclusterdefaultcss", _v("leaflet.markercluster/MarkerCluster.Default.css")),
        ),
    ),
    # folium's own build of leaflet.heat: HeatMap relies on it computing the maximum intensity
    # itself (see scripts/vendor-assets for why upstream 0.2.0 is not used).
    plugins.HeatMap: Assets(
        js=(("leaflet-heat.js", _v("leaflet.heat/leaflet_heat.min.js")),),
    ),
    plugins.Draw: Assets(
        js=(("leaflet_draw_js", _v("leaflet-draw/leaflet.draw.js")),),
        css=(("leaflet_draw_css", _v("leaflet-draw/leaflet.draw.css")),),
    ),
    plugins.Fullscreen: Assets(
        js=(("Control.Fullscreen.js", _v("leaflet.fullscreen/Control.FullScreen.js")),),
        css=(("Control.FullScreen.css", _v("leaflet.fullscreen/Control.FullScreen.css")),),
    ),
    plugins.VectorGridProtobuf: Assets(
        js=(
            ("vectorGrid", _v("leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")),
            # Must come after the bundle: it patches L.Canvas.Tile, which the bundle defines.
            # JSCSSMixin adds links to the header in list order, so this order is kept.
            ("vectorGridLeaflet19Fix", _v("leaflet.vectorgrid/vectorgrid-leaflet19-fix.js")),
        ),
    ),
}

ASSETS: Mapping[type[JSCSSMixin], Assets] = MappingProxyType(_ASSETS)
"""Element class -> local assets.  Read-only view; add classes with :func:`register_assets`."""


class UnmappedAssetsError(LookupError):
    """An element class loads files from the internet and has no local replacement."""

    def __init__(self, cls: type, urls: list[str]) -> None:
        self.cls = cls
        self.urls = urls
        super().__init__(
            f"{cls.__module__}.{cls.__qualname__} loads {', '.join(urls)} from the internet and "
            "gisapp.maps.assets has no local copy for it. Vendor the files (scripts/vendor-assets) "
            "and call register_assets(), or don't use this element."
        )


class UnsupportedElementError(TypeError):
    """An element needs a library that we deliberately don't ship."""


def register_assets(cls: type[JSCSSMixin], assets: Assets) -> None:
    """Declare the local files for an element class of ours (or another folium plugin).

    >>> from folium.elements import JSCSSMixin
    >>> class Legend(JSCSSMixin):
    ...     default_css = [("legend_css", "https://example.org/legend.css")]
    >>> register_assets(Legend, Assets(css=(("legend_css", "css/legend.css"),)))
    >>> assets_for(Legend)
    Assets(js=(), css=(('legend_css', 'css/legend.css'),))

    Elements whose ``default_js`` / ``default_css`` already hold local paths need no registration.
    """
    _ASSETS[cls] = assets


def assets_for(cls: type[JSCSSMixin]) -> Assets | None:
    """The local assets for *cls*; ``None`` if it loads nothing from the internet.

    A subclass shares its base's entry only if it inherits the base's lists unchanged (the case of
    ``FastMarkerCluster``); one that declares its own lists declares its own files, which the
    base's entry doesn't cover.

    Raises :class:`UnmappedAssetsError` if *cls* has external URLs and no entry.
    """
    for klass in cls.__mro__:
        assets = _ASSETS.get(klass)
        if assets is not None:
            # ``klass`` is typed as a plain ``type`` (it comes from __mro__), hence getattr.
            same_js = cls.default_js is getattr(klass, "default_js", None)
            if same_js and cls.default_css is getattr(klass, "default_css", None):
                return assets
            break
    external = [url for _, url in (*cls.default_js, *cls.default_css) if is_external(url)]
    if external:
        raise UnmappedAssetsError(cls, external)
    return None


def localize(element: _E, static_url: StaticUrl) -> _E:
    """Point *element*'s script and stylesheet links at our static files; returns *element*.

    >>> from folium import plugins
    >>> fs = localize(plugins.Fullscreen(), lambda p: "/static/" + p)
    >>> fs.default_js
    [('Control.Fullscreen.js', '/static/vendor/leaflet.fullscreen/Control.FullScreen.js')]
    >>> plugins.Fullscreen.default_js[0][1].startswith("https://")  # the class is untouched
    True

    Elements that load nothing from the internet are returned unchanged.  Raises
    :class:`UnmappedAssetsError` for an element class with external files and no local copy.
    """
    assets = assets_for(type(element))
    if assets is not None:
        # Fresh lists on the instance: JSCSSMixin.render reads self.default_js, which now finds
        # these before the class attributes, and add_js_link()/add_css_link() mutate the list in
        # place -- on the instance's own list, they no longer leak into the class.
        element.default_js = [(name, static_url(path)) for name, path in assets.js]
        element.default_css = [(name, static_url(path)) for name, path in assets.css]
    return element


def _walk(element: Any) -> Iterator[Any]:
    yield element
    # branca keeps an element's children in the (private) ``_children`` dict; there's no public
    # accessor, and this is what branca's own render() iterates.
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localize_tree(root: _E, static_url: StaticUrl) -> _E:
    """:func:`localize` *root* (usually the ``folium.Map``) and every element below it.

    Call it after the last ``add_to`` / ``add_child``: elements added later keep their CDN links.

    Raises :class:`UnsupportedElementError` for ``folium.Icon``: it needs Leaflet.awesome-markers
    and an icon font, which we don't ship, so the marker would fail in the browser
    (``L.AwesomeMarkers`` is undefined).  Use ``folium.DivIcon`` or ``folium.CustomIcon``.

    Elements that add ``<script>`` tags in their own ``render()`` instead of ``default_js``
    (folium's ``TopoJson``, ``Vega``, ``VegaLite``) are not seen here; :func:`external_urls` on
    the rendered page catches them.
    """
    for element in _walk(root):
        if isinstance(element, folium.Icon):
            raise UnsupportedElementError(
                "folium.Icon needs Leaflet.awesome-markers and Font Awesome/Glyphicons, which "
                "gisapp does not ship (offline maps); use folium.DivIcon or folium.CustomIcon"
            )
        if isinstance(element, JSCSSMixin):
            localize(element, static_url)
    return root


# --- Finding external URLs ----------------------------------------------------------------------

# http://, https:// or protocol-relative //; anything else (relative, /static/..., data:) is local.
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT_STRING = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Attributes through which a page loads (or links to) another resource.
_URL_ATTRIBUTES = frozenset({"src", "href", "xlink:href"})


def is_external(url: str) -> bool:
    """Whether *url* leaves the server: ``http(s)://...`` or protocol-relative ``//...``.

    >>> [is_external(u) for u in ("https://a.org/x.js", "//a.org/x.js", "/static/x.js")]
    [True, True, False]
    """
    return _EXTERNAL.match(url) is not None


def css_external_urls(css: str) -> list[str]:
    """External URLs in CSS ``url(...)`` and ``@import`` (comments are ignored).

    >>> css_external_urls("@import 'https://a.org/f.css'; b{background:url(img/x.png)}")
    ['https://a.org/f.css']
    """
    css = _CSS_COMMENT.sub("", css)
    found = [
        next(g for g in m.groups() if g is not None)
        for pattern in (_CSS_IMPORT_STRING, _CSS_URL)
        for m in pattern.finditer(css)
    ]
    return [url.strip() for url in found if is_external(url)]


class _UrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _URL_ATTRIBUTES:
                self.urls.append(value.strip())
            elif name == "srcset":
                # "url 1x, url 2x": the URL is the first word of each candidate.
                self.urls.extend(c.split()[0] for c in value.split(",") if c.strip())
            elif name == "style":
                self.urls.extend(css_external_urls(value))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        # The parser hands over <script> bodies as opaque data too; those are ignored on purpose
        # (tile URL templates in JS are the configuration's business, not the page's).
        if self._in_style:
            self.urls.extend(css_external_urls(data))


def external_urls(html: str) -> list[str]:
    """External URLs a rendered page refers to, in document order, without duplicates.

    Looks at ``src`` / ``href`` / ``srcset`` attributes of any tag and at CSS ``url(...)`` and
    ``@import`` in ``<style>`` blocks and ``style`` attributes.  JavaScript is not inspected, so
    tile URL templates and attribution HTML inside scripts don't count.

    >>> external_urls('<script src="https://cdn.example/l.js"></script>'
    ...               '<link href="/static/vendor/leaflet/leaflet.css">'
    ...               '<style>@import url(//fonts.example/f.css);</style>'
    ...               '<script>L.tileLayer("https://{s}.tile.example/{z}/{x}/{y}.png")</script>')
    ['https://cdn.example/l.js', '//fonts.example/f.css']
    """
    collector = _UrlCollector()
    collector.feed(html)
    collector.close()
    return list(dict.fromkeys(url for url in collector.urls if is_external(url)))
