/* The small map on a site's page: the site's marker on the configured tiles (or a plain
   background offline). Coordinates come converted from the map API. */
(function () {
  "use strict";
  var el = document.getElementById("site-minimap");
  if (!el || !window.L) return;
  fetch(el.dataset.siteUrl, { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (s) {
      if (s.lat == null) { el.hidden = true; return; }
      var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!s.tiles.url }).setView([s.lat, s.lng], 15);
      if (s.tiles.url) L.tileLayer(s.tiles.url, { attribution: s.tiles.attribution, maxZoom: 18 }).addTo(map);
      else el.classList.add("site-map", "no-tiles");
      var colors = { center: "#b3261e", institute: "#d9822b", station: "#1f5c99", point: "#1b6e3a" };
      L.circleMarker([s.lat, s.lng], { radius: 10, color: "#fff", weight: 2, fillColor: colors[s.level] || "#555", fillOpacity: 0.95 })
        .bindTooltip(s.name, { permanent: true, direction: "top", offset: [0, -8] }).addTo(map);
      el.dataset.ready = "1";
    })
    .catch(function () { el.hidden = true; });
})();
