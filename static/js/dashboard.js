// 数据看板: a line per dated figure and day, and a bar per child org (a click opens that org's
// dashboard). Data comes from the page's #dashboard-chart-data JSON (json_script).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dashboard-chart-data");
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var trendNode = document.getElementById("dashboard-trend");
    if (trendNode && data.trend.length) {
      var trend = echarts.getInstanceByDom(trendNode) || echarts.init(trendNode);
      trend.setOption({
        tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
        grid: { left: 40, right: 16, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.map(function (s) {
          return { name: s.name, type: "line", smooth: true, data: s.data };
        })
      });
    }
    var barNode = document.getElementById("dashboard-bars");
    if (barNode && data.bars.length && data.orgs.length) {
      var bars = echarts.getInstanceByDom(barNode) || echarts.init(barNode);
      bars.setOption({
        tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.orgs, inverse: true },
        series: data.bars.map(function (s) {
          return { name: s.name, type: "bar", data: s.data };
        })
      });
      bars.on("click", function (p) {
        if (data.org_urls[p.dataIndex]) window.location.href = data.org_urls[p.dataIndex];
      });
    }
    window.addEventListener("resize", function () {
      document.querySelectorAll(".dashboard-chart").forEach(function (el) {
        var chart = echarts.getInstanceByDom(el);
        if (chart) chart.resize();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
