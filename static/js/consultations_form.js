// The call form: one submission per press (the server also refuses a second one by its token).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("call-form");
    if (!form) { return; }
    form.addEventListener("submit", function () {
      var button = document.getElementById("save-call");
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      window.setTimeout(function () { if (button) { button.disabled = true; button.textContent = "記録中…"; } }, 0);
    });
  });
})();
