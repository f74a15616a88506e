/* Segment builder: edits the definition JSON (relais/crm/segments/definition.py) held in the
   form's hidden "definition" input, and asks the server for the live count (htmx, on the
   "segment-changed" event). Every control is a native select, input or button: the whole
   builder works with the keyboard alone. */
(function () {
  "use strict";

  var form = document.getElementById("segment-form");
  var root = document.getElementById("segment-builder");
  if (!form || !root) {
    return;
  }
  var catalogue = JSON.parse(document.getElementById("segment-catalogue").textContent);
  var state = JSON.parse(document.getElementById("segment-initial").textContent) || {};
  var input = document.getElementById("id_definition");
  var sortRoot = document.getElementById("segment-sort");
  var fields = {};
  catalogue.fields.forEach(function (f) { fields[f.key] = f; });
  var entityLabels = {};
  catalogue.entities.forEach(function (e) { entityLabels[e.key] = e.label; });
  var counter = 0;
  var focusAfterRender = null;
  // DOM nodes of each part of the state, for focus after a re-render (kept off the JSON).
  var rows = new WeakMap();
  var boxes = new WeakMap();
  var adds = new WeakMap();

  function normaliseGroup(group) {
    group.match = group.match === "any" ? "any" : "all";
    group.conditions = Array.isArray(group.conditions) ? group.conditions : [];
    group.conditions.forEach(function (child) {
      if (child && Array.isArray(child.conditions)) { normaliseGroup(child); }
    });
    return group;
  }
  state = normaliseGroup(state && typeof state === "object" ? state : {});
  state.sort = Array.isArray(state.sort) ? state.sort : [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; }
      else if (attrs[name] !== null && attrs[name] !== undefined) { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function nextId(prefix) {
    counter += 1;
    return prefix + "-" + counter;
  }

  function labelled(labelText, control, hidden) {
    var id = control.id || nextId("seg");
    control.id = id;
    var label = el("label", { for: id, class: hidden ? "visually-hidden" : "form-label small mb-0", text: labelText });
    return el("div", { class: "segment-control" }, [label, control]);
  }

  function select(options, value, extra) {
    var node = el("select", Object.assign({ class: "form-select form-select-sm" }, extra || {}));
    options.forEach(function (opt) {
      if (opt.group) {
        var group = el("optgroup", { label: opt.group });
        opt.options.forEach(function (o) { group.appendChild(option(o, value)); });
        node.appendChild(group);
      } else {
        node.appendChild(option(opt, value));
      }
    });
    return node;
  }

  function option(opt, value) {
    var o = el("option", { value: opt.value, text: opt.label });
    if (String(opt.value) === String(value)) { o.selected = true; }
    return o;
  }

  function operatorsFor(field) {
    return field ? catalogue.operators[field.type] || [] : [];
  }

  function operator(field, op) {
    return operatorsFor(field).filter(function (o) { return o.op === op; })[0];
  }

  function defaultValue(field, opInfo) {
    if (!opInfo || opInfo.value === "none") { return undefined; }
    if (opInfo.value === "relative") { return { amount: 1, unit: "years" }; }
    if (opInfo.value === "list") { return []; }
    if (opInfo.value === "range") { return ["", ""]; }
    if (field.type === "choice" && field.choices.length) { return field.choices[0][0]; }
    if (field.type === "user" && catalogue.users.length) { return catalogue.users[0][0]; }
    return "";
  }

  function fieldOptions(entity) {
    var options = [{ value: "", label: "— choisir un champ —" }];
    catalogue.entities.forEach(function (e) {
      if (entity && e.key !== entity) { return; }
      var list = catalogue.fields.filter(function (f) { return f.entity === e.key; });
      options.push({ group: e.label, options: list.map(function (f) { return { value: f.key, label: f.label }; }) });
    });
    return options;
  }

  function changed(rerender) {
    input.value = JSON.stringify(state);
    if (rerender) { render(); }
    form.dispatchEvent(new CustomEvent("segment-changed", { bubbles: true }));
  }

  function numberInput(value, type) {
    var attrs = { class: "form-control form-control-sm", value: value === undefined ? "" : value };
    if (type === "date" || type === "datetime") { attrs.type = "date"; }
    else if (type === "number") { attrs.type = "number"; attrs.step = "any"; }
    else if (type === "years_since" || type === "days_since") { attrs.type = "number"; attrs.step = "1"; attrs.min = "0"; }
    else { attrs.type = "text"; attrs.maxlength = "200"; }
    return el("input", attrs);
  }

  function scalarControl(field, value, onChange) {
    var control;
    if (field.type === "choice") {
      control = select(field.choices.map(function (c) { return { value: c[0], label: c[1] }; }), value);
    } else if (field.type === "user") {
      control = select(catalogue.users.map(function (u) { return { value: u[0], label: u[1] }; }), value);
    } else {
      control = numberInput(value, field.type);
    }
    control.addEventListener(control.tagName === "SELECT" ? "change" : "input", function () { onChange(control.value); });
    return control;
  }

  function valueControls(condition, field, opInfo, where) {
    var box = el("div", { class: "d-flex flex-wrap gap-2 align-items-end" });
    if (!opInfo || opInfo.value === "none") { return box; }
    if (opInfo.value === "relative") {
      var amount = numberInput(condition.value.amount, "years_since");
      amount.addEventListener("input", function () { condition.value.amount = amount.value; changed(false); });
      var unit = select(catalogue.units.map(function (u) { return { value: u.key, label: u.label }; }), condition.value.unit);
      unit.addEventListener("change", function () { condition.value.unit = unit.value; changed(false); });
      box.appendChild(labelled("Durée de la condition " + where, amount, true));
      box.appendChild(labelled("Unité de la condition " + where, unit, true));
      return box;
    }
    if (opInfo.value === "range") {
      ["Minimum", "Maximum"].forEach(function (label, index) {
        var control = scalarControl(field, condition.value[index], function (v) { condition.value[index] = v; changed(false); });
        box.appendChild(labelled(label + " de la condition " + where, control, true));
      });
      return box;
    }
    if (opInfo.value === "list") {
      var control;
      if (field.type === "choice") {
        control = select(field.choices.map(function (c) { return { value: c[0], label: c[1] }; }), null, { multiple: "multiple", size: String(Math.min(5, field.choices.length)) });
        Array.prototype.forEach.call(control.options, function (o) { o.selected = condition.value.indexOf(o.value) >= 0; });
        control.addEventListener("change", function () {
          condition.value = Array.prototype.filter.call(control.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
          changed(false);
        });
        box.appendChild(labelled("Valeurs de la condition " + where + " (plusieurs choix possibles)", control, true));
      } else {
        control = numberInput(condition.value.join(", "), "text");
        control.addEventListener("input", function () {
          condition.value = control.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
          changed(false);
        });
        box.appendChild(labelled("Valeurs de la condition " + where + ", séparées par des virgules", control, true));
      }
      return box;
    }
    var single = scalarControl(field, condition.value, function (v) { condition.value = v; changed(false); });
    box.appendChild(labelled("Valeur de la condition " + where, single, true));
    return box;
  }

  function renderCondition(condition, parent, index, entity, where) {
    var field = fields[condition.field];
    var row = el("div", { class: "segment-condition d-flex flex-wrap gap-2 align-items-end border rounded p-2 mb-2" });
    var fieldSelect = select(fieldOptions(entity), condition.field || "");
    fieldSelect.id = nextId("seg-field");
    fieldSelect.addEventListener("change", function () {
      condition.field = fieldSelect.value;
      var f = fields[condition.field];
      var first = operatorsFor(f)[0];
      condition.op = first ? first.op : "";
      condition.value = f ? defaultValue(f, first) : undefined;
      focusAfterRender = { kind: "field", node: condition };
      changed(true);
    });
    row.appendChild(labelled("Champ de la condition " + where, fieldSelect, true));
    if (field) {
      var opSelect = select(operatorsFor(field).map(function (o) { return { value: o.op, label: o.label }; }), condition.op);
      opSelect.addEventListener("change", function () {
        condition.op = opSelect.value;
        condition.value = defaultValue(field, operator(field, condition.op));
        focusAfterRender = { kind: "op", node: condition };
        changed(true);
      });
      row.appendChild(labelled("Opérateur de la condition " + where, opSelect, true));
      row.appendChild(valueControls(condition, field, operator(field, condition.op), where));
      if (field.help) { row.appendChild(el("p", { class: "small text-body-secondary w-100 mb-0", text: field.help })); }
      opSelect.dataset.role = "op";
    }
    fieldSelect.dataset.role = "field";
    var remove = el("button", { type: "button", class: "btn btn-sm btn-outline-danger ms-auto", text: "Retirer" });
    remove.setAttribute("aria-label", "Retirer la condition " + where);
    remove.addEventListener("click", function () {
      parent.conditions.splice(index, 1);
      focusAfterRender = { kind: "add", node: parent };
      changed(true);
    });
    row.appendChild(remove);
    rows.set(condition, row);
    return row;
  }

  function renderGroup(group, parent, index, entity, where) {
    var isRoot = parent === null;
    var legendText = isRoot ? "Clients retenus" : "Groupe " + where;
    var box = el("fieldset", { class: "segment-group border rounded p-2 mb-2" + (isRoot ? "" : " ms-3") });
    box.appendChild(el("legend", { class: "h6 float-none w-auto px-1 mb-1", text: legendText }));
    var head = el("div", { class: "d-flex flex-wrap gap-2 align-items-end mb-2" });
    if (!isRoot && !entity) {
      var scopes = [{ value: "", label: "Conditions libres (client, valeurs calculées…)" }];
      catalogue.related.forEach(function (key) {
        scopes.push({ value: "any:" + key, label: "Au moins un(e) " + entityLabels[key].toLowerCase() + " qui…" });
        scopes.push({ value: "none:" + key, label: "Aucun(e) " + entityLabels[key].toLowerCase() + " qui…" });
      });
      var current = group.entity ? (group.quantifier || "any") + ":" + group.entity : "";
      var scope = select(scopes, current);
      scope.addEventListener("change", function () {
        if (scope.value) {
          var parts = scope.value.split(":");
          group.quantifier = parts[0];
          group.entity = parts[1];
          group.conditions = group.conditions.filter(function (c) { return !c.conditions && fields[c.field] && fields[c.field].entity === parts[1]; });
        } else {
          delete group.entity;
          delete group.quantifier;
        }
        focusAfterRender = { kind: "scope", node: group };
        changed(true);
      });
      scope.dataset.role = "scope";
      head.appendChild(labelled("Portée du groupe " + where, scope, false));
    }
    var match = select([
      { value: "all", label: "toutes les conditions (ET)" },
      { value: "any", label: "au moins une condition (OU)" }
    ], group.match);
    match.addEventListener("change", function () { group.match = match.value; changed(false); });
    head.appendChild(labelled((isRoot ? "Les clients doivent remplir" : "Ce groupe demande") + " :", match, false));
    box.appendChild(head);

    var list = el("div", { class: "segment-children" });
    var groupEntity = entity || group.entity || null;
    group.conditions.forEach(function (child, i) {
      var childWhere = where ? where + "." + (i + 1) : String(i + 1);
      if (child && Array.isArray(child.conditions)) {
        list.appendChild(renderGroup(child, group, i, groupEntity, childWhere));
      } else if (child) {
        list.appendChild(renderCondition(child, group, i, groupEntity, childWhere));
      }
    });
    if (!group.conditions.length) {
      list.appendChild(el("p", { class: "small text-body-secondary mb-2", text: isRoot ? "Aucune condition : tous les clients sont retenus." : "Groupe vide." }));
    }
    box.appendChild(list);

    var actions = el("div", { class: "d-flex flex-wrap gap-2" });
    var addCondition = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", text: "Ajouter une condition" });
    addCondition.setAttribute("aria-label", "Ajouter une condition " + (isRoot ? "" : "au groupe " + where));
    addCondition.addEventListener("click", function () {
      var condition = { field: "", op: "" };
      group.conditions.push(condition);
      focusAfterRender = { kind: "field", node: condition };
      changed(true);
    });
    actions.appendChild(addCondition);
    adds.set(group, addCondition);
    if (!groupEntity || isRoot) {
      var addGroup = el("button", { type: "button", class: "btn btn-sm btn-outline-secondary", text: "Ajouter un groupe" });
      addGroup.addEventListener("click", function () {
        var child = { match: "all", conditions: [] };
        group.conditions.push(child);
        focusAfterRender = { kind: "scope", node: child };
        changed(true);
      });
      actions.appendChild(addGroup);
    }
    if (!isRoot) {
      var removeGroup = el("button", { type: "button", class: "btn btn-sm btn-outline-danger", text: "Retirer le groupe" });
      removeGroup.setAttribute("aria-label", "Retirer le groupe " + where);
      removeGroup.addEventListener("click", function () {
        parent.conditions.splice(index, 1);
        focusAfterRender = { kind: "add", node: parent };
        changed(true);
      });
      actions.appendChild(removeGroup);
    }
    box.appendChild(actions);
    boxes.set(group, box);
    return box;
  }

  function renderSort() {
    sortRoot.replaceChildren();
    var sortable = catalogue.fields.filter(function (f) { return f.sortable; });
    var options = [];
    catalogue.entities.forEach(function (e) {
      var list = sortable.filter(function (f) { return f.entity === e.key; });
      if (list.length) { options.push({ group: e.label, options: list.map(function (f) { return { value: f.key, label: f.label }; }) }); }
    });
    state.sort.forEach(function (key, i) {
      var row = el("div", { class: "d-flex flex-wrap gap-2 align-items-end mb-2" });
      var fieldSelect = select(options, key.field);
      fieldSelect.addEventListener("change", function () { key.field = fieldSelect.value; changed(false); });
      var dir = select([{ value: "asc", label: "croissant" }, { value: "desc", label: "décroissant" }], key.dir || "asc");
      dir.addEventListener("change", function () { key.dir = dir.value; changed(false); });
      var remove = el("button", { type: "button", class: "btn btn-sm btn-outline-danger", text: "Retirer" });
      remove.setAttribute("aria-label", "Retirer le tri " + (i + 1));
      remove.addEventListener("click", function () { state.sort.splice(i, 1); focusAfterRender = { kind: "sort-add" }; changed(true); });
      row.appendChild(labelled("Tri " + (i + 1) + " : champ", fieldSelect, false));
      row.appendChild(labelled("Sens du tri " + (i + 1), dir, false));
      row.appendChild(remove);
      rows.set(key, row);
      sortRoot.appendChild(row);
    });
    if (!state.sort.length) {
      sortRoot.appendChild(el("p", { class: "small text-body-secondary mb-2", text: "Par défaut : par nom." }));
    }
    var add = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", id: "segment-sort-add", text: "Ajouter un tri" });
    add.disabled = state.sort.length >= 5;
    add.addEventListener("click", function () {
      var key = { field: sortable[0].key, dir: "asc" };
      state.sort.push(key);
      focusAfterRender = { kind: "sort", node: key };
      changed(true);
    });
    sortRoot.appendChild(add);
  }

  function restoreFocus() {
    var target = focusAfterRender;
    focusAfterRender = null;
    if (!target) { return; }
    var node = null;
    if (target.kind === "add") { node = adds.get(target.node); }
    else if (target.kind === "sort-add") { node = document.getElementById("segment-sort-add"); }
    else if (target.kind === "sort") { node = rows.get(target.node) && rows.get(target.node).querySelector("select"); }
    else if (target.kind === "scope") {
      var box = boxes.get(target.node);
      node = box && (box.querySelector("[data-role=scope]") || box.querySelector("select"));
    } else if (rows.get(target.node)) {
      node = rows.get(target.node).querySelector("[data-role=" + (target.kind === "op" ? "op" : "field") + "]");
    }
    if (node) { node.focus(); }
  }

  function render() {
    root.replaceChildren(renderGroup(state, null, 0, null, ""));
    renderSort();
    restoreFocus();
  }

  render();
  // The first count once htmx has bound the form (it does so on DOMContentLoaded).
  function firstCount() {
    setTimeout(function () { changed(false); }, 0);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", firstCount);
  } else {
    firstCount();
  }
})();
