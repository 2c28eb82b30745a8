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

// Tables scroll sideways on a phone: every table not already inside .table-responsive gets
// one (on load and in every part htmx swaps in).
function wrapTables(root) {
  const tables = Array.from(root.querySelectorAll("table.table"));
  if (root.matches && root.matches("table.table")) tables.push(root);
  tables.forEach((table) => {
    if (table.closest(".table-responsive")) return;
    const wrapper = document.createElement("div");
    wrapper.className = "table-responsive";
    table.parentNode.insertBefore(wrapper, table);
    wrapper.appendChild(table);
  });
}
if (window.htmx) {
  htmx.onLoad((element) => wrapTables(element.querySelectorAll ? element : document));
} else {
  document.addEventListener("DOMContentLoaded", () => wrapTables(document));
}
