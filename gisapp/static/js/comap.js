/*
 * The shared map script of the co-creation map.
 *
 * Layers come from the catalog (layers/*.yaml) as JSON options; their features come as vector
 * tiles (/tiles/{layer}/{z}/{x}/{y}.pbf, drawn by Leaflet.VectorGrid on canvas), as clusters
 * with counts at low zoom. Every piece of text that reaches the page goes through
 * textContent, never innerHTML, so report descriptions cannot inject markup or script.
 */
(function () {
  "use strict";

  var CoMap = { map: null, layers: {}, loaded: {}, strings: {}, picking: false, pickHandler: null };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function lookupEntry(opts, lookup, code) {
    var table = (opts.lookups || {})[lookup] || {};
    return table[code] || null;
  }

  function formatValue(opts, field, value) {
    if (value === null || value === undefined || value === "") return CoMap.strings.empty || "—";
    if (field.lookup) {
      var entry = lookupEntry(opts, field.lookup, value);
      return entry ? entry.name : String(value);
    }
    var locale = CoMap.locale === "en" ? "en" : "zh-CN";
    switch (field.format) {
      case "date": return String(value).slice(0, 10);
      case "datetime": return String(value).slice(0, 16).replace("T", " ");
      case "number": return Number(value).toLocaleString(locale);
      case "money": return Number(value).toLocaleString(locale) + " " + (CoMap.strings.yuan || "");
      case "percent": return Number(value) + "%";
      default: return String(value);
    }
  }

  function colorFor(opts, feature) {
    var style = opts.style;
    if (style.color_by && opts.colorLookup) {
      var entry = lookupEntry(opts, opts.colorLookup, feature.properties[style.color_by]);
      if (entry && entry.color) return entry.color;
    }
    return style.fill_color || style.color;
  }

  // The style of one tile feature (VectorGrid gives the properties, not the geometry type;
  // the server marks line footprints with `line` and clusters with `count`).
  function featureStyle(opts, props) {
    var s = opts.style;
    var fill = colorFor(opts, { properties: props });
    if (props.count !== undefined) {
      // A cluster: bigger with more in it (log scale), in the colour of its commonest kind.
      return {
        radius: Math.min(24, 8 + 3 * Math.log(props.count) / Math.LN2),
        color: "#ffffff", weight: 2, opacity: 1,
        fill: true, fillColor: fill, fillOpacity: 0.85
      };
    }
    if (props.line) {
      return { color: fill, weight: s.weight, opacity: s.opacity, fill: false,
               dashArray: s.dash_array || null };
    }
    return {
      radius: s.radius,
      color: s.color,
      weight: s.weight,
      opacity: s.opacity,
      fill: true,
      fillColor: fill,
      fillOpacity: s.fill_opacity,
      dashArray: s.dash_array || null
    };
  }

  function popupContent(opts, feature) {
    var props = feature.properties || {};
    var box = el("div", "comap-popup");
    if (opts.popupTitle) {
      var titleField = null;
      opts.fields.forEach(function (f) { if (f.name === opts.popupTitle) titleField = f; });
      var title = titleField ? formatValue(opts, titleField, props[opts.popupTitle])
                             : props[opts.popupTitle];
      box.appendChild(el("h2", "comap-popup-title", title));
    }
    var list = el("dl", "comap-popup-fields");
    opts.fields.forEach(function (f) {
      if (f.name === opts.popupTitle && !f.lookup) return;
      list.appendChild(el("dt", null, f.label));
      list.appendChild(el("dd", null, formatValue(opts, f, props[f.name])));
    });
    box.appendChild(list);
    if (opts.link) {
      var a = el("a", "comap-popup-link", CoMap.strings.details || "Details");
      a.href = opts.link.replace("{id}", encodeURIComponent(feature.id));
      box.appendChild(a);
    }
    return box;
  }

  CoMap.notice = function (message) { notice(message); };

  function notice(message) {
    var box = document.getElementById("comap-notice");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function clusterContent(opts, props, latlng) {
    var box = el("div", "comap-popup comap-cluster");
    var count = Number(props.count).toLocaleString(CoMap.locale === "en" ? "en" : "zh-CN");
    box.appendChild(el("h2", "comap-popup-title",
                       opts.title + " · " + (CoMap.strings.clusterCount || "{count}").replace("{count}", count)));
    var breakdown = {};
    try { breakdown = JSON.parse(props.breakdown || "{}"); } catch (err) { breakdown = {}; }
    var field = { lookup: opts.breakdownLookup, format: "text" };
    var list = el("dl", "comap-popup-fields");
    Object.keys(breakdown).forEach(function (code) {
      list.appendChild(el("dt", null, code ? formatValue(opts, field, code) : CoMap.strings.empty));
      list.appendChild(el("dd", null, breakdown[code]));
    });
    box.appendChild(list);
    if (props.agg === "cap") box.appendChild(el("p", "comap-popup-note", CoMap.strings.dense));
    var zoom = el("button", "comap-popup-zoom", CoMap.strings.zoomInHere || "+");
    zoom.type = "button";
    zoom.addEventListener("click", function () {
      var map = CoMap.map;
      map.closePopup();
      // Tiles at map zoom z are tiles of zoom z - 1: single features from clusterBelow + 1.
      map.setView(latlng, Math.max(map.getZoom() + 2, (opts.clusterBelow || 0) + 1));
    });
    box.appendChild(zoom);
    return box;
  }

  // Each catalog layer draws its vector tiles in a pane of its own, stacked in catalog order
  // (reports above areas). Every layer has its own canvas per tile, and the topmost canvas
  // would take every click, so the canvases let clicks through and this script finds the
  // feature under the pointer itself, topmost layer first (see hitTest).
  var paneCount = 0;
  var tileLayers = [];
  var pageLoaded = new Promise(function (resolve) {
    if (document.readyState === "complete") resolve();
    else window.addEventListener("load", function () { resolve(); });
  });

  // The tiles of the level on screen, with their tile coordinates.
  function eachTile(layer, fn) {
    var tiles = layer._vectorTiles || {};
    Object.keys(tiles).forEach(function (key) {
      var renderer = tiles[key];
      var coords = renderer.getCoord ? renderer.getCoord() : renderer._tileCoord;
      if (coords && coords.z === layer._tileZoom) fn(renderer, coords);
    });
  }

  function tileOrigin(layer, coords) {
    return coords.scaleBy(layer.getTileSize());
  }

  function symbolLatLng(layer, coords, symbol) {
    if (!symbol._point) return null;
    return CoMap.map.unproject(tileOrigin(layer, coords).add(symbol._point), coords.z);
  }

  // The topmost drawn feature under a map position: {entry, symbol, coords} or null.
  function hitTest(latlng) {
    var map = CoMap.map;
    for (var i = tileLayers.length - 1; i >= 0; i--) {
      var entry = tileLayers[i];
      if (!map.hasLayer(entry.layer)) continue;
      var hit = null;
      eachTile(entry.layer, function (renderer, coords) {
        if (hit) return;
        var point = map.project(latlng, coords.z).subtract(tileOrigin(entry.layer, coords));
        var size = entry.layer.getTileSize();
        if (point.x < 0 || point.y < 0 || point.x > size.x || point.y > size.y) return;
        // Later paths were drawn later, i.e. on top: the last match is what the user sees.
        Object.keys(renderer._layers || {}).forEach(function (id) {
          var symbol = renderer._layers[id];
          if (symbol.options.interactive !== false && symbol._containsPoint(point)) {
            hit = { entry: entry, symbol: symbol, coords: coords };
          }
        });
      });
      if (hit) return hit;
    }
    return null;
  }

  function openFeaturePopup(entry, props, latlng) {
    var opts = entry.opts;
    var content = props.count !== undefined
      ? clusterContent(opts, props, latlng)
      : popupContent(opts, { id: props.id, properties: props });
    return L.popup({ maxWidth: 280, autoPanPadding: [16, 16] })
      .setLatLng(latlng).setContent(content).openOn(CoMap.map);
  }

  function onMapClick(e) {
    // While a resident is placing a new report, a tap anywhere places the pin (the report
    // form listens to the map's click); another layer's own shape handles its own clicks.
    if (CoMap.picking) return;
    var target = e.originalEvent && e.originalEvent.target;
    if (target && target.classList && target.classList.contains("leaflet-interactive")) return;
    var hit = hitTest(e.latlng);
    if (!hit) return;
    var latlng = symbolLatLng(hit.entry.layer, hit.coords, hit.symbol) || e.latlng;
    openFeaturePopup(hit.entry, hit.symbol.properties || {}, latlng);
  }

  var hovering = false;
  function onMouseMove(e) {
    if (hovering) return;
    hovering = true;
    L.Util.requestAnimFrame(function () {
      hovering = false;
      var over = !CoMap.picking && hitTest(e.latlng);
      CoMap.map.getContainer().style.cursor = over ? "pointer" : "";
    });
  }

  function countDrawn(entry) {
    var n = 0, dense = false;
    eachTile(entry.layer, function (renderer) {
      Object.keys(renderer._features || {}).forEach(function (id) {
        n++;
        if (renderer._features[id].feature.properties.agg === "cap") dense = true;
      });
    });
    return { count: n, dense: dense };
  }

  CoMap.catalogLayer = function (map, opts) {
    var pane = "comap-" + opts.id;
    if (!map.getPane(pane)) {
      map.createPane(pane, map.getPane("overlayPane")).style.zIndex = String(++paneCount);
    }
    if (!tileLayers.length) {
      map.on("click", onMapClick);
      map.on("mousemove", onMouseMove);
    }
    var styles = {};
    styles[opts.id] = function (props) { return featureStyle(opts, props); };
    var clusters = 0;
    var fetchDefaults = { credentials: "same-origin" };
    // 512-pixel tiles: a quarter of the requests of 256-pixel ones for the same view. A
    // 512-pixel tile at map zoom z is the standard tile one zoom up, hence {tz} = z - 1.
    var url = opts.tiles.replace("{z}", "{tz}");
    // On GCJ-02 basemap tiles (Gaode) the server moves each tile so the WGS 84 data land on
    // the shifted streets, as L.CRS.GCJ02 does for everything else on the map.
    if (L.CRS.GCJ02 && map.options.crs === L.CRS.GCJ02) { url += "?crs=gcj02"; }
    var layer = L.vectorGrid.protobuf(url, {
      pane: pane,
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: true,
      tileSize: 512,
      tz: function (data) { return data.z - 1; },
      minZoom: Math.max(1, opts.minZoom + 1),
      fetchOptions: fetchDefaults,
      // Single features carry their id; clusters get one of their own for VectorGrid's index.
      getFeatureId: function (f) {
        return f.properties.id !== undefined ? f.properties.id : "cluster-" + (++clusters);
      }
    });
    // The page's own scripts first: the browser fetches six things at a time from one
    // server, and a screenful of tiles would hold the report form's script back.
    var fetchTile = layer._getVectorTilePromise;
    layer._getVectorTilePromise = function (coords) {
      var self = this;
      return pageLoaded.then(function () { return fetchTile.call(self, coords); });
    };
    var entry = { opts: opts, layer: layer };
    tileLayers.push(entry);
    CoMap.layers[opts.id] = layer;
    CoMap.loaded[opts.id] = 0;

    // Clicks are ours (see hitTest); the canvases must not swallow them.
    layer.on("tileloadstart tileload", function (e) { e.tile.style.pointerEvents = "none"; });
    layer.on("load", function () {
      layer.options.fetchOptions = fetchDefaults;
      var drawn = countDrawn(entry);
      CoMap.loaded[opts.id] = drawn.count;
      if (drawn.dense) notice(CoMap.strings.dense);
      layer.fire("comap:loaded", { count: drawn.count });
    });
    layer.on("tileerror", function () { notice(CoMap.strings.loadFailed); });
    map.on("zoomend", function () {
      if (map.getZoom() < layer.options.minZoom) CoMap.loaded[opts.id] = 0;
    });
    // The report form adds a filed report with addData (a GeoJSON habit): fetch the tiles
    // under it again, asking the server rather than the browser cache.
    layer.addData = function () {
      CoMap.refresh(opts.id);
      return layer;
    };
    return layer;
  };

  // Fetch a layer's tiles again now (after a write), revalidating any the browser holds.
  CoMap.refresh = function (id) {
    var layer = CoMap.layers[id];
    if (!layer || !layer.redraw) return;
    layer.options.fetchOptions = { credentials: "same-origin", cache: "no-cache" };
    layer.redraw();
  };

  // What a layer draws now: [{id, properties, latlng}] (latlng for points and clusters).
  CoMap.features = function (id) {
    var out = [];
    tileLayers.forEach(function (entry) {
      if (entry.opts.id !== id || !CoMap.map.hasLayer(entry.layer)) return;
      eachTile(entry.layer, function (renderer, coords) {
        Object.keys(renderer._features || {}).forEach(function (key) {
          var symbol = renderer._features[key].feature;
          var props = symbol.properties || {};
          out.push({ id: props.id, properties: props,
                     latlng: symbolLatLng(entry.layer, coords, symbol) });
        });
      });
    });
    return out;
  };

  // Open the popup of a drawn feature, as a click on it would.
  CoMap.openPopup = function (id, featureId) {
    var entry = null;
    tileLayers.forEach(function (e) { if (e.opts.id === id) entry = e; });
    var found = CoMap.features(id).filter(function (f) { return f.id === featureId; })[0];
    if (!entry || !found) return null;
    return openFeaturePopup(entry, found.properties, found.latlng || CoMap.map.getCenter());
  };

  function legendSection(layer) {
    var section = el("div", "comap-legend-layer");
    section.appendChild(el("div", "comap-legend-title", layer.title));
    var entries = [];
    var table = layer.colorLookup ? (layer.lookups[layer.colorLookup] || {}) : null;
    if (table && Object.keys(table).length) {
      Object.keys(table).forEach(function (code) {
        entries.push({ name: table[code].name, color: table[code].color || layer.style.color });
      });
    } else {
      entries.push({ name: layer.title, color: layer.style.fill_color || layer.style.color });
    }
    var list = el("ul");
    entries.forEach(function (entry) {
      var item = el("li");
      var swatch = el("span", "comap-swatch comap-swatch-" + layer.geometry);
      swatch.style.background = entry.color;
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(el("span", null, entry.name));
      list.appendChild(item);
    });
    section.appendChild(list);
    return section;
  }

  // The legend lists only the layers on the map, and follows the layer control.
  CoMap.legend = function (map, opts) {
    var control = L.control({ position: "bottomright" });
    var body = null;
    function redraw() {
      if (!body) return;
      while (body.firstChild) body.removeChild(body.firstChild);
      opts.layers.forEach(function (layer) {
        var live = CoMap.layers[layer.id];
        if (live && map.hasLayer(live)) body.appendChild(legendSection(layer));
      });
    }
    control.onAdd = function () {
      var box = el("details", "comap-legend leaflet-bar");
      if (window.matchMedia && !window.matchMedia("(max-width: 600px)").matches) box.open = true;
      box.appendChild(el("summary", null, opts.strings.legend));
      body = el("div", "comap-legend-body");
      box.appendChild(body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    map.on("overlayadd overlayremove layeradd layerremove", function () {
      clearTimeout(control._timer);
      control._timer = setTimeout(redraw, 0);
    });
    redraw();
    return control;
  };

  CoMap.ready = function (map, opts) {
    CoMap.map = map;
    CoMap.strings = opts.strings || {};
    // The locate plugin's default error handler is an English alert(); say it on the page.
    // (This runs before the control is made, so the default is taken up by it.)
    if (L.Control.Locate) {
      L.Control.Locate.prototype.options.onLocationError = function () {
        notice(CoMap.strings.locateFailed);
      };
    }
    CoMap.locale = opts.locale;
    // folium gives Map(max_zoom=...) only to its tile layer, so a map without a basemap has no
    // zoom limit: "show my location" then zooms past 19 (to NaN for a fix with accuracy 0).
    if (!isFinite(map.getMaxZoom())) map.setMaxZoom(19);
    // Leaflet's layer button says "Layers" in English whatever the page's language.
    // (The control is added after this runs, hence the timeout.)
    setTimeout(function () {
      var toggle = document.querySelector(".leaflet-control-layers-toggle");
      if (toggle && CoMap.strings.layers) {
        toggle.title = CoMap.strings.layers;
        toggle.setAttribute("aria-label", CoMap.strings.layers);
      }
    }, 0);
    document.documentElement.setAttribute("data-map-ready", "true");
  };

  window.CoMap = CoMap;
})();
