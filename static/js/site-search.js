// `/` goes to the header's search box from anywhere on the page, unless the
// reader is typing (as on GitHub and in many readers). The form works
// without it.

const box = document.querySelector("[data-site-search]");

function typing(target) {
  return target.closest?.("input, textarea, select, [contenteditable='true'], dialog[open]");
}

document.addEventListener("keydown", (event) => {
  if (!box || event.key !== "/" || event.defaultPrevented) return;
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
  event.preventDefault();
  box.focus();
  box.select();
});
