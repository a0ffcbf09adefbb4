/*
 * The managers' map (建设共管): a choropleth of maintenance coverage by area and the facilities
 * coloured by status. Both fetch what is in view from the API, like the catalog layers in
 * comap.js. A click on an area drills down to it. Text reaches the page through textContent.
 */
(function () {
  "use strict";

  var CoMap = window.CoMap;
  if (!CoMap) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : Math.round(value * 100) + "%";
  }

  function withBbox(url, map) {
    var b = map.getBounds().pad(0.3);
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return Math.max(-180, Math.min(180, v)).toFixed(6); }).join(",");
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "bbox=" + bbox;
  }

  function notice(message) {
    var box = document.getElementById("comap-notice");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  // Fetch on every move (debounced), dropping answers that a newer request overtook.
  function feed(map, layer, opts, draw) {
    var inflight = null;
    var timer = null;
    function refresh() {
      if (!map.hasLayer(layer)) return;
      if (opts.minZoom && map.getZoom() < opts.minZoom) {
        layer.clearLayers();
        CoMap.loaded[opts.id] = 0;
        return;
      }
      if (inflight) inflight.abort();
      inflight = new AbortController();
      fetch(withBbox(opts.url, map), {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json" },
        signal: inflight.signal
      }).then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        if (resp.headers.get("X-Truncated") === "true") notice(CoMap.strings.truncated);
        return resp.json();
      }).then(function (data) {
        layer.clearLayers();
        draw(data);
        CoMap.loaded[opts.id] = (data.features || []).length;
        layer.fire("comap:loaded", { count: CoMap.loaded[opts.id] });
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        notice(CoMap.strings.loadFailed);
      });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    layer.on("add", refresh);
  }

  function coverageColor(opts, props) {
    if (!props.facilities) return opts.noData;
    var color = opts.classes[0][1];
    opts.classes.forEach(function (c) { if (props.coverage >= c[0]) color = c[1]; });
    return color;
  }

  function areaTooltip(opts, props) {
    var s = opts.strings;
    var box = el("div", "coverage-tip");
    box.appendChild(el("strong", null, props.name || ""));
    if (!props.facilities) {
      box.appendChild(el("div", null, s.noFacilities));
    } else {
      box.appendChild(el("div", null, s.coverage + ": " + percent(props.coverage)));
      box.appendChild(el("div", null, s.facilities + ": " + props.facilities));
      box.appendChild(el("div", null, s.overdue + ": " + props.overdue + " · " +
                                      s.outOfService + ": " + props.out_of_service));
    }
    box.appendChild(el("div", "coverage-tip-hint", s.drill));
    return box;
  }

  CoMap.coverageLayer = function (map, opts) {
    var layer = L.geoJSON(null, {
      style: function (feature) {
        return { color: "#333333", weight: 1.5, opacity: 0.9,
                 fillColor: coverageColor(opts, feature.properties), fillOpacity: 0.6 };
      },
      onEachFeature: function (feature, sublayer) {
        sublayer.bindTooltip(function () { return areaTooltip(opts, feature.properties); },
                             { sticky: true, direction: "top" });
        sublayer.on("mouseover", function () { sublayer.setStyle({ weight: 3.5 }); });
        sublayer.on("mouseout", function () { sublayer.setStyle({ weight: 1.5 }); });
        sublayer.on("click", function () {
          window.location.href = opts.drillUrl.replace("{id}", encodeURIComponent(feature.id));
        });
      }
    });
    CoMap.layers[opts.id] = layer;
    feed(map, layer, opts, function (data) { layer.addData(data); layer.bringToBack(); });
    return layer;
  };

  function facilityPopup(opts, feature) {
    var p = feature.properties;
    var box = el("div", "comap-popup");
    box.appendChild(el("h3", "comap-popup-title", p.code));
    var list = el("dl", "comap-popup-fields");
    list.appendChild(el("dt", null, opts.strings.legendStatus));
    list.appendChild(el("dd", null, opts.statusNames[p.status] || p.status));
    if (p.days_overdue > 0) {
      list.appendChild(el("dt", null, opts.strings.daysOverdue));
      list.appendChild(el("dd", null, p.days_overdue));
    }
    box.appendChild(list);
    var a = el("a", "comap-popup-link", opts.strings.details);
    a.href = opts.link.replace("{id}", encodeURIComponent(feature.id));
    box.appendChild(a);
    return box;
  }

  CoMap.facilityStatusLayer = function (map, opts) {
    var layer = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        var color = opts.colors[feature.properties.status] || "#777777";
        return L.circleMarker(latlng, { radius: 6, color: "#ffffff", weight: 1.5,
                                        fillColor: color, fillOpacity: 0.95 });
      },
      onEachFeature: function (feature, sublayer) {
        sublayer.bindPopup(function () { return facilityPopup(opts, feature); }, { maxWidth: 260 });
      }
    });
    CoMap.layers[opts.id] = layer;
    feed(map, layer, opts, function (data) { layer.addData(data); layer.bringToFront(); });
    return layer;
  };

  CoMap.managerLegend = function (map, opts) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("details", "comap-legend leaflet-bar");
      // Open where it leaves room for the map (a tall map on a wide screen).
      var size = map.getSize();
      box.open = size.y >= 560 && size.x >= 700;
      box.appendChild(el("summary", null, CoMap.strings.legend || opts.strings.coverage));
      function section(title, entries, round) {
        var part = el("div", "comap-legend-layer");
        part.appendChild(el("div", "comap-legend-title", title));
        var list = el("ul");
        entries.forEach(function (entry) {
          var item = el("li");
          var swatch = el("span", "comap-swatch" + (round ? " comap-swatch-point" : ""));
          swatch.style.background = entry[1];
          swatch.setAttribute("aria-hidden", "true");
          item.appendChild(swatch);
          item.appendChild(el("span", null, entry[0]));
          list.appendChild(item);
        });
        part.appendChild(list);
        box.appendChild(part);
      }
      if (opts.classes.length) {
        var entries = opts.classes.map(function (c, i) {
          var next = opts.classes[i + 1];
          var label = next ? percent(c[0]) + " – " + percent(next[0]) : "≥ " + percent(c[0]);
          return [label, c[1]];
        }).reverse();
        entries.push([opts.strings.noFacilities, opts.noData]);
        section(opts.strings.legendCoverage, entries, false);
      }
      section(opts.strings.legendStatus, opts.statusOrder.map(function (code) {
        return [opts.statusNames[code] || code, opts.colors[code]];
      }), true);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  };
})();
