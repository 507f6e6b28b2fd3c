// The roster's "Print" link: shown only when JavaScript can print the page.
document.querySelectorAll(".js-print").forEach((link) => {
  link.hidden = false;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
});
