// Contents page for anonymous readers: "continue reading" from the place kept
// in this browser (signed-in readers get theirs from the server).

const contents = document.querySelector(".contents[data-edition]");
const link = document.querySelector("[data-continue-link]");
if (contents && link) {
  try {
    const place = JSON.parse(localStorage.getItem(`tn:place:${contents.dataset.edition}`) || "null");
    if (place && typeof place.url === "string" && place.url.startsWith("/")) {
      link.href = place.url;
      link.textContent = `${link.dataset.continueLabel} ${place.citation || place.key}`;
    }
  } catch { /* no stored place: keep "Start reading" */ }
}
