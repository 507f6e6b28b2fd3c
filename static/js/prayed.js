// "I prayed" without leaving the page: the form still works without JavaScript.
(function () {
  "use strict";

  function handle(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-prayed-form]")) return;
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();

    var button = form.querySelector("button[type=submit]");
    var count = form.querySelector("[data-prayed-count]");
    var status = form.querySelector("[data-prayed-status]");
    if (button) button.disabled = true;

    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (result.ok && count && typeof result.data.prayed_count === "number") {
          count.textContent = String(result.data.prayed_count);
        }
        if (status) status.textContent = result.data.message || result.data.error || "";
      })
      .catch(function () {
        form.submit();
      });
  }

  document.addEventListener("submit", handle);
})();
