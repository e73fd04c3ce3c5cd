// The note composer on a phone is a bottom sheet (site.css). When the
// on-screen keyboard comes up, some browsers shrink only the *visual*
// viewport, so a sheet fixed to the layout viewport's bottom would sit under
// the keyboard: give it the visual viewport's height and lift it by what
// the keyboard covers. Set through CSSOM custom properties (the
// Content-Security-Policy forbids inline style attributes, not this).

const dialog = document.querySelector("[data-annotate-dialog]");
const viewport = window.visualViewport;

function fit() {
  if (!dialog?.open || !viewport) return;
  const covered = Math.max(0, window.innerHeight - viewport.height - viewport.offsetTop);
  dialog.style.setProperty("--sheet-height", `${viewport.height}px`);
  dialog.style.setProperty("--sheet-bottom", `${covered}px`);
}

if (dialog && viewport) {
  viewport.addEventListener("resize", fit);
  viewport.addEventListener("scroll", fit);
  // The dialog opens without an event of its own: watch its open attribute.
  new MutationObserver(fit).observe(dialog, { attributes: true, attributeFilter: ["open"] });
}
