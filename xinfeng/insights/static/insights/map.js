/* 阵地地图: practice sites on Leaflet, coloured by level, with popups; the region sketch
   and the 15-minute-circle gaps from the rollup. Works with no tiles (offline). */
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  var cfgEl = document.getElementById("map-config");
  if (!el || !cfgEl || !window.L) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.labels;
  var status = document.getElementById("map-status");
  var COLORS = { center: "#b3261e", institute: "#d9822b", station: "#1f5c99", point: "#1b6e3a" };
  var RADIUS = { center: 11, institute: 8, station: 6, point: 4.5 };
  var ORDER = ["point", "station", "institute", "center"];

  function fmt(tpl, vals) { return tpl.replace(/%\((\w+)\)s/g, function (_, k) { return vals[k] == null ? "" : String(vals[k]); }); }
  function node(tag, text, cls) { var n = document.createElement(tag); if (text != null) n.textContent = text; if (cls) n.className = cls; return n; }

  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, attributionControl: !!cfg.tiles.url });
  if (cfg.tiles.url) {
    L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution, maxZoom: 18 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  map.setView([29.25, 115.8], 11);
  var renderer = L.canvas({ padding: 0.5 });
  var levelLayers = {};
  ORDER.forEach(function (lv) { levelLayers[lv] = L.layerGroup(); });
  var sketch = L.layerGroup().addTo(map);
  var gaps = L.layerGroup().addTo(map);
  var suggest = L.layerGroup().addTo(map);
  var markers = {};
  window.xinfengMap = { map: map, markers: markers, gaps: gaps, suggest: suggest };

  function popupFor(siteId, marker) {
    marker.setPopupContent(node("p", T.loading));
    fetch(cfg.site_url + siteId, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        var box = node("div", null, "map-popup");
        box.appendChild(node("h3", s.name));
        box.appendChild(node("p", s.level_label + (s.is_complex ? " · " + T.complex : "")));
        if (s.opening_hours) box.appendChild(node("p", T.hours + "：" + s.opening_hours));
        if (s.address) box.appendChild(node("p", T.address + "：" + s.address));
        box.appendChild(node("p", T.next + "：", "muted"));
        if (s.next_activities.length) {
          var ul = node("ul");
          s.next_activities.forEach(function (a) {
            var li = node("li");
            var when = new Date(a.starts_at).toLocaleString(document.documentElement.lang || "zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
            if (a.url) { var link = node("a", a.title); link.href = a.url; li.appendChild(link); } else { li.appendChild(node("span", a.title)); }
            li.appendChild(node("span", " · " + when, "muted"));
            ul.appendChild(li);
          });
          box.appendChild(ul);
        } else {
          box.appendChild(node("p", T.none, "muted"));
        }
        var open = node("a", T.open); open.href = s.url; box.appendChild(open);
        marker.setPopupContent(box);
      })
      .catch(function () { marker.setPopupContent(node("p", T.failed)); });
  }

  function loadSites() {
    return fetch(cfg.sites_url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }).then(function (fc) {
      var bounds = [];
      fc.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        var m = L.circleMarker([c[1], c[0]], {
          renderer: renderer, radius: RADIUS[p.l] || 5, color: "#fff", weight: 1.5,
          fillColor: COLORS[p.l] || "#555", fillOpacity: 0.92
        });
        m.bindPopup("", { maxWidth: 280 });
        m.bindTooltip(p.n, { direction: "top" });
        m.on("popupopen", function () { popupFor(p.i, m); });
        (levelLayers[p.l] || levelLayers.point).addLayer(m);
        markers[p.i] = m;
        bounds.push([c[1], c[0]]);
      });
      ORDER.forEach(function (lv) { levelLayers[lv].addTo(map); });
      el.dataset.markers = String(fc.features.length);
      status.textContent = fmt(T.sites, { n: fc.features.length });
      return bounds;
    });
  }

  function loadRegions() {
    return fetch(cfg.regions_url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }).then(function (d) {
      L.geoJSON(d.outlines, {
        style: function (f) {
          // The region's own outline (it holds the sites of no child, e.g. 市直) lies beneath.
          if (f.properties.own) return { color: "#9aa7b3", weight: 1, fillColor: "#eef2f5", fillOpacity: cfg.tiles.url ? 0 : 0.5 };
          return { color: "#7a8a99", weight: 1.5, dashArray: "4 4", fillColor: "#dfe6ec", fillOpacity: cfg.tiles.url ? 0.05 : 0.35 };
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.n, { sticky: true }); }
      }).addTo(sketch);
      (d.villages || []).forEach(function (v) {
        L.circleMarker([v[2], v[3]], { renderer: renderer, radius: 2.5, stroke: false, fillColor: "#6b7b8a", fillOpacity: 0.7, interactive: false }).addTo(sketch);
      });
      (d.uncovered || []).forEach(function (g) {
        L.circle([g.lat, g.lng], { radius: cfg.radius_m, color: "#c0392b", weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.08 })
          .bindPopup(fmt(T.gap, { name: g.name, n: Math.round(g.uncovered).toLocaleString(), p: g.share == null ? "—" : (g.share * 100).toFixed(1) + "%" }))
          .addTo(gaps);
      });
      el.dataset.gaps = String((d.uncovered || []).length);
      (d.suggestions || []).forEach(function (s) {
        L.circleMarker([s.lat, s.lng], { radius: 9, color: "#7a5a00", weight: 2, fillColor: "#f2b600", fillOpacity: 0.95 })
          .bindPopup(fmt(T.suggest, { region: s.region, n: Math.round(s.gain).toLocaleString() }))
          .addTo(suggest);
      });
      el.dataset.suggestions = String((d.suggestions || []).length);
      var pts = [];
      (d.villages || []).forEach(function (v) { pts.push([v[2], v[3]]); });
      if (d.center) pts.push(d.center);
      return pts;
    });
  }

  Promise.all([loadSites(), loadRegions().catch(function () { return []; })]).then(function (res) {
    var pts = (cfg.regions_url.indexOf("region_id=") >= 0 && res[1].length) ? res[1] : res[0].concat(res[1]);
    if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.05));
    el.dataset.ready = "1";
  }).catch(function () { status.textContent = T.failed; el.dataset.ready = "error"; });

  // 离我最近: the device position (or the home village), the nearest open sites listed with
  // distance and walking time, and the map framed on them.
  var nearLayer = L.layerGroup().addTo(map);
  window.xinfengMap.near = nearLayer;
  var nearBtn = document.getElementById("map-near");
  var nearStatus = document.getElementById("map-near-status");
  function showNearest(d) {
    nearLayer.clearLayers();
    var panel = document.getElementById("near-panel");
    var list = document.getElementById("near-list");
    list.textContent = "";
    if (!d.origin) { nearStatus.textContent = T.unknown; panel.hidden = true; el.dataset.near = "0"; return; }
    nearStatus.textContent = "";
    document.getElementById("near-origin").textContent = d.origin.describe;
    var here = [d.origin.lat, d.origin.lng];
    L.circleMarker(here, { radius: 8, color: "#fff", weight: 2, fillColor: "#1a73e8", fillOpacity: 1 })
      .bindTooltip(d.origin.source === "home" ? T.home + "：" + d.origin.label : T.you, { permanent: true, direction: "right" })
      .addTo(nearLayer);
    var pts = [here];
    d.items.forEach(function (s, i) {
      var li = node("li", null, "list-item");
      li.dataset.site = String(s.id);
      var a = node("a", null, "list-link"); a.href = s.url;
      a.appendChild(node("span", (i + 1) + ". " + s.name, "list-title"));
      a.appendChild(node("span", s.distance + " · " + fmt(T.walk, { m: s.walk_minutes }) + " · " + s.level_label, "list-meta"));
      li.appendChild(a);
      list.appendChild(li);
      L.polyline([here, [s.lat, s.lng]], { color: "#1a73e8", weight: 1.5, dashArray: "3 5", interactive: false }).addTo(nearLayer);
      pts.push([s.lat, s.lng]);
    });
    panel.hidden = false;
    el.dataset.near = String(d.items.length);
    map.fitBounds(L.latLngBounds(pts).pad(0.2), { maxZoom: 16 });
  }
  if (nearBtn && window.xinfengLocate) {
    nearBtn.addEventListener("click", function () {
      nearStatus.textContent = T.locating;
      window.xinfengLocate(function (lat, lng) {
        var url = cfg.nearest_url;
        if (lat !== null) url += "?lat=" + lat + "&lng=" + lng; else nearStatus.textContent = T.refused;
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(showNearest)
          .catch(function () { nearStatus.textContent = T.failed; });
      });
    });
  }

  // Extra point layers offered by higher apps through the "insights.map.layers" slot: a
  // checkbox with data-layer-url (GeoJSON points with properties n = name, t = note,
  // u = link) and data-layer-key; each marker is a DOM icon "map-extra map-extra-<key>".
  var extra = window.xinfengMap.extra = {};
  document.querySelectorAll("[data-layer-url]").forEach(function (box) {
    var key = box.dataset.layerKey || "extra";
    var layer = extra[key] = L.layerGroup();
    if (box.checked) layer.addTo(map);
    fetch(box.dataset.layerUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (fc) {
        fc.features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties || {};
          var icon = L.divIcon({ className: "map-extra map-extra-" + key, iconSize: [18, 18], html: "" });
          var m = L.marker([c[1], c[0]], { icon: icon, title: p.n || "", keyboard: false }).addTo(layer);
          var body = node("div");
          var a = node("a", p.n || ""); if (p.u) a.href = p.u; body.appendChild(a);
          if (p.t) body.appendChild(node("p", p.t));
          m.bindPopup(body);
        });
        box.dataset.count = String(fc.features.length);
      })
      .catch(function () { box.dataset.count = "error"; });
    box.addEventListener("change", function () {
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });
  document.querySelectorAll("[data-level]").forEach(function (box) {
    box.addEventListener("change", function () {
      var layer = levelLayers[box.dataset.level];
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });
  document.querySelectorAll("[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var layer = box.dataset.layer === "gaps" ? gaps : suggest;
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });
})();
