"""Splitting blocks into the novel's parts, and keeping passage keys stable.

The sample books are generated here from invented sentences; none of them
comes from the novel.
"""

from __future__ import annotations

import pytest

from reader.import_files import Block, read_upload
from reader.splitting import (
    DEFAULT_PATTERNS,
    PartPattern,
    SplitResult,
    assign_keys,
    format_patterns,
    parse_patterns,
    split_blocks,
)
from tests.reader.test_import_files import make_epub

SLUGS = [pattern.slug for pattern in DEFAULT_PATTERNS]
ENGLISH_HEADINGS = [
    None,  # the opening address has no heading
    "The Black Notebook",
    "The White Notebook",
    "The Gray Notebook",
    "On the Blank Pages",
    "My Wife’s Letter",
    "On the Blank Pages, Continued",
]
GERMAN_HEADINGS = [
    None,
    "Das schwarze Heft",
    "Das weiße Heft",
    "Das graue Heft",
    "Auf den leeren Seiten",
    "Der Brief meiner Frau",
    "Fortsetzung",
]
NOUNS = ["kettle", "tram", "umbrella", "ledger", "window", "staircase", "radio"]
MOODS = ["quiet", "crowded", "damp", "bright", "cold", "slow", "late"]

Section = tuple[str | None, list[str]]


def sample_sections(headings: list[str | None]) -> list[Section]:
    """One section per heading, each with two or three invented paragraphs."""
    sections = []
    for part, heading in enumerate(headings):
        paragraphs = [
            f"In section {part}, the {NOUNS[(part + n) % 7]} seemed "
            f"{MOODS[(part * 2 + n) % 7]} on day {n + 1} of the week."
            for n in range(2 + part % 2)
        ]
        sections.append((heading, paragraphs))
    return sections


def as_markdown(sections: list[Section]) -> str:
    chunks = []
    for heading, paragraphs in sections:
        if heading:
            chunks.append(f"## {heading}")
        for paragraph in paragraphs:
            first, _, rest = paragraph.partition(", ")
            chunks.append(f"{first},\n{rest}")  # wrapped over two lines
    return "\n\n".join(chunks) + "\n"


def as_text(sections: list[Section], *, capitals: bool = False) -> str:
    chunks = []
    for heading, paragraphs in sections:
        if heading:
            chunks.append(heading.upper() if capitals else heading)
        chunks.extend(paragraphs)
    return "\n\n".join(chunks) + "\n"


def as_epub(sections: list[Section]) -> bytes:
    chapters = []
    for heading, paragraphs in sections:
        title = f"<h1>{heading}</h1>" if heading else ""
        chapters.append(title + "".join(f"<p>{p}</p>" for p in paragraphs))
    return make_epub(chapters)


def expected_parts(sections: list[Section]) -> dict[str, list[tuple[str, str]]]:
    expected = {}
    for pattern, (_heading, paragraphs) in zip(DEFAULT_PATTERNS, sections, strict=True):
        expected[pattern.slug] = [
            (f"{pattern.key_prefix}-{n:03d}", text)
            for n, text in enumerate(paragraphs, start=1)
        ]
    return expected


def parts_of(result: SplitResult) -> dict[str, list[tuple[str, str]]]:
    return {
        part.pattern.slug: [(key, text) for key, text, _line in part.passages]
        for part in result.parts
    }


def blocks(*items: str) -> list[Block]:
    """Blocks on consecutive lines; an item starting with "# " is a heading."""
    return [
        Block("heading", item[2:], line)
        if item.startswith("# ")
        else Block("paragraph", item, line)
        for line, item in enumerate(items, start=1)
    ]


def messages(result: SplitResult, level: str) -> list[str]:
    return [problem.message for problem in result.problems if problem.level == level]


# --- Whole books --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("book.md", lambda s: as_markdown(s).encode()),
        ("book.txt", lambda s: as_text(s).encode()),
        ("capitals.txt", lambda s: as_text(s, capitals=True).encode()),
        ("book.epub", as_epub),
    ],
)
def test_an_english_book_splits_into_the_seven_parts_in_every_format(name, render):
    sections = sample_sections(ENGLISH_HEADINGS)
    read = read_upload(name, render(sections))

    result = split_blocks(read.blocks)

    assert result.problems == []
    assert result.ok
    assert [part.pattern.slug for part in result.parts] == SLUGS
    assert [part.order for part in result.parts] == [1, 2, 3, 4, 5, 6, 7]
    assert parts_of(result) == expected_parts(sections)


@pytest.mark.parametrize("name", ["book.md", "book.txt"])
def test_a_german_book_splits_with_the_default_patterns(name):
    sections = sample_sections(GERMAN_HEADINGS)
    render = as_markdown if name.endswith(".md") else as_text

    result = split_blocks(read_upload(name, render(sections).encode()).blocks)

    assert result.problems == []
    assert parts_of(result) == expected_parts(sections)


def test_the_letter_sits_between_the_two_final_notes_parts():
    result = split_blocks(
        blocks(
            "# The Black Notebook",
            "He wrote in the notebook.",
            "# On the Blank Pages",
            "He wrote on the spare pages.",
            "# My Wife’s Letter",
            "She wrote back.",
            "# On the Blank Pages, Continued",
            "He wrote again.",
        )
    )

    tail = [(p.pattern.slug, p.pattern.kind, p.heading_line) for p in result.parts]
    assert tail == [
        ("black-notebook", "notebook", 1),
        ("final-notes", "frame", 3),
        ("wifes-letter", "letter", 5),
        ("final-notes-continued", "frame", 7),
    ]
    assert parts_of(result)["wifes-letter"] == [("letter-001", "She wrote back.")]


def test_headings_match_whatever_their_case_spacing_and_final_stop():
    result = split_blocks(
        blocks("# THE  BLACK NOTEBOOK.", "One.", "# the grey notebook:", "Two.")
    )

    assert [part.pattern.slug for part in result.parts] == [
        "black-notebook",
        "gray-notebook",
    ]


def test_passage_lines_point_back_into_the_source_file():
    text = "Opening words.\n\n# The Black Notebook\n\nFirst\nentry.\n"

    result = split_blocks(read_upload("book.md", text.encode()).blocks)

    assert [part.passages for part in result.parts] == [
        [("address-001", "Opening words.", 1)],
        [("black-001", "First entry.", 5)],
    ]
    assert result.parts[1].heading_line == 3


def test_whitespace_is_folded_and_blank_paragraphs_never_become_passages():
    result = split_blocks(
        [
            Block("heading", "The Black Notebook", 1),
            Block("paragraph", "  Spaced \n out\ttext.  ", 2),
            Block("paragraph", " \n\t ", 3),
        ]
    )

    assert parts_of(result) == {"black-notebook": [("black-001", "Spaced out text.")]}


# --- Problems -----------------------------------------------------------------


def test_a_book_without_recognised_headings_is_an_error():
    result = split_blocks(blocks("# Chapter One", "Some text.", "More text."))

    assert not result.ok
    assert messages(result, "error") == [
        "No parts recognised: none of the headings matches the part patterns."
    ]
    assert messages(result, "warning") == [
        "1 heading matches no part and was ignored: “Chapter One” (line 1)."
    ]
    # What was read is still there for the curator's preview.
    assert parts_of(result) == {
        "opening-address": [
            ("address-001", "Some text."),
            ("address-002", "More text."),
        ]
    }


def test_parts_out_of_reading_order_are_an_error_naming_them():
    result = split_blocks(
        blocks(
            "# The Black Notebook",
            "One.",
            "# The Gray Notebook",
            "Two.",
            "# The White Notebook",
            "Three.",
        )
    )

    assert not result.ok
    assert messages(result, "error") == [
        "Parts are out of reading order: "
        "The White Notebook comes after The Gray Notebook."
    ]


def test_a_part_recognised_twice_is_an_error():
    result = split_blocks(
        blocks("# The Black Notebook", "One.", "# Black Notebook", "Two.")
    )

    assert messages(result, "error") == [
        "The Black Notebook appears twice: lines 1 and 3."
    ]
    assert parts_of(result)["black-notebook"] == [
        ("black-001", "One."),
        ("black-002", "Two."),
    ]


def test_missing_parts_are_a_warning_naming_them():
    sections = sample_sections(ENGLISH_HEADINGS)
    del sections[3]  # the gray notebook

    result = split_blocks(read_upload("book.md", as_markdown(sections).encode()).blocks)

    assert result.ok
    assert messages(result, "warning") == ["Missing: The Gray Notebook."]


def test_a_book_starting_at_a_heading_misses_the_opening_address():
    result = split_blocks(blocks("# The Black Notebook", "One."))

    assert messages(result, "warning") == [
        "Missing: The Opening Address; The White Notebook; The Gray Notebook; "
        "On the Blank Pages; My Wife’s Letter; On the Blank Pages, Continued."
    ]


def test_a_heading_without_paragraphs_is_a_warning():
    result = split_blocks(
        blocks("# The Black Notebook", "# The White Notebook", "One."),
        patterns=DEFAULT_PATTERNS[1:3],
    )

    assert result.ok
    assert messages(result, "warning") == [
        "The Black Notebook (line 1) has a heading but no passages."
    ]


def test_an_enormous_passage_is_a_warning_naming_its_key_and_short_ones_are_fine():
    enormous = " ".join(["word"] * 1001)
    result = split_blocks(
        blocks("# The Black Notebook", "Yes.", enormous, "No."),
        patterns=DEFAULT_PATTERNS[1:2],
    )

    assert result.ok
    assert messages(result, "warning") == [
        "Passage black-002 is very long (1,001 words); check that its paragraphs "
        "are separated by blank lines."
    ]


def test_a_passage_of_exactly_a_thousand_words_is_not_enormous():
    result = split_blocks(
        blocks("# The Black Notebook", " ".join(["word"] * 1000)),
        patterns=DEFAULT_PATTERNS[1:2],
    )

    assert result.problems == []


def test_unrecognised_headings_are_ignored_with_a_warning_naming_three():
    result = split_blocks(
        blocks(
            "# The Black Notebook",
            "# Chapter 1",
            "One.",
            "# Chapter 2",
            "Two.",
            "# Chapter 3",
            "# Chapter 4",
            "# Chapter 5",
            "Three.",
        ),
        patterns=DEFAULT_PATTERNS[1:2],
    )

    assert result.ok
    assert parts_of(result) == {
        "black-notebook": [
            ("black-001", "One."),
            ("black-002", "Two."),
            ("black-003", "Three."),
        ]
    }
    assert messages(result, "warning") == [
        "5 headings match no part and were ignored: “Chapter 1” (line 2), "
        "“Chapter 2” (line 4), “Chapter 3” (line 6), and 2 more."
    ]


def test_without_an_implicit_part_text_before_the_first_heading_is_dropped():
    result = split_blocks(
        blocks("A title page.", "A dedication.", "# The Black Notebook", "One."),
        patterns=DEFAULT_PATTERNS[1:2],
    )

    assert parts_of(result) == {"black-notebook": [("black-001", "One.")]}
    assert messages(result, "warning") == [
        "2 paragraphs before the first part heading (from line 1) were dropped: "
        "no part takes the text before its heading."
    ]


# --- Patterns -----------------------------------------------------------------


def test_formatted_patterns_parse_back_to_the_same_patterns():
    text = format_patterns(DEFAULT_PATTERNS)

    assert parse_patterns(text) == DEFAULT_PATTERNS
    assert text.splitlines()[3] == (
        "opening-address | frame | address | The Opening Address | Opening Address |"
    )


def test_a_custom_pattern_recognises_a_differently_titled_heading():
    patterns = parse_patterns(
        "# a comment line\n"
        "\n"
        "preface | frame | pre | Preface | Preface |\n"
        "first | notebook | first | Notebook One | One | notebook (one|1)|erstes heft\n"
    )

    result = split_blocks(blocks("Before.", "# Notebook 1", "Inside."), patterns)

    assert result.problems == []
    assert parts_of(result) == {
        "preface": [("pre-001", "Before.")],
        "first": [("first-001", "Inside.")],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a | frame | a | A | A |\nb | frame | b | B\n", "Line 2: expected 6 fields"),
        (
            "a | frame | a | A | A |\n\nb | frame | b | B | B | (unclosed\n",
            "Line 3: the pattern is not a valid regular expression",
        ),
        ("a | chapter | a | A | A | x\n", "Line 1: the kind must be one of"),
        ("A Slug | frame | a | A | A | x\n", "Line 1: “A Slug” is not a slug"),
        ("a | frame | Bad_Prefix | A | A | x\n", "Line 1: “Bad_Prefix” is not a key"),
        ("a | frame | a |  | A | x\n", "Line 1: the title and short title"),
        (
            "a | frame | a | A | A | x\na | frame | b | B | B | y\n",
            "Line 2: the slug “a” is already used on line 1",
        ),
        (
            "a | frame | k | A | A | x\nb | frame | k | B | B | y\n",
            "Line 2: the key prefix “k” is already used on line 1",
        ),
        (
            "a | frame | a | A | A | x\nb | frame | b | B | B |\n",
            "Line 2: only the first part can have an empty pattern",
        ),
        ("# only a comment\n", "No parts"),
    ],
)
def test_bad_pattern_text_is_refused_naming_the_line(text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        parse_patterns(text)


def test_a_pattern_may_itself_contain_the_field_separator():
    [pattern] = parse_patterns("a | frame | a | A | A | one|two | three\n")

    assert pattern.pattern == "one|two | three"


def test_a_title_containing_the_separator_cannot_be_formatted():
    bad = PartPattern("a", "A | B", "A", "frame", "a", "x")

    with pytest.raises(ValueError, match="cannot appear"):
        format_patterns([bad])


# --- Keys ---------------------------------------------------------------------

FIRST = "The porter carried two suitcases up the narrow stairs and left them."
SECOND = "A dog barked somewhere across the river while the ferry waited."
THIRD = "The clock in the hall struck nine and nobody in the house moved."
PREVIOUS = [("black-001", FIRST), ("black-002", SECOND), ("black-003", THIRD)]


def test_keys_are_numbered_from_one_without_an_earlier_import():
    assert assign_keys("white", ["a", "b", "c"], None) == [
        "white-001",
        "white-002",
        "white-003",
    ]


def test_unchanged_paragraphs_keep_their_keys_even_when_moved():
    keys = assign_keys("black", [THIRD, FIRST, SECOND], PREVIOUS)

    assert keys == ["black-003", "black-001", "black-002"]


def test_an_edited_paragraph_keeps_its_key():
    edited = SECOND.replace("barked", "howled").replace("ferry", "boat")

    keys = assign_keys("black", [FIRST, edited, THIRD], PREVIOUS)

    assert keys == ["black-001", "black-002", "black-003"]


def test_an_inserted_paragraph_gets_a_key_after_the_highest_number():
    inserted = "Snow covered the yard by morning."

    keys = assign_keys("black", [FIRST, inserted, SECOND, THIRD], PREVIOUS)

    assert keys == ["black-001", "black-004", "black-002", "black-003"]


def test_numbering_continues_after_gaps_left_by_earlier_deletions():
    previous = [("black-001", FIRST), ("black-007", SECOND)]

    keys = assign_keys("black", [FIRST, SECOND, "Something new."], previous)

    assert keys == ["black-001", "black-007", "black-008"]


def test_a_deleted_paragraphs_key_is_never_handed_to_a_new_one():
    replacement = "Snow covered the yard by morning."

    keys = assign_keys("black", [FIRST, SECOND, replacement], PREVIOUS)

    assert keys == ["black-001", "black-002", "black-004"]


def test_a_split_paragraph_keeps_its_key_on_the_more_similar_half():
    start = "The rain stopped before noon and the street dried quickly in the sun."
    end = "Later the shop on the corner opened its shutters and a boy swept the step."
    previous = [("black-001", FIRST), ("black-002", f"{start} {end}")]

    keys = assign_keys("black", [FIRST, start, end], previous)

    assert keys == ["black-001", "black-003", "black-002"]


def test_a_similar_paragraph_cannot_take_a_key_against_the_earlier_order():
    edited_first = FIRST.replace("two", "three")

    # The edit of FIRST now sits after THIRD: taking black-001 would reverse
    # the order of kept keys, so it is treated as new text.
    keys = assign_keys("black", [SECOND, THIRD, edited_first], PREVIOUS)

    assert keys == ["black-002", "black-003", "black-004"]


def test_whitespace_differences_do_not_count_as_edits():
    keys = assign_keys("black", [f"  {FIRST.replace(' ', '   ')}"], PREVIOUS)

    assert keys == ["black-001"]


def test_a_reimport_keeps_keys_per_part():
    first = split_blocks(
        blocks("Opening.", "# The Black Notebook", FIRST, SECOND, THIRD)
    )
    previous = {
        slug: [(key, text) for key, text in passages]
        for slug, passages in parts_of(first).items()
    }
    edited = THIRD.replace("nine", "ten")

    second = split_blocks(
        blocks("Opening.", "# The Black Notebook", FIRST, "New words.", edited),
        previous=previous,
    )

    assert parts_of(second) == {
        "opening-address": [("address-001", "Opening.")],
        "black-notebook": [
            ("black-001", FIRST),
            ("black-004", "New words."),
            ("black-003", edited),
        ],
    }
