/*
 * Reading time of a topic page, for the trust levels (« minutes de lecture »): while the page
 * is visible (Page Visibility API) and the member has moved, scrolled or typed in the last
 * three minutes, the seconds add up; every 30 seconds, and when the page is hidden, they are
 * posted (with the CSRF token) to the URL in data-reading-url. The server credits at most 60
 * seconds a call and never more than the time since the previous call. Only a total is kept:
 * neither the topic nor the time of day. Without JavaScript nothing is counted.
 */
(function () {
  "use strict";

  var SEND_EVERY_MS = 30000;
  var IDLE_AFTER_MS = 180000;
  var TICK_MS = 1000;

  var holder = document.querySelector("[data-reading-url]");
  if (!holder) {
    return;
  }
  var url = holder.getAttribute("data-reading-url");
  var token = holder.getAttribute("data-csrf");
  var seconds = 0;
  var lastInput = Date.now();

  function payload() {
    var data = new FormData();
    data.append("seconds", String(Math.min(seconds, 60)));
    data.append("csrfmiddlewaretoken", token);
    seconds = 0;
    return data;
  }

  function send(leaving) {
    if (seconds < 1) {
      return;
    }
    var data = payload();
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(url, data);
      return;
    }
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    }).catch(function () {
      /* Lost reading time is not worth bothering the reader about. */
    });
  }

  ["scroll", "keydown", "mousemove", "touchstart"].forEach(function (name) {
    window.addEventListener(
      name,
      function () {
        lastInput = Date.now();
      },
      { passive: true }
    );
  });

  window.setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastInput < IDLE_AFTER_MS) {
      seconds += TICK_MS / 1000;
    }
  }, TICK_MS);
  window.setInterval(function () {
    send(false);
  }, SEND_EVERY_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      send(true);
    }
  });
  window.addEventListener("pagehide", function () {
    send(true);
  });
})();
