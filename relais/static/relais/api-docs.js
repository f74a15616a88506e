/* Swagger UI at /api/docs: an operation's summary is a button, and Swagger UI puts a link (the
   deep link of the path) inside it — a control nested in a control, which screen readers do not
   announce and keyboards reach twice. The link loses its href (the button already opens the
   operation and updates the address). Re-applied whenever Swagger UI re-renders. */
(function () {
  "use strict";
  function fix() {
    var links = document.querySelectorAll(".opblock-summary-control a[href]");
    for (var i = 0; i < links.length; i += 1) { links[i].removeAttribute("href"); }
  }
  var root = document.getElementById("swagger-ui") || document.body;
  new MutationObserver(fix).observe(root, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["href"]
  });
  fix();
}());
