"""Maps must work without internet: every script, stylesheet, image and font comes from us.

No database and no Flask app: folium elements are localized with a stand-in ``static_url`` and the
rendered page is checked against the files in ``gisapp/static``.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import pytest
from folium import plugins
from folium.elements import JSCSSMixin

from gisapp.maps import assets
from gisapp.maps.assets import (
    ASSETS,
    Assets,
    UnmappedAssetsError,
    UnsupportedElementError,
    css_external_urls,
    external_urls,
    localize,
    localize_tree,
)

STATIC = Path(__file__).resolve().parents[1] / "gisapp" / "static"
VENDOR = STATIC / "vendor"
VECTORGRID_BUNDLE = "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
VECTORGRID_FIX = "/static/vendor/leaflet.vectorgrid/vectorgrid-leaflet19-fix.js"


def static_url(path: str) -> str:
    return "/static/" + path


def plugin_elements() -> list[JSCSSMixin]:
    """One of each plugin our maps may use."""
    return [
        plugins.LocateControl(),
        plugins.MarkerCluster(),
        plugins.HeatMap([[30.59, 114.30, 2.0], [30.60, 114.31, 1.0]]),
        plugins.Draw(),
        plugins.Fullscreen(),
        plugins.VectorGridProtobuf("/tiles/{z}/{x}/{y}.pbf", "vector tiles"),
    ]


def render_localized_map() -> str:
    m = localize(folium.Map(location=[30.59, 114.30], zoom_start=12, tiles=None), static_url)
    for element in plugin_elements():
        localize(element, static_url).add_to(m)
    html: str = m.get_root().render()
    return html


class _Links(HTMLParser):
    """src/href of <script>/<link> tags, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.scripts.append(str(a["src"]))
        elif tag == "link" and a.get("href"):
            self.stylesheets.append(str(a["href"]))


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_localized_map()


# --- The rendered page ---------------------------------------------------------------------------


def test_rendered_map_refers_to_nothing_external(page: str) -> None:
    assert external_urls(page) == []


def test_rendered_map_loads_every_plugin_from_static(page: str) -> None:
    found = links(page)
    assert found.scripts == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.locatecontrol/L.Control.Locate.min.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/vendor/leaflet.heat/leaflet_heat.min.js",
        "/static/vendor/leaflet-draw/leaflet.draw.js",
        "/static/vendor/leaflet.fullscreen/Control.FullScreen.js",
        VECTORGRID_BUNDLE,
        VECTORGRID_FIX,
    ]
    assert found.stylesheets[0] == "/static/vendor/leaflet/leaflet.css"
    assert len(found.stylesheets) == 7


def test_every_static_reference_exists_on_disk(page: str) -> None:
    found = links(page)
    refs = found.scripts + found.stylesheets
    assert refs and all(ref.startswith("/static/") for ref in refs)
    missing = [ref for ref in refs if not (STATIC / ref.removeprefix("/static/")).is_file()]
    assert missing == []


def test_map_drops_jquery_bootstrap_and_icon_fonts(page: str) -> None:
    found = links(page)
    refs = " ".join(found.scripts + found.stylesheets).lower()
    for unwanted in ("jquery", "bootstrap", "glyphicons", "fontawesome", "font-awesome", "awesome"):
        assert unwanted not in refs
    # and none of them is vendored either
    vendored = " ".join(str(p.relative_to(VENDOR)).lower() for p in VENDOR.rglob("*"))
    for unwanted in ("jquery", "bootstrap", "glyphicons", "fontawesome", "font-awesome", "awesome"):
        assert unwanted not in vendored


def test_vectorgrid_fix_is_loaded_right_after_the_bundle(page: str) -> None:
    scripts = links(page).scripts
    assert scripts.index(VECTORGRID_FIX) == scripts.index(VECTORGRID_BUNDLE) + 1
    assert scripts.index("/static/vendor/leaflet/leaflet.js") < scripts.index(VECTORGRID_BUNDLE)


def test_two_instances_of_a_plugin_load_it_once() -> None:
    m = localize(folium.Map(tiles=None), static_url)
    for _ in range(2):
        localize(plugins.MarkerCluster(), static_url).add_to(m)
    scripts = links(m.get_root().render()).scripts
    assert scripts.count("/static/vendor/leaflet.markercluster/leaflet.markercluster.js") == 1


def test_localize_tree_covers_the_whole_map() -> None:
    m = folium.Map(tiles=None)
    for element in plugin_elements():
        element.add_to(m)
    cluster = plugins.FastMarkerCluster([[30.59, 114.30]]).add_to(m)  # inherits MarkerCluster's
    folium.Marker([30.59, 114.30]).add_to(cluster)
    assert localize_tree(m, static_url) is m
    html = m.get_root().render()
    assert external_urls(html) == []
    assert links(html).scripts[0] == "/static/vendor/leaflet/leaflet.js"


# --- localize() ----------------------------------------------------------------------------------


def test_localize_sets_instance_attributes_only() -> None:
    before = {cls: (list(cls.default_js), list(cls.default_css)) for cls in ASSETS}
    element = localize(plugins.Fullscreen(), static_url)
    assert "default_js" in vars(element) and "default_css" in vars(element)
    element.add_js_link("extra", "/static/js/extra.js")  # mutates the instance's own list
    assert {cls: (list(cls.default_js), list(cls.default_css)) for cls in ASSETS} == before
    assert plugins.Fullscreen().default_js[0][1].startswith("https://")


def test_localize_returns_its_argument_for_chaining() -> None:
    draw = plugins.Draw()
    assert localize(draw, static_url) is draw


def test_static_url_is_used_for_every_link() -> None:
    seen: list[str] = []

    def recording(path: str) -> str:
        seen.append(path)
        return f"https://intranet.invalid/s/{path}"

    element = localize(plugins.LocateControl(), recording)
    assert seen == list(ASSETS[plugins.LocateControl].paths())
    assert all(
        url.startswith("https://intranet.invalid/s/vendor/") for _, url in element.default_js
    )


def test_mapped_names_keep_folium_names() -> None:
    # Same header keys as folium: a page never ends up with two copies of a library.
    for cls, local in ASSETS.items():
        folium_names = {name for name, url in (*cls.default_js, *cls.default_css)}
        ours = {name for name, _ in (*local.js, *local.css)}
        if cls is folium.Map:
            assert ours == {"leaflet", "leaflet_css"}
        else:
            assert folium_names <= ours, cls


def test_every_mapped_path_exists() -> None:
    for local in ASSETS.values():
        for path in local.paths():
            assert (STATIC / path).is_file(), path


def test_unmapped_element_with_external_assets_is_refused() -> None:
    with pytest.raises(UnmappedAssetsError, match="MiniMap.*https://"):
        localize(plugins.MiniMap(), static_url)


def test_subclass_with_its_own_assets_is_not_covered_by_its_base() -> None:
    class FancyCluster(plugins.MarkerCluster):
        default_js = [("fancy", "https://cdn.example/fancy.js")]  # noqa: RUF012 (as folium does)

    with pytest.raises(UnmappedAssetsError, match="FancyCluster"):
        localize(FancyCluster(), static_url)


def test_element_without_external_assets_is_left_alone() -> None:
    class Local(JSCSSMixin):
        default_js = [("ours", "/static/js/ours.js")]  # noqa: RUF012 (as folium does)

    element = Local()
    assert localize(element, static_url) is element
    assert "default_js" not in vars(element)


def test_register_assets_for_an_element_of_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    class Widget(JSCSSMixin):
        default_css = [("widget_css", "https://cdn.example/w.css")]  # noqa: RUF012 (as folium does)

    monkeypatch.setattr(assets, "_ASSETS", dict(assets._ASSETS))
    assets.register_assets(Widget, Assets(css=(("widget_css", "css/widget.css"),)))
    assert localize(Widget(), static_url).default_css == [("widget_css", "/static/css/widget.css")]


def test_localize_tree_refuses_awesome_marker_icons() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([30.59, 114.30], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(UnsupportedElementError, match="awesome-markers"):
        localize_tree(m, static_url)


# --- external_urls() -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="https://cdn.example/x.js"></script>', ["https://cdn.example/x.js"]),
        ('<link rel="stylesheet" href="//cdn.example/x.css">', ["//cdn.example/x.css"]),
        ('<img src="HTTP://cdn.example/x.png">', ["HTTP://cdn.example/x.png"]),
        ("<style>@import 'https://fonts.example/a.css';</style>", ["https://fonts.example/a.css"]),
        ('<style>@import url("//fonts.example/b.css");</style>', ["//fonts.example/b.css"]),
        ("<style>.a{background:url(https://x.example/i.png)}</style>", ["https://x.example/i.png"]),
        ("<div style=\"background: url('//x.example/i.png')\"></div>", ["//x.example/i.png"]),
        ('<img srcset="/a.png 1x, https://x.example/b.png 2x">', ["https://x.example/b.png"]),
        ('<script src="/static/x.js"></script><link href="vendor/y.css">', []),
        ("<style>.a{background:url(data:image/png;base64,AAAA)}</style>", []),
        ("<style>/* url(https://x.example/in-a-comment.png) */</style>", []),
        # URLs inside JavaScript (tile templates, attribution HTML) are configuration, not loads.
        (
            '<script>L.tileLayer("https://{s}.tile.example/{z}/{x}/{y}.png",'
            " {attribution: '<a href=\"https://osm.example\">OSM</a>'});</script>",
            [],
        ),
    ],
)
def test_external_urls(html: str, expected: list[str]) -> None:
    assert external_urls(html) == expected


def test_external_urls_sees_folium_defaults() -> None:
    html = folium.Map(tiles=None).get_root().render()
    found = external_urls(html)
    assert any("leaflet@1.9.3" in url for url in found)
    assert any("jquery" in url for url in found)


# --- The vendored files --------------------------------------------------------------------------


def vendored(*suffixes: str) -> list[Path]:
    return sorted(p for p in VENDOR.rglob("*") if p.is_file() and p.suffix in suffixes)


def test_vendored_css_and_js_load_nothing_external() -> None:
    files = vendored(".css", ".js")
    assert len(files) >= 15
    offenders = {
        str(p.relative_to(VENDOR)): urls
        for p in files
        if (urls := css_external_urls(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_vendored_css_relative_urls_resolve() -> None:
    url = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")
    missing = []
    for css in vendored(".css"):
        for ref in url.findall(
            re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)
        ):
            if ref.startswith(("data:", "#")):  # inline data, and old IE's url(#default#VML)
                continue
            if not (css.parent / ref).is_file():
                missing.append(f"{css.relative_to(VENDOR)} -> {ref}")
    assert missing == []


def test_every_vendored_package_carries_its_licence() -> None:
    packages = sorted(p for p in VENDOR.iterdir() if p.is_dir())
    assert [p.name for p in packages] == [
        "leaflet",
        "leaflet-draw",
        "leaflet.fullscreen",
        "leaflet.heat",
        "leaflet.locatecontrol",
        "leaflet.markercluster",
        "leaflet.vectorgrid",
    ]
    for package in packages:
        assert (package / "LICENSE").read_text(encoding="utf-8").strip(), package.name


def test_vendored_leaflet_is_the_version_folium_expects() -> None:
    head = (VENDOR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")[:300]
    assert "Leaflet 1.9.3" in head
    assert "leaflet@1.9.3" in dict(folium.Map.default_js)["leaflet"]


def test_vectorgrid_fix_targets_the_vendored_bundle() -> None:
    bundle = (VENDOR / "leaflet.vectorgrid" / "Leaflet.VectorGrid.bundled.min.js").read_text(
        encoding="utf-8"
    )
    fix = (VENDOR / "leaflet.vectorgrid" / "vectorgrid-leaflet19-fix.js").read_text(
        encoding="utf-8"
    )
    leaflet = (VENDOR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    # Why the fix exists: the bundle calls fakeStop, which Leaflet 1.9 no longer has.
    assert "L.DomEvent.fakeStop" in bundle
    assert "L.Canvas.Tile" in bundle
    assert "fakeStop" not in leaflet
    # What it patches, and that it stays inert where it isn't needed.
    assert "L.Canvas.Tile.prototype" in fix
    assert "proto._onClick = function" in fix
    assert "typeof L.DomEvent.fakeStop === 'function'" in fix


# --- In a browser --------------------------------------------------------------------------------

_VECTORGRID_PAGE_SCRIPT = """
<script>
window.events = [];
window.addEventListener('error', function (e) { events.push('error: ' + e.message); });
window.addEventListener('load', function () {
  var map = MAP;
  var square = {type: 'Feature', properties: {name: 'square'}, geometry: {type: 'Polygon',
    coordinates: [[[114.29, 30.58], [114.31, 30.58], [114.31, 30.60], [114.29, 30.60],
                   [114.29, 30.58]]]}};
  var grid = L.vectorGrid.slicer(square, {rendererFactory: L.canvas.tile, interactive: true,
    vectorTileLayerStyles: {sliced: {fill: true, fillColor: '#c00', color: '#c00'}}}).addTo(map);
  grid.on('click', function (e) { events.push('feature ' + e.layer.properties.name); });
  map.on('click', function () { events.push('map'); });
  grid.on('load', function () { window.tilesLoaded = true; });
  window.testMap = map;
});
</script>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


@pytest.mark.browser
def test_vectorgrid_clicks_work_offline_in_chromium() -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed")

    m = folium.Map(location=[30.59, 114.30], zoom_start=13, tiles=None)
    plugins.VectorGridProtobuf("/tiles/{z}/{x}/{y}.pbf", "tiles", show=False).add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.LocateControl().add_to(m)
    localize_tree(m, static_url)
    html = (
        m.get_root()
        .render()
        .replace("</body>", _VECTORGRID_PAGE_SCRIPT.replace("MAP", m.get_name()) + "</body>")
    )

    origin = "http://gisapp.test"
    outside: list[str] = []
    missing: list[str] = []

    def serve(route: Any) -> None:
        request = route.request
        url: str = request.url
        if url == origin + "/":
            route.fulfill(status=200, content_type="text/html", body=html)
        elif url.startswith(origin + "/static/"):
            path = STATIC / url.removeprefix(origin + "/static/").split("?")[0]
            if path.is_file():
                route.fulfill(status=200, path=str(path))
            else:
                missing.append(url)
                route.fulfill(status=404, body="")
        else:
            outside.append(url)
            route.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 800, "height": 600})
            page.route("**/*", serve)
            page.goto(origin + "/")
            # The slicer cuts tiles asynchronously; wait until they are drawn, however slow
            # the machine is, instead of sleeping a fixed time.
            page.wait_for_function("window.testMap !== undefined && window.tilesLoaded === true")

            def point(lat: float, lng: float) -> list[float]:
                xy: list[float] = page.evaluate(
                    """([lat, lng]) => {
                        const p = testMap.latLngToContainerPoint([lat, lng]);
                        const r = testMap.getContainer().getBoundingClientRect();
                        return [r.left + p.x, r.top + p.y];
                    }""",
                    [lat, lng],
                )
                return xy

            page.mouse.click(*point(30.59, 114.30))  # on the square
            page.mouse.click(*point(30.62, 114.35))  # next to it
            page.wait_for_function("window.events.length >= 3")
            events = page.evaluate("window.events")
        finally:
            browser.close()

    # Without the fix: "L.DomEvent.fakeStop is not a function" and no map click at all.
    assert events == ["feature square", "map", "map"]
    assert outside == []
    assert missing == []
