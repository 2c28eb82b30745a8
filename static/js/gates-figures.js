// 门岗统计: a heat map of entries per gate and hour (a click opens those entries) and a
// line per campus and day. Data comes from the page's #gate-chart-data JSON.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("gate-chart-data");
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var red = "#c8161d";
    var heat = echarts.init(document.getElementById("chart-heat"));
    heat.setOption({
      tooltip: {
        formatter: function (p) {
          return data.gates[p.value[1]] + " " + data.hours[p.value[0]] + " 时：" + p.value[2] + " 人次";
        }
      },
      grid: { left: 8, right: 16, top: 8, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.hours, splitArea: { show: true } },
      yAxis: { type: "category", data: data.gates, splitArea: { show: true } },
      visualMap: {
        min: 0, max: Math.max(1, data.max), calculable: true, orient: "horizontal", left: "center",
        bottom: 0, inRange: { color: ["#fff5f5", red] }
      },
      series: [{ name: "人次", type: "heatmap", data: data.cells, label: { show: true } }]
    });
    heat.on("click", function (p) {
      var q = "?day=" + data.day + "&gate=" + data.gate_ids[p.value[1]] + "&hour=" + Number(data.hours[p.value[0]]);
      window.location.href = data.entries_url + q;
    });
    var campus = echarts.init(document.getElementById("chart-campus"));
    var series = [];
    data.campus_days.series.forEach(function (s) {
      series.push({ name: s.name, type: "line", smooth: true, data: s.data });
      series.push({ name: s.name + "·发热", type: "bar", data: s.fever, itemStyle: { color: red } });
    });
    campus.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.campus_days.days },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    window.addEventListener("resize", function () { heat.resize(); campus.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
