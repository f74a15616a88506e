// Live unread count of the header's notification badge. Without this script (or without
// websockets) the badge shows the count of the page's load and links to the list.
(function () {
  "use strict";
  var link = document.querySelector("[data-notifications-socket]");
  if (!link || !("WebSocket" in window)) {
    return;
  }
  var badge = link.querySelector("[data-notifications-count]");
  var label = link.querySelector("[data-notifications-label]");
  var url = (window.location.protocol === "https:" ? "wss://" : "ws://") +
    window.location.host + link.getAttribute("data-notifications-socket");
  var delay = 1000;

  function show(count) {
    if (String(count) === badge.textContent.trim()) {
      return; // nothing new to announce
    }
    badge.textContent = String(count);
    badge.classList.toggle("d-none", count === 0);
    label.textContent = count === 0 ? link.dataset.labelNone :
      count === 1 ? link.dataset.labelOne : link.dataset.labelMany.replace("__N__", count);
  }

  function connect() {
    var socket = new WebSocket(url);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "unread" && typeof data.count === "number") {
        show(data.count);
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) {
        return; // signed out: nothing to follow
      }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
