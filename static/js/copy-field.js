// Copy buttons beside read-only fields (templates/includes/calendar_follow.html): the button is
// shown only when this script runs, copies the field's value, and says "Copied" on itself and in
// the field's aria-live region so a screen reader hears it too.
(function () {
  "use strict";
  if (window.vigilCopyField) {
    return; // the include may load this file more than once on a page
  }
  window.vigilCopyField = true;

  function copyText(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy-field"));
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (!field) {
      return;
    }
    var label = button.textContent;
    var timer = null;
    button.hidden = false;
    field.addEventListener("focus", function () {
      field.select();
    });
    button.addEventListener("click", function () {
      copyText(field).then(
        function () {
          button.textContent = "Copied";
          if (status) status.textContent = "Copied";
        },
        function () {
          field.select();
          if (status) status.textContent = "Press Ctrl+C or Cmd+C to copy";
        }
      );
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        button.textContent = label;
        if (status) status.textContent = "";
      }, 5000);
    });
  }

  function start() {
    document.querySelectorAll("[data-copy-field]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
