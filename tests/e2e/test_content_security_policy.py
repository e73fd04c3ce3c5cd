"""The Content-Security-Policy in a real browser: every page works under it
and the browser refuses nothing (no inline script, style or handler left).

Each page is watched two ways: the console ("Refused to ...", which chromium
writes for every blocked script, style, image or connection, and any error
about the Permissions-Policy header) and the document's
`securitypolicyviolation` events, reported through a binding that survives
navigation.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.browsing import first_words, log_in, select
from tests.factories import make_user

pytestmark = pytest.mark.e2e

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:` +
    `${event.lineNumber} ${event.sample}`
  );
});
"""


class Watched:
    """A browser context whose pages report what the browser refused."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1300, "height": 900})
        self.problems: list[str] = []
        self.context.expose_binding(
            "reportViolation",
            lambda source, text: self.problems.append(f"{source['frame'].url}: {text}"),
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if re.search(r"Refused to|Content Security Policy|Permissions-Policy", text):
            self.problems.append(f"{self.page.url}: {text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp, (url, csp)
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    opened: list[Watched] = []

    def open_context() -> Watched:
        opened.append(Watched(browser))
        return opened[-1]

    yield open_context
    for each in opened:
        each.close()


def test_a_reader_highlights_and_writes_a_note_with_nothing_refused(
    watched, live_server, live_atlas
):
    base = live_server.url
    make_user("reader")
    reader = watched()
    page = reader.page
    reader.visit(f"{base}/")
    reader.visit(f"{base}/motifs/")
    reader.visit(f"{base}/motifs/matrix/")
    # The motif colours reach the chips through the stylesheet of classes.
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('.matrix td.has'))"
        ".getPropertyValue('--motif')"
    )
    assert re.fullmatch(r"\s*#[0-9a-fA-F]{6}", colour), colour

    log_in(page, base, "reader")
    reader.visit(f"{base}/read/study/black-notebook/")
    # A highlight: select words, the toolbar, saved in place.
    select(page, "black-003", first_words(page, "black-003", 3))
    page.get_by_role("toolbar", name="Annotate the selection").get_by_role(
        "button", name="Highlight h"
    ).click()
    page.locator("#black-003 mark.hl").first.wait_for()
    # A note: the dialog, its Markdown preview (markdownx), saved.
    select(page, "black-005", first_words(page, "black-005", 3))
    page.keyboard.press("n")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.locator("#annotate-body").fill("A **bold** thought")
    dialog.locator(".markdownx-preview strong").wait_for()
    dialog.get_by_role("button", name="Save").click()
    page.locator("#black-005 ~ .passage-notes .card-commenting").first.wait_for()
    # Tracing a motif colours the part and its chips.
    reader.visit(f"{base}/read/study/white-notebook/?trace=noh-masks")
    assert page.locator("nav.trace-bar").count() == 1
    reader.visit(f"{base}/notebook/")
    assert page.locator(".card").count() >= 2
    reader.visit(f"{base}/api/docs/")
    page.locator(".swagger-ui .information-container").wait_for()
    assert reader.problems == [], "\n".join(reader.problems)


def test_a_teacher_assigns_and_opens_the_dashboard_with_nothing_refused(
    watched, live_server, live_edition
):
    base = live_server.url
    make_user("mrs-k", groups=("Teachers",))
    teacher = watched()
    page = teacher.page
    log_in(page, base, "mrs-k")
    teacher.visit(f"{base}/classes/")
    page.get_by_role("link", name="Create a class").click()
    page.get_by_label("Name").fill("Y12 Literature")
    page.get_by_label("Term starts").fill("2026-09-01")
    page.get_by_label("Term ends").fill("2027-07-01")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name="New assignment").click()
    page.get_by_label("Title").fill("The Noh masks")
    page.get_by_label("Instructions").fill("Read *slowly*.")
    page.locator(".markdownx-preview em").wait_for()
    page.get_by_label("From passage (key)").fill("white-007")
    page.get_by_label("To passage (key)").fill("white-009")
    page.get_by_label("Due").fill("2030-01-01T12:00")
    page.get_by_label("Published (students can see it)").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/classes/assignments/\d+/$"))
    teacher.visit(page.url + "dashboard/")
    assert page.locator(".heat a").count() == 3
    assert teacher.problems == [], "\n".join(teacher.problems)


def test_the_admin_works_with_nothing_refused(watched, live_server, live_edition):
    base = live_server.url
    make_user("boss", is_staff=True, is_superuser=True)
    admin = watched()
    page = admin.page
    admin.visit(f"{base}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    admin.visit(f"{base}/admin/reader/passage/")
    # The changelist's own scripts: select all, then the action bar counts.
    page.locator("#action-toggle").check()
    page.locator(".action-counter").wait_for()
    assert "selected" in page.locator(".action-counter").inner_text()
    admin.visit(f"{base}/admin/reader/edition/")
    admin.visit(f"{base}/admin/reader/edition/import/")
    assert page.locator("form input[type=file]").count() >= 1
    admin.visit(f"{base}/admin/reader/passage/{_first_passage_pk()}/change/")
    assert admin.problems == [], "\n".join(admin.problems)


def _first_passage_pk() -> int:
    from reader.models import Passage

    return Passage.objects.order_by("pk").values_list("pk", flat=True).first()
