// The call form, for the keyboard (no inline script: the CSP forbids it).
// - one submission per press (the server also refuses a second one by its token);
// - in a group marked data-digit-keys, the digit keys pick an option (1–9, 0 for the tenth);
// - a group of checkboxes is one Tab stop, the arrow keys move inside it and Space ticks;
// - 続柄 is only asked when the caller is family: otherwise the group is disabled and Tab passes it by.
(function () {
  "use strict";

  function inputs(group) { return Array.prototype.slice.call(group.querySelectorAll("input[type=radio], input[type=checkbox]")); }

  function pick(input) {
    if (input.type === "radio") {
      input.checked = true;
    } else {
      input.checked = !input.checked;
    }
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function rove(group, current) {
    inputs(group).forEach(function (box) { box.tabIndex = box === current ? 0 : -1; });
  }

  function digitKeys(group) {
    group.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.altKey || event.metaKey || !/^[0-9]$/.test(event.key)) { return; }
      var options = inputs(group).filter(function (box) { return !box.disabled; });
      var index = event.key === "0" ? 9 : parseInt(event.key, 10) - 1;
      if (index < options.length) {
        event.preventDefault();
        pick(options[index]);
        if (options[index].type === "checkbox") { rove(group, options[index]); }
      }
    });
  }

  function checkboxGroup(group) {
    var boxes = inputs(group).filter(function (box) { return box.type === "checkbox"; });
    if (boxes.length < 2) { return; }
    rove(group, boxes.filter(function (box) { return box.checked; })[0] || boxes[0]);
    group.addEventListener("keydown", function (event) {
      var step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
      if (!step) { return; }
      var at = boxes.indexOf(document.activeElement);
      if (at < 0) { return; }
      event.preventDefault();
      var next = boxes[(at + step + boxes.length) % boxes.length];
      rove(group, next);
      next.focus();
    });
  }

  function relationFollowsCaller(form) {
    var relation = document.getElementById("fs-caller_relation");
    var caller = document.getElementById("fs-caller_type");
    if (!relation || !caller) { return; }
    function update() {
      var family = caller.querySelector("input[value=family]");
      var asked = !!(family && family.checked);
      relation.disabled = !asked;
      relation.classList.toggle("not-asked", !asked);
    }
    caller.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("call-form");
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-digit-keys]"), digitKeys);
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.choices"), checkboxGroup);
    relationFollowsCaller(form);
    form.addEventListener("submit", function () {
      var button = document.getElementById("save-call");
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      window.setTimeout(function () { if (button) { button.disabled = true; button.textContent = "記録中…"; } }, 0);
    });
  });
})();
