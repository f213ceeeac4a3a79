// Draws the dashboard's charts: each option was built on the server (dashboards/charts.py).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dash-charts");
  if (!source || !window.echarts) return;
  var drawn = [];
  JSON.parse(source.textContent).forEach(function (c) {
    var el = document.querySelector('[data-chart="' + c.key + '"]');
    if (!el) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(c.option);
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
});
