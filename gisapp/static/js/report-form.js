/*
 * Filing a report from the resident map: tap the map (or use my location), choose a category,
 * see open twins nearby and support one instead, or describe the problem and submit.
 *
 * Text from the server arrives in data-* attributes; everything shown goes through textContent.
 */
(function () {
  "use strict";

  var panel = document.getElementById("report-panel");
  var startButton = document.getElementById("report-start");
  if (!panel || !startButton || !window.CoMap || !CoMap.map) return;

  var map = CoMap.map;
  var form = document.getElementById("report-form");
  var hint = document.getElementById("report-hint");
  var twins = document.getElementById("report-twins");
  var twinList = document.getElementById("report-twin-list");
  var done = document.getElementById("report-done");
  var errorBox = document.getElementById("report-error");
  var category = document.getElementById("report-category");
  var photos = document.getElementById("report-photos");
  var submit = document.getElementById("report-submit");
  var text = panel.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  var picking = false;
  var draft = null; // {lon, lat}
  var marker = null;
  var idempotencyKey = null;

  function fill(template, n) { return String(template).replace("{n}", n); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function clearErrors() {
    errorBox.textContent = "";
    panel.querySelectorAll(".field-error[data-field]").forEach(function (el) { el.textContent = ""; });
    panel.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showError(field, message) {
    var slot = field && panel.querySelector('.field-error[data-field="' + field + '"]');
    if (slot) {
      slot.textContent = message;
      var input = form.elements[field];
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        if (input.focus) input.focus();
      }
    } else {
      errorBox.textContent = message;
    }
  }

  function open() {
    panel.hidden = false;
    panel.classList.remove("finished");
    panel.classList.add("collapsed");
    done.hidden = true;
    form.hidden = false;
    startButton.hidden = true;
    picking = CoMap.picking = true;
    idempotencyKey = newKey();
    hint.textContent = draft ? text.textPicked : text.textPick;
    map.getContainer().classList.add("picking");
    hint.focus();
  }

  // Keep the draft pin in the part of the map the panel does not cover.
  function keepVisible(latlng) {
    var size = map.getSize();
    var rect = panel.getBoundingClientRect();
    var mapRect = map.getContainer().getBoundingClientRect();
    var point = map.latLngToContainerPoint(latlng);
    var coveredFromTop = rect.top - mapRect.top;
    if (rect.width >= size.x * 0.9 && point.y > coveredFromTop - 40) {
      map.panBy([0, point.y - Math.max(60, coveredFromTop / 2)], { animate: false });
    }
  }

  function close() {
    panel.hidden = true;
    startButton.hidden = false;
    picking = CoMap.picking = false;
    map.getContainer().classList.remove("picking");
    if (marker) { map.removeLayer(marker); marker = null; }
    draft = null;
    form.reset();
    clearErrors();
    twins.hidden = true;
    startButton.focus();
  }

  function place(latlng) {
    draft = { lon: Number(latlng.lng.toFixed(6)), lat: Number(latlng.lat.toFixed(6)) };
    if (!marker) {
      marker = L.circleMarker(latlng, {
        radius: 11, color: "#1a202c", weight: 3, fillColor: "#ffd60a", fillOpacity: 0.95
      }).addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    hint.textContent = text.textPicked;
    panel.classList.remove("collapsed");
    if (map.getZoom() < 17) map.setView(latlng, 17, { animate: false });
    keepVisible(latlng);
    document.documentElement.setAttribute("data-report-draft", draft.lon + "," + draft.lat);
    lookForTwins();
  }

  function lookForTwins() {
    twins.hidden = true;
    while (twinList.firstChild) twinList.removeChild(twinList.firstChild);
    if (!draft || !category.value) return;
    var url = text.nearbyUrl + "?lon=" + draft.lon + "&lat=" + draft.lat +
      "&category=" + encodeURIComponent(category.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : { reports: [] }; })
      .then(function (data) {
        (data.reports || []).forEach(function (twin) {
          var item = document.createElement("li");
          var desc = document.createElement("p");
          desc.textContent = twin.description;
          var meta = document.createElement("p");
          meta.className = "twin-meta";
          meta.textContent = fill(text.textMetres, Math.round(twin.distance_m)) + " · " +
            fill(text.textSupports, twin.support_count);
          var link = document.createElement("a");
          link.href = text.reportUrl.replace("{id}", twin.id);
          link.textContent = "#" + twin.id;
          meta.appendChild(document.createTextNode(" · "));
          meta.appendChild(link);
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button twin-support";
          button.textContent = text.textSupport;
          button.addEventListener("click", function () { supportTwin(twin.id, button); });
          item.appendChild(desc);
          item.appendChild(meta);
          item.appendChild(button);
          twinList.appendChild(item);
        });
        twins.hidden = !twinList.children.length;
      });
  }

  function supportTwin(id, button) {
    button.disabled = true;
    fetch(text.supportUrl.replace("{id}", id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        button.disabled = false;
        showError(null, (result.body.error || {}).message || text.textFailed);
        return;
      }
      finish(text.textSupported, id);
    }).catch(function () {
      button.disabled = false;
      showError(null, text.textFailed);
    });
  }

  function finish(message, id) {
    form.hidden = true;
    panel.classList.add("finished");
    twins.hidden = true;
    while (done.firstChild) done.removeChild(done.firstChild);
    var p = document.createElement("p");
    p.textContent = message;
    var link = document.createElement("a");
    link.href = text.reportUrl.replace("{id}", id);
    link.textContent = text.textView + " #" + id;
    link.id = "report-done-link";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button button-quiet";
    again.textContent = "OK";
    again.addEventListener("click", close);
    done.appendChild(p);
    done.appendChild(link);
    done.appendChild(again);
    done.hidden = false;
    if (marker) { map.removeLayer(marker); marker = null; }
    draft = null;
    picking = CoMap.picking = false;
    map.getContainer().classList.remove("picking");
    link.focus();
  }

  function addPin(id, fields) {
    var layer = CoMap.layers && CoMap.layers.reports;
    if (!layer) return;
    layer.addData({
      type: "Feature", id: id,
      geometry: { type: "Point", coordinates: [fields.lon, fields.lat] },
      properties: {
        category: fields.category, status: "submitted", description: fields.description,
        support_count: 0, created_at: new Date().toISOString()
      }
    });
    CoMap.loaded.reports = (CoMap.loaded.reports || 0) + 1;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    if (!draft) { showError("lon", text.textNoLocation); return; }
    var max = Number(text.maxPhotos);
    if (photos.files && photos.files.length > max) { showError("photos", text.textTooMany); return; }
    var data = new FormData(form);
    data.delete("photos");
    Array.prototype.forEach.call(photos.files || [], function (file) { data.append("photos", file); });
    if (!String(data.get("contact") || "").trim()) data.delete("contact");
    data.set("lon", draft.lon);
    data.set("lat", draft.lat);
    var fields = { lon: draft.lon, lat: draft.lat, category: data.get("category"),
                   description: data.get("description") };
    submit.disabled = true;
    fetch(text.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Idempotency-Key": idempotencyKey, Accept: "application/json" },
      body: data
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (result) {
      submit.disabled = false;
      if (!result.ok) {
        var err = result.body.error || {};
        showError(err.field, err.message || text.textFailed);
        return;
      }
      addPin(result.body.id, fields);
      finish(text.textFiled, result.body.id);
    }).catch(function () {
      submit.disabled = false;
      showError(null, text.textFailed);
    });
  });

  category.addEventListener("change", lookForTwins);
  startButton.addEventListener("click", open);
  document.getElementById("report-cancel").addEventListener("click", close);
  document.getElementById("report-cancel-top").addEventListener("click", close);
  document.getElementById("report-locate").addEventListener("click", function () {
    map.once("locationfound", function (e) { place(e.latlng); map.setView(e.latlng, 18); });
    map.once("locationerror", function () { hint.textContent = text.textLocateFailed; });
    map.locate({ setView: false, enableHighAccuracy: true, timeout: 10000 });
  });
  map.on("click", function (e) { if (picking) place(e.latlng); });
  CoMap.pickHandler = place;
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) close();
  });
})();
