/* Relais — widget of the community: the latest questions of a category and an « ask » box.
 * <div id="relais-communaute"></div>
 * <script src="…/widget.js" data-cible="relais-communaute" async></script>
 * The questions are read from the community's site (CORS: only the sites it allows). */
(function () {
  "use strict";
  var script = document.currentScript;
  var dataUrl = {{ data_url|safe }};
  var labels = {{ labels|safe }};
  var targetId = (script && script.getAttribute("data-cible")) || "relais-communaute";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function render(target, data) {
    var box = el("section", { "class": "relais-widget", "aria-labelledby": targetId + "-titre" });
    box.appendChild(el("h2", { id: targetId + "-titre" }, labels.heading + " — " + data.category));
    if (data.topics.length) {
      var list = el("ul");
      data.topics.forEach(function (topic) {
        var item = el("li");
        var link = el("a", { href: topic.url, target: "_blank", rel: "noopener" }, topic.title);
        link.appendChild(el("span", { style: "position:absolute;left:-9999px" }, " " + labels.new_window));
        item.appendChild(link);
        item.appendChild(document.createTextNode(
          " — " + topic.answers + " " + labels.answers + (topic.solved ? ", " + labels.solved : "")
        ));
        list.appendChild(item);
      });
      box.appendChild(list);
    } else {
      box.appendChild(el("p", {}, labels.none));
    }
    var form = el("form", { method: "get", action: data.ask_url, target: "_blank" });
    var inputId = targetId + "-question";
    form.appendChild(el("label", { "for": inputId }, labels.ask_label));
    form.appendChild(el("input", { type: "text", id: inputId, name: "q", maxlength: "200" }));
    form.appendChild(el("button", { type: "submit" }, labels.ask));
    box.appendChild(form);
    var more = el("p");
    more.appendChild(el("a", { href: data.more_url, target: "_blank", rel: "noopener" }, labels.more));
    box.appendChild(more);
    target.replaceChildren(box);
  }

  function start() {
    var target = document.getElementById(targetId);
    if (!target) { return; }
    fetch(dataUrl, { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) { render(target, data); })
      .catch(function () { target.textContent = labels.error; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
