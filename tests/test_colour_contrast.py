"""The themes' colours meet WCAG 2.1 AA, computed from static/css/site.css.

Each theme is the `:root` custom properties with its own `html[data-theme]`
blocks over them. Text colours need 4.5:1 against every background they sit
on; the notebook bands and the cards' colour edges, which carry meaning
without words, need 3:1 against the page (WCAG 1.4.11). The browser test
(tests/e2e/test_accessibility.py) checks the rules that use them.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

SITE_CSS = settings.BASE_DIR / "static" / "css" / "site.css"
THEMES = ("light", "sepia", "dark")
BLOCK = re.compile(r'(:root|html\[data-theme="(\w+)"\])\s*\{([^}]*)\}')
PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")


def theme_colours(theme: str) -> dict[str, str]:
    """The custom properties in force in `theme`, var() resolved."""
    css = re.sub(r"/\*.*?\*/", "", SITE_CSS.read_text(), flags=re.S)
    values: dict[str, str] = {}
    # :root first, then the theme's own blocks, in the file's order.
    for selector_theme in (None, theme):
        for match in BLOCK.finditer(css):
            if match.group(2) == selector_theme or (
                selector_theme is None and match.group(1) == ":root"
            ):
                values.update(PROPERTY.findall(match.group(3)))
    resolved = {}
    for name, value in values.items():
        seen = 0
        while (ref := re.fullmatch(r"var\((--[\w-]+)\)", value.strip())) and seen < 5:
            value, seen = values[ref.group(1)], seen + 1
        resolved[name] = value.strip()
    return resolved


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_every_theme_defines_its_own_page_colours():
    assert theme_colours("light")["--bg"] != theme_colours("dark")["--bg"]
    assert theme_colours("sepia")["--bg"] != theme_colours("light")["--bg"]


TEXT_PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--surface"),
    ("--fg", "--letter-paper"),
    ("--muted", "--bg"),
    ("--muted", "--surface"),
    ("--muted", "--letter-paper"),
    ("--accent", "--bg"),
    ("--accent", "--surface"),
    ("--accent-fg", "--accent"),
]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_reach_4_5_to_1(theme, text, background):
    colours = theme_colours(theme)
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{theme}: {text} on {background} is {ratio:.2f}:1"


# What identifies each band: its own colour, or the edge drawn around it (a
# white band on a white page is seen by its frame). A band with no edge of
# its own is framed by nothing but its colour.
BANDS = {
    "black notebook band": ("--black-band", "--black-band-edge"),
    "white notebook band": ("--white-band", "--white-band-edge"),
    "gray notebook band": ("--gray-band", "--gray-band-edge"),
}
HIGHLIGHT_COLOURS = ("yellow", "green", "blue", "pink", "purple")


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("band", sorted(BANDS))
def test_each_notebook_band_stands_out_from_the_page_by_3_to_1(theme, band):
    colours = theme_colours(theme)
    fill, edge = BANDS[band]
    for background in ("--bg", "--surface"):
        ratio = max(
            contrast(colours[fill], colours[background]),
            contrast(colours.get(edge, colours[fill]), colours[background]),
        )
        assert ratio >= 3, f"{theme}: the {band} on {background} is {ratio:.2f}:1"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("colour", HIGHLIGHT_COLOURS)
def test_each_card_colour_edge_stands_out_by_3_to_1(theme, colour):
    """A card's left edge says which colour its highlight is; without an
    edge colour of its own it is drawn in the highlight's pale fill."""
    colours = theme_colours(theme)
    edge = colours.get(f"--hl-{colour}-edge", colours[f"--hl-{colour}"])
    for background in ("--bg", "--surface"):
        ratio = contrast(edge, colours[background])
        assert ratio >= 3, (
            f"{theme}: the {colour} edge on {background} is {ratio:.2f}:1"
        )


# Properties that paint a colour; in a block for a width they may name the
# theme's tokens (var(--…)) and nothing else.
COLOUR_PROPERTY = re.compile(
    r"^(color|background(-color)?|border(-\w+)?(-color)?|outline(-color)?|"
    r"box-shadow|text-shadow|text-decoration(-color)?|caret-color|accent-color|"
    r"fill|stroke|column-rule(-color)?)$"
)
LITERAL_COLOUR = re.compile(
    r"#[0-9a-f]{3,8}\b|\b(rgb|rgba|hsl|hsla|hwb|lab|lch|oklab|oklch|color)\(|"
    r"\b(white|black|red|green|blue|yellow|gray|grey|orange|purple|pink|"
    r"canvas|canvastext|mark|marktext|highlight|buttonface|buttontext)\b",
    re.I,
)


def _media_blocks(css: str) -> list[tuple[str, str]]:
    """(condition, body) of each top-level @media block, braces matched."""
    blocks = []
    for match in re.finditer(r"@media([^{]*)\{", css):
        depth, end = 1, match.end()
        while depth and end < len(css):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        blocks.append((match.group(1).strip(), css[match.end() : end - 1]))
    return blocks


def colours_set_by_width(css: str) -> list[str]:
    """Declarations inside a width media query that set a colour of their
    own: a custom property, or a colour property with a literal colour."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for condition, body in _media_blocks(css):
        if "width" not in condition:
            continue
        for prop, value in re.findall(r"([\w-]+)\s*:\s*([^;{}]+)", body):
            if prop.startswith("--") or (
                COLOUR_PROPERTY.match(prop) and LITERAL_COLOUR.search(value)
            ):
                found.append(f"@media {condition}: {prop}: {value.strip()}")
    return found


def test_widths_change_the_layout_never_the_colours():
    """The accessibility sweep checks the sepia and dark themes' colours at
    one width: it may, while no width sets a colour of its own."""
    assert colours_set_by_width(SITE_CSS.read_text()) == []


def test_a_colour_set_for_a_width_is_found():
    sheet = """
    @media (max-width: 30rem) { .a { color: #333; padding: 0 } }
    @media (min-width: 64rem) {
      :root { --bg: white; }
      .b { border: 1px solid var(--rule); }
    }
    @media (prefers-color-scheme: dark) { .c { color: #eee } }
    @media (max-width: 40rem) { .d { background: rgb(0 0 0 / .5); margin: 0 } }
    """
    assert colours_set_by_width(sheet) == [
        "@media (max-width: 30rem): color: #333",
        "@media (min-width: 64rem): --bg: white",
        "@media (max-width: 40rem): background: rgb(0 0 0 / .5)",
    ]
