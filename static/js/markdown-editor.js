// django-markdownx turns Tab inside its editor into indentation, which traps
// keyboard users in the text box. Tab moves focus again (Markdown indents with
// spaces), and Ctrl/Cmd+Enter saves from inside the editor.

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
    }
  },
  true,
);
