/*
 * Autosave of the member's draft (new topic, reply): a form carrying data-draft-url posts
 * its title, text and category there, as JSON, a moment after the member stops typing, and
 * writes the answer (« Brouillon enregistré à 14:05. ») in its status region (role="status",
 * read out politely). The « Supprimer le brouillon » button is caught too, to empty the form
 * without leaving the page. Without JavaScript both forms work as before: the buttons post.
 */
(function () {
  "use strict";

  var DELAY_MS = 1500;
  var FIELDS = ["title", "body", "category"];

  function setUp(form) {
    var url = form.getAttribute("data-draft-url");
    var status = form.querySelector("[data-draft-status]");
    var discard = form.querySelector("[data-draft-discard]");
    var token = form.elements.namedItem("csrfmiddlewaretoken");
    var timer = null;
    var lastSaved = snapshot();

    function values() {
      var found = {};
      FIELDS.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && typeof field.value === "string") {
          found[name] = field.value;
        }
      });
      return found;
    }

    function snapshot() {
      return JSON.stringify(values());
    }

    function send(extra) {
      var data = new FormData();
      var current = values();
      Object.keys(current).forEach(function (name) {
        data.append(name, current[name]);
      });
      Object.keys(extra).forEach(function (name) {
        data.append(name, extra[name]);
      });
      if (token) {
        data.append("csrfmiddlewaretoken", token.value);
      }
      return fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      });
    }

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function save() {
      timer = null;
      var state = snapshot();
      if (state === lastSaved) {
        return;
      }
      send({})
        .then(function (result) {
          if (result.ok) {
            lastSaved = state;
          }
          say(result.answer.message);
          if (discard) {
            discard.hidden = !result.answer.saved;
          }
        })
        .catch(function () {
          say("Le brouillon n'a pas pu être enregistré : vérifiez votre connexion.");
        });
    }

    form.addEventListener("input", function (event) {
      if (event.target.type === "file") {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
    });
    if (discard) {
      discard.addEventListener("click", function (event) {
        event.preventDefault();
        window.clearTimeout(timer);
        send({ discard: "1" })
          .then(function (result) {
            ["title", "body"].forEach(function (name) {
              var field = form.elements.namedItem(name);
              if (field) {
                field.value = "";
              }
            });
            lastSaved = snapshot();
            discard.hidden = true;
            say(result.answer.message);
            var body = form.elements.namedItem("body");
            if (body) {
              body.focus();
            }
          })
          .catch(function () {
            say("Le brouillon n'a pas pu être supprimé : vérifiez votre connexion.");
          });
      });
    }
  }

  document.querySelectorAll("form[data-draft-url]").forEach(setUp);
})();
