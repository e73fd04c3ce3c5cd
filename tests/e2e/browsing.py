"""Steps the browser tests share."""

from __future__ import annotations

import time

SELECT = """([key, phrase]) => {
  const p = document.querySelector(`#${key} .passage-text`);
  const at = p.textContent.indexOf(phrase);
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node, seen = 0, started = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!started && at < seen + len) {
      range.setStart(node, at - seen);
      started = true;
    }
    if (started && at + phrase.length <= seen + len) {
      range.setEnd(node, at + phrase.length - seen);
      break;
    }
    seen += len;
  }
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
}"""


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def select(page, key: str, phrase: str) -> None:
    """Select `phrase` in passage `key` as a reader's mouse would.

    The page's modules run before its load event: selecting earlier would
    fire the mouseup before anything listens for it.
    """
    page.wait_for_load_state("load")
    page.evaluate(SELECT, [key, phrase])


def words_of(page, key: str, start: int = 0, count: int = 4) -> str:
    """A run of words as passage `key` shows them (the study edition's text
    is read, never written into a test), trailing punctuation left out."""
    words = page.locator(f"#{key} .passage-text").inner_text().split()
    return " ".join(words[start : start + count]).rstrip(",.;:")


def first_words(page, key: str, n: int = 4) -> str:
    return words_of(page, key, 0, n)


def wait_until(page, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait until `expression` (JavaScript, or a function's source) is truthy
    in the page.

    Playwright's own `wait_for_function` evaluates its string with `eval`
    inside the page, which the site's Content-Security-Policy forbids, as it
    should; `evaluate` goes through the DevTools protocol, which CSP does not
    govern, so the page runs under the very policy readers get."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not _evaluate_across_navigations(page, expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(25)


def _evaluate_across_navigations(page, expression: str):
    """The expression's value, or None while the page is navigating (its
    old document is gone, the new one not yet there): asked again then."""
    from playwright.sync_api import Error

    try:
        return page.evaluate(expression)
    except Error as error:
        if "context was destroyed" in str(error) or "navigat" in str(error):
            return None
        raise
