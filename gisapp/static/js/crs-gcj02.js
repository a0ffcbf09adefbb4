/*
 * L.CRS.GCJ02: Web Mercator for maps whose tiles are drawn in GCJ-02 (Gaode/Amap).
 *
 * The projection shifts WGS 84 to GCJ-02 before the spherical Mercator projection and shifts
 * back after unprojecting, so everything the map is given or gives back (layers, bounds sent to
 * the API, the latlng of a click that places a report) stays in WGS 84 while it is drawn where
 * the GCJ-02 tiles show that place. Same formula and constants as gisapp/geo/gcj02.py, tested
 * against the same published reference points (tests/browser/test_gaode_basemap.py).
 * Loaded by gisapp/maps/basemaps.py before the map is created, only when GISAPP_BASEMAP=gaode.
 */
(function () {
  "use strict";

  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function inChina(lng, lat) {
    return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }

  // [dlng, dlat] in degrees that GCJ-02 adds to a WGS 84 position.
  function offset(lng, lat) {
    var x = lng - 105.0;
    var y = lat - 35.0;
    var xpi = x * Math.PI;
    var ypi = y * Math.PI;
    var common = 20.0 * Math.sin(6.0 * xpi) + 20.0 * Math.sin(2.0 * xpi);
    var dlat = common + 20.0 * Math.sin(ypi) + 40.0 * Math.sin(ypi / 3.0);
    var dlng = common + 20.0 * Math.sin(xpi) + 40.0 * Math.sin(xpi / 3.0);
    dlat += 160.0 * Math.sin(ypi / 12.0) + 320.0 * Math.sin(ypi / 30.0);
    dlng += 150.0 * Math.sin(xpi / 12.0) + 300.0 * Math.sin(xpi / 30.0);
    dlat = dlat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y;
    dlng = dlng * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y;
    dlat += 0.2 * Math.sqrt(Math.abs(x));
    dlng += 0.1 * Math.sqrt(Math.abs(x));
    var rad = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sqrtMagic = Math.sqrt(magic);
    dlat = dlat * 180.0 / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dlng = dlng * 180.0 / (A / sqrtMagic * Math.cos(rad) * Math.PI);
    return [dlng, dlat];
  }

  function wgsToGcj(lng, lat) {
    if (!inChina(lng, lat)) return [lng, lat];
    var d = offset(lng, lat);
    return [lng + d[0], lat + d[1]];
  }

  // Fixed-point iteration to < 1e-9 degrees (three or four steps).
  function gcjToWgs(lng, lat) {
    if (!inChina(lng, lat)) return [lng, lat];
    var wlng = lng;
    var wlat = lat;
    for (var i = 0; i < 20; i++) {
      var d = offset(wlng, wlat);
      var elng = wlng + d[0] - lng;
      var elat = wlat + d[1] - lat;
      wlng -= elng;
      wlat -= elat;
      if (Math.abs(elng) < 1e-9 && Math.abs(elat) < 1e-9) break;
    }
    return [wlng, wlat];
  }

  var mercator = L.Projection.SphericalMercator;
  var projection = L.extend({}, mercator, {
    project: function (latlng) {
      var g = wgsToGcj(latlng.lng, latlng.lat);
      return mercator.project(L.latLng(g[1], g[0]));
    },
    unproject: function (point) {
      var ll = mercator.unproject(point);
      var w = gcjToWgs(ll.lng, ll.lat);
      return L.latLng(w[1], w[0]);
    }
  });

  L.CRS.GCJ02 = L.extend({}, L.CRS.EPSG3857, { code: "GCJ02", projection: projection });
  window.CoMapGCJ02 = { wgsToGcj: wgsToGcj, gcjToWgs: gcjToWgs };
})();
