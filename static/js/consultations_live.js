// Live totals: fetch the totals fragment every N seconds and put it in place (no inline script: CSP).
(function () {
  "use strict";
  function schedule(box) {
    var url = box.getAttribute("data-refresh-url");
    var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 30;
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#live-totals");
          if (fresh) { box.replaceWith(fresh); }
          schedule(fresh || box);
        })
        .catch(function () { schedule(box); });
    }, seconds * 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("live-totals");
    if (box && box.getAttribute("data-refresh-url")) { schedule(box); }
  });
})();
