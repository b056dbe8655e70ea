// Draw one ECharts chart per question of the results page (data from #survey-charts).
(function () {
  var el = document.getElementById("survey-charts");
  if (!el || !window.echarts) return;
  var charts = JSON.parse(el.textContent);
  var drawn = [];
  charts.forEach(function (c) {
    var box = document.getElementById(c.id);
    if (!box) return;
    var chart = echarts.init(box, null, { renderer: "svg" });
    var option;
    if (c.type === "pie") {
      option = {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"],
          data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; }) }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: c.labels.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: c.values.slice().reverse(), itemStyle: { color: "#c0392b" } }]
      };
    }
    chart.setOption(option);
    box.setAttribute("data-drawn", "1");
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
