// Refresh the vigil's "praying now" box every minute. The server renders it in full, so
// without JavaScript the page shows the same box as of when it was loaded.
(function () {
  "use strict";
  var box = document.querySelector("[data-vigil-pulse]");
  if (!box || !window.fetch) {
    return;
  }
  var REFRESH_MS = 60 * 1000;

  function refresh() {
    if (document.hidden) {
      return;
    }
    // Read each time: vigil-timezone.js may have moved it to the visitor's zone.
    fetch(box.getAttribute("data-vigil-pulse"), { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          box.innerHTML = html;
        }
      })
      .catch(function () {
        // Offline for a moment: the next tick tries again.
      });
  }

  window.setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
})();
