/* A pin for the order form's place on the configured tiles. Tapping the map or "use my
   location" moves the pin; the form stores WGS-84, so on GCJ-02 tiles (MAP_TILE_CRS) the
   pin's position is converted back with the same published transform as insights/geo.py. */
(function () {
  "use strict";
  var el = document.getElementById("order-pin-map");
  var box = document.getElementById("order-location");
  if (!el || !box || !window.L || !el.dataset.tilesUrl) return;
  var gcj = el.dataset.crs === "gcj02";
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function outOfChina(lat, lng) { return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function dLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  }
  function dLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  }
  function toGcj(lat, lng) {
    if (!gcj || outOfChina(lat, lng)) return [lat, lng];
    var a = dLat(lng - 105, lat - 35), b = dLng(lng - 105, lat - 35);
    var rad = lat / 180 * PI, m = 1 - EE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(m);
    return [lat + (a * 180) / ((A * (1 - EE)) / (m * sm) * PI), lng + (b * 180) / (A / sm * Math.cos(rad) * PI)];
  }
  function toWgs(lat, lng) {
    var w = [lat, lng];
    for (var i = 0; i < 30 && gcj; i++) {
      var g = toGcj(w[0], w[1]), a = g[0] - lat, b = g[1] - lng;
      w = [w[0] - a, w[1] - b];
      if (Math.abs(a) < 1e-7 && Math.abs(b) < 1e-7) break;
    }
    return w;
  }
  var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude");
  var map = L.map(el, { scrollWheelZoom: false }).setView([29.25, 115.8], 12);
  L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  var pin = null;
  function show(wlat, wlng, zoom) {
    var p = toGcj(wlat, wlng);
    if (pin) pin.setLatLng(p); else pin = L.marker(p).addTo(map);
    map.setView(p, zoom || Math.max(map.getZoom(), 16));
  }
  if (lat.value && lng.value) show(parseFloat(lat.value), parseFloat(lng.value));
  map.on("click", function (ev) {
    var w = toWgs(ev.latlng.lat, ev.latlng.lng);
    show(w[0], w[1], map.getZoom());
    box.dispatchEvent(new CustomEvent("xf:pinned", { detail: { lat: w[0], lng: w[1] } }));
  });
  box.addEventListener("xf:located", function (ev) { show(ev.detail.lat, ev.detail.lng); });
  box.addEventListener("xf:cleared", function () { if (pin) { map.removeLayer(pin); pin = null; } });
  el.dataset.ready = "1";
})();
