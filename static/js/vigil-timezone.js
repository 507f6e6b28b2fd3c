// Show a vigil's grid in the visitor's own time zone. Without JavaScript the grid uses the
// host's zone and the "Show times in" form switches it; with it, a first visit without ?tz=
// reloads once with the browser's zone, and the sign-up form's zone follows it.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  var picker = document.querySelector("select[data-vigil-zone]");
  if (!picker) {
    return;
  }
  var known = Array.prototype.some.call(picker.options, function (option) {
    return option.value === zone;
  });
  if (!known) {
    return;
  }
  var params = new URLSearchParams(window.location.search);
  if (!params.has("tz") && picker.value !== zone) {
    params.set("tz", zone);
    window.location.replace(
      window.location.pathname + "?" + params.toString() + window.location.hash
    );
    return;
  }
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    if (!params.has("tz")) {
      select.value = zone;
    }
  });
})();
