// Annotating on the part page: select words (mouse, touch or keys), then
// Highlight, Note or Question. Offsets are sent in Unicode code points of the
// passage's text, as the server counts; JavaScript strings count UTF-16 units,
// so every offset is converted here. After a save the passages are re-rendered
// from the server, which owns how highlights look.

const toolbar = document.querySelector("[data-annotate-toolbar]");
const dialog = document.querySelector("[data-annotate-dialog]");
const status = document.querySelector("[data-annotate-status]");
const form = dialog?.querySelector("[data-annotate-form]");
const apiUrl = dialog?.dataset.apiUrl;
const edition = dialog?.dataset.edition;

let pending = null; // the range being annotated: {start, end, quote}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function announce(message) {
  if (status) status.textContent = message;
}

// --- From a DOM selection to passage keys and code-point offsets ----------

function passageTextOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const passage = element?.closest(".passage");
  return passage ? passage.querySelector(".passage-text") : null;
}

function codePointOffset(textElement, node, offset) {
  // Count the text from the start of the passage's text to the boundary.
  const range = document.createRange();
  range.setStart(textElement, 0);
  if (textElement.contains(node)) {
    range.setEnd(node, offset);
  } else {
    // The boundary is outside the text (e.g. in the passage's footer):
    // count the whole text if it lies after it, nothing if before.
    const after = textElement.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING;
    range.setEnd(textElement, after ? textElement.childNodes.length : 0);
  }
  return Array.from(range.toString()).length;
}

function targetFromSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  let startText = passageTextOf(range.startContainer);
  let endText = passageTextOf(range.endContainer);
  if (!startText || !endText) {
    // A selection that starts or ends between passages: snap to the nearest.
    const texts = Array.from(document.querySelectorAll(".passage-text"));
    const inRange = texts.filter((t) => range.intersectsNode(t));
    if (inRange.length === 0) return null;
    startText = startText || inRange[0];
    endText = endText || inRange[inRange.length - 1];
  }
  const startPassage = startText.closest(".passage");
  const endPassage = endText.closest(".passage");
  const start = startText.contains(range.startContainer)
    ? codePointOffset(startText, range.startContainer, range.startOffset) : 0;
  const end = endText.contains(range.endContainer)
    ? codePointOffset(endText, range.endContainer, range.endOffset)
    : Array.from(endText.textContent).length;
  if (startPassage === endPassage && start >= end) return null;
  const quote = selection.toString().trim().replace(/\s+/g, " ");
  if (!quote) return null;
  return {
    start: { passage: startPassage.dataset.key, offset: start },
    end: { passage: endPassage.dataset.key, offset: end },
    quote,
  };
}

// --- Selecting with keys ----------------------------------------------------

function currentPassage() {
  return document.querySelector(".passage.is-current")
    || document.activeElement?.closest?.(".passage")
    || null;
}

function selectUnits(textElement, from, to) {
  // Build a DOM range from UTF-16 offsets in the element's text content.
  const walker = document.createTreeWalker(textElement, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  let started = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (!started && from <= seen + length) {
      range.setStart(node, from - seen);
      started = true;
    }
    if (started && to <= seen + length) {
      range.setEnd(node, to - seen);
      break;
    }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  showToolbar();
}

const sentenceCursor = new WeakMap();

function selectNextSentence() {
  const passage = currentPassage();
  if (!passage) { announce("Press j to choose a passage first."); return; }
  const textElement = passage.querySelector(".passage-text");
  const text = textElement.textContent;
  const sentences = Array.from(text.matchAll(/[^.!?]+(?:[.!?]+["”’)]*|$)/g))
    .map((m) => ({ from: m.index + (m[0].length - m[0].trimStart().length), to: m.index + m[0].trimEnd().length }))
    .filter((s) => s.to > s.from);
  if (sentences.length === 0) return;
  const index = ((sentenceCursor.get(passage) ?? -1) + 1) % sentences.length;
  sentenceCursor.set(passage, index);
  selectUnits(textElement, sentences[index].from, sentences[index].to);
  announce(`Sentence ${index + 1} of ${sentences.length} selected.`);
}

function selectWholePassage() {
  const passage = currentPassage();
  if (!passage) { announce("Press j to choose a passage first."); return; }
  const textElement = passage.querySelector(".passage-text");
  selectUnits(textElement, 0, textElement.textContent.length);
  announce("Whole passage selected.");
}

// --- The toolbar --------------------------------------------------------------

function showToolbar() {
  const target = targetFromSelection();
  if (!toolbar) return;
  if (!target) { toolbar.hidden = true; return; }
  const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
  toolbar.hidden = false;
  const width = toolbar.offsetWidth;
  const left = Math.min(
    Math.max(8, rect.left + window.scrollX + rect.width / 2 - width / 2),
    window.scrollX + document.documentElement.clientWidth - width - 8,
  );
  toolbar.style.left = `${left}px`;
  toolbar.style.top = `${rect.bottom + window.scrollY + 8}px`;
}

document.addEventListener("mouseup", (event) => {
  if (toolbar?.contains(event.target) || dialog?.contains(event.target)) return;
  setTimeout(showToolbar, 0);
});
document.addEventListener("touchend", () => setTimeout(showToolbar, 0));
document.addEventListener("keyup", (event) => {
  if (event.shiftKey && event.key.startsWith("Arrow")) showToolbar();
});

toolbar?.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  if (button.dataset.colour) localStorage.setItem("tn:colour", button.dataset.colour);
  if (button.dataset.action === "reattach") {
    reattach(button.dataset.reattachUrl);
    return;
  }
  if (button.dataset.action === "motif") {
    proposeMotif(button.dataset.proposeUrl);
    return;
  }
  begin(button.dataset.action);
});

// --- Re-attaching an orphaned note to words chosen anew ------------------------

async function reattach(url) {
  const target = targetFromSelection();
  if (!target) { announce("Select some words first."); return; }
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ target: { start: target.start, end: target.end } }),
  });
  if (!response.ok) {
    const errors = await response.json().catch(() => ({}));
    announce(Object.values(errors).flat().join(" ") || "Not re-attached.");
    return;
  }
  const { id } = await response.json();
  location.href = `${location.pathname}#card-${id}`;
}

// --- Proposing a motif link for the selected words ----------------------------

function proposeMotif(url) {
  const target = targetFromSelection();
  if (!target) { announce("Select some words first."); return; }
  const params = new URLSearchParams({ edition, passage: target.start.passage });
  // A phrase inside one passage is proposed as a quote; a longer span links
  // the passage where it starts.
  if (target.start.passage === target.end.passage) params.set("quote", target.quote);
  location.href = `${url}?${params}`;
}

// --- Creating -----------------------------------------------------------------

function begin(motivation) {
  const target = targetFromSelection();
  if (!target) { announce("Select some words first."); return; }
  pending = target;
  toolbar.hidden = true;
  if (motivation === "highlighting") {
    const visibility = dialog.dataset.course ? "course" : undefined;
    save({ motivation, colour: localStorage.getItem("tn:colour") || "yellow", visibility });
    return;
  }
  openDialog(motivation);
}

function openDialog(motivation) {
  form.reset();  // the class option, when there is one, comes first and selected
  for (const element of form.querySelectorAll("[data-error-for]")) element.textContent = "";
  form.querySelector(`input[name=motivation][value="${motivation}"]`).checked = true;
  const colour = localStorage.getItem("tn:colour") || "yellow";
  const swatch = form.querySelector(`input[name=colour][value="${colour}"]`);
  if (swatch) swatch.checked = true;
  dialog.querySelector("[data-annotate-quote]").textContent = pending.quote;
  dialog.querySelector("[data-annotate-title]").textContent =
    motivation === "questioning" ? "New question" : "New note";
  const preview = dialog.querySelector(".markdownx-preview");
  if (preview) preview.innerHTML = "";
  dialog.showModal();
  form.querySelector("textarea").focus();
}

async function save(fields) {
  const payload = {
    edition,
    target: { start: pending.start, end: pending.end },
    ...fields,
  };
  // Inside an assignment, class notes carry their class.
  if (dialog.dataset.course && ["course", "teacher"].includes(fields.visibility)) {
    payload.course = Number(dialog.dataset.course);
  }
  let response;
  try {
    response = await fetch(apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(payload),
    });
  } catch {
    showErrors({ form: ["The server could not be reached; nothing was saved."] });
    return false;
  }
  if (!response.ok) {
    const errors = await response.json().catch(() => ({}));
    showErrors(errors);
    if (!dialog.open) announce(Object.values(errors).flat().join(" ") || "Not saved.");
    return false;
  }
  const annotation = await response.json();
  window.getSelection()?.removeAllRanges();
  if (dialog.open) dialog.close();
  await refreshPassages(annotation.id);
  announce(fields.motivation === "highlighting" ? "Highlighted." : "Saved.");
  return true;
}

function showErrors(errors) {
  const known = new Set(["body", "tags", "visibility"]);
  const general = [];
  for (const [field, messages] of Object.entries(errors)) {
    const text = [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
    const slot = form?.querySelector(`[data-error-for="${field}"]`);
    if (slot && known.has(field)) slot.textContent = text;
    else general.push(text);
  }
  const slot = form?.querySelector('[data-error-for="form"]');
  if (slot) slot.textContent = general.join(" ");
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const colour = data.get("colour") || "yellow";
  localStorage.setItem("tn:colour", colour);
  save({
    motivation: data.get("motivation"),
    body: data.get("body") || "",
    tags: String(data.get("tags") || "").split(",").map((t) => t.trim()).filter(Boolean),
    colour,
    visibility: data.get("editorial") ? "public" : data.get("visibility"),
    ...(data.get("editorial") ? { editorial: true } : {}),
  });
});

dialog?.querySelector("[data-annotate-cancel]")?.addEventListener("click", () => dialog.close());

async function refreshPassages(focusId) {
  const html = await (await fetch(location.href, { credentials: "same-origin" })).text();
  const fresh = new DOMParser().parseFromString(html, "text/html");
  const current = document.querySelector(".passages");
  const replacement = fresh.querySelector(".passages");
  if (current && replacement) current.replaceWith(replacement);
  const count = fresh.querySelector(".filter-count");
  if (count) document.querySelector(".filter-count")?.replaceWith(count);
  const card = document.getElementById(`card-${focusId}`);
  if (card) {
    card.classList.add("is-active");
    card.scrollIntoView({ block: "nearest" });
  }
}

// --- Keys ---------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, textarea, select, dialog, [contenteditable='true']")) return;
  const actions = {
    s: selectNextSentence,
    a: selectWholePassage,
    h: () => begin("highlighting"),
    n: () => begin("commenting"),
    q: () => begin("questioning"),
    Escape: () => { window.getSelection()?.removeAllRanges(); if (toolbar) toolbar.hidden = true; },
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

// --- A highlight opens its card ---------------------------------------------

document.addEventListener("click", (event) => {
  const mark = event.target.closest("mark[data-annotations]");
  if (!mark || !window.getSelection()?.isCollapsed) return;
  const ids = mark.dataset.annotations.split(" ")
    .filter((id) => document.getElementById(`card-${id}`));
  if (ids.length === 0) {
    // A busy passage: this highlight's card is on the passage's own page.
    const more = mark.closest(".passage-row")?.querySelector(".more-notes");
    if (more) location.href = more.href;
    return;
  }
  for (const id of ids) document.getElementById(`card-${id}`)?.classList.add("is-active");
  const card = document.getElementById(`card-${ids[ids.length - 1]}`);
  if (card) {
    card.scrollIntoView({ block: "nearest" });
    card.focus({ preventScroll: true });
  }
});
