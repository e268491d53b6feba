// The report job page: polls the job's status (JSON, scoped like the page) and shows each step as it
// happens; once the job is finished the page reloads once, so the publish form and warnings appear.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  var statusEl = document.getElementById("job-status");
  var stepEl = document.getElementById("job-step");
  var progressEl = document.getElementById("job-progress");
  var stepsEl = document.getElementById("job-steps");

  function showSteps(steps) {
    // Only append what is new: the list grows as the job goes, nothing is printed twice.
    for (var i = stepsEl.children.length; i < steps.length; i++) {
      var li = document.createElement("li");
      var at = document.createElement("span");
      at.className = "muted";
      at.textContent = steps[i].at;
      li.appendChild(at);
      li.appendChild(document.createTextNode(" " + steps[i].step));
      stepsEl.appendChild(li);
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) {
        statusEl.textContent = d.status_label;
        if (stepEl) stepEl.textContent = d.step;
        progressEl.value = d.progress;
        progressEl.textContent = d.progress + "%";
        showSteps(d.steps || []);
        if (d.finished) { window.location.reload(); return; }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
