"""axe-core on every page a user reaches: no serious or critical violation.

The pages come from the URLconf (tests/e2e/site_pages.py); each is visited as
an anonymous visitor, a reader, a student in a class with an assignment, the
class's teacher and a curator, in the light, sepia and dark themes, at 1300 px
and 360 px, plus the states a page only shows after an action: the annotate
toolbar over a selection, the note dialog, a part page read for an
assignment.

Each page is loaded once per role; the width is changed with the viewport
and the theme with the `data-theme` attribute, exactly as the
reading-settings script changes it. The states of a page:
- every rule in the light theme at each width (a narrow screen changes the
  layout: what wraps, what is hidden, where the dialog sits);
- the rules that look at colour in the sepia and dark themes, at the wide
  width. A theme is a set of colour tokens, and the width changes none:
  `test_widths_change_the_layout_never_the_colours` holds the style sheet to
  that, so the narrow screen's colours are the wide screen's.
Two tabs (a browser context each, so a renderer each) are checked side by
side.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.test import override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.e2e.browsing import first_words, log_in, select, wait_until
from tests.e2e.conftest import _unavailable
from tests.e2e.site_pages import (
    EXCLUDED,
    PAGES,
    World,
    post_only,
    unaccounted,
    urls_for,
)
from tests.factories import make_annotation, make_user

ROLES = ("anonymous", "reader", "student", "teacher", "curator")
THEMES = ("light", "sepia", "dark")
WIDTHS = (1300, 360)
FAILING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def test_every_named_page_is_visited_or_excluded():
    """A new URL pattern must join the accessibility check, or say why not."""
    assert unaccounted() == []


def test_a_new_page_would_not_escape_the_check():
    with override_settings(ROOT_URLCONF="tests.e2e.urls_with_a_new_page"):
        assert unaccounted() == ["reader:brand_new_page"]


@pytest.mark.django_db
def test_what_is_excluded_as_post_only_refuses_get(client):
    """The exclusion list says why a pattern is not visited; "POST only"
    must stay true (a pattern that starts answering GET is a page)."""
    client.force_login(make_user("someone"))
    paths = post_only()
    assert len(paths) == sum(r.startswith("POST only") for r in EXCLUDED.values())
    answers = {name: client.get(path).status_code for name, path in paths.items()}
    assert answers == dict.fromkeys(paths, 405)


def test_the_page_list_and_the_exclusions_do_not_overlap():
    assert not set(PAGES) & set(EXCLUDED)


def build_world(edition) -> World:
    from annotations.services import TargetInput
    from classes.services import course_create, course_join
    from teaching.services import (
        CriterionInput,
        assignment_item_create,
        assignment_save,
        feedback_create,
        grades_release,
        rubric_set,
    )
    from themes.models import Motif

    users = {
        "reader": make_user("reader"),
        "student": make_user("student"),
        "teacher": make_user("teacher", groups=("Teachers",)),
        "curator": make_user("curator", groups=("Curators",), is_staff=True),
    }
    # Browser tests flush the database, the curators' permissions with it:
    # give them back as the migration does.
    roles = importlib.import_module("accounts.migrations.0002_create_role_groups")
    for app_label, codenames in roles.CURATOR_PERMISSIONS.items():
        users["curator"].groups.get().permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
    parts = list(edition.parts.order_by("order"))
    passages = {p.key: p for p in edition.passages.all()}
    course = course_create(
        teacher=users["teacher"],
        name="Y12 Literature",
        edition=edition,
        term_start=timezone.localdate() - timedelta(days=30),
        term_end=timezone.localdate() + timedelta(days=300),
    )
    course_join(student=users["student"], code=course.join_code)
    assignment = assignment_save(
        teacher=users["teacher"],
        course=course,
        title="The masks",
        instructions="Read **closely**.",
        start_passage=passages["white-007"],
        end_passage=passages["white-009"],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    assignment_item_create(
        teacher=users["teacher"],
        assignment=assignment,
        target=TargetInput("white-007", 0, "white-007", 12),
        motivation="highlighting",
    )
    prompt = assignment_item_create(
        teacher=users["teacher"],
        assignment=assignment,
        target=TargetInput("white-008", 0, "white-008", 12),
        motivation="questioning",
        body="What does the mask *hide*?",
    ).annotation
    white = passages["white-002"]
    annotations = {
        "reader": make_annotation(
            users["reader"],
            white,
            0,
            20,
            motivation="commenting",
            body="A public note with **Markdown**.",
            visibility="public",
            tags=("mask",),
        ),
        "student": make_annotation(
            users["student"],
            passages["white-008"],
            0,
            12,
            motivation="commenting",
            body="My answer.",
            visibility="course",
            course=course,
        ),
        "teacher": prompt,
        "curator": make_annotation(
            users["curator"], passages["black-001"], 0, 10, colour="blue"
        ),
    }
    # Feedback with a rubric score on the student's note, released: the
    # card, the assignment page and My notebook show it.
    rubric_set(
        teacher=users["teacher"],
        assignment=assignment,
        criteria=[CriterionInput("Evidence", (("some", 1), ("strong", 2)))],
    )
    criterion = assignment.criteria.get()
    feedback_create(
        teacher=users["teacher"],
        annotation=annotations["student"],
        assignment=assignment,
        body="Quote *the* words.",
        scores={criterion.pk: criterion.levels.get(label="strong").pk},
    )
    grades_release(teacher=users["teacher"], assignment=assignment, when=None)
    # A highlight in each colour, each on a passage of its own (the part
    # page shows the first few cards of a passage).
    for n, colour in enumerate(("yellow", "green", "blue", "pink", "purple")):
        make_annotation(
            users["reader"], passages[f"white-{n + 3:03d}"], 0, 15, colour=colour
        )
    reset = {
        role: (
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        )
        for role, user in users.items()
    }
    return World(
        edition=edition,
        parts=parts,
        passage=white,
        motif=Motif.objects.order_by("slug").first(),
        course=course,
        assignment=assignment,
        student=users["student"],
        annotations=annotations,
        reset=reset,
    )


AXE_IS_THERE = "typeof window.axe !== 'undefined'"
# axe is started on each tab, then each tab's result is awaited: the tabs'
# renderers (one browser context each) check their pages at the same time.
# (axe does much of its work before its first await: it is started from a
# timer, so that starting it returns at once.)
START_AXE = """options => {
  window.__axeRun = null;
  setTimeout(() => { window.__axeRun = axe.run(document, options); });
}"""
AXE_RESULT = """() => new Promise((resolve) => {
  const wait = () => (window.__axeRun ? resolve(window.__axeRun) : setTimeout(wait));
  wait();
})"""
TABS = 2


def _axe_options(rules: tuple[str, ...]) -> dict:
    options = dict(AXE_OPTIONS)
    if rules:
        options = {"runOnly": {"type": "rule", "values": list(rules)}}
    options["resultTypes"] = ["violations"]
    return options


def _inject_axe(page) -> None:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        _unavailable("axe-playwright-python is not installed (requirements-dev.txt)")

    # axe-playwright-python's Axe.run injects axe with page.evaluate (which
    # the site's CSP does not govern) on every call; once per document is
    # enough, so it is injected once and then asked directly.
    if not page.evaluate(AXE_IS_THERE):
        page.evaluate(Axe().axe_script)


def axe_violations_on(pages: list, rules: tuple[str, ...] = ()) -> list[list[dict]]:
    """Serious and critical violations on each page as it stands (all at
    once); only the given `rules` if any."""
    options = _axe_options(rules)
    for page in pages:
        _inject_axe(page)
        page.evaluate(START_AXE, options)
    return [
        [
            v
            for v in page.evaluate(AXE_RESULT)["violations"]
            if v["impact"] in FAILING_IMPACTS
        ]
        for page in pages
    ]


# As the reading-settings script does; then wait for any transition the
# change starts, or axe would measure colours half-way.
SET_THEME = """async (theme) => {
  document.documentElement.dataset.theme = theme;
  await new Promise(requestAnimationFrame);
  await Promise.all(document.getAnimations().map((a) => a.finished));
}"""

# The theme changes colours only: after the full check in the first theme,
# the others are checked with the rules that look at colour.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


# (width, theme, rules): every rule in the light theme at each width, the
# colour rules in the other themes at the wide width (see the docstring).
STATES = [
    (WIDTHS[0], THEMES[0], ()),
    *((WIDTHS[0], theme, COLOUR_RULES) for theme in THEMES[1:]),
    *((width, THEMES[0], ()) for width in WIDTHS[1:]),
]


def check_every_theme_and_width(tabs: list, role: str, found: list) -> int:
    """axe on each tab's page as it stands, in each of the STATES: `tabs`
    are (page, url name) pairs, checked side by side; the number of states
    checked."""
    states = 0
    pages = [page for page, _ in tabs]
    for width, theme, rules in STATES:
        for page in pages:
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SET_THEME, theme)
        for (page, name), violations in zip(
            tabs, axe_violations_on(pages, rules), strict=True
        ):
            for violation in violations:
                found.append(
                    {
                        "page": name,
                        "path": page.url,
                        "role": role,
                        "theme": theme,
                        "width": width,
                        "rule": violation["id"],
                        "impact": violation["impact"],
                        "help": violation["help"],
                        "targets": [n["target"] for n in violation["nodes"]][:4],
                        "count": len(violation["nodes"]),
                        "why": violation["nodes"][0].get("failureSummary", ""),
                    }
                )
            states += 1
    return states


def summary(found: list[dict]) -> str:
    """One paragraph per rule and page: where, in which states, examples."""
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    for v in found:
        grouped.setdefault((v["rule"], v["impact"], v["page"]), []).append(v)
    lines = [f"{len(grouped)} serious/critical violations (rule on page):"]
    for (rule, impact, name), where in sorted(grouped.items()):
        states = sorted({f"{v['role']}/{v['theme']}/{v['width']}" for v in where})
        paths = sorted({v["path"] for v in where})
        lines.append(f"- {rule} ({impact}) on {name}: {where[0]['help']}")
        lines.append(f"    {len(states)} states: {', '.join(states)}")
        lines.append(f"    pages: {', '.join(paths[:3])}")
        lines.append(f"    e.g. {where[0]['targets']} ({where[0]['count']} nodes)")
        lines.append("    " + " ".join(where[0]["why"].split()))
    return "\n".join(lines)


def _pages_to_check(pages: list, base: str, visits: list, seen: set):
    """Fill the tabs with the next pages not seen yet: (page, url name)
    pairs, fewer than the tabs at the end, none when every visit is done.
    Pages behind a login all land on the login page, and pages not for this
    role answer 403 or 404: each such page is checked once."""
    tabs = []
    while visits and len(tabs) < len(pages):
        name, path = visits.pop(0)
        page = pages[len(tabs)]
        response = page.goto(base + path)
        page.wait_for_load_state("load")
        landed = page.url.split("#")[0]
        if response.status >= 400:
            landed = str(response.status)
        if landed in seen:
            continue
        seen.add(landed)
        tabs.append((page, name))
    return tabs


@pytest.mark.e2e
@pytest.mark.parametrize("role", ROLES)
def test_no_serious_or_critical_axe_violations(browser, live_server, live_atlas, role):
    world = build_world(live_atlas)
    base = live_server.url
    viewport = {"width": WIDTHS[0], "height": 900}
    contexts = [browser.new_context(viewport=viewport)]
    found: list[dict] = []
    seen: set[str] = set()
    states = 0
    try:
        page = contexts[0].new_page()
        page.set_default_timeout(15_000)
        if role != "anonymous":
            log_in(page, base, role)
        # The other tabs are the same visitor, in contexts of their own (a
        # renderer each).
        signed_in = contexts[0].storage_state()
        contexts += [
            browser.new_context(viewport=viewport, storage_state=signed_in)
            for _ in range(TABS - 1)
        ]
        pages = [page] + [context.new_page() for context in contexts[1:]]
        for other in pages[1:]:
            other.set_default_timeout(15_000)
        visits = urls_for(world, role)
        while tabs := _pages_to_check(pages, base, visits, seen):
            states += check_every_theme_and_width(tabs, role, found)

        # States a page shows only after an action.
        part = f"{base}/read/{world.edition.slug}/white-notebook/"
        if role in ("student", "teacher"):
            page.set_viewport_size(viewport)
            page.goto(f"{part}?assignment={world.assignment.pk}")
            page.wait_for_load_state("load")
            states += check_every_theme_and_width(
                [(page, "reader:part?assignment")], role, found
            )
        # The toolbar and the dialog are the same for every signed-in role
        # but the teacher's, whose dialog offers the class.
        if role in ("reader", "teacher"):
            page.set_viewport_size(viewport)
            page.goto(part)
            select(page, "white-004", first_words(page, "white-004"))
            wait_until(
                page, "!document.querySelector('[data-annotate-toolbar]').hidden"
            )
            other = pages[1]
            other.set_viewport_size(viewport)
            other.goto(part)
            select(other, "white-004", first_words(other, "white-004"))
            other.get_by_role("button", name="Note n").click()
            wait_until(other, "document.querySelector('[data-annotate-dialog]').open")
            states += check_every_theme_and_width(
                [(page, "reader:part+toolbar"), (other, "reader:part+note-dialog")],
                role,
                found,
            )
    finally:
        for context in contexts:
            context.close()
    print(f"{role}: {states} states checked")
    assert states > 0
    assert not found, summary(found)


# What the browser paints for the notebook bands, the cards' colour edges
# and the passages' meta line (axe checks text contrast, not these edges).
PAINTED = """() => {
  const style = (el) => getComputedStyle(el);
  const shadows = (el) =>
    [...style(el).boxShadow.matchAll(/rgba?\\([^)]*\\)/g)].map((m) => m[0]);
  const header = document.querySelector(".part-header");
  const meta = document.querySelector(".passage-meta");
  const edge = (el) => ({
    name: el.className,
    colour: style(el).borderLeftColor,
    inside: style(el).backgroundColor,
    shadows: shadows(el),
  });
  return {
    page: style(document.body).backgroundColor,
    band: header && {
      colour: style(header).borderTopColor,
      width: style(header).borderTopWidth,
      shadows: shadows(header),
    },
    toc: [...document.querySelectorAll(".toc-part")].map(edge),
    cards: [...document.querySelectorAll(".card")].map(edge),
    meta: meta && { colour: style(meta).color, opacity: style(meta).opacity },
  };
}"""


def _rgb(css: str) -> str:
    """`rgb(r, g, b)` or `rgba(r, g, b, a)` as #rrggbb."""
    red, green, blue = (round(float(v)) for v in re.findall(r"[\d.]+", css)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def _ratio(a: str, b: str) -> float:
    from tests.test_colour_contrast import contrast

    return contrast(_rgb(a), _rgb(b))


def _stands_out(colour: str, shadows: list[str], *backgrounds: str) -> bool:
    """A band is seen by its own colour, or by the frame drawn around it."""
    if all(_ratio(colour, bg) >= 3 for bg in backgrounds):
        return True
    return len(shadows) >= 2 and all(
        _ratio(edge, bg) >= 3 for edge in shadows for bg in backgrounds
    )


@pytest.mark.e2e
def test_bands_card_edges_and_passage_meta_stand_out_in_every_theme(
    browser, live_server, live_atlas
):
    world = build_world(live_atlas)
    base = live_server.url
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        log_in(page, base, "reader")
        problems = []
        checked = {"bands": 0, "toc": 0, "cards": 0, "meta": 0}
        for path in [f"/read/{world.edition.slug}/"] + [
            f"/read/{world.edition.slug}/{part.slug}/"
            for part in world.parts
            if part.kind == "notebook"
        ]:
            page.goto(base + path)
            for theme in THEMES:
                page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
                painted = page.evaluate(PAINTED)
                where = f"{path} in {theme}"
                bg = painted["page"]
                if painted["band"] and painted["band"]["width"] != "0px":
                    checked["bands"] += 1
                    band = painted["band"]
                    if not _stands_out(band["colour"], band["shadows"], bg):
                        problems.append(f"the band on {where}: {band} on {bg}")
                for part in painted["toc"]:
                    if "notebook" not in part["name"]:
                        continue
                    checked["toc"] += 1
                    if not _stands_out(
                        part["colour"], part["shadows"], bg, part["inside"]
                    ):
                        problems.append(f"the band of {part['name']} on {where}")
                for card in painted["cards"]:
                    checked["cards"] += 1
                    low = min(
                        _ratio(card["colour"], bg),
                        _ratio(card["colour"], card["inside"]),
                    )
                    if low < 3:
                        problems.append(
                            f"the edge of {card['name']} on {where}: {low:.2f}:1"
                        )
                if painted["meta"]:
                    checked["meta"] += 1
                    meta = painted["meta"]
                    if meta["opacity"] != "1" or _ratio(meta["colour"], bg) < 4.5:
                        problems.append(f"the passage meta on {where}: {meta} on {bg}")
    finally:
        context.close()
    # The pages had what is checked: bands, contents, cards of each colour.
    assert checked["bands"] == 3 * 3 and checked["toc"] >= 3 * 3
    assert checked["cards"] >= 5 * 3 and checked["meta"] >= 3 * 3
    assert not problems, "\n".join(problems)
