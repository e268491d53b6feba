// The admin's navigation sidebar takes 300 px of a 1366 px screen, which the
// changelists need for their columns. Below 1500 px it starts closed (the «
// button opens it, and Django remembers the choice); a choice already made is kept.
// Loaded without `defer` so it runs before Django's nav_sidebar.js reads the setting.
"use strict";
(function () {
  var key = "django.admin.navSidebarIsOpen";
  try {
    if (window.localStorage.getItem(key) === null && window.innerWidth < 1500) {
      window.localStorage.setItem(key, "false");
    }
  } catch (e) {
    // Storage refused (private mode): Django's default applies.
  }
})();
