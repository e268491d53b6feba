// Names for the controls that Django admin's widgets build in script, so that a screen reader says
// which field it is in (axe-core: aria-input-field-name, label, aria-prohibited-attr; checked by
// tests/browser/test_accessibility.py):
//  - autocomplete fields (select2): the combobox and its text are named by the field's <label>,
//    and the search box of a multiple choice gets the label's text;
//  - the two-list choosers (filter_horizontal): the magnifier before each filter box carries its
//    help text as aria-label on a plain <span>, which names nothing; as role="img" it names the box;
//  - a date-and-time field's two boxes (no label points at either) and the boxes of a changelist's
//    editable columns (no label at all): named from the field's label or the column's heading.
// The widgets are built after DOMContentLoaded, on "load", and again when an inline row is added,
// so every change to the page is looked at once more (each step does nothing the second time).
"use strict";
(function () {
  function labelOf(select) {
    if (!select || !select.id) return null;
    return document.querySelector('label[for="' + select.id + '"]');
  }

  function labelId(label) {
    if (!label.id) label.id = label.htmlFor + "-label";
    return label.id;
  }

  // The id of an element holding the field's name: its <label>, or (an inline row's field, named by
  // its column's heading through aria-label) a hidden span made for it; aria-labelledby reads both.
  function nameSource(select) {
    var label = labelOf(select);
    if (label) return { id: labelId(label), text: clean(label.textContent) };
    var text = select.getAttribute("aria-label") || select.name || "";
    var id = (select.id || select.name) + "-a11y-name";
    if (!document.getElementById(id)) {
      var span = document.createElement("span");
      span.id = id;
      span.hidden = true;
      span.textContent = text;
      select.parentNode.insertBefore(span, select);
    }
    return { id: id, text: text };
  }

  function nameAutocomplete(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    var name = nameSource(select);
    var combobox = container.querySelector(".select2-selection");
    var rendered = container.querySelector(".select2-selection__rendered");
    if (combobox) {
      // The field's name, then what is chosen (select2 names a single choice by the choice alone).
      var ids = rendered && rendered.id ? name.id + " " + rendered.id : name.id;
      combobox.setAttribute("aria-labelledby", ids);
    }
    if (rendered && rendered.getAttribute("role") === "textbox") rendered.setAttribute("aria-labelledby", name.id);
    container.querySelectorAll(".select2-search__field").forEach(function (search) {
      if (!search.hasAttribute("aria-label") && name.text) search.setAttribute("aria-label", name.text + "を検索");
    });
  }

  function hasName(control) {
    return (
      (control.labels && control.labels.length > 0) ||
      control.hasAttribute("aria-label") ||
      control.hasAttribute("aria-labelledby") ||
      control.hasAttribute("title")
    );
  }

  function clean(text) {
    return (text || "").replace(/[:：]\s*$/, "").replace(/\s+/g, " ").trim();
  }

  // A date-and-time field is two boxes after one <label> that names neither (Django drops its for=
  // on purpose): each box gets the field's name and 日付 or 時刻.
  function nameSplitDateTime(control) {
    var row = control.closest(".form-row, .fieldBox, td");
    var label = row && row.querySelector("label");
    var field = label ? clean(label.textContent) : "";
    var part = control.classList.contains("vTimeField") ? "時刻" : "日付";
    control.setAttribute("aria-label", field ? field + " " + part : part);
  }

  // A box in a table (a changelist's editable column, an inline row) is named by its column's
  // heading and its row's first cell.
  function nameByColumn(control) {
    var cell = control.closest("td");
    var table = cell && cell.closest("table");
    if (!table) return;
    var headings = table.querySelectorAll("thead th");
    var heading = headings[cell.cellIndex];
    var column = heading ? clean(heading.textContent) : "";
    var first = cell.parentElement.querySelector("th");
    var row = first ? clean(first.textContent) : "";
    var name = [column, row].filter(Boolean).join(" ");
    if (name) control.setAttribute("aria-label", name);
  }

  function nameBareControls() {
    var controls = document.querySelectorAll(
      "#content input:not([type=hidden]):not([type=submit]):not([type=button]), #content select, #content textarea"
    );
    controls.forEach(function (control) {
      if (hasName(control) || control.closest(".select2-container")) return;
      if (control.closest("p.datetime")) nameSplitDateTime(control);
      else nameByColumn(control);
    });
  }

  function nameEverything() {
    nameBareControls();
    document.querySelectorAll("select + .select2-container").forEach(nameAutocomplete);
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () {
      pending = false;
      nameEverything();
    }, 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    soon();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", soon);
})();
