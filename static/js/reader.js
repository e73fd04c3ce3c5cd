// The part page: j/k between passages, copy a citation, the scroll progress
// bar, and reading progress (sent to the server for signed-in readers, kept in
// this browser for anonymous ones). The page works without any of it.

const article = document.querySelector("article.part");
// Read afresh each time: annotating replaces passages' rows.
const allPassages = () => Array.from(document.querySelectorAll(".passage"));
const edition = article?.dataset.edition;
const progressUrl = article?.dataset.progressUrl;
const placeKey = `tn:place:${edition}`;

// --- Moving between passages with j and k --------------------------------

let current = -1;

// --- Landing on the passage aimed at ----------------------------------------
// Rows far from the window are not laid out (content-visibility in site.css):
// their height is a guess until they come near. A smooth scroll to a far
// passage (a link to #key, j/k) is aimed with those guesses and the rows it
// passes change size on the way, so it can end beside the passage: when the
// scroll ends, the passage is put where it was aimed, at once.

let aimed = null;

function aimAt(element) {
  aimed = element;
}

function settle() {
  const element = aimed;
  aimed = null;
  if (!element?.isConnected) return;
  const margin = parseFloat(getComputedStyle(element).scrollMarginTop) || 0;
  if (Math.abs(element.getBoundingClientRect().top - margin) > 2) {
    element.scrollIntoView({ block: "start", behavior: "instant" });
  }
}

if ("onscrollend" in window) {
  document.addEventListener("scrollend", settle);
} else {
  let quiet;
  window.addEventListener("scroll", () => {
    clearTimeout(quiet);
    quiet = setTimeout(settle, 150);
  }, { passive: true });
}

function hashPassage() {
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  return target?.closest(".passages") ? target : null;
}
window.addEventListener("hashchange", () => aimAt(hashPassage()));
// A page opened at a passage starts there, as a page without smooth
// scrolling would, rather than gliding down past rows still being sized.
const openedAt = hashPassage();
if (openedAt) {
  aimAt(openedAt);
  openedAt.scrollIntoView({ block: "start", behavior: "instant" });
}

function setCurrent(index, { scroll = true } = {}) {
  const passages = allPassages();
  if (index < 0 || index >= passages.length) return;
  document.querySelector(".passage.is-current")?.classList.remove("is-current");
  current = index;
  const passage = passages[index];
  passage.classList.add("is-current");
  if (scroll) {
    passage.focus({ preventScroll: true });
    aimAt(passage);
    passage.scrollIntoView({ block: "start" });
    history.replaceState(null, "", `#${passage.id}`);
  }
}

function firstVisibleIndex() {
  const passages = allPassages();
  const index = passages.findIndex((p) => p.getBoundingClientRect().bottom > 48);
  return index === -1 ? passages.length - 1 : index;
}

function isTyping(target) {
  return target.closest("input, textarea, select, [contenteditable='true']");
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  if (isTyping(event.target)) return;
  if (event.key !== "j" && event.key !== "k") return;
  if (current !== -1 && !document.querySelector(".passage.is-current")) {
    // The current passage's row was replaced: find it again.
    current = allPassages().findIndex((p) => `#${p.id}` === location.hash);
  }
  const base = current === -1 ? firstVisibleIndex() : current;
  const fromUnset = current === -1;
  if (event.key === "j") setCurrent(fromUnset ? base : base + 1);
  else setCurrent(fromUnset ? base : base - 1);
  event.preventDefault();
});

if (location.hash) {
  const index = allPassages().findIndex((p) => `#${p.id}` === location.hash);
  if (index !== -1) setCurrent(index, { scroll: false });
}

// --- Copy citation --------------------------------------------------------

function showCopyButtons(within = document) {
  for (const button of within.querySelectorAll(".meta-more")) button.hidden = false;
  if (!navigator.clipboard) return;
  for (const button of within.querySelectorAll("[data-copy-citation]")) button.hidden = false;
}

// --- The quiet meta line -----------------------------------------------------
// Hover and focus open a passage's meta line (site.css); on a touch screen,
// which has neither, its ⋯ button opens and closes it.

// While a selection is dragged nothing opens or closes under the pointer: a
// line the drag began in stays open, and no other opens until the button is
// released.
document.addEventListener("mousedown", (event) => {
  if (event.button !== 0) return;
  const meta = event.target.closest?.(".passage-meta");
  const root = document.documentElement;
  if (meta) meta.classList.add("is-held");
  else root.dataset.pressing = "";
  document.addEventListener("mouseup", () => {
    meta?.classList.remove("is-held");
    delete root.dataset.pressing;
  }, { once: true });
});

document.addEventListener("click", (event) => {
  const button = event.target.closest(".meta-more");
  if (!button) return;
  button.closest(".passage-meta").classList.toggle("is-open");
});
showCopyButtons();
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-citation]");
  if (!button) return;
  {
    const passage = button.closest(".passage");
    const url = new URL(`#${passage.id}`, location.href).href;
    const text = `${passage.dataset.citation} ${url}`;
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = button.dataset.copiedLabel;
    } catch {
      button.textContent = button.dataset.failedLabel;
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  }
});

// --- Rows replaced after annotating (annotate.js) --------------------------
// The new rows are as the server renders them: carry over what this page
// knows and the server may not yet (seen, current) and show their buttons.

document.addEventListener("tn:rows-replaced", (event) => {
  for (const [old, row] of event.detail.rows) {
    const was = old.querySelector(".passage");
    const now = row.querySelector(".passage");
    if (was && now) {
      for (const name of ["is-read", "is-current"]) {
        if (was.classList.contains(name)) now.classList.add(name);
      }
    }
    showCopyButtons(row);
  }
});

// --- Scroll progress bar --------------------------------------------------

const bar = document.querySelector("[data-scroll-progress]");
function updateBar() {
  if (!bar || !article) return;
  const rect = article.getBoundingClientRect();
  const total = rect.height - window.innerHeight;
  const done = total > 0 ? Math.min(1, Math.max(0, -rect.top / total)) : 1;
  bar.style.width = `${(done * 100).toFixed(1)}%`;
}
window.addEventListener("scroll", updateBar, { passive: true });
window.addEventListener("resize", updateBar);
// After the first frame: reading the layout now would force it while the page
// is still being put together.
requestAnimationFrame(updateBar);

// --- Reading progress -----------------------------------------------------
// A passage counts as seen once it has been on screen for a second. Seen keys
// are sent in batches every few seconds and when the page is hidden.

const SEEN_AFTER_MS = 1000;
const FLUSH_EVERY_MS = 5000;
const timers = new Map();
const pending = new Set();

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function rememberPlace(passage) {
  try {
    localStorage.setItem(placeKey, JSON.stringify({
      key: passage.id,
      url: `${location.pathname}#${passage.id}`,
      citation: passage.dataset.citation,
      at: Date.now(),
    }));
  } catch { /* storage may be full or disabled: the place is a convenience */ }
}

function markSeen(passage) {
  passage.classList.add("is-read");
  pending.add(passage.dataset.key);
  rememberPlace(passage);
}

function flush() {
  if (!progressUrl || pending.size === 0) { pending.clear(); return; }
  const keys = Array.from(pending);
  pending.clear();
  fetch(progressUrl, {
    method: "POST",
    keepalive: true,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ keys }),
  }).catch(() => keys.forEach((key) => pending.add(key)));
}

if ("IntersectionObserver" in window && edition) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const passage = entry.target;
      if (entry.isIntersecting) {
        if (!timers.has(passage)) {
          timers.set(passage, setTimeout(() => { timers.delete(passage); markSeen(passage); }, SEEN_AFTER_MS));
        }
      } else if (timers.has(passage)) {
        clearTimeout(timers.get(passage));
        timers.delete(passage);
      }
    }
  }, { threshold: 0.6 });
  allPassages().forEach((p) => observer.observe(p));
  // Annotating replaces some rows (annotate.js): watch their new passages.
  document.addEventListener("tn:rows-replaced", (event) => {
    for (const [old, row] of event.detail.rows) {
      for (const passage of old.querySelectorAll(".passage")) {
        observer.unobserve(passage);
        clearTimeout(timers.get(passage));
        timers.delete(passage);
      }
      for (const passage of row.querySelectorAll(".passage")) observer.observe(passage);
    }
  });
  setInterval(flush, FLUSH_EVERY_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);
}

// --- A search result opened here: its words marked --------------------------
// /search/ links to `…?find=words#key`. The words are painted in that passage
// with the CSS Custom Highlight API: nothing is added to the text, so the
// highlights' anchoring never sees them. Accents and capitals do not count,
// nor common English endings ("masks" marks "mask" and "masked"), roughly as
// the search's stemmer matched them. Browsers without the API show the
// passage, without the paint.

const fold = (word) => word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const root = (word) => word.replace(/(?:ing|ed|es|s|ly)$/u, "");

function markFound() {
  const wanted = new URLSearchParams(location.search).get("find");
  const passage = hashPassage();
  if (!wanted || !passage || !window.CSS?.highlights || typeof Highlight !== "function") return;
  const words = wanted.split(/\s+/).filter(Boolean).map(fold);
  if (!words.length) return;
  const matches = (word) => {
    const folded = fold(word);
    return words.some((w) => folded === w || folded.startsWith(w) || root(folded) === root(w));
  };
  const ranges = [];
  const walker = document.createTreeWalker(passage.querySelector(".passage-text"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/[\p{L}\p{N}]+/gu)) {
      if (!matches(match[0])) continue;
      const range = new Range();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      ranges.push(range);
    }
  }
  CSS.highlights.set("search-hit", new Highlight(...ranges));
}
markFound();
document.addEventListener("tn:rows-replaced", markFound);
