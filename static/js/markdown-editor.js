// django-markdownx turns Tab inside its editor into indentation, which traps
// keyboard users in the text box. Tab moves focus again (Markdown indents with
// spaces), Escape leaves the box for the next control (in a dialog it closes
// the dialog, as Escape does there), and Ctrl/Cmd+Enter saves from inside it.

function nextControl(editor) {
  const controls = Array.from(editor.form?.elements ?? []).filter(
    (el) => !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.getClientRects().length,
  );
  return controls[controls.indexOf(editor) + 1] ?? null;
}

document.addEventListener(
  "keydown",
  (event) => {
    const editor = event.target.closest?.(".markdownx textarea, textarea.markdownx-editor");
    if (!editor) return;
    if (event.key === "Tab") {
      event.stopImmediatePropagation(); // markdownx never sees it; focus moves on
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.form?.requestSubmit();
    } else if (event.key === "Escape" && !event.shiftKey && !editor.closest("dialog")) {
      event.preventDefault();
      const next = nextControl(editor);
      if (next) next.focus();
      else editor.blur();
    }
  },
  true,
);
