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
    const response = await fetch(form.action || location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    form.dataset.saved = response.ok ? "yes" : "no";
  });
}
