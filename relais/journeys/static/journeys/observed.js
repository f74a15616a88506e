/* Observed journeys: the process graph, the channel Sankey, the duration histogram and the
   failure-demand bars, drawn with the vendored ECharts from the JSON the page embeds. Every
   chart has a table beside it with the same values (the charts are pictures for sighted
   readers; the tables are the accessible version). */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, option) {
    var container = document.getElementById(id);
    if (!container || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(container, null, { locale: "FR" });
    chart.setOption(Object.assign({ animation: false, aria: { enabled: true } }, option));
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return "—";
    }
    var value = Math.abs(seconds);
    var sign = seconds < 0 ? "-" : "";
    if (value < 3600) {
      return sign + Math.round(value / 60) + " min";
    }
    if (value < 86400) {
      return sign + (value / 3600).toFixed(1).replace(".", ",") + " h";
    }
    return sign + (value / 86400).toFixed(1).replace(".", ",") + " j";
  }

  var graph = data("data-graph");
  if (graph) {
    var edges = graph.edges.slice(0, graph.drawn);
    // Labels on the most frequent edges only: beyond, they cover each other (the table has all).
    var labelled = edges.length > 15 ? edges[14].count : 0;
    var maxEdge = Math.max.apply(null, edges.map(function (e) { return e.count; }).concat([1]));
    var maxNode = Math.max.apply(null, graph.nodes.map(function (n) { return n.count; }).concat([1]));
    draw("chart-graph", {
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") {
            return p.data.source + " → " + p.data.target + "<br>" + p.data.count +
              " — " + duration(p.data.mean);
          }
          return p.data.name + " : " + p.data.value;
        },
      },
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        label: { show: true, position: "bottom", fontSize: 11, width: 180, overflow: "break" },
        edgeLabel: {
          show: true,
          fontSize: 10,
          formatter: function (p) { return p.data.count + " · " + duration(p.data.mean); },
        },
        data: graph.nodes.map(function (n) {
          return { name: n.name, x: n.x, y: n.y, value: n.count, symbolSize: 14 + 30 * n.count / maxNode };
        }),
        links: edges.map(function (e) {
          return {
            source: e.source, target: e.target, count: e.count, mean: e.mean,
            lineStyle: { width: 1 + 7 * e.count / maxEdge, curveness: 0.15, opacity: 0.6 },
            label: { show: e.count >= labelled },
          };
        }),
      }],
    });
  }

  var sankey = data("data-sankey");
  if (sankey) {
    draw("chart-sankey", {
      tooltip: { trigger: "item" },
      series: [{
        type: "sankey",
        nodeGap: 10,
        emphasis: { focus: "adjacency" },
        data: sankey.nodes.map(function (name) { return { name: name }; }),
        links: sankey.links,
        lineStyle: { color: "gradient", opacity: 0.4 },
      }],
    });
  }

  var durations = data("data-durations");
  if (durations) {
    draw("chart-durations", {
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category",
        name: "jours",
        data: durations.bins.map(function (b) { return b.high ? b.low + "–" + b.high : b.low + "+"; }),
      },
      yAxis: { type: "value", name: "dossiers" },
      series: [{ type: "bar", data: durations.bins.map(function (b) { return b.cases; }) }],
    });
  }

  var failure = data("data-failure");
  if (failure && failure.length) {
    draw("chart-failure", {
      tooltip: { trigger: "axis" },
      legend: { data: ["Valeur", "Échec"] },
      xAxis: { type: "category", data: failure.map(function (r) { return r.channel; }) },
      yAxis: { type: "value", name: "contacts" },
      series: [
        { name: "Valeur", type: "bar", stack: "d", data: failure.map(function (r) { return r.value; }) },
        { name: "Échec", type: "bar", stack: "d", data: failure.map(function (r) { return r.failure; }) },
      ],
    });
  }
})();
