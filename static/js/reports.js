// 报备: a field with show_if is shown only while the earlier field has the value
// (conditions come from the page as JSON, id "report-conditions"). The server checks again.
(function () {
  const data = document.getElementById("report-conditions");
  if (!data) return;
  const conditions = JSON.parse(data.textContent);
  const scope = data.closest("[data-conditional]") || document;

  function values(name) {
    const inputs = scope.querySelectorAll(`[name="${name}"], [name^="${name}_"]`);
    const out = [];
    inputs.forEach((el) => {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) out.push(el.value);
      } else if (el.value) {
        out.push(el.value);
      }
    });
    return out;
  }

  function wrapper(name) {
    const el = scope.querySelector(`[name="${name}"], [name^="${name}_"]`);
    return el && (el.closest("fieldset") || el.closest(".mb-3"));
  }

  function update() {
    const shown = {};
    conditions.forEach((c) => {
      const box = wrapper(c.name);
      const parentShown = shown[c.field] !== false;
      const visible = parentShown && values(c.field).includes(c.value);
      shown[c.name] = visible;
      if (box) box.hidden = !visible;
    });
  }

  scope.addEventListener("change", update);
  scope.addEventListener("input", update);
  update();
})();
