"""Reading uploaded files: every format gives blocks, every bad file a sentence.

All sample texts are invented here; none of them comes from the novel.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from ebooklib import epub

from reader import import_files
from reader.import_files import read_upload

EPUB_CONTAINER = (
    '<?xml version="1.0"?>'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)
EPUB_OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">sample</dc:identifier>
    <dc:title>Sample</dc:title>
    <dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="one" href="one.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="one"/></spine>
</package>
"""


def make_epub(chapters: list[str], *, spine_order: list[int] | None = None) -> bytes:
    """A small EPUB 3 book, one XHTML body fragment per chapter, with a nav."""
    book = epub.EpubBook()
    book.set_identifier("sample-book")
    book.set_title("A Sample Book")
    book.set_language("en")
    items = []
    for number, body in enumerate(chapters, start=1):
        item = epub.EpubHtml(
            title=f"Chapter {number}", file_name=f"chapter{number}.xhtml", lang="en"
        )
        item.content = body
        book.add_item(item)
        items.append(item)
    book.toc = tuple(items)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    order = spine_order if spine_order is not None else range(len(items))
    book.spine = ["nav", *(items[index] for index in order)]
    output = io.BytesIO()
    epub.write_epub(output, book)
    return output.getvalue()


def hand_made_epub(document: str, *, mimetype_first: bool = True) -> bytes:
    """An EPUB zipped by hand, for markup ebooklib would tidy on writing."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        entries = [
            ("META-INF/container.xml", EPUB_CONTAINER),
            ("OEBPS/content.opf", EPUB_OPF),
            ("OEBPS/one.xhtml", document),
        ]
        mimetype = ("mimetype", "application/epub+zip")
        entries = [mimetype, *entries] if mimetype_first else [*entries, mimetype]
        for name, text in entries:
            archive.writestr(name, text)
    return output.getvalue()


def blocks_of(result: import_files.ReadResult) -> list[tuple[str, str, int]]:
    assert result.problems == []
    return [(block.kind, block.text, block.line) for block in result.blocks]


def only_problem(result: import_files.ReadResult) -> str:
    assert result.blocks == []
    assert len(result.problems) == 1
    return result.problems[0].message


# --- Markdown -----------------------------------------------------------------


def test_markdown_headings_and_paragraphs_become_blocks_at_their_first_line():
    text = (
        "# *The First Heading* #\n"
        "\n"
        "A paragraph that wraps\n"
        "over   two lines.\n"
        "\n"
        "> A quoted paragraph\n"
        "> on two lines.\n"
        "\n"
        "Underlined Heading\n"
        "==================\n"
        "\n"
        "Some **bold** and _slanted_ words, an escaped \\*star\\* and a snake_case.\n"
        "\n"
        "* * *\n"
        "\n"
        "Another Underlined\n"
        "---\n"
        "###### Small heading\n"
        "Last words.\n"
    )

    result = read_upload("book.md", text.encode())

    assert result.format == "markdown"
    assert result.encoding == "utf-8"
    assert blocks_of(result) == [
        ("heading", "The First Heading", 1),
        ("paragraph", "A paragraph that wraps over two lines.", 3),
        ("paragraph", "A quoted paragraph on two lines.", 6),
        ("heading", "Underlined Heading", 9),
        (
            "paragraph",
            "Some bold and slanted words, an escaped *star* and a snake_case.",
            12,
        ),
        ("heading", "Another Underlined", 16),
        ("heading", "Small heading", 18),
        ("paragraph", "Last words.", 19),
    ]


def test_markdown_front_matter_is_skipped_but_an_opening_rule_is_not():
    with_front_matter = "---\ntitle: Sample\nlang: en\n---\n\nThe text begins.\n"
    with_rule = "---\n\nThe text begins after a rule.\n"

    assert blocks_of(read_upload("a.md", with_front_matter.encode())) == [
        ("paragraph", "The text begins.", 6)
    ]
    assert blocks_of(read_upload("b.markdown", with_rule.encode())) == [
        ("paragraph", "The text begins after a rule.", 3)
    ]


def test_a_hash_without_a_space_is_not_a_heading():
    result = read_upload("a.md", b"#hashtag stays text.\n")

    assert blocks_of(result) == [("paragraph", "#hashtag stays text.", 1)]


def test_a_byte_order_mark_and_windows_line_endings_leave_no_trace():
    data = b"\xef\xbb\xbf# Heading\r\n\r\nFirst line\r\nsecond line.\r\n"

    assert blocks_of(read_upload("a.md", data)) == [
        ("heading", "Heading", 1),
        ("paragraph", "First line second line.", 3),
    ]


# --- Plain text ---------------------------------------------------------------


def test_plain_text_short_unpunctuated_lines_and_capitals_are_headings():
    text = (
        "A Short Title\n"
        "\n"
        "The tram stopped at the corner.\n"
        "It waited there.\n"
        "\n"
        "Is that so?\n"
        "\n"
        "Yes.\n"
        "\n"
        "PART IN CAPITALS\n"
        "\n"
        "A single line that runs on for far more than ten words without a stop\n"
    )

    assert blocks_of(read_upload("book.txt", text.encode())) == [
        ("heading", "A Short Title", 1),
        ("paragraph", "The tram stopped at the corner. It waited there.", 3),
        ("paragraph", "Is that so?", 6),
        ("paragraph", "Yes.", 8),
        ("heading", "PART IN CAPITALS", 10),
        (
            "paragraph",
            "A single line that runs on for far more than ten words without a stop",
            12,
        ),
    ]


def test_a_text_file_without_blank_lines_is_read_one_paragraph_per_line():
    text = "A Title\nThe first paragraph is one line.\nSo is the second one.\n"

    assert blocks_of(read_upload("book.txt", text.encode())) == [
        ("heading", "A Title", 1),
        ("paragraph", "The first paragraph is one line.", 2),
        ("paragraph", "So is the second one.", 3),
    ]


def test_whitespace_is_folded_and_blank_looking_lines_separate_paragraphs():
    text = "One\tparagraph   with\u00a0odd spacing.\n \t \nAnother one.\n"

    assert blocks_of(read_upload("book.txt", text.encode())) == [
        ("paragraph", "One paragraph with odd spacing.", 1),
        ("paragraph", "Another one.", 3),
    ]


# --- EPUB ---------------------------------------------------------------------


def test_epub_documents_are_read_in_spine_order_with_running_block_numbers():
    first = (
        "<h1>First <em>Chapter</em></h1>"
        "<p>The kettle <i>whistled</i> in the kitchen.</p>"
        "<div>A div with direct text<br/>and a line break.</div>"
        "<blockquote><p>A quoted paragraph.</p>Loose quoted text.</blockquote>"
        "<p>A note mark<a epub:type='noteref' href='#n1'>1</a> disappears.</p>"
        "<p>   </p>"
    )
    second = "<h2>Second Chapter</h2><section><p>Rain fell all day.</p></section>"
    data = make_epub([second, first], spine_order=[1, 0])

    result = read_upload("book.epub", data)

    assert result.format == "epub"
    assert result.encoding is None
    assert blocks_of(result) == [
        ("heading", "First Chapter", 1),
        ("paragraph", "The kettle whistled in the kitchen.", 2),
        ("paragraph", "A div with direct text and a line break.", 3),
        ("paragraph", "A quoted paragraph.", 4),
        ("paragraph", "Loose quoted text.", 5),
        ("paragraph", "A note mark disappears.", 6),
        ("heading", "Second Chapter", 7),
        ("paragraph", "Rain fell all day.", 8),
    ]


def test_epub_markup_that_is_not_well_formed_xml_is_read_as_html():
    document = (
        "<html><head><title>Ignored title</title></head><body>"
        "<h1>A Heading</h1><p>Tea&nbsp;and toast.<p>Ruby <ruby>kanji<rt>reading</rt>"
        "</ruby> stays clean.</body></html>"
    )

    result = read_upload("book.epub", hand_made_epub(document))

    assert blocks_of(result) == [
        ("heading", "A Heading", 1),
        ("paragraph", "Tea and toast.", 2),
        ("paragraph", "Ruby kanji stays clean.", 3),
    ]


def test_an_epub_without_text_is_a_problem():
    result = read_upload("book.epub", make_epub(["<p>   </p>"]))

    assert "contains no text" in only_problem(result)


def test_an_epub_whose_documents_are_encrypted_is_refused_as_drm():
    data = io.BytesIO(make_epub(["<p>Visible words.</p>"]))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr(
            "META-INF/encryption.xml",
            "<encryption><EncryptedData><CipherData><CipherReference "
            'URI="EPUB/chapter1.xhtml"/></CipherData></EncryptedData></encryption>',
        )

    result = read_upload("book.epub", data.getvalue())

    assert "protected by DRM" in only_problem(result)


def test_an_epub_with_only_obfuscated_fonts_is_read():
    data = io.BytesIO(make_epub(["<p>Visible words.</p>"]))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr(
            "META-INF/encryption.xml",
            "<encryption><EncryptedData><CipherData><CipherReference "
            'URI="EPUB/fonts/serif.otf"/></CipherData></EncryptedData></encryption>',
        )

    result = read_upload("book.epub", data.getvalue())

    assert blocks_of(result) == [("paragraph", "Visible words.", 1)]


@pytest.mark.parametrize(
    "data",
    [
        b"Just some words, not a book.",
        hand_made_epub("<p>x</p>", mimetype_first=False),
        b"PK\x03\x04 a truncated archive",
    ],
    ids=["text", "mimetype-not-first", "truncated-zip"],
)
def test_a_file_called_epub_that_is_not_an_epub_is_refused(data):
    result = read_upload("book.epub", data)

    assert only_problem(result) == "This file is called .epub but is not an EPUB book."


def test_a_plain_zip_called_epub_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("notes.txt", "Some notes.")

    result = read_upload("book.epub", output.getvalue())

    assert only_problem(result) == "This file is called .epub but is not an EPUB book."


def test_a_damaged_epub_is_a_problem_not_a_crash():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("OEBPS/one.xhtml", "<p>No container.</p>")

    result = read_upload("book.epub", output.getvalue())

    assert "damaged" in only_problem(result)


# --- Type, size and encoding problems -----------------------------------------


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"PK\x03\x04" + b"\x00" * 40, "a ZIP archive, such as a Word document"),
        (b"Words\x00with\x00nul bytes", "binary data"),
    ],
)
def test_a_txt_file_that_is_not_plain_text_is_refused(data, looks_like):
    result = read_upload("book.txt", data)

    assert only_problem(result) == (
        f"This file is called .txt but is not plain text (it looks like {looks_like})."
    )


def test_an_epub_called_md_is_told_to_rename_itself():
    result = read_upload("book.md", make_epub(["<p>Words.</p>"]))

    assert only_problem(result) == (
        "This file is called .md but is not plain text "
        "(it looks like an EPUB book: rename it to .epub)."
    )


@pytest.mark.parametrize("name", ["book.docx", "book.pdf", "book", "book.md.zip"])
def test_files_with_other_extensions_are_refused(name):
    result = read_upload(name, b"Some words.")

    assert result.format == ""
    assert only_problem(result) == (
        "Only Markdown (.md), plain text (.txt) and EPUB (.epub) files can be imported."
    )


def test_extensions_are_recognised_whatever_their_case():
    assert read_upload("BOOK.TXT", b"Words.").format == "text"


def test_files_over_the_size_limit_are_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(import_files, "MAX_UPLOAD_BYTES", 1024 * 1024)

    small = read_upload("book.txt", b"Fits.")
    large = read_upload("book.txt", b"x" * (1024 * 1024 + 1))

    assert small.problems == []
    assert "the limit is 1 MB" in only_problem(large)


def test_the_default_size_limit_is_twenty_megabytes():
    result = read_upload("book.txt", b" " * (20 * 1024 * 1024 + 1))

    assert "the limit is 20 MB" in only_problem(result)


def test_non_utf8_text_names_the_likely_encoding_and_reads_when_told_it():
    text = (
        "Le café était fermé, et la façade grise.\n\n"
        "Über den Brücken wehte ein kühler Wind; niemand grüßte.\n"
    )
    data = text.encode("cp1252")

    first = read_upload("book.txt", data)
    second = read_upload("book.txt", data, encoding="cp1252")

    detected = first.detected_encoding
    assert detected
    assert detected.replace("_", "-") != "utf-8"
    assert only_problem(first) == (
        f"The file is not UTF-8 text; it looks like {detected} — "
        f"import it as {detected}?"
    )
    assert second.encoding == "cp1252"
    assert [block.text for block in second.blocks] == [
        "Le café était fermé, et la façade grise.",
        "Über den Brücken wehte ein kühler Wind; niemand grüßte.",
    ]


def test_text_that_does_not_fit_the_chosen_encoding_is_a_problem():
    data = "Line one.\n\nA café.\n".encode("cp1252")

    result = read_upload("book.txt", data, encoding="ascii")

    assert only_problem(result) == (
        "The file cannot be read as ascii. "
        "The first byte that does not fit is on line 3."
    )


def test_an_unknown_encoding_name_is_a_problem():
    result = read_upload("book.txt", b"Words.", encoding="klingon-8")

    assert only_problem(result).startswith("The file cannot be read as klingon-8.")


def test_utf16_text_is_not_mistaken_for_binary_data():
    data = "A Title\n\nSome words in a wide encoding.\n".encode("utf-16")

    first = read_upload("book.txt", data)
    second = read_upload("book.txt", data, encoding="utf-16")

    assert first.detected_encoding == "utf_16"
    assert [block.text for block in second.blocks] == [
        "A Title",
        "Some words in a wide encoding.",
    ]


def test_a_file_with_no_text_is_a_problem():
    result = read_upload("book.md", b"\n  \n---\n")

    assert only_problem(result) == "The file contains no text to import."


def test_epub_xhtml_skips_navigation_and_page_numbers_and_keeps_loose_text():
    document = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops"><body>'
        '<nav epub:type="toc"><ol><li>Contents</li></ol></nav>'
        "<p/>Loose text after an empty paragraph."
        '<p>Black <span epub:type="pagebreak" title="12">12</span>coffee.</p>'
        "</body></html>"
    )

    result = read_upload("book.epub", hand_made_epub(document))

    assert blocks_of(result) == [
        ("paragraph", "Loose text after an empty paragraph.", 1),
        ("paragraph", "Black coffee.", 2),
    ]
