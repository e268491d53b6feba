// コピー buttons: <button data-copy="id-of-the-field" data-copy-status="id-of-a-live-region"> copies the
// field's value to the clipboard and says so in the live region (no inline script, for the CSP).
// Where the clipboard is not available (an http:// address, an old browser) the text is selected
// so that it can be copied by hand, and the message says that instead.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  event.preventDefault();
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-copy-status"));
  if (!field) return;
  function say(text) {
    if (status) status.textContent = text;
  }
  function selectByHand() {
    field.focus();
    field.select();
    say("アドレスを選択しました。長押しまたは Ctrl+C でコピーしてください。");
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () {
      say("アドレスをコピーしました。カレンダーアプリに貼り付けてください。");
    }, selectByHand);
  } else {
    selectByHand();
  }
});
