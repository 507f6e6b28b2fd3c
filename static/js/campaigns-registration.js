// Campaign registration form: after a failed submission, move focus to the error summary so
// keyboard and screen reader users hear what to fix. The form works without this script.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".campaign-form [data-form-errors]");
  if (!summary) return;
  const firstInvalid = document.querySelector(".campaign-form [aria-invalid='true']");
  summary.setAttribute("tabindex", "-1");
  (firstInvalid || summary).focus();
});
