/* The dashboard's charts (ECharts), drawn from the rollup figures the page embeds. */
(function () {
  "use strict";
  var dataEl = document.getElementById("dash-data");
  var labelsEl = document.getElementById("dash-labels");
  if (!dataEl || !labelsEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var L = JSON.parse(labelsEl.textContent);
  var f = data.figures || {};
  var m = data.months || { labels: [] };
  var months = (m.labels || []).map(function (s) { return s.slice(2).replace("-", "/"); });
  var charts = [];
  var dash = document.getElementById("dash");
  var wall = false;

  function palette() {
    return wall ? { text: "#c9d6e3", axis: "#3a5573", accent: "#ffd36b" } : { text: "#444", axis: "#ccc", accent: "#b3261e" };
  }
  var COLORS = ["#b3261e", "#1f5c99", "#8a6100", "#1b6e3a", "#6a3d9a", "#d9822b", "#2a9d8f", "#7f8c8d", "#c0392b"];

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var p = palette();
    option.color = COLORS;
    option.textStyle = { color: p.text };
    option.tooltip = option.tooltip || { trigger: "axis" };
    option.grid = option.grid || { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
    chart.setOption(option);
    charts.push({ chart: chart, id: id, option: option });
    return chart;
  }
  function axis(extra) {
    var p = palette();
    return Object.assign({ axisLine: { lineStyle: { color: p.axis } }, axisLabel: { color: p.text }, splitLine: { lineStyle: { color: p.axis, opacity: 0.4 } } }, extra || {});
  }
  function series(key) { return (m[key] || []).slice(); }

  function draw() {
    charts.forEach(function (c) { c.chart.dispose(); });
    charts = [];
    make("chart-sites", {
      tooltip: { trigger: "item" },
      xAxis: axis({ type: "category", data: L.sites.concat([L.complex]), axisLabel: { interval: 0, color: palette().text } }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [{
        type: "bar", barMaxWidth: 48, label: { show: true, position: "top" },
        data: L.site_keys.map(function (k) { return f[k] || 0; }).concat([f.sites_complex || 0]),
        itemStyle: { color: function (p) { return COLORS[p.dataIndex % COLORS.length]; } }
      }]
    });
    make("chart-activities", {
      legend: { top: 0, textStyle: { color: palette().text } },
      xAxis: axis({ type: "category", data: months }),
      yAxis: [axis({ type: "value", minInterval: 1 }), axis({ type: "value", minInterval: 1, splitLine: { show: false } })],
      series: [
        { name: L.activities, type: "bar", data: series("activities"), barMaxWidth: 28 },
        { name: L.audience_offline, type: "line", yAxisIndex: 1, smooth: true, data: series("audience_offline") },
        { name: L.audience_online, type: "line", yAxisIndex: 1, smooth: true, data: series("audience_online") }
      ]
    });
    make("chart-hours", {
      legend: { top: 0, textStyle: { color: palette().text } },
      xAxis: axis({ type: "category", data: months }),
      yAxis: [axis({ type: "value" }), axis({ type: "value", minInterval: 1, splitLine: { show: false } })],
      series: [
        { name: L.service_hours, type: "line", areaStyle: { opacity: 0.15 }, smooth: true, data: series("service_hours") },
        { name: L.service_records, type: "bar", yAxisIndex: 1, barMaxWidth: 20, data: series("service_records") },
        { name: L.volunteers_joined, type: "line", yAxisIndex: 1, smooth: true, data: series("volunteers_joined") }
      ]
    });
    var states = Object.keys(L.order_states);
    make("chart-orders", {
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: axis({ type: "value", minInterval: 1 }),
      yAxis: axis({ type: "category", inverse: true, data: states.map(function (s) { return L.order_states[s]; }) }),
      series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right" }, data: states.map(function (s) { return f["orders_" + s] || 0; }) }]
    });
    make("chart-orders-monthly", {
      legend: { top: 0, textStyle: { color: palette().text } },
      xAxis: axis({ type: "category", data: months }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [
        { name: L.orders_created, type: "bar", barMaxWidth: 24, data: series("orders_created") },
        { name: L.orders_finished, type: "line", smooth: true, data: series("orders_finished") }
      ]
    });
    make("chart-ontime", {
      tooltip: { trigger: "item", valueFormatter: function (v) { return v == null ? L.none : v + "%"; } },
      xAxis: axis({ type: "category", data: L.steps, axisLabel: { interval: 0, color: palette().text } }),
      yAxis: axis({ type: "value", max: 100, axisLabel: { formatter: "{value}%", color: palette().text } }),
      series: [{
        name: L.ontime, type: "bar", barMaxWidth: 40, label: { show: true, position: "top", formatter: function (p) { return p.value == null ? "—" : p.value + "%"; } },
        data: L.step_keys.map(function (s) { var v = f["ontime_" + s]; return v == null ? null : Math.round(v * 1000) / 10; })
      }]
    });
    var rankKey = (new URLSearchParams(location.search)).get("rank") || "hours";
    if (!(rankKey in L.rankings)) rankKey = "hours";
    var kids = (data.children || []).slice(0, 30);
    var c = make("chart-children", {
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: axis({ type: "value" }),
      yAxis: axis({ type: "category", inverse: true, data: kids.map(function (k) { return k.name; }) }),
      series: [{
        name: L.rankings[rankKey], type: "bar", barMaxWidth: 22, cursor: "pointer",
        label: { show: true, position: "right" },
        data: kids.map(function (k) {
          var v = k[rankKey];
          if (v == null) return null;
          if (rankKey === "coverage") return Math.round(v * 1000) / 10;
          return Math.round(v * 100) / 100;
        })
      }]
    });
    if (c) {
      // Drill down: a bar opens that region's dashboard.
      c.on("click", function (p) { var k = kids[p.dataIndex]; if (k) location.href = k.url + (rankKey !== "hours" ? "?rank=" + rankKey : ""); });
    }
  }

  draw();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.chart.resize(); }); }, 120);
  });
  var btn = document.querySelector("[data-fullscreen]");
  if (btn) {
    btn.addEventListener("click", function () {
      wall = !dash.classList.contains("dash-wall");
      dash.classList.toggle("dash-wall", wall);
      if (wall && dash.requestFullscreen) { dash.requestFullscreen().catch(function () {}); }
      else if (!wall && document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
      draw();
    });
    document.addEventListener("fullscreenchange", function () {
      if (!document.fullscreenElement && dash.classList.contains("dash-wall")) {
        dash.classList.remove("dash-wall"); wall = false; draw();
      }
    });
  }
})();
