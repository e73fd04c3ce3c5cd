"""The opening address and the Black and White notebooks are the man's own
writing: first person, addressed to his wife as "you", never a summary of him.

Issue #15: the bundled edition used to report the notebooks in the third
person ("He began by speaking to his wife…"). These tests read the files in
content/ as `make run` loads them.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from reader.edition_files import read_edition_folder

PARTS = ["opening-address", "black-notebook", "white-notebook"]

FIRST_PERSON = re.compile(r"\b(I|me|my|myself|mine)\b|\bI[’'](m|d|ve|ll)\b")
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
DIRECT_SPEECH = re.compile(r"“[^”]+”")

# The old retelling reported him from outside; the narrator never calls
# himself "the scientist" or his wife "his wife", and nothing in these parts
# reports what "he" wrote, began or asked her.
THIRD_PERSON_REPORT = re.compile(
    r"\b(the scientist|the narrator|his wife|her husband)\b"
    r"|\bhe (began|wrote|looked back|asked her|told her|warned her|added)\b",
    re.IGNORECASE,
)
# Summary-speak that explains the narrator to the student instead of letting
# his own words show it.
SUMMARY_SPEAK = re.compile(
    r"out of (this|these thoughts) came|said something about the writer"
    r"|the gap in his reasoning|went unnoticed",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def parts():
    source = read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR)
    return {part.slug: part for part in source.parts if part.slug in PARTS}


@pytest.mark.parametrize("slug", PARTS)
def test_every_passage_is_written_in_the_first_person(parts, slug):
    missing = [p.key for p in parts[slug].passages if not FIRST_PERSON.search(p.text)]
    assert not missing, f"no I/me/my in {missing}"


def test_every_passage_of_the_address_speaks_to_her_as_you(parts):
    missing = [
        p.key
        for p in parts["opening-address"].passages
        if not SECOND_PERSON.search(p.text)
    ]
    assert not missing, f"no 'you' in {missing}"


@pytest.mark.parametrize("slug", ["black-notebook", "white-notebook"])
def test_the_notebooks_keep_turning_to_her_as_you(parts, slug):
    passages = parts[slug].passages
    addressed = [p.key for p in passages if SECOND_PERSON.search(p.text)]
    assert len(addressed) * 3 >= len(passages), (
        f"only {len(addressed)} of {len(passages)} passages of {slug} say 'you'"
    )


@pytest.mark.parametrize("slug", PARTS)
def test_no_passage_reports_the_man_from_outside(parts, slug):
    found = {
        p.key: m.group(0)
        for p in parts[slug].passages
        if (m := THIRD_PERSON_REPORT.search(p.text))
    }
    assert not found, found


@pytest.mark.parametrize("slug", PARTS)
def test_no_passage_explains_the_narrator_in_summary_speak(parts, slug):
    found = {
        p.key: m.group(0)
        for p in parts[slug].passages
        if (m := SUMMARY_SPEAK.search(p.text))
    }
    assert not found, found


@pytest.mark.parametrize("slug", ["black-notebook", "white-notebook"])
def test_the_notebooks_let_people_speak_in_scenes(parts, slug):
    spoken = [p.key for p in parts[slug].passages if DIRECT_SPEECH.search(p.text)]
    assert len(spoken) >= 3, f"{slug} has direct speech only in {spoken}"


def test_the_address_gives_the_reading_order_and_denies_the_colours_a_meaning(parts):
    text = " ".join(p.text for p in parts["opening-address"].passages).lower()
    black, white, gray = (text.find(c) for c in ("black", "white", "gray"))
    assert -1 < black < white < gray
    assert "map" in text and "mean" in text


def test_the_address_leaves_where_the_mask_is_to_the_end_of_the_gray_notebook(parts):
    # The notes' placement rule: the mask's whereabouts are told at the close
    # of the gray notebook, not in the opening address.
    text = " ".join(p.text for p in parts["opening-address"].passages).lower()
    assert not re.search(r"cupboard|closet|wardrobe|among (the|my) boots", text)
