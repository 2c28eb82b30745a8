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

// Behaviour declared in the markup (the Content-Security-Policy forbids inline handlers):
// <form data-confirm="确定…？"> asks first; <select data-autosubmit> submits its form on change;
// <button data-print> prints the page; <input type=checkbox data-check-all=".pick"> ticks all.
document.addEventListener(
  "submit",
  (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]") && el.form) el.form.submit();
  if (el.matches("[data-check-all]")) {
    document.querySelectorAll(el.dataset.checkAll).forEach((c) => {
      c.checked = el.checked;
    });
  }
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
