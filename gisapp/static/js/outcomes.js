/*
 * The outcomes map (成果共享): areas of one level coloured by the figure chosen in the page's
 * select (#outcome-metric), in five quantile classes of the areas in view. Areas are fetched
 * from the API by bounding box, like the catalog layers in comap.js. A click on an area drills
 * down to it. Text reaches the page through textContent only.
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

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number" && Math.round(value) !== value) return value.toFixed(1);
    return String(value);
  }

  function withBbox(url, map) {
    var b = map.getBounds().pad(0.3);
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return Math.max(-180, Math.min(180, v)).toFixed(6); }).join(",");
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "bbox=" + bbox;
  }

  // Five quantile classes of the values present (fewer when values repeat).
  function breaks(values) {
    var sorted = values.filter(function (v) { return v !== null && v !== undefined; })
      .sort(function (a, b) { return a - b; });
    if (!sorted.length) return [];
    var out = [];
    for (var i = 1; i < 5; i++) {
      var v = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * i / 5))];
      if (out.indexOf(v) < 0 && v > sorted[0]) out.push(v);
    }
    return [sorted[0]].concat(out);
  }

  CoMap.outcomesLayer = function (map, opts) {
    var state = { metric: opts.metric, breaks: [], data: null };
    var select = document.getElementById(opts.metricSelect);
    if (select && select.value) state.metric = select.value;

    function ramp() {
      return opts.worse.indexOf(state.metric) >= 0 ? opts.rampWorse : opts.ramp;
    }

    function colour(value) {
      if (value === null || value === undefined || !state.breaks.length) return opts.noData;
      var index = 0;
      state.breaks.forEach(function (b, i) { if (value >= b) index = i; });
      var colours = ramp();
      // Spread the classes we have over the ramp so two classes are still far apart.
      var step = state.breaks.length > 1 ? (colours.length - 1) / (state.breaks.length - 1) : 0;
      return colours[Math.round(index * step)];
    }

    function style(feature) {
      return { color: "#333333", weight: 1.5, opacity: 0.9,
               fillColor: colour(feature.properties[state.metric]), fillOpacity: 0.65 };
    }

    function tooltip(props) {
      var box = el("div", "outcome-tip");
      box.appendChild(el("strong", null, props.name || ""));
      ["received", "resolved", "median_days_to_resolve", "satisfaction", "projects_completed",
       "money_yuan"].forEach(function (key) {
        var line = el("div", key === state.metric ? "outcome-tip-current" : null,
                      opts.names[key] + ": " + fmt(props[key]));
        box.appendChild(line);
      });
      box.appendChild(el("div", "coverage-tip-hint", opts.strings.drill));
      return box;
    }

    var layer = L.geoJSON(null, {
      style: style,
      onEachFeature: function (feature, sublayer) {
        sublayer.bindTooltip(function () { return tooltip(feature.properties); },
                             { sticky: true, direction: "top" });
        sublayer.on("mouseover", function () { sublayer.setStyle({ weight: 3.5 }); });
        sublayer.on("mouseout", function () { sublayer.setStyle({ weight: 1.5 }); });
        sublayer.on("click", function () {
          var url = opts.drillUrl.replace("{id}", encodeURIComponent(feature.id));
          window.location.href = url + "&metric=" + encodeURIComponent(state.metric);
        });
      }
    });
    CoMap.layers[opts.id] = layer;

    var legend = L.control({ position: "bottomright" });
    var legendBox = null;
    legend.onAdd = function () {
      legendBox = el("details", "comap-legend leaflet-bar outcome-legend");
      var size = map.getSize();
      legendBox.open = size.y >= 420 && size.x >= 600;
      L.DomEvent.disableClickPropagation(legendBox);
      L.DomEvent.disableScrollPropagation(legendBox);
      return legendBox;
    };
    legend.addTo(map);

    function drawLegend() {
      if (!legendBox) return;
      var open = legendBox.open;
      legendBox.textContent = "";
      legendBox.appendChild(el("summary", null, opts.strings.legend));
      var part = el("div", "comap-legend-layer");
      part.appendChild(el("div", "comap-legend-title", opts.names[state.metric]));
      var list = el("ul");
      var colours = ramp();
      var step = state.breaks.length > 1 ? (colours.length - 1) / (state.breaks.length - 1) : 0;
      state.breaks.forEach(function (b, i) {
        var item = el("li");
        var swatch = el("span", "comap-swatch");
        swatch.style.background = colours[Math.round(i * step)];
        swatch.setAttribute("aria-hidden", "true");
        item.appendChild(swatch);
        var next = state.breaks[i + 1];
        item.appendChild(el("span", null, next !== undefined ? fmt(b) + " – " + fmt(next) : "≥ " + fmt(b)));
        list.appendChild(item);
      });
      var none = el("li");
      var sw = el("span", "comap-swatch");
      sw.style.background = opts.noData;
      sw.setAttribute("aria-hidden", "true");
      none.appendChild(sw);
      none.appendChild(el("span", null, opts.strings.noData));
      list.appendChild(none);
      part.appendChild(list);
      legendBox.appendChild(part);
      legendBox.open = open;
    }

    function restyle() {
      var values = [];
      layer.eachLayer(function (sub) { values.push(sub.feature.properties[state.metric]); });
      state.breaks = breaks(values);
      layer.setStyle(style);
      drawLegend();
    }

    var inflight = null;
    var timer = null;
    function refresh() {
      if (!map.hasLayer(layer)) return;
      if (inflight) inflight.abort();
      inflight = new AbortController();
      fetch(withBbox(opts.url, map), {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json" },
        signal: inflight.signal
      }).then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      }).then(function (data) {
        layer.clearLayers();
        layer.addData(data);
        layer.bringToBack();
        restyle();
        CoMap.loaded[opts.id] = (data.features || []).length;
        layer.fire("comap:loaded", { count: CoMap.loaded[opts.id] });
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (CoMap.notice) CoMap.notice(CoMap.strings.loadFailed);
      });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    layer.on("add", refresh);

    if (select) {
      select.addEventListener("change", function () {
        state.metric = select.value;
        restyle();
        // Keep the choice in the address, so a reload or a shared link shows the same map.
        var url = new URL(window.location.href);
        url.searchParams.set("metric", state.metric);
        window.history.replaceState(null, "", url.toString());
      });
    }
    drawLegend();
    return layer;
  };
})();
