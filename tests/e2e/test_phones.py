"""Phones and other settings readers bring: 320 px screens, a dark operating
system, forced colours, and a note composer with the keyboard up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.services import TargetInput
from classes.models import Enrollment
from classes.services import course_create
from reader.models import Passage
from teaching.services import assignment_item_create, assignment_save
from tests.e2e.browsing import log_in, select, wait_until
from tests.factories import make_annotation, make_user
from themes.models import Motif

pytestmark = pytest.mark.e2e

NO_SIDEWAYS_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"  # noqa: E501
)


@pytest.fixture
def taught(live_atlas):
    """A class reading the first ten passages of the Black Notebook, with a
    student's note and question in it."""
    teacher = make_user("mrs-k", groups=("Teachers",))
    student = make_user("student1")
    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="Year 12 Literature",
        edition=live_atlas,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )
    Enrollment.objects.create(course=course, student=student)
    part = live_atlas.parts.order_by("order")[1]
    passages = list(Passage.objects.filter(part=part).in_reading_order()[:10])
    assignment = assignment_save(
        teacher=teacher,
        course=course,
        title="The mask",
        instructions="Read *closely*.",
        start_passage=passages[0],
        end_passage=passages[-1],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput(passages[1].key, 0, passages[1].key, 5),
        motivation="questioning",
        body="What does he see?",
    )
    for passage in passages[:4]:
        make_annotation(
            student,
            passage,
            motivation="commenting",
            body="A note long enough to wrap on a phone's narrow screen.",
            visibility="course",
            course=course,
        )
    return {
        "assignment": assignment,
        "course": course,
        "student": student,
        "part": passages[0].part,
    }


def _narrow(browser, width=320, height=640, **options):
    context = browser.new_context(
        viewport={"width": width, "height": height}, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _sideways(page) -> list[str]:
    """What sticks out past the right edge of the screen, if anything."""
    return page.evaluate(
        """() => {
          const edge = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= edge) return [];
          return [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > edge + 1)
            .filter((el) => !el.closest(".table-scroll, .matrix-scroll"))
            .slice(0, 5)
            .map((el) => {
              const right = Math.round(el.getBoundingClientRect().right);
              return `${el.tagName}.${el.className} ${right}px`;
            });
        }"""
    )


UNSCROLLABLE_TABLES = """() => [...document.querySelectorAll("table")]
  .filter((t) => t.getBoundingClientRect().width > document.documentElement.clientWidth)
  .filter((t) => {
    const region = t.closest('[role="region"][tabindex="0"]');
    return !region || !(region.getAttribute("aria-labelledby")
      || region.getAttribute("aria-label"));
  })
  .map((t) => t.className)"""


def test_every_page_fits_a_320_px_screen_without_sideways_scrolling(
    browser, live_server, taught
):
    base = live_server.url
    assignment, course, student = (
        taught["assignment"],
        taught["course"],
        taught["student"],
    )
    part = taught["part"]
    motif = Motif.objects.order_by("pk").first()
    anonymous = [
        "/",
        "/read/study/",
        part.get_absolute_url(),
        "/motifs/",
        "/motifs/matrix/",
        motif.get_absolute_url(),
        "/accounts/preferences/",
        "/accounts/login/",
    ]
    teacher = [
        course.get_absolute_url(),
        assignment.get_absolute_url(),
        f"/classes/assignments/{assignment.pk}/edit/",
        f"/classes/assignments/{assignment.pk}/handout/",
        f"/classes/assignments/{assignment.pk}/dashboard/",
        f"/classes/assignments/{assignment.pk}/students/{student.pk}/",
        f"{part.get_absolute_url()}?assignment={assignment.pk}",
        "/notebook/",
    ]
    too_wide = {}
    context, page = _narrow(browser)
    for path in anonymous:
        page.goto(base + path)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            too_wide[path] = _sideways(page)
        if page.evaluate(UNSCROLLABLE_TABLES):
            too_wide[path] = page.evaluate(UNSCROLLABLE_TABLES)
    log_in(page, base, "mrs-k")
    for path in teacher:
        page.goto(base + path)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            too_wide[path] = _sideways(page)
        if page.evaluate(UNSCROLLABLE_TABLES):
            too_wide[path] = page.evaluate(UNSCROLLABLE_TABLES)
    # A student with notes: their notebook and their assignment.
    context.close()
    context, page = _narrow(browser)
    log_in(page, base, "student1")
    for path in ["/notebook/", assignment.get_absolute_url(), "/classes/"]:
        page.goto(base + path)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            too_wide["student " + path] = _sideways(page)
    # The matrix is wider than a phone: it scrolls in its own labelled region.
    page.goto(base + "/motifs/matrix/")
    assert page.evaluate(
        "document.querySelector('.matrix').getBoundingClientRect().width"
    ) > page.evaluate("document.documentElement.clientWidth")
    context.close()
    assert too_wide == {}


def test_the_motif_charts_labels_are_drawn_whole_inside_the_chart(
    browser, live_server, live_atlas
):
    motif = max(Motif.objects.all(), key=lambda m: m.occurrences.count())
    for width in (1300, 320):
        context, page = _narrow(browser, width=width)
        page.goto(live_server.url + motif.get_absolute_url())
        cut = page.evaluate(
            """() => {
              const svg = document.querySelector(".motif-chart svg");
              const box = svg.getBoundingClientRect();
              return [...svg.querySelectorAll(".chart-label")]
                .map((t) => [t.textContent, t.getBoundingClientRect()])
                .filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5
                  || r.bottom > box.bottom + 0.5)
                .map(([text]) => text);
            }"""
        )
        assert page.locator(".motif-chart .chart-label").count() >= 5
        assert cut == []
        context.close()


SAVED = "document.querySelector('[data-preferences-form]').dataset.saved === 'yes'"

THEME_COLOURS = """() => {
  const root = getComputedStyle(document.documentElement);
  return {
    scheme: root.colorScheme,
    background: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
  };
}"""

# Every custom property the explicit dark theme sets, and its value on <html>.
DARK_PROPERTIES = """() => {
  const names = new Set();
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch { continue; }
    for (const rule of rules) {
      if (rule.selectorText === 'html[data-theme="dark"]') {
        for (const name of rule.style) names.add(name);
      }
    }
  }
  const root = getComputedStyle(document.documentElement);
  return Object.fromEntries(
    [...names].sort().map((n) => [n, root.getPropertyValue(n)]));
}"""


def test_a_dark_device_gets_the_dark_theme_until_the_reader_chooses_one(
    browser, live_server, live_edition
):
    base = live_server.url
    part = live_edition.parts.order_by("order").first().get_absolute_url()
    context, page = _narrow(browser, width=1300, color_scheme="dark")
    page.goto(base + "/accounts/preferences/")
    page.get_by_label("Dark").check()
    wait_until(page, SAVED)
    page.goto(base + part)
    chosen_dark = page.evaluate(THEME_COLOURS)
    dark_properties = page.evaluate(DARK_PROPERTIES)
    context.close()
    assert chosen_dark["scheme"] == "dark"

    # No theme chosen: the device's dark setting decides, every property of it.
    context, page = _narrow(browser, width=1300, color_scheme="dark")
    page.goto(base + part)
    assert page.evaluate("document.documentElement.dataset.theme") == "system"
    assert page.evaluate(THEME_COLOURS) == chosen_dark
    assert page.evaluate(DARK_PROPERTIES) == dark_properties
    # The reader chooses light on a dark device: their choice wins.
    page.goto(base + "/accounts/preferences/")
    page.get_by_label("Light").check()
    wait_until(page, SAVED)
    page.goto(base + part)
    chosen_light = page.evaluate(THEME_COLOURS)
    context.close()
    assert chosen_light["scheme"] == "light"
    assert chosen_light["background"] != chosen_dark["background"]

    # A light device with no theme chosen stays light.
    context, page = _narrow(browser, width=1300, color_scheme="light")
    page.goto(base + part)
    assert page.evaluate(THEME_COLOURS) == chosen_light
    context.close()


FOCUS_BAR = """() => {
  const passage = document.activeElement;
  const bar = getComputedStyle(passage, "::before");
  const own = getComputedStyle(passage);
  return {
    focused: passage.classList.contains("passage"),
    bar: bar.content !== "none" && bar.backgroundColor !== "rgba(0, 0, 0, 0)"
      && bar.backgroundColor !== getComputedStyle(document.body).backgroundColor,
    outline: own.outlineStyle,
    barColour: bar.backgroundColor,
  };
}"""


@pytest.mark.parametrize("forced_colors", ["none", "active"])
def test_the_passage_focus_bar_shows_in_forced_colours(
    browser, live_server, live_edition, forced_colors
):
    part = live_edition.parts.order_by("order").first().get_absolute_url()
    context, page = _narrow(browser, width=1300, forced_colors=forced_colors)
    page.goto(live_server.url + part)
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    wait_until(page, "document.activeElement.classList.contains('passage')")
    shown = page.evaluate(FOCUS_BAR)
    context.close()
    assert shown["focused"]
    assert shown["bar"], shown
    if forced_colors == "active":
        # A second indicator the system colours cannot take away.
        assert shown["outline"] != "none"


SHEET = """() => {
  const dialog = document.querySelector("[data-annotate-dialog]");
  const box = dialog.getBoundingClientRect();
  return {open: dialog.open, top: box.top, bottom: box.bottom, left: box.left,
          right: box.right, width: box.width,
          scrolls: getComputedStyle(dialog).overflowY};
}"""


def _inside(box, width, height):
    return (
        box["left"] >= -0.5
        and box["top"] >= -0.5
        and box["right"] <= width + 0.5
        and box["bottom"] <= height + 0.5
    )


def test_the_note_composer_is_a_bottom_sheet_that_fits_a_phone_with_its_keyboard(
    browser, live_server, live_edition
):
    make_user("reader")
    part = live_edition.parts.order_by("order").first()
    key = part.passages.order_by("order").first().key
    context, page = _narrow(
        browser, width=390, height=700, is_mobile=True, has_touch=True
    )
    log_in(page, live_server.url, "reader")
    page.goto(live_server.url + part.get_absolute_url())
    words = page.locator(f"#{key} .passage-text").inner_text().split()[:3]
    select(page, key, " ".join(words))
    page.evaluate("document.querySelector('[data-action=commenting]').click()")
    wait_until(page, "document.querySelector('[data-annotate-dialog]').open")
    sheet = page.evaluate(SHEET)
    # On the screen, across its whole width, resting on its bottom edge.
    assert _inside(sheet, 390, 700), sheet
    assert sheet["width"] >= 389 and sheet["bottom"] >= 699, sheet

    # The keyboard comes up and takes 300 px: the sheet stays above it, the
    # text box in view, the rest reachable by scrolling inside the sheet.
    page.set_viewport_size({"width": 390, "height": 400})
    page.locator("#annotate-body").focus()
    wait_until(
        page,
        "document.querySelector('[data-annotate-dialog]')"
        ".getBoundingClientRect().bottom <= 400.5",
    )
    sheet = page.evaluate(SHEET)
    assert _inside(sheet, 390, 400), sheet
    assert sheet["scrolls"] in ("auto", "scroll")
    body = page.locator("#annotate-body").bounding_box()
    assert body["y"] >= 0 and body["y"] + body["height"] <= 400
    page.locator("[data-annotate-save]").scroll_into_view_if_needed()
    save = page.locator("[data-annotate-save]").bounding_box()
    assert save["y"] >= 0 and save["y"] + save["height"] <= 400

    # A browser that shrinks only the visual viewport for its keyboard (as
    # iOS does; here a zoom stands in for it): the sheet follows that.
    page.set_viewport_size({"width": 390, "height": 700})
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 2})
    wait_until(page, "visualViewport.height < 400")
    visible = "visualViewport.offsetTop + visualViewport.height"
    wait_until(
        page,
        "document.querySelector('[data-annotate-dialog]')"
        f".getBoundingClientRect().bottom <= {visible} + 0.5",
    )
    sheet = page.evaluate(SHEET)
    assert sheet["top"] >= page.evaluate("visualViewport.offsetTop") - 0.5, sheet
    context.close()


def test_the_dashboard_bars_and_their_key_show_in_forced_colours(
    browser, live_server, taught
):
    context, page = _narrow(browser, width=1300, forced_colors="active")
    log_in(page, live_server.url, "mrs-k")
    page.goto(
        f"{live_server.url}/classes/assignments/{taught['assignment'].pk}/dashboard/"
    )
    colours = page.evaluate(
        """() => {
          const page = getComputedStyle(document.body).backgroundColor;
          const bar = document.querySelector(".heat .annotated:not(.bar-0)");
          return [bar, ...document.querySelectorAll(".heat-legend .swatch")]
            .map((el) => getComputedStyle(el).backgroundColor)
            .concat([page]);
        }"""
    )
    context.close()
    *shown, page_colour = colours
    assert len(shown) == 3
    assert page_colour not in shown
    assert shown[1] != shown[2]  # the key tells the two kinds apart
