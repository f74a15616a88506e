/*
 * The community's indicators: a line chart of the activity by day and two bar charts (top
 * contributors, flags by reason), drawn from the json_script block "community-kpi-data".
 * ECharts' aria module writes a description and decal patterns; each chart is followed by a
 * table holding the same figures, so colour is never the only cue.
 */
(function () {
  "use strict";

  var source = document.getElementById("community-kpi-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var number = new Intl.NumberFormat("fr-FR");
  var base = {
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return number.format(v); } },
    grid: { left: 48, right: 16, top: 40, bottom: 32, containLabel: true },
  };

  function draw(name, option) {
    var container = document.querySelector('[data-community-chart="' + name + '"]');
    if (!container) {
      return;
    }
    var chart = window.echarts.init(container, null, { locale: "FR" });
    chart.setOption(Object.assign({}, base, option));
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  var symbols = ["circle", "rect", "triangle", "diamond"];
  draw("activity", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return number.format(v); } } },
    series: data.series.map(function (serie, index) {
      return { name: serie.name, type: "line", data: serie.data, symbol: symbols[index % 4], symbolSize: 7 };
    }),
  });

  function bars(name, rows) {
    draw(name, {
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [
        {
          type: "bar",
          data: rows.map(function (r) { return r.value; }),
          label: { show: true, position: "right", formatter: function (p) { return number.format(p.value); } },
        },
      ],
    });
  }
  bars("contributors", data.contributors);
  bars("flags", data.flags);
})();
