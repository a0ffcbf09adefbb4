/*
 * The planner's tools on the map: demand (choropleth, heatmap, Gi* hot spots), coverage gaps,
 * candidate sites ranked by score and chosen by MCLP (walking along the streets or in a straight
 * line, or both compared for the gaps), and a new project from a chosen site or
 * a drawn footprint. Every number comes from /api/v1/analysis/*; all text goes through
 * textContent.
 */
(function () {
  "use strict";

  var panel = document.querySelector(".planner-panel");
  if (!panel || !window.CoMap || !CoMap.map) return;
  var map = CoMap.map;
  var text = panel.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var layers = {};
  var picked = [];
  var lastRequest = null;
  var footprint = null;

  function fill(template, values) {
    return Object.keys(values).reduce(function (out, key) {
      return out.replace("{" + key + "}", values[key]);
    }, String(template));
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = String(content);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function drop(name) {
    if (layers[name]) { map.removeLayer(layers[name]); delete layers[name]; }
  }

  function api(url, body) {
    var options = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrf;
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (resp) {
      return resp.json().then(function (data) {
        if (!resp.ok) {
          var err = (data && data.error) || {};
          throw new Error(err.message || text.textFailed);
        }
        return data;
      });
    });
  }

  function failed(box) {
    return function (err) { clear(box); box.appendChild(el("p", "field-error", err.message)); };
  }

  function areaName(props) {
    return CoMap.locale === "en" ? props.name_en : props.name_zh;
  }

  // --- Demand ---------------------------------------------------------------------------
  var RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  var demandForm = document.getElementById("demand-form");
  var demandBox = document.getElementById("demand-legend");

  function breaks(values) {
    var sorted = values.filter(function (v) { return v !== null; }).sort(function (a, b) { return a - b; });
    if (!sorted.length) return [0, 0, 0, 0];
    return [0.2, 0.4, 0.6, 0.8].map(function (q) { return sorted[Math.floor(q * (sorted.length - 1))]; });
  }

  function classOf(value, cuts) {
    if (value === null || value === undefined) return -1;
    var i = 0;
    while (i < cuts.length && value > cuts[i]) i++;
    return i;
  }

  demandForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(demandForm);
    var url = "/api/v1/analysis/demand?level=" + encodeURIComponent(data.get("level")) +
      (data.get("category") ? "&category=" + encodeURIComponent(data.get("category")) : "");
    api(url).then(function (fc) {
      drop("demand");
      var cuts = breaks(fc.features.map(function (f) { return f.properties.per_1000; }));
      layers.demand = L.geoJSON(fc, {
        style: function (f) {
          var c = classOf(f.properties.per_1000, cuts);
          return { color: "#555", weight: 1, fillOpacity: 0.65, fillColor: c < 0 ? "#cccccc" : RAMP[c] };
        },
        onEachFeature: function (f, layer) {
          layer.bindPopup(function () {
            var box = el("div", "comap-popup");
            box.appendChild(el("h2", "comap-popup-title", areaName(f.properties)));
            box.appendChild(el("p", null, f.properties.reports + " " + text.textReports));
            box.appendChild(el("p", null, (f.properties.per_1000 === null ? "—" : f.properties.per_1000) +
              " " + text.textPer1000));
            return box;
          });
        }
      }).addTo(map);
      layers.demand.bringToBack();
      clear(demandBox);
      var lower = 0;
      RAMP.forEach(function (color, i) {
        var row = el("div", "legend-row");
        var chip = el("span", "chip");
        chip.style.background = color;
        row.appendChild(chip);
        var upper = i < cuts.length ? cuts[i] : null;
        row.appendChild(el("span", null, upper === null ? "> " + lower : lower + " – " + upper));
        lower = upper;
        demandBox.appendChild(row);
      });
      demandBox.appendChild(el("p", "tool-note", text.textPer1000));
    }).catch(failed(demandBox));
  });

  document.getElementById("heat-button").addEventListener("click", function () {
    if (layers.heat) { drop("heat"); return; }
    var category = new FormData(demandForm).get("category");
    api("/api/v1/analysis/heat" + (category ? "?category=" + encodeURIComponent(category) : ""))
      .then(function (data) {
        layers.heat = L.heatLayer(data.points, { radius: 22, blur: 18, minOpacity: 0.3 }).addTo(map);
      }).catch(failed(demandBox));
  });

  var HOT = { hot_99: "#b2182b", hot_95: "#ef8a62", hot_90: "#fddbc7",
              cold_99: "#2166ac", cold_95: "#67a9cf", cold_90: "#d1e5f0" };
  document.getElementById("hotspot-button").addEventListener("click", function () {
    if (layers.hotspots) { drop("hotspots"); return; }
    var category = new FormData(demandForm).get("category");
    api("/api/v1/analysis/hotspots" + (category ? "?category=" + encodeURIComponent(category) : ""))
      .then(function (fc) {
        layers.hotspots = L.geoJSON(fc, {
          style: function (f) {
            var color = HOT[f.properties.hotspot];
            return { color: "#444", weight: 1, fillColor: color || "#ffffff", fillOpacity: color ? 0.7 : 0.05 };
          },
          onEachFeature: function (f, layer) {
            layer.bindPopup(function () {
              var p = f.properties;
              var box = el("div", "comap-popup");
              box.appendChild(el("h2", "comap-popup-title", areaName(p)));
              var label = p.hotspot.indexOf("hot") === 0 ? text.textHot :
                p.hotspot.indexOf("cold") === 0 ? text.textCold : text.textNs;
              var level = p.hotspot.split("_")[1];
              box.appendChild(el("p", null, label + (level && label !== text.textNs ? " (" + level + "%)" : "")));
              box.appendChild(el("p", null, "Gi* z = " + p.gi_z + ", p = " + p.p_value));
              box.appendChild(el("p", null, p.reports + " " + text.textReports));
              return box;
            });
          }
        }).addTo(map);
        clear(demandBox);
        demandBox.appendChild(el("p", "tool-note", fc.method));
        Object.keys(HOT).forEach(function (key) {
          var row = el("div", "legend-row");
          var chip = el("span", "chip");
          chip.style.background = HOT[key];
          row.appendChild(chip);
          row.appendChild(el("span", null, (key.indexOf("hot") === 0 ? text.textHot : text.textCold) +
            " " + key.split("_")[1] + "%"));
          demandBox.appendChild(row);
        });
      }).catch(failed(demandBox));
  });

  // --- Coverage gaps ----------------------------------------------------------------------
  function syncRadius(select, input) {
    var option = select.options[select.selectedIndex];
    input.value = option ? option.dataset.radius : 500;
  }
  var gapsForm = document.getElementById("gaps-form");
  var gapsBox = document.getElementById("gaps-result");
  var gapsType = document.getElementById("gaps-type");
  syncRadius(gapsType, gapsForm.elements.radius_m);
  gapsType.addEventListener("change", function () { syncRadius(gapsType, gapsForm.elements.radius_m); });
  var gapsDistance = document.getElementById("gaps-distance");

  function measureName(distance) {
    return distance === "network" ? text.textMeasureNetwork : text.textMeasureStraight;
  }

  function gapsUrl(data, distance) {
    return "/api/v1/analysis/gaps?facility_type=" + encodeURIComponent(data.get("facility_type")) +
      "&radius_m=" + encodeURIComponent(data.get("radius_m")) +
      "&distance=" + encodeURIComponent(distance);
  }

  // Network gaps are filled red; in the comparison the straight-line gaps are drawn as blue
  // outlines on top, so buildings that only walking leaves out show red without blue.
  var GAP_STYLE = {
    network: { color: "#c53030", weight: 1, fillColor: "#e53e3e", fillOpacity: 0.6 },
    straight: { color: "#2b6cb0", weight: 2, dashArray: "4 3", fillColor: "#4299e1", fillOpacity: 0.15 }
  };

  function gapLayer(fc, style) {
    return L.geoJSON(fc, {
      style: style,
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () {
          var box = el("div", "comap-popup");
          box.appendChild(el("h2", "comap-popup-title", areaName(f.properties)));
          box.appendChild(el("p", null, text.textResidents + ": " + f.properties.population));
          box.appendChild(el("p", "tool-note", measureName(fc.distance)));
          return box;
        });
      }
    });
  }

  function drawGaps(fc, compare) {
    var group = L.layerGroup();
    var style = compare && fc.distance === "straight" ? GAP_STYLE.straight :
      (fc.distance === "network" ? GAP_STYLE.network : GAP_STYLE.straight);
    if (fc.reach && fc.reach.coordinates.length) {
      group.addLayer(L.geoJSON(fc.reach, { style: { color: "#2f855a", weight: 4, opacity: 0.7 }, interactive: false }));
    }
    group.addLayer(gapLayer(fc, style));
    return group;
  }

  function totalsTable(results) {
    var table = el("table", "gaps-compare");
    var head = el("tr");
    [text.textMeasure, text.textBuildings, text.textResidents, text.textGrids].forEach(function (h) {
      var th = el("th", null, h); th.scope = "col"; head.appendChild(th);
    });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    results.forEach(function (fc) {
      var row = el("tr");
      row.dataset.distance = fc.distance;
      [measureName(fc.distance), fc.totals.buildings, fc.totals.population, fc.totals.grids]
        .forEach(function (v) { row.appendChild(el("td", null, v)); });
      body.appendChild(row);
    });
    table.appendChild(body);
    return table;
  }

  gapsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(gapsForm);
    var choice = gapsDistance ? gapsDistance.value : "straight";
    var modes = choice === "compare" ? ["network", "straight"] : [choice];
    Promise.all(modes.map(function (d) { return api(gapsUrl(data, d)); })).then(function (results) {
      drop("gaps");
      var group = L.layerGroup();
      results.forEach(function (fc) { group.addLayer(drawGaps(fc, modes.length > 1)); });
      layers.gaps = group.addTo(map);
      clear(gapsBox);
      if (results.length === 1) {
        var fc = results[0];
        gapsBox.appendChild(el("p", "gaps-measure", measureName(fc.distance)));
        gapsBox.appendChild(el("p", null, fill(text.textUnreached, {
          b: fc.totals.buildings, p: fc.totals.population, g: fc.totals.grids })));
        return;
      }
      var wrap = el("div", "table-wrap");
      wrap.appendChild(totalsTable(results));
      gapsBox.appendChild(wrap);
      var extra = results[0].totals.population - results[1].totals.population;
      gapsBox.appendChild(el("p", "tool-note", fill(text.textOnlyNetwork, { p: extra })));
    }).catch(failed(gapsBox));
  });

  // --- Sites ------------------------------------------------------------------------------
  var sitesForm = document.getElementById("sites-form");
  var sitesBox = document.getElementById("sites-result");
  var sitesType = document.getElementById("sites-type");
  var pickedCount = document.getElementById("picked-count");
  syncRadius(sitesType, sitesForm.elements.radius_m);
  sitesType.addEventListener("change", function () { syncRadius(sitesType, sitesForm.elements.radius_m); });

  function mode() { return new FormData(sitesForm).get("mode"); }

  function siteRequest() {
    var data = new FormData(sitesForm);
    var body = { facility_type: data.get("facility_type"), radius_m: Number(data.get("radius_m")) };
    if (data.get("distance")) body.distance = data.get("distance");
    if (mode() === "points") {
      body.candidates = { points: picked.map(function (p) { return [p.lng, p.lat]; }) };
    } else {
      body.candidates = { grid: { area: data.get("area"), spacing_m: Number(data.get("spacing_m")) } };
    }
    return body;
  }

  // A numbered label; its text is set with textContent once Leaflet has made the element.
  function marker(lat, lon, caption, cls) {
    var icon = L.divIcon({ className: "site-label " + (cls || ""), iconSize: null, html: "" });
    var m = L.marker([lat, lon], { icon: icon, keyboard: false });
    m.on("add", function () {
      var node = m.getElement();
      if (node) { node.textContent = caption; node.setAttribute("aria-hidden", "true"); }
    });
    return m;
  }

  function useSite(site) {
    footprint = { type: "Point", coordinates: [site.lon, site.lat] };
    document.getElementById("project-section").open = true;
    document.getElementById("footprint-state").textContent = text.textFootprint;
    document.getElementById("project-form").elements.title_zh.focus();
  }

  function showRanking(data) {
    drop("sites");
    var group = L.layerGroup();
    data.candidates.forEach(function (c) {
      var m = marker(c.lat, c.lon, String(c.rank), c.rank <= 3 ? "top" : "");
      m.bindPopup(function () {
        var box = el("div", "comap-popup");
        box.appendChild(el("h2", "comap-popup-title", text.textRank + " " + c.rank + " · " + text.textScore + " " + c.score));
        var list = el("dl", "comap-popup-fields");
        [[text.textDemand, c.factors.demand], [text.textNewpop, c.factors.new_population],
         [text.textNearest, c.factors.nearest_existing_m === null ? text.textNone : c.factors.nearest_existing_m]]
          .forEach(function (pair) { list.appendChild(el("dt", null, pair[0])); list.appendChild(el("dd", null, pair[1])); });
        box.appendChild(list);
        var button = el("button", "button", text.textCreate);
        button.type = "button";
        button.addEventListener("click", function () { useSite(c); map.closePopup(); });
        box.appendChild(button);
        return box;
      });
      group.addLayer(m);
    });
    layers.sites = group.addTo(map);
    clear(sitesBox);
    var table = el("table");
    var head = el("tr");
    ["#", text.textScore, text.textDemand, text.textNewpop, text.textNearest].forEach(function (h) {
      var th = el("th", null, h); th.scope = "col"; head.appendChild(th);
    });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    data.candidates.slice(0, 15).forEach(function (c) {
      var row = el("tr");
      [c.rank, c.score, c.factors.demand, c.factors.new_population,
       c.factors.nearest_existing_m === null ? text.textNone : Math.round(c.factors.nearest_existing_m)]
        .forEach(function (v) { row.appendChild(el("td", null, v)); });
      row.addEventListener("click", function () { map.setView([c.lat, c.lon], Math.max(map.getZoom(), 17)); });
      body.appendChild(row);
    });
    table.appendChild(body);
    var wrap = el("div", "table-wrap"); wrap.appendChild(table);
    sitesBox.appendChild(el("p", "tool-note sites-measure", measureName(data.distance)));
    sitesBox.appendChild(wrap);
  }

  sitesForm.addEventListener("submit", function (event) {
    event.preventDefault();
    lastRequest = siteRequest();
    api("/api/v1/analysis/site-scores", lastRequest).then(showRanking).catch(failed(sitesBox));
  });

  function coverageLine(name, c) {
    return name + ": " + fill(text.textCovered, {
      c: c.covered_population, t: c.total_population,
      s: Math.round(c.share * 1000) / 10 + "%", n: c.newly_covered_population });
  }

  document.getElementById("mclp-button").addEventListener("click", function () {
    var body = siteRequest();
    body.k = Number(new FormData(sitesForm).get("k"));
    api("/api/v1/analysis/mclp", body).then(function (data) {
      drop("choice");
      var group = L.layerGroup();
      data.greedy.chosen.forEach(function (s, i) {
        group.addLayer(marker(s.lat, s.lon, "G" + (i + 1), "greedy"));
      });
      data.mclp.chosen.forEach(function (s, i) {
        var m = marker(s.lat, s.lon, "M" + (i + 1), "mclp");
        m.bindPopup(function () {
          var box = el("div", "comap-popup");
          box.appendChild(el("p", null, text.textMclp));
          var button = el("button", "button", text.textCreate);
          button.type = "button";
          button.addEventListener("click", function () { useSite(s); map.closePopup(); });
          box.appendChild(button);
          return box;
        });
        group.addLayer(m);
      });
      layers.choice = group.addTo(map);
      clear(sitesBox);
      sitesBox.appendChild(el("p", "tool-note sites-measure", measureName(data.distance)));
      sitesBox.appendChild(el("p", null, coverageLine(text.textMclp, data.mclp)));
      sitesBox.appendChild(el("p", null, coverageLine(text.textGreedy, data.greedy)));
    }).catch(failed(sitesBox));
  });

  document.getElementById("clear-button").addEventListener("click", function () {
    picked = [];
    drop("sites"); drop("choice"); drop("picked");
    clear(sitesBox);
    pickedCount.textContent = "";
  });

  map.on("click", function (e) {
    if (mode() !== "points") return;
    picked.push(e.latlng);
    if (!layers.picked) layers.picked = L.layerGroup().addTo(map);
    layers.picked.addLayer(L.circleMarker(e.latlng, { radius: 6, color: "#1a202c", fillColor: "#ffd60a", fillOpacity: 1 }));
    pickedCount.textContent = String(picked.length);
  });

  // --- New project ------------------------------------------------------------------------
  map.on("draw:created", function (e) {
    footprint = e.layer.toGeoJSON().geometry;
    document.getElementById("project-section").open = true;
    document.getElementById("footprint-state").textContent = text.textFootprint;
  });

  var projectForm = document.getElementById("project-form");
  var projectBox = document.getElementById("project-result");
  projectForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = document.getElementById("project-error");
    error.textContent = "";
    if (!footprint) { error.textContent = text.textNeedFootprint; return; }
    var data = new FormData(projectForm);
    var lines = [];
    ["government", "reward", "residents_money", "enterprise", "social"].forEach(function (source) {
      var v = data.get(source);
      if (v !== null && v !== "") lines.push({ source: source, amount_yuan: Number(v) });
    });
    var hours = data.get("residents_labour");
    if (hours !== null && hours !== "") lines.push({ source: "residents_labour", hours: Number(hours) });
    var ids = String(data.get("report_ids") || "").split(/[,，\s]+/).filter(Boolean).map(Number);
    var body = {
      title_zh: data.get("title_zh"), title_en: data.get("title_en") || undefined,
      description: data.get("description") || undefined, geometry: footprint,
      facility_type: sitesType.value, budget_lines: lines, report_ids: ids
    };
    api("/api/v1/projects", body).then(function (created) {
      clear(projectBox);
      var p = el("p", null, text.textCreated + " ");
      var a = el("a", null, created.code);
      a.href = created.url;
      a.id = "project-created-link";
      p.appendChild(a);
      projectBox.appendChild(p);
      projectForm.reset();
      footprint = null;
    }).catch(function (err) { error.textContent = err.message; });
  });
})();
