// A form submits once: the button is disabled as soon as it is pressed.
// (The server also refuses a repeated form token, so a resent request still writes once.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.allowResubmit !== undefined) return;
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => {
      b.disabled = true;
    });
  }, 0);
});
