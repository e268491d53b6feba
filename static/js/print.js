// 印刷 links: <button data-print> prints the page (no inline onclick, for the Content-Security-Policy).
"use strict";
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
