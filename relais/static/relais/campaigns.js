/*
 * Campaigns: the funnel chart of the report, and the live length of an SMS template.
 *
 * The funnel container carries `data-campaign-funnel` and `data-chart-source`, the id of the
 * json_script block holding [{name, value}, …] from "sent" to "booked". ECharts' aria module
 * draws decal patterns and writes a description, every slice is labelled with its name and
 * count, and the page shows the same figures in a table: colour is never the only cue.
 */
(function () {
  "use strict";

  var number = new Intl.NumberFormat("fr-FR");
  // « 95,7 % », as the tables print it.
  var share = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  function drawFunnel(container) {
    var source = document.getElementById(container.dataset.chartSource);
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var steps = JSON.parse(source.textContent);
    var first = steps.length ? steps[0].value : 0;
    var chart = window.echarts.init(container, null, { locale: "FR" });
    chart.setOption({
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return item.name + " : " + number.format(item.value);
        },
      },
      series: [
        {
          type: "funnel",
          sort: "none",
          minSize: "8%",
          left: "5%",
          width: "90%",
          gap: 2,
          label: {
            show: true,
            position: "inside",
            color: "#000",
            backgroundColor: "rgba(255,255,255,0.85)",
            padding: [2, 4],
            formatter: function (item) {
              var part = first ? (100 * item.value) / first : 0;
              return item.name + " : " + number.format(item.value) + " (" + share.format(part) + "\u00a0%)";
            },
          },
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          data: steps.map(function (step) {
            // The funnel's width shows the count; a tiny floor keeps empty steps visible.
            return { name: step.name, value: step.value };
          }),
        },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  // GSM 03.38: outside it, an SMS is Unicode and holds 70 characters instead of 160.
  var GSM =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXTENDED = "^{}\\[~]|€\f";

  function smsLength(text) {
    var unicode = false;
    var count = 0;
    for (var i = 0; i < text.length; i += 1) {
      var ch = text.charAt(i);
      if (GSM.indexOf(ch) >= 0) {
        count += 1;
      } else if (GSM_EXTENDED.indexOf(ch) >= 0) {
        count += 2;
      } else {
        unicode = true;
      }
    }
    if (unicode) {
      count = text.length;
    }
    var single = unicode ? 70 : 160;
    var multi = unicode ? 67 : 153;
    var segments = count === 0 ? 0 : count <= single ? 1 : Math.ceil(count / multi);
    return { count: count, segments: segments, unicode: unicode };
  }

  function watchSms(output) {
    var field = document.getElementById(output.dataset.smsCounter);
    if (!field) {
      return;
    }
    var timer = null;
    function update() {
      var length = smsLength(field.value);
      output.textContent =
        "Modèle avant fusion : " +
        length.count +
        " caractère" +
        (length.count > 1 ? "s" : "") +
        ", " +
        length.segments +
        " SMS" +
        (length.unicode ? " (Unicode : 70 caractères par SMS)" : "") +
        ". L'aperçu donne la longueur exacte pour un destinataire.";
    }
    field.addEventListener("input", function () {
      // aria-live region: update after a pause in typing, not on every keystroke.
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 600);
    });
    update();
  }

  // While a campaign is sending, the job block polls its progress; once it stops polling
  // (the job is finished) the page reloads to show the simulated clock.
  function reloadWhenDone(wrapper) {
    // An outerHTML swap may fire on the detached element: listen on the body.
    document.body.addEventListener("htmx:afterSettle", function () {
      var job = wrapper.querySelector(".relais-job");
      if (job && !job.hasAttribute("hx-get")) {
        window.location.reload();
      }
    });
  }

  document.querySelectorAll("[data-campaign-funnel]").forEach(drawFunnel);
  document.querySelectorAll("[data-reload-when-done]").forEach(reloadWhenDone);
  document.querySelectorAll("[data-sms-counter]").forEach(watchSms);
})();
