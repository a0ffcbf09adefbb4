/*
 * The shared map script of the co-creation map.
 *
 * Layers come from the catalog (layers/*.yaml) as JSON options; their features are fetched from
 * the API for the area in view. Every piece of text that reaches the page goes through
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

  function pathStyle(opts, feature) {
    var s = opts.style;
    var fill = colorFor(opts, feature);
    var isLine = feature && feature.geometry && /LineString/.test(feature.geometry.type);
    return {
      color: isLine ? fill : s.color,
      weight: s.weight,
      opacity: s.opacity,
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

  function contains(outer, inner) {
    return outer && outer.contains(inner);
  }

  // Each catalog layer draws in a pane of its own, stacked in catalog order (reports above
  // areas). The layers load in parallel: in one shared pane, whichever answered last would be
  // drawn on top and catch the clicks meant for the markers under it.
  var paneCount = 0;

  CoMap.catalogLayer = function (map, opts) {
    var pane = "comap-" + opts.id;
    if (!map.getPane(pane)) {
      map.createPane(pane, map.getPane("overlayPane")).style.zIndex = String(++paneCount);
    }
    var layer = L.geoJSON(null, {
      pane: pane,
      style: function (feature) { return pathStyle(opts, feature); },
      pointToLayer: function (feature, latlng) {
        var s = pathStyle(opts, feature);
        s.radius = opts.style.radius;
        s.color = opts.style.color;
        s.pane = pane;
        return L.circleMarker(latlng, s);
      },
      onEachFeature: function (feature, sublayer) {
        sublayer.bindPopup(function () { return popupContent(opts, feature); },
                           { maxWidth: 280, autoPanPadding: [16, 16] });
        // While a resident is placing a new report, a tap on a feature places the pin there
        // instead of opening the feature's popup (popups stop the map's own click).
        sublayer.on("click", function (e) {
          if (CoMap.picking && CoMap.pickHandler) CoMap.pickHandler(e.latlng);
        });
        sublayer.on("popupopen", function () { if (CoMap.picking) sublayer.closePopup(); });
      }
    });
    var fetchedBounds = null;
    var complete = false;
    var inflight = null;
    CoMap.layers[opts.id] = layer;

    function refresh() {
      if (!map.hasLayer(layer)) return;
      if (map.getZoom() < opts.minZoom) {
        layer.clearLayers();
        fetchedBounds = null;
        CoMap.loaded[opts.id] = 0;
        return;
      }
      var view = map.getBounds();
      if (complete && contains(fetchedBounds, view)) return;
      var wanted = view.pad(0.5);
      var bbox = [wanted.getWest(), wanted.getSouth(), wanted.getEast(), wanted.getNorth()]
        .map(function (v) { return v.toFixed(6); }).join(",");
      if (inflight) inflight.abort();
      inflight = new AbortController();
      fetch(opts.url + "?bbox=" + bbox, {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json" },
        signal: inflight.signal
      }).then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        complete = resp.headers.get("X-Truncated") !== "true";
        if (!complete) notice(CoMap.strings.truncated);
        return resp.json();
      }).then(function (data) {
        layer.clearLayers();
        layer.addData(data);
        fetchedBounds = wanted;
        CoMap.loaded[opts.id] = (data.features || []).length;
        layer.fire("comap:loaded", { count: CoMap.loaded[opts.id] });
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        notice(CoMap.strings.loadFailed);
      });
    }

    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
    layer.on("add", refresh);
    return layer;
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
