// Annotating on the part page: select words (mouse, touch or keys), then
// Highlight, Note or Question. Offsets are sent in Unicode code points of the
// passage's text, as the server counts; JavaScript strings count UTF-16 units,
// so every offset is converted here. After a save, a reply or a delete the rows
// of the passages involved are asked for again (the server owns how highlights
// look) and put in place: the page is not reloaded.

const toolbar = document.querySelector("[data-annotate-toolbar]");
const dialog = document.querySelector("[data-annotate-dialog]");
const status = document.querySelector("[data-annotate-status]");
const alertRegion = document.querySelector("[data-annotate-alert]");
const form = dialog?.querySelector("[data-annotate-form]");
const apiUrl = dialog?.dataset.apiUrl;
const edition = dialog?.dataset.edition;
// Replies and deletes go to the annotations API, even inside an assignment.
const annotationsApi = dialog?.dataset.annotationsApi;
const passagesUrl = document.querySelector("article.part")?.dataset.passagesUrl;
// What reader.views.part_passages answers at most in one request.
const MAX_ROWS = 20;

let pending = null; // the range being annotated: {start, end, quote}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function announce(message) {
  if (alertRegion) alertRegion.textContent = "";
  if (status) status.textContent = message;
}

// Something went wrong: said at once (role=alert), and the calm status
// emptied so the two never speak over each other.
function announceError(message) {
  if (status) status.textContent = "";
  if (alertRegion) alertRegion.textContent = message;
  else announce(message);
}

// --- From a DOM selection to passage keys and code-point offsets ----------
//
// A drag may start or end outside the text: in the margin, on the motif
// chips, the meta row, a card, between passages or on a heading. The note
// then covers exactly the passage text inside the selection: its start moves
// forward to the first character of text in it, its end back to the last,
// never outwards. After a drag the selection itself is narrowed to that text
// and the page's furniture between passages stops being selectable (the
// `data-text-selection` rule in site.css), so what the browser shows as
// selected is what will be annotated.

function codePoints(textElement, node, offset) {
  // Code points from the start of the passage's text to a boundary inside it.
  const range = document.createRange();
  range.setStart(textElement, 0);
  range.setEnd(node, offset);
  return Array.from(range.toString()).length;
}

function textSelection() {
  // The selected passage text: [{text, from, to}] per passage in reading
  // order (code points), with the DOM range that holds exactly it.
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const texts = Array.from(document.querySelectorAll(".passage[data-key] > .passage-text"))
    .filter((text) => range.intersectsNode(text));
  const pieces = texts.map((text) => {
    const length = Array.from(text.textContent).length;
    const startsInside = text.contains(range.startContainer);
    const endsInside = text.contains(range.endContainer);
    return {
      text,
      from: startsInside ? codePoints(text, range.startContainer, range.startOffset) : 0,
      to: endsInside ? codePoints(text, range.endContainer, range.endOffset) : length,
      start: startsInside ? [range.startContainer, range.startOffset] : [text, 0],
      end: endsInside ? [range.endContainer, range.endOffset] : [text, text.childNodes.length],
    };
  });
  // A boundary at the very end of one passage's text (or the very start of
  // the next) holds none of its words: leave that passage out.
  while (pieces.length && pieces[0].from >= pieces[0].to) pieces.shift();
  while (pieces.length && pieces[pieces.length - 1].from >= pieces[pieces.length - 1].to) pieces.pop();
  if (pieces.length === 0) return null;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const textRange = document.createRange();
  textRange.setStart(...first.start);
  textRange.setEnd(...last.end);
  return { selection, range, pieces, textRange };
}

function targetFromSelection() {
  const selected = textSelection();
  if (!selected) return null;
  const { pieces } = selected;
  // Passages join with a line break, as the server joins them for a span;
  // whitespace is what Python's str.split() splits on, and U+FEFF (the same
  // set as the server's normalise_whitespace).
  const quote = pieces
    .map(({ text, from, to }) => Array.from(text.textContent).slice(from, to).join(""))
    .join("\n")
    .replace(/[\s\x1c-\x1f\x85]+/g, " ")
    .trim();
  if (!quote) return null;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  return {
    start: { passage: first.text.closest(".passage").dataset.key, offset: first.from },
    end: { passage: last.text.closest(".passage").dataset.key, offset: last.to },
    quote,
  };
}

function narrowSelection() {
  // After a drag: show as selected only the text a note would cover.
  const selected = textSelection();
  if (!selected) return;
  document.documentElement.dataset.textSelection = "";
  const { selection, range, textRange } = selected;
  const same = range.compareBoundaryPoints(Range.START_TO_START, textRange) === 0
    && range.compareBoundaryPoints(Range.END_TO_END, textRange) === 0;
  if (same) return;
  const anchor = document.createRange();
  anchor.setStart(selection.anchorNode, selection.anchorOffset);
  const backwards = anchor.comparePoint(selection.focusNode, selection.focusOffset) < 0;
  if (backwards) {
    selection.setBaseAndExtent(
      textRange.endContainer, textRange.endOffset, textRange.startContainer, textRange.startOffset,
    );
  } else {
    selection.setBaseAndExtent(
      textRange.startContainer, textRange.startOffset, textRange.endContainer, textRange.endOffset,
    );
  }
}

// A new drag may start anywhere (a card's words can be copied); the furniture
// is set apart again once the drag has reached the text.
document.addEventListener("pointerdown", (event) => {
  if (toolbar?.contains(event.target) || dialog?.contains(event.target)) return;
  delete document.documentElement.dataset.textSelection;
});

// --- Selecting with keys ----------------------------------------------------

function currentPassage() {
  return document.querySelector(".passage.is-current")
    || document.activeElement?.closest?.(".passage")
    // In the toolbar: the passage its words are in (s selects the next sentence).
    || (toolbar?.contains(document.activeElement) && selectedFrom?.isConnected ? selectedFrom : null)
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
  showToolbar({ focus: true });
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

function showToolbar({ focus = false } = {}) {
  const target = targetFromSelection();
  if (!toolbar) return;
  if (!target) { toolbar.hidden = true; return; }
  const range = window.getSelection().getRangeAt(0);
  const rect = range.getBoundingClientRect();
  placeAfterSelection(range);
  toolbar.hidden = false;
  // Never wider than the window (its buttons wrap, site.css), never off it.
  const width = toolbar.offsetWidth;
  const viewLeft = window.scrollX + 8;
  const viewRight = window.scrollX + document.documentElement.clientWidth - 8;
  const left = Math.max(viewLeft, Math.min(
    rect.left + window.scrollX + rect.width / 2 - width / 2,
    viewRight - width,
  ));
  const origin = originOf(toolbar);
  toolbar.style.left = `${left - origin.left}px`;
  toolbar.style.top = `${rect.bottom + window.scrollY + 8 - origin.top}px`;
  resetToolbarTabStop();
  // Opened by a key (s, a): the reader's next keys belong to the toolbar.
  if (focus) toolbarButtons()[0]?.focus();
}

// --- The toolbar from the keyboard (keyboard part of #13) -----------------------
// The toolbar sits in the page right after the row the selection ends in, so
// Tab reaches it next to the words it acts on (not after every passage). It
// is one Tab stop: arrows, Home and End move between its buttons (a roving
// tabindex); Escape closes it and hands focus back to the passage.

let selectedFrom = null; // the passage whose words the toolbar acts on

function placeAfterSelection(range) {
  const end = range.endContainer.nodeType === Node.ELEMENT_NODE
    ? range.endContainer : range.endContainer.parentElement;
  const row = end?.closest(".passage-row");
  selectedFrom = end?.closest(".passage-row")?.querySelector(".passage[data-key]") || selectedFrom;
  // After the row, not inside it: rows are replaced after a save, and clip
  // what they hold (content-visibility).
  if (row && row.nextElementSibling !== toolbar) row.after(toolbar);
}

function originOf(element) {
  // The page position its absolute `left` and `top` count from.
  const parent = element.offsetParent;
  if (!parent || (parent === document.body && getComputedStyle(parent).position === "static")) {
    return { left: 0, top: 0 };
  }
  const rect = parent.getBoundingClientRect();
  return {
    left: rect.left + window.scrollX + parent.clientLeft,
    top: rect.top + window.scrollY + parent.clientTop,
  };
}

function toolbarButtons() {
  return toolbar ? Array.from(toolbar.querySelectorAll("button")) : [];
}

function resetToolbarTabStop(chosen) {
  const buttons = toolbarButtons();
  const stop = chosen || buttons[0];
  for (const button of buttons) button.tabIndex = button === stop ? 0 : -1;
}

function closeToolbar() {
  window.getSelection()?.removeAllRanges();
  closeToolbarKeepingSelection();
}

function closeToolbarKeepingSelection() {
  if (!toolbar) return;
  const hadFocus = toolbar.contains(document.activeElement);
  toolbar.hidden = true;
  const passage = selectedFrom?.isConnected ? selectedFrom : currentPassage();
  if (hadFocus && passage) {
    if (!passage.hasAttribute("tabindex")) passage.setAttribute("tabindex", "-1");
    passage.focus({ preventScroll: true });
  }
}

toolbar?.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const buttons = toolbarButtons();
  const at = buttons.indexOf(document.activeElement);
  const moves = {
    ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
    Home: 0, End: buttons.length - 1,
  };
  if (event.key === "Escape") {
    event.preventDefault();
    closeToolbar();
    return;
  }
  if (!(event.key in moves) || at === -1) return;
  event.preventDefault();
  const next = buttons[(moves[event.key] + buttons.length) % buttons.length];
  resetToolbarTabStop(next);
  next.focus();
});

document.addEventListener("mouseup", (event) => {
  if (toolbar?.contains(event.target) || dialog?.contains(event.target)) return;
  setTimeout(() => { narrowSelection(); showToolbar(); }, 0);
});
document.addEventListener("touchend", () => setTimeout(() => { narrowSelection(); showToolbar(); }, 0));
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
    body: JSON.stringify({ target: { start: target.start, end: target.end, quote: target.quote } }),
  });
  if (!response.ok) {
    const errors = await response.json().catch(() => ({}));
    announceError(Object.values(errors).flat().join(" ") || "Not re-attached.");
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
  if (target.start.passage === target.end.passage) {
    params.set("quote", target.quote);
    // Where it was selected: words the passage has twice are proposed there.
    params.set("start", target.start.offset);
    params.set("end", target.end.offset);
  }
  location.href = `${url}?${params}`;
}

// --- Creating -----------------------------------------------------------------

function begin(motivation) {
  const target = targetFromSelection();
  if (!target) { announce("Select some words first."); return; }
  pending = target;
  // Focus leaves the toolbar for the passage, not for <body>, as it hides.
  if (toolbar.contains(document.activeElement)) closeToolbarKeepingSelection();
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
  // This save's own words and whether it came from the note dialog: the
  // highlight shows at once, so the reader may select other words or open
  // the dialog for another note before the server answers.
  const target = pending;
  const fromDialog = dialog.open;
  const payload = {
    edition,
    // The words shown as selected: the server refuses the note if the text at
    // these offsets is not them (a page older than a revision, say).
    target: { start: target.start, end: target.end, quote: target.quote },
    ...fields,
  };
  // Inside an assignment, class notes carry their class.
  if (dialog.dataset.course && ["course", "teacher"].includes(fields.visibility)) {
    payload.course = Number(dialog.dataset.course);
  }
  // Where the reader was when they asked: focus follows the change only if
  // they have not moved on meanwhile.
  let startedFrom = document.activeElement;
  // Shown at once; the server's rows replace these marks, a failure removes them.
  const drawn = fields.editorial ? [] : drawPending(target, fields);
  // The selection as it stands now; a reader who selects other words while
  // this saves keeps them.
  const selectedThen = selectionState();
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
    undrawPending(drawn);
    const message = "The server could not be reached; nothing was saved.";
    if (fromDialog) showErrors({ form: [message] });
    else announceError(message);
    return false;
  }
  if (!response.ok) {
    undrawPending(drawn);
    const errors = await response.json().catch(() => ({}));
    if (fromDialog) showErrors(errors);
    else announceError(Object.values(errors).flat().join(" ") || "Not saved.");
    return false;
  }
  const annotation = await response.json();
  if (selectionState() === selectedThen) window.getSelection()?.removeAllRanges();
  if (fromDialog && dialog.open) {
    // The modal dialog kept the reader here; closing it hands focus back.
    dialog.close();
    startedFrom = document.activeElement;
  }
  const keys = fields.editorial ? null : keysBetween(target.start.passage, target.end.passage);
  if (await refreshRows(keys, `card-${annotation.id}`, target.start.passage, startedFrom)) {
    announce(fields.motivation === "highlighting" ? "Highlighted." : "Saved.");
  }
  return true;
}

// --- The new highlight, drawn before the server answers ------------------------
// The words of the selection are wrapped in marks as the server would colour
// them, so the reader sees the highlight when they click rather than when the
// passage's row comes back. They are the page's guess only: the server's row
// replaces the whole row (and these marks with it); a refused or failed save
// unwraps them, leaving the text as it was.

function boundary(key, offset) {
  // The DOM position `offset` code points into a passage's text.
  const text = document.querySelector(`.passage[data-key="${CSS.escape(key)}"] > .passage-text`);
  if (!text) return null;
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  let left = offset;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const points = Array.from(node.data);
    if (left <= points.length) return [node, points.slice(0, left).join("").length];
    left -= points.length;
    last = node;
  }
  return last ? [last, last.data.length] : null;
}

function drawPending(target, { motivation, colour }) {
  // From the offsets sent, not the selection: what is drawn is what is saved.
  const start = boundary(target.start.passage, target.start.offset);
  const end = boundary(target.end.passage, target.end.offset);
  if (!start || !end) return [];
  const range = document.createRange();
  range.setStart(...start);
  range.setEnd(...end);
  if (range.collapsed) return [];
  const classes = ["hl", "hl-own", "hl-pending"];
  if (colour && colour !== "yellow") classes.push(`hl-${colour}`);
  if (motivation === "commenting" || motivation === "questioning") classes.push(`hl-${motivation}`);
  const pieces = [];
  for (const text of document.querySelectorAll(".passage[data-key] > .passage-text")) {
    if (!range.intersectsNode(text)) continue;
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!range.intersectsNode(node)) continue;
      const from = node === range.startContainer ? range.startOffset : 0;
      const to = node === range.endContainer ? range.endOffset : node.data.length;
      if (from < to) pieces.push([node, from, to]);
    }
  }
  // Wrapped after the walk: splitting text nodes moves the range's ends.
  return pieces.map(([node, from, to]) => {
    if (to < node.data.length) node.splitText(to);
    const words = from > 0 ? node.splitText(from) : node;
    const mark = document.createElement("mark");
    mark.className = classes.join(" ");
    words.replaceWith(mark);
    mark.append(words);
    return mark;
  });
}

function undrawPending(marks) {
  const parents = new Set();
  for (const mark of marks) {
    if (!mark.isConnected) continue;
    parents.add(mark.parentNode);
    mark.replaceWith(...mark.childNodes);
  }
  // Join the split text again: the passage is as the server sent it.
  for (const parent of parents) parent.normalize();
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

// --- Putting a change in place ---------------------------------------------
//
// Only the rows of the passages a change touched are fetched
// (reader.views.part_passages, with this page's own query: filters, an
// assignment) and swapped in, with the page's header fragments (counts, tags,
// prompts). What is at the top of the window stays there; focus moves to the
// card written (or to its passage when the card is gone) so keyboard and
// screen-reader users know where they are. If the rows cannot be fetched the
// page is loaded afresh: never a stale page.

function keysBetween(startKey, endKey) {
  const keys = Array.from(document.querySelectorAll(".passage[data-key]"), (p) => p.dataset.key);
  const first = keys.indexOf(startKey);
  const last = keys.indexOf(endKey);
  if (first === -1 || last < first) return null;
  return keys.slice(first, last + 1);
}

async function fetchRows(keys) {
  const chunks = [];
  for (let i = 0; i < keys.length; i += MAX_ROWS) chunks.push(keys.slice(i, i + MAX_ROWS));
  const answers = await Promise.all(chunks.map(async (chunk) => {
    const query = new URLSearchParams(location.search);
    query.set("keys", chunk.join(","));
    const response = await fetch(`${passagesUrl}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`rows not fetched: ${response.status}`);
    return response.json();
  }));
  return {
    passages: Object.assign({}, ...answers.map((answer) => answer.passages)),
    fragments: answers[answers.length - 1].fragments,
  };
}

function rowOf(key) {
  return document.querySelector(`.passage[data-key="${CSS.escape(key)}"]`)?.closest(".passage-row");
}

function replaceRows(passages) {
  // Keep the row at the top of the window where it is: turn the browser's
  // own scroll anchoring off (its anchor may be inside a replaced row) and
  // move by what the rows above it grew or shrank.
  const rows = Array.from(document.querySelectorAll(".passage-row"));
  const top = rows.find((row) => row.getBoundingClientRect().bottom > 0);
  const topKey = top?.querySelector(".passage[data-key]")?.dataset.key;
  const before = top ? top.getBoundingClientRect().top : 0;
  const root = document.documentElement;
  root.style.overflowAnchor = "none";
  const replaced = [];
  for (const [key, html] of Object.entries(passages)) {
    const old = rowOf(key);
    if (!old) continue;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const row = template.content.firstElementChild;
    old.replaceWith(row);
    replaced.push([old, row]);
  }
  const after = topKey ? rowOf(topKey)?.getBoundingClientRect().top : undefined;
  if (after !== undefined) window.scrollBy(0, after - before);
  root.style.overflowAnchor = "";
  // Per-passage behaviour (reading progress, copy citation, j/k) in reader.js.
  document.dispatchEvent(new CustomEvent("tn:rows-replaced", { detail: { rows: replaced } }));
}

// Nodes numbered as they are first seen, so two selections compare by value.
const nodeNumbers = new WeakMap();
let nodesSeen = 0;

function nodeNumber(node) {
  if (!node) return 0;
  if (!nodeNumbers.has(node)) nodeNumbers.set(node, ++nodesSeen);
  return nodeNumbers.get(node);
}

function selectionState() {
  // What identifies a selection: its two ends, node and offset.
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0) return "";
  return [
    nodeNumber(selection.anchorNode), selection.anchorOffset,
    nodeNumber(selection.focusNode), selection.focusOffset,
  ].join(":");
}

function movedOn(startedFrom) {
  // While the change was saved the reader went elsewhere (j/k to the next
  // passage, a click on another card): their focus stays where they put it.
  const now = document.activeElement;
  if (!startedFrom || !now || now === document.body || now === startedFrom) return false;
  return !now.closest("[data-annotate-toolbar], [data-annotate-dialog]");
}

function focusAfterChange(focusId, fallbackKey, startedFrom) {
  if (movedOn(startedFrom)) return;
  const card = focusId && document.getElementById(focusId);
  const target = card || document.querySelector(`.passage[data-key="${CSS.escape(fallbackKey || "")}"]`);
  if (!target) return;
  if (card) card.classList.add("is-active");
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "nearest" });
}

function reloadAt(focusId) {
  if (focusId) history.replaceState(null, "", `#${focusId}`);
  location.reload();
}

async function refreshRows(keys, focusId, fallbackKey, startedFrom) {
  // keys null: the change reaches beyond its passages (an editor's note
  // renumbers the others), so the page is loaded whole.
  if (!keys || !passagesUrl) { reloadAt(focusId); return false; }
  let answer;
  try {
    answer = await fetchRows(keys);
  } catch {
    reloadAt(focusId);
    return false;
  }
  replaceRows(answer.passages);
  for (const [name, html] of Object.entries(answer.fragments)) {
    const holder = document.querySelector(`[data-part-fragment="${name}"]`);
    if (holder) holder.innerHTML = html;
  }
  focusAfterChange(focusId, fallbackKey, startedFrom);
  return true;
}

// --- Replies and deletes from a card, without leaving the page ---------------
// The card's forms and links still work without this script (they post and
// come back to the page).

function passageKeyOf(element) {
  return element.closest(".passage-row")?.querySelector(".passage[data-key]")?.dataset.key;
}

async function sendJson(url, method, body) {
  return fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

document.addEventListener("submit", async (event) => {
  const replyForm = event.target.closest("form[data-reply-to]");
  const key = replyForm && passageKeyOf(replyForm);
  if (!key || !annotationsApi) return;
  event.preventDefault();
  const body = replyForm.querySelector("textarea").value;
  const startedFrom = document.activeElement;
  let response;
  try {
    response = await sendJson(annotationsApi, "POST", { reply_to: replyForm.dataset.replyTo, body });
  } catch {
    announceError("The server could not be reached; nothing was saved.");
    return;
  }
  if (!response.ok) {
    const errors = await response.json().catch(() => ({}));
    announceError(Object.values(errors).flat().join(" ") || "Not saved.");
    return;
  }
  const reply = await response.json();
  if (await refreshRows([key], `card-${reply.id}`, key, startedFrom)) {
    announce("Your reply is posted.");
  }
});

document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-delete]");
  const key = link && passageKeyOf(link);
  if (!key || !annotationsApi || event.button !== 0 || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const isReply = Boolean(link.closest(".reply"));
  const question = isReply ? dialog.dataset.confirmDeleteReply : dialog.dataset.confirmDelete;
  if (!window.confirm(question)) return;
  const startedFrom = document.activeElement;
  const url = `${annotationsApi}${link.dataset.delete}/`;
  let keys = [key];
  try {
    if (!isReply) {
      // A highlight across passages leaves marks on each of them.
      const found = await sendJson(url, "GET");
      const target = found.ok ? (await found.json()).target : null;
      if (target) keys = keysBetween(target.start.passage, target.end.passage) || keys;
    }
    const response = await sendJson(url, "DELETE");
    if (!response.ok) {
      const errors = await response.json().catch(() => ({}));
      announceError(Object.values(errors).flat().join(" ") || "Not deleted.");
      return;
    }
  } catch {
    announceError("The server could not be reached; nothing was deleted.");
    return;
  }
  // A note others replied to stays as a tombstone: focus it, else the passage.
  const focusId = isReply ? link.closest(".card")?.id : link.closest(".card, .reply")?.id;
  if (await refreshRows("editorial" in link.dataset ? null : keys, focusId, key, startedFrom)) {
    announce("Deleted.");
  }
});

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
    Escape: closeToolbar,
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

// --- A highlight opens its card ---------------------------------------------

// A highlight's first mark in a passage names its descriptions (hidden
// beside the passage), and one whose card is on the page names the card
// (data-card); the card knows where its highlight lies (data-range). The
// cards of the highlights over a mark, innermost (shortest) last.
function cardsOf(mark) {
  const text = mark.closest(".passage-text");
  const row = mark.closest(".passage-row");
  if (!text || !row) return [];
  const at = codePoints(text, mark, 0);
  const cardOf = (description) => document.getElementById(`card-${description.dataset.card}`);
  const covering = [...row.querySelectorAll(".mark-notes [data-card]")]
    .map(cardOf)
    .filter((card) => {
      const [start, end] = (card?.dataset.range ?? "").split(" ").map(Number);
      return card && start <= at && at < end;
    })
    .sort((a, b) => span(b) - span(a));
  if (covering.length) return [...new Set(covering)];
  // A highlight reaching here from an earlier passage: its first mark here.
  return (mark.getAttribute("aria-describedby") ?? "").split(" ")
    .map((id) => id && document.getElementById(id))
    .filter((description) => description?.dataset.card)
    .map(cardOf)
    .filter(Boolean);
}

function span(card) {
  const [start, end] = card.dataset.range.split(" ").map(Number);
  return end - start;
}

document.addEventListener("click", (event) => {
  // A mark still waiting for the server has no card yet.
  const mark = event.target.closest("mark.hl:not(.hl-pending)");
  if (!mark || !window.getSelection()?.isCollapsed) return;
  const cards = cardsOf(mark);
  if (cards.length === 0) {
    // A busy passage: this highlight's card is on the passage's own page.
    const more = mark.closest(".passage-row")?.querySelector(".more-notes");
    if (more) location.href = more.href;
    return;
  }
  openCard(mark, cards);
});

// --- From a highlight to its card and back: one key each way --------------
//
// Enter on a highlight (a screen reader's Enter clicks it; a mark focused by
// Escape below takes the key) opens its card; Escape on the card goes back to
// the highlight it came from, or to its highlight's first mark.

const cameFrom = new WeakMap();

function openCard(mark, cards) {
  for (const card of cards) card.classList.add("is-active");
  const card = cards[cards.length - 1];
  cameFrom.set(card, mark);
  card.setAttribute("aria-keyshortcuts", "Escape");
  card.scrollIntoView({ block: "nearest" });
  card.focus({ preventScroll: true });
}

function firstMarkOf(card) {
  const pk = card.dataset.annotation;
  for (const description of document.querySelectorAll(`.mark-notes [data-card="${pk}"]`)) {
    const mark = document.querySelector(`mark[aria-describedby~="${description.id}"]`);
    if (mark) return mark;
  }
  return null;
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (event.key === "Enter" && target.matches?.("mark.hl")) {
    const cards = cardsOf(target);
    if (!cards.length) return;
    event.preventDefault();
    openCard(target, cards);
  } else if (event.key === "Escape" && target.matches?.("article.card")) {
    const kept = cameFrom.get(target);
    const mark = kept?.isConnected ? kept : firstMarkOf(target);
    if (!mark) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    // Focusable by script only: not one more Tab stop per highlight.
    mark.tabIndex = -1;
    mark.scrollIntoView({ block: "nearest" });
    mark.focus({ preventScroll: true });
  }
}, true);

// --- A note found by search: its card open ----------------------------------
// /search/ and /api/search/ link a note to `…?note=<id>&at=<key>#card-<id>`
// (search/links.py): the browser scrolls to the card and focuses it; it is
// made active, as a click on its highlight would, and Escape goes to its
// highlight (a reply: its thread's card). A card not on this page (a busy
// passage shows a few) gives way to its passage.

{
  const found = new URLSearchParams(location.search);
  const wanted = found.get("note");
  // A reply's id is on its line inside its thread's card.
  const card = wanted && document.getElementById(`card-${wanted}`)?.closest("article.card");
  if (card) {
    openCard(firstMarkOf(card) ?? card, [card]);
  } else if (wanted && /^[a-z0-9-]+$/.test(found.get("at") ?? "")) {
    location.replace(`#${found.get("at")}`);
  }
}
