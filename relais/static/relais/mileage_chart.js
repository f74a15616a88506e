/*
 * Mileage charts of the after-sales tab: one Apache ECharts line chart per vehicle.
 *
 * Each chart container carries `data-mileage-chart` and `data-chart-source`, the id of the
 * <script type="application/json"> block (Django's json_script) holding [{date, km}, …].
 * The container is role="img" with an aria-label summarising the curve, and the page shows
 * the same readings in a table: the chart is an extra, never the only way to read the data.
 */
(function () {
  "use strict";

  var kilometres = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  var day = new Intl.DateTimeFormat("fr-FR", { day: "2-digit", month: "2-digit", year: "numeric" });

  function formatKm(value) {
    return kilometres.format(value) + " km";
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.chartSource);
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var points = JSON.parse(source.textContent);
    var chart = window.echarts.init(container, null, { locale: "FR" });
    chart.setOption({
      animation: false,
      grid: { left: 80, right: 24, top: 24, bottom: 48 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var point = items[0];
          return day.format(new Date(point.value[0])) + "<br>" + formatKm(point.value[1]);
        },
      },
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "value",
        scale: true,
        axisLabel: { formatter: formatKm },
      },
      series: [
        {
          name: container.dataset.seriesName || "",
          type: "line",
          // Points and a solid line: the curve reads without relying on colour.
          symbol: "circle",
          symbolSize: 8,
          lineStyle: { width: 2 },
          data: points.map(function (point) {
            return [point.date, point.km];
          }),
        },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.querySelectorAll("[data-mileage-chart]").forEach(draw);
})();
