// The page's messages ("Your reading preferences are saved.") are on the
// page when it loads, where a screen reader does not announce them: a live
// region speaks only what changes in it. Put them in the page's status
// region once the reader's screen reader has seen that region empty.

const region = document.querySelector("[data-page-status]");
const said = [...document.querySelectorAll(".messages .message")]
  .map((message) => message.textContent.trim())
  .filter(Boolean)
  .join(" ");

if (region && said) {
  setTimeout(() => { region.textContent = said; }, 250);
}
