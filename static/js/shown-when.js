// Show a form field only while another field has a given value: the weekday of prayer updates
// only while "Weekly" is chosen. The field carries data-shown-when="frequency=weekly" (the
// other field's name, then its value). Without JavaScript every field stays in view, and its
// help text says when it counts.
(function () {
  "use strict";
  var fields = document.querySelectorAll("[data-shown-when]");
  Array.prototype.forEach.call(fields, function (field) {
    var rule = field.getAttribute("data-shown-when").split("=");
    var form = field.form;
    var wrapper = field.closest(".field");
    if (!form || !wrapper || rule.length !== 2) {
      return;
    }
    var controls = form.querySelectorAll('[name="' + rule[0] + '"]');
    if (!controls.length) {
      return;
    }
    function update() {
      var chosen = Array.prototype.some.call(controls, function (control) {
        return (control.type === "radio" || control.type === "checkbox")
          ? control.checked && control.value === rule[1]
          : control.value === rule[1];
      });
      wrapper.hidden = !chosen;
    }
    Array.prototype.forEach.call(controls, function (control) {
      control.addEventListener("change", update);
    });
    update();
  });
})();
