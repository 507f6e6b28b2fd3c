// Preselect the visitor's own time zone on the prayer sign-up form. Without JavaScript the
// form keeps UTC, and the visitor can still pick a zone from the list.
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
  var selects = document.querySelectorAll("select[data-detect-time-zone]");
  Array.prototype.forEach.call(selects, function (select) {
    var option = Array.prototype.find.call(select.options, function (candidate) {
      return candidate.value === zone;
    });
    if (option) {
      select.value = zone;
    }
  });
})();
