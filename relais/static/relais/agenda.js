/* The agenda: FullCalendar fed by the JSON feed, customers dragged from the side list,
   events moved and resized by dragging (reverted when the server refuses). Every action has
   a keyboard path in the pages themselves: "Planifier" buttons and the appointment pages. */
(function () {
  "use strict";
  var el = document.getElementById("agenda-calendar");
  if (!el || !window.FullCalendar) { return; }
  var config = JSON.parse(document.getElementById("agenda-config").textContent);
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusBox = document.getElementById("agenda-status");
  var errorBox = document.getElementById("agenda-error");
  var holidayList = document.getElementById("agenda-holidays");
  var optionsForm = document.getElementById("agenda-options");

  function announce(message) {
    errorBox.classList.add("d-none");
    statusBox.textContent = message;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.classList.remove("d-none");
  }

  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (key) { body.append(key, data[key]); });
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        return { ok: response.ok, payload: payload };
      });
    }, function () {
      return { ok: false, payload: { error: "Le serveur ne répond pas ; réessayez." } };
    });
  }

  /* The scope of a change to a recurring appointment, asked in a Bootstrap modal. */
  function askScope() {
    var modalEl = document.getElementById("agenda-scope-modal");
    var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
    return new Promise(function (resolve) {
      var chosen = null;
      function onClick(event) {
        var button = event.target.closest("[data-scope]");
        if (!button) { return; }
        chosen = button.dataset.scope === "cancel" ? null : button.dataset.scope;
        modal.hide();
      }
      function onHidden() {
        modalEl.removeEventListener("click", onClick);
        modalEl.removeEventListener("hidden.bs.modal", onHidden);
        resolve(chosen);
      }
      modalEl.addEventListener("click", onClick);
      modalEl.addEventListener("hidden.bs.modal", onHidden);
      modal.show();
    });
  }

  function formatDay(date) {
    return date.toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
  }

  function renderHolidays(events) {
    var holidays = events.filter(function (event) { return event.display === "background"; });
    holidays.sort(function (a, b) { return a.start - b.start; });
    holidayList.textContent = "";
    /* The server says when the school calendar stops before the period shown. */
    events.forEach(function (event) {
      if (event.extendedProps.kind !== "notice") { return; }
      var notice = document.createElement("li");
      notice.className = "text-warning-emphasis";
      notice.textContent = event.title;
      holidayList.appendChild(notice);
    });
    if (!holidays.length) {
      var none = document.createElement("li");
      none.textContent = "Aucun jour férié ni vacances scolaires sur cette période.";
      holidayList.appendChild(none);
      return;
    }
    holidays.forEach(function (event) {
      var item = document.createElement("li");
      var last = new Date(event.extendedProps.lastDay + "T00:00:00");
      var first = formatDay(event.start);
      item.textContent = event.title + " : " + (first === formatDay(last)
        ? "le " + first : "du " + first + " au " + formatDay(last));
      holidayList.appendChild(item);
    });
  }

  var calendar;

  /* FullCalendar's chevrons are role="img" without a name; their buttons are named already. */
  function hideDecorativeIcons() {
    el.querySelectorAll(".fc-icon").forEach(function (icon) {
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    });
    /* A month cell is named by its date link alone, while it also shows the day's events:
       its name would not match its content (WCAG 2.5.3). The date link keeps its name. */
    el.querySelectorAll("td[aria-labelledby]").forEach(function (cell) {
      cell.removeAttribute("aria-labelledby");
    });
  }

  function iso(date, allDay) {
    return calendar.formatIso(date, allDay);
  }

  function onMove(info) {
    var event = info.event;
    var props = event.extendedProps;
    var scopePromise = props.recurring ? askScope() : Promise.resolve("series");
    scopePromise.then(function (scope) {
      if (!scope) { info.revert(); announce("Déplacement annulé."); return; }
      return post(props.moveUrl, {
        occurrence: props.occurrence,
        start: iso(event.start, event.allDay),
        end: event.end ? iso(event.end, event.allDay) : "",
        all_day: event.allDay ? "1" : "",
        scope: scope
      }).then(function (result) {
        if (!result.ok) {
          info.revert();
          showError(result.payload.error || "Le rendez-vous n'a pas pu être déplacé.");
          return;
        }
        announce(result.payload.message);
        calendar.refetchEvents();
      });
    });
  }

  calendar = new window.FullCalendar.Calendar(el, {
    locale: "fr",
    timeZone: "local",
    initialView: config.initialView,
    initialDate: config.initialDate,
    headerToolbar: {
      left: "prev,next today",
      center: "title",
      right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek"
    },
    buttonHints: { prev: "Période précédente", next: "Période suivante", today: "Aujourd'hui" },
    viewHint: "Vue « $0 »",
    navLinkHint: "Afficher le $0",
    moreLinkHint: function (n) { return "Afficher " + n + " évènement(s) de plus"; },
    closeHint: "Fermer",
    timeHint: "Heure",
    eventHint: "Évènement",
    height: "auto",
    nowIndicator: true,
    slotMinTime: "07:00:00",
    slotMaxTime: "21:00:00",
    editable: config.canEdit,
    droppable: config.canEdit,
    selectable: config.canEdit,
    eventSources: [{
      url: config.eventsUrl,
      extraParams: { zone: config.zone, mine: config.mine ? "1" : "" },
      failure: function () { showError("Les rendez-vous n'ont pas pu être chargés."); }
    }],
    eventsSet: function (events) {
      renderHolidays(events);
      window.requestAnimationFrame(hideDecorativeIcons);
    },
    dayCellDidMount: function (info) { info.el.removeAttribute("aria-labelledby"); },
    datesSet: function (info) {
      hideDecorativeIcons();
      document.getElementById("agenda-date").value = iso(calendar.getDate(), true);
      document.getElementById("agenda-view").value = info.view.type;
    },
    select: function (info) {
      var params = new URLSearchParams({
        start: iso(info.start, info.allDay),
        end: iso(info.end, info.allDay),
        all_day: info.allDay ? "1" : ""
      });
      window.location.href = config.createUrl + "?" + params.toString();
    },
    eventDrop: onMove,
    eventResize: onMove,
    drop: function (info) {
      var item = info.draggedEl;
      post(config.dropUrl, {
        customer: item.dataset.customerId,
        start: iso(info.date, info.allDay),
        all_day: info.allDay ? "1" : ""
      }).then(function (result) {
        if (!result.ok) {
          showError(result.payload.error || "Le rendez-vous n'a pas pu être créé.");
          return;
        }
        announce(result.payload.message);
        calendar.refetchEvents();
      });
    },
    eventDidMount: function (info) {
      var props = info.event.extendedProps;
      if (info.event.display === "background") {
        info.el.setAttribute("title", info.event.title);
      } else if (props.customer && props.kind === "appointment") {
        info.el.setAttribute("title", info.event.title + " — " + props.customer);
      }
    }
  });
  calendar.render();
  hideDecorativeIcons();

  if (config.canEdit) {
    new window.FullCalendar.Draggable(document.getElementById("agenda-customer-results"), {
      itemSelector: ".relais-agenda-customer",
      eventData: function (item) {
        return { title: item.dataset.title, duration: "01:00", create: false };
      }
    });
  }

  ["agenda-zone", "agenda-mine"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () {
      optionsForm.submit();
    });
  });
})();
