// 印刷 buttons: <button data-print> prints the page (no inline onclick: the CSP forbids it).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
