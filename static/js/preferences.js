// Reading settings apply at once when changed, and are saved without leaving
// the page. Without JavaScript the form posts and the server applies them.

const form = document.querySelector("[data-preferences-form]");
const root = document.documentElement;
const ATTRIBUTES = { theme: "theme", font_size: "fontSize", line_width: "lineWidth" };

if (form) {
  form.addEventListener("change", async (event) => {
    const name = event.target.name;
    if (!(name in ATTRIBUTES)) return;
    root.dataset[ATTRIBUTES[name]] = event.target.value;
    let ok = false;
    try {
      const response = await fetch(form.action || location.href, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      ok = response.ok;
    } catch {
      ok = false;
    }
    form.dataset.saved = ok ? "yes" : "no";
    // Said by a screen reader (the element is a live region, role=status).
    const status = form.querySelector("[data-preferences-status]");
    if (status) status.textContent = ok ? status.dataset.savedLabel : status.dataset.failedLabel;
  });
}
