/*
 * The dashboard: GridStack for moving and resizing widgets with the mouse (layout saved as
 * JSON after each change), and one Apache ECharts chart per chart widget.
 *
 * The keyboard alternative needs no script: each widget has a form of "Déplacer…" buttons
 * that the server applies; after it the page comes back with ?focus=<widget>-<direction> and
 * the focus is put back on the same button, so a keyboard user can press it again.
 *
 * Each chart reads its figures from a <script type="application/json"> block (json_script)
 * named by data-chart-source; the same figures are in a table next to the chart. Charts are
 * readable without colour: decal patterns (ECharts' aria module), value labels, and distinct
 * symbols and line styles per series.
 */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  // Shares and rates as the tables print them: « 95,7 % » (comma, no-break space).
  var decimals = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
  function percent(value) { return decimals.format(value) + "\u00a0%"; }
  var SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin", "arrow"];
  var LINE_TYPES = ["solid", "dashed", "dotted"];
  var charts = [];

  function format(value, unit) {
    if (value === null || value === undefined) {
      return "";
    }
    if (unit === "€") {
      return euros.format(value);
    }
    if (unit === "%") {
      return percent(value);
    }
    return numbers.format(value);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function baseOption(data) {
    return {
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "item", valueFormatter: function (v) { return format(v, data.unit); } },
      legend: data.series.length > 1 ? { type: "scroll", bottom: 0 } : { show: false },
    };
  }

  function pieOption(data) {
    var option = baseOption(data);
    var series = data.series[0] || { name: "", values: [] };
    option.legend = { show: false };
    option.series = [{
      name: series.name,
      type: "pie",
      radius: ["30%", "65%"],
      label: {
        show: true,
        formatter: function (p) { return p.name + " : " + format(p.value, data.unit) + " (" + percent(p.percent) + ")"; },
      },
      data: data.labels.map(function (label, i) { return { name: label, value: series.values[i] }; }),
    }];
    return option;
  }

  function axisOption(data, type) {
    var option = baseOption(data);
    var longest = data.labels.reduce(function (m, l) { return Math.max(m, l.length); }, 0);
    // Long category names (customers) read better on horizontal bars.
    var horizontal = type === "bar" && longest > 14;
    var categories = { type: "category", data: data.labels, axisLabel: { hideOverlap: true } };
    var values = { type: "value", minInterval: data.unit === "€" ? 0 : 1, axisLabel: { formatter: function (v) { return format(v, data.unit); } } };
    if (horizontal) {
      categories.inverse = true;
      categories.axisLabel.width = 140;
      categories.axisLabel.overflow = "truncate";
    }
    option.tooltip.trigger = "axis";
    option.xAxis = horizontal ? values : categories;
    option.yAxis = horizontal ? categories : values;
    option.grid = { left: horizontal ? 150 : 70, right: 24, top: 16, bottom: data.series.length > 1 ? 56 : 32, containLabel: false };
    option.series = data.series.map(function (series, i) {
      var item = {
        name: series.name,
        type: type,
        data: series.values,
        stack: data.stacked && type === "bar" ? "total" : undefined,
      };
      if (type === "line") {
        item.symbol = SYMBOLS[i % SYMBOLS.length];
        item.symbolSize = 8;
        item.lineStyle = { width: 2, type: LINE_TYPES[i % LINE_TYPES.length] };
      }
      // Value labels when they fit: one series, not too many bars.
      if (data.series.length === 1 && data.labels.length <= 12) {
        item.label = {
          show: true,
          position: horizontal ? "right" : "top",
          formatter: function (p) { return format(p.value, data.unit); },
        };
      }
      return item;
    });
    return option;
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.chartSource);
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var type = container.dataset.chartType;
    var chart = window.echarts.init(container, null, { locale: "FR" });
    chart.setOption(type === "pie" ? pieOption(data) : axisOption(data, type));
    charts.push(chart);
    if (typeof window.ResizeObserver !== "undefined") {
      new window.ResizeObserver(function () { chart.resize(); }).observe(container);
    }
  }

  function announce(text) {
    var status = document.getElementById("dashboard-status");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function saveLayout(grid, element) {
    if (grid.getColumn() !== 12) {
      return; // the one-column phone layout is a view of the saved layout, not a new one
    }
    var widgets = grid.getGridItems().map(function (item) {
      var node = item.gridstackNode;
      return { id: node.id, x: node.x, y: node.y, w: node.w, h: node.h };
    });
    window.fetch(element.dataset.layoutUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ widgets: widgets }),
    }).then(function (response) {
      return response.json().then(function (body) {
        announce(response.ok ? element.dataset.savedMessage : body.error || element.dataset.errorMessage);
      });
    }).catch(function () {
      announce(element.dataset.errorMessage);
    });
  }

  function startGrid(element) {
    if (typeof window.GridStack === "undefined") {
      return;
    }
    var grid = window.GridStack.init({
      column: 12,
      cellHeight: 80,
      margin: 6,
      float: true,
      handle: ".relais-widget-handle",
      minRow: 1,
      resizable: { handles: "se" },
      columnOpts: { breakpoints: [{ w: 768, c: 1 }] },
    }, element);
    grid.on("change", function () { saveLayout(grid, element); });
    grid.on("resizestop", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  function restoreFocus() {
    var source = document.getElementById("dashboard-focus");
    var focus = source ? JSON.parse(source.textContent) : "";
    if (!focus) {
      return;
    }
    var button = document.querySelector('[data-move="' + window.CSS.escape(focus) + '"]');
    if (button) {
      var details = button.closest("details");
      if (details) {
        details.open = true;
      }
      button.focus();
      button.scrollIntoView({ block: "center" });
    }
  }

  var grid = document.querySelector("[data-dashboard-grid]");
  if (grid) {
    startGrid(grid);
  }
  document.querySelectorAll("[data-widget-chart]").forEach(draw);
  // After the browser has scrolled to the #widget-… fragment, which would take the focus back.
  window.addEventListener("load", function () {
    window.setTimeout(restoreFocus, 0);
  });
})();
