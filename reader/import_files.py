"""Read an uploaded book file into neutral blocks. Pure Python, no Django.

A school that owns a licensed copy of the novel uploads it as Markdown, plain
text or EPUB. This module turns any of the three into the same thing, a list of
`Block`s (headings and paragraphs, whitespace folded, with the source line), so
that `reader.splitting` never needs to know where the text came from.

Nothing here raises on a bad file: every reason a file cannot be read becomes a
`FileProblem` whose message is a sentence a curator can act on ("it looks like
cp1252 — import it as cp1252?"), because the person uploading is not the person
who can read a traceback.

What each format understands, kept deliberately small:

* Markdown: ATX (`# Title`) and setext (underlined) headings; paragraphs
  separated by blank lines; `>` quote markers, `*`/`_` emphasis pairs and
  backslash escapes are dropped; thematic breaks (`***`, `* * *`) end a
  paragraph and are dropped; a leading YAML front matter block is skipped.
  Indentation means nothing (novels indent first lines; there is no code).
* Plain text: paragraphs separated by blank lines. A short single line without
  closing punctuation, or a short line in capitals, is a heading. A file with no
  blank lines at all is read one paragraph per line, which is how many exported
  .txt books are laid out.
* EPUB: the spine documents in reading order; h1-h6 are headings; every other
  run of text between block elements (p, div with direct text, blockquote, li,
  ...) is a paragraph. Navigation documents, tables of contents, ruby readings
  and footnote reference marks are skipped.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

import ebooklib
from ebooklib import epub
from lxml import etree, html

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A 20 MB EPUB unpacks to far less than this; a ZIP that claims more is broken
# or hostile (a "zip bomb"), and ebooklib would load all of it into memory.
MAX_EPUB_UNPACKED_BYTES = 200 * 1024 * 1024

FORMATS_BY_EXTENSION = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".epub": "epub",
}
EPUB_MIMETYPE = b"application/epub+zip"
UTF_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # also prefixes UTF-32 BOMs

# A plain-text line is a heading only if it is short: longer lines are prose.
MAX_HEADING_WORDS = 10
# Characters that end a sentence (or a clause); a line ending in one is prose.
SENTENCE_END = ".!?…,;:"
CLOSING_MARKS = "\"'”’»)]"
# Characters that vanish rather than fold into a space: soft hyphens and
# zero-width spaces are common in EPUBs and would break quoting and search.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\ufeff"))


@dataclass(frozen=True)
class Block:
    """One heading or paragraph, neutral about the format it came from."""

    kind: str  # "heading" or "paragraph"
    text: str  # whitespace folded to single spaces, stripped
    line: int  # 1-based line in the source (for EPUB: running count of blocks)


@dataclass(frozen=True)
class FileProblem:
    """Why a file could not be read, as a sentence for a curator."""

    message: str


@dataclass
class ReadResult:
    """What `read_upload` made of a file: blocks, or problems, never both."""

    format: str  # "markdown" | "text" | "epub" ("" for an unknown extension)
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    detected_encoding: str | None = None
    problems: list[FileProblem] = field(default_factory=list)


def read_upload(name: str, data: bytes, *, encoding: str | None = None) -> ReadResult:
    """Read an uploaded file into blocks, or say in plain words why not.

    `encoding` is for the second attempt: when a text file is not UTF-8 the
    result carries charset-normalizer's guess, and the curator re-imports with
    that (or another) encoding.
    """
    extension = PurePath(name).suffix.lower()
    format_ = FORMATS_BY_EXTENSION.get(extension)
    if format_ is None:
        return _failed(
            "",
            "Only Markdown (.md), plain text (.txt) and EPUB (.epub) files can be "
            "imported.",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES / (1024 * 1024)
        return _failed(
            format_,
            f"The file is too large: the limit is {limit:g} MB "
            f"and this file is {len(data) / (1024 * 1024):.1f} MB.",
        )
    if format_ == "epub":
        return _read_epub(data)
    return _read_text_file(format_, extension, data, encoding)


def _failed(format_: str, message: str, **fields: str | None) -> ReadResult:
    return ReadResult(format=format_, problems=[FileProblem(message)], **fields)


# --- Text files ---------------------------------------------------------------


def _read_text_file(
    format_: str, extension: str, data: bytes, encoding: str | None
) -> ReadResult:
    disguise = _binary_disguise(data, encoding)
    if disguise:
        return _failed(
            format_,
            f"This file is called {extension} but is not plain text "
            f"(it looks like {disguise}).",
        )
    decoded = _decode(format_, data, encoding)
    if isinstance(decoded, ReadResult):
        return decoded
    text, used = decoded
    reader = _markdown_blocks if format_ == "markdown" else _text_blocks
    blocks = list(reader(text))
    if not blocks:
        return _failed(format_, "The file contains no text to import.", encoding=used)
    return ReadResult(format=format_, blocks=blocks, encoding=used)


def _binary_disguise(data: bytes, encoding: str | None) -> str | None:
    """What a file named .md/.txt really is, when it is not text at all."""
    if data.startswith(b"PK\x03\x04"):
        if _epub_mimetype_ok(data):
            return "an EPUB book: rename it to .epub"
        return "a ZIP archive, such as a Word document"
    if data.startswith(b"%PDF"):
        return "a PDF document"
    # UTF-16 and UTF-32 text is full of NUL bytes yet still text: let the
    # decoder (and the encoding guess) deal with it.
    wide = data.startswith(UTF_BOMS) or (
        encoding is not None and _codec_name(encoding).startswith(("utf-16", "utf-32"))
    )
    if b"\x00" in data and not wide:
        return "binary data"
    return None


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _text_encodings() -> frozenset[str]:
    """The encodings a curator may name: those charset-normalizer can guess
    (so every guess we offer is one), by codec name.

    Not whatever `codecs.lookup` knows: that includes Python's own codecs
    such as punycode or unicode_escape, which decode bytes that are not a
    book's text, and fail in ways no text encoding does."""
    global _TEXT_ENCODINGS
    if _TEXT_ENCODINGS is None:
        from charset_normalizer.constant import IANA_SUPPORTED

        _TEXT_ENCODINGS = frozenset(_codec_name(name) for name in IANA_SUPPORTED)
    return _TEXT_ENCODINGS


_TEXT_ENCODINGS: frozenset[str] | None = None


def _is_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _decode(
    format_: str, data: bytes, encoding: str | None
) -> tuple[str, str] | ReadResult:
    """The text and the encoding used, or a failed result explaining why."""
    if encoding is not None:
        codec = _codec_name(encoding)
        # An unknown name is answered below, as before.
        if _is_codec(codec) and codec not in _text_encodings():
            return _failed(
                format_,
                f"The file cannot be read as {encoding}. "
                "That is not the name of a text encoding this server reads.",
            )
        if codec == "utf-8":
            codec = "utf-8-sig"  # a BOM is never part of the text
        try:
            text = data.decode(codec)
        except LookupError:
            return _failed(
                format_,
                f"The file cannot be read as {encoding}. "
                "That is not the name of an encoding this server knows.",
            )
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return _failed(
                format_,
                f"The file cannot be read as {encoding}. "
                f"The first byte that does not fit is on line {line}.",
            )
        return text.removeprefix("\ufeff"), _codec_name(encoding)
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Imported here: charset-normalizer is slow to import and only needed for
    # the rare file that is not UTF-8.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return _failed(
            format_,
            "The file is not UTF-8 text, and its encoding could not be guessed; "
            "choose the encoding it was saved in.",
        )
    detected = best.encoding
    return _failed(
        format_,
        f"The file is not UTF-8 text; it looks like {detected} — "
        f"import it as {detected}?",
        detected_encoding=detected,
    )


def _fold(text: str) -> str:
    """Collapse every run of whitespace to one space, so texts compare equal."""
    return " ".join(text.translate(INVISIBLE).split())


def _split_lines(text: str) -> list[str]:
    # Not str.splitlines(): it also breaks at form feeds and U+2028, which
    # would make our line numbers disagree with the curator's editor.
    return re.split(r"\r\n|\r|\n", text)


# --- Markdown -----------------------------------------------------------------

ATX_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
SETEXT_UNDERLINE_RE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
THEMATIC_BREAK_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
QUOTE_MARKER_RE = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+")
ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Emphasis never contains its own marker, so a line full of stray asterisks
# costs one scan, not one scan per asterisk.
EMPHASIS_RES = [
    re.compile(rf"(?<!\w)({m}{{1,3}})(?!\s)([^{m}]+?)(?<!\s)\1(?!\w)")
    for m in (r"\*", "_")
]
FRONT_MATTER_LINE_RE = re.compile(r"^(?:[\w-]+[ \t]*:|[ \t]|-[ \t]|#|$)")


def _markdown_blocks(text: str) -> Iterator[Block]:
    lines = _split_lines(text)
    paragraph: list[str] = []
    start = 0

    def flush() -> Iterator[Block]:
        body = _clean_inline(" ".join(paragraph))
        paragraph.clear()
        if body:
            yield Block("paragraph", body, start)

    for number in range(_front_matter_end(lines) + 1, len(lines) + 1):
        line = QUOTE_MARKER_RE.sub("", lines[number - 1])
        if not line.strip():
            yield from flush()
            continue
        atx = ATX_HEADING_RE.match(line)
        if atx:
            yield from flush()
            heading = _clean_inline(_without_closing_hashes(line[atx.end() :]))
            if heading:
                yield Block("heading", heading, number)
            continue
        if paragraph and SETEXT_UNDERLINE_RE.match(line):
            heading = _clean_inline(" ".join(paragraph))
            paragraph.clear()
            if heading:
                yield Block("heading", heading, start)
            continue
        if THEMATIC_BREAK_RE.match(line):
            yield from flush()
            continue
        if not paragraph:
            start = number
        paragraph.append(line)
    yield from flush()


def _without_closing_hashes(text: str) -> str:
    """Drop an ATX heading's optional closing `#`s (string work, no regex)."""
    text = text.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        return bare
    return text


def _front_matter_end(lines: list[str]) -> int:
    """The number of lines taken by a leading `---` YAML block (0 if none).

    Only a block whose lines look like `key: value` counts, so a book that
    opens with a thematic break is not swallowed.
    """
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
        if not FRONT_MATTER_LINE_RE.match(lines[index]):
            return 0
    return 0


def _clean_inline(text: str) -> str:
    """Drop emphasis markers and escapes; the reader keeps plain text only."""
    escaped: list[str] = []

    def hide(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = ESCAPE_RE.sub(hide, _fold(text))
    for _ in range(3):  # **nested *emphasis*** needs more than one pass
        count = 0
        for emphasis in EMPHASIS_RES:
            text, found = emphasis.subn(r"\2", text)
            count += found
        if not count:
            break
    text = re.sub(r"\ue000(\d+)\ue001", lambda m: escaped[int(m.group(1))], text)
    return text.strip()


# --- Plain text ---------------------------------------------------------------


def _text_blocks(text: str) -> Iterator[Block]:
    runs = _runs_of_lines(_split_lines(text))
    if len(runs) == 1 and len(runs[0][1]) > 1:
        # No blank line anywhere: one paragraph per line, not one giant one.
        runs = [
            (start + i, [line]) for start, lines in runs for i, line in enumerate(lines)
        ]
    for start, lines in runs:
        body = _fold(" ".join(lines))
        if body:
            kind = "heading" if _looks_like_heading(lines, body) else "paragraph"
            yield Block(kind, body, start)


def _runs_of_lines(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first line number, lines) for each run of non-blank lines."""
    runs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if _fold(line):
            if not current:
                runs.append((number, current))
            current.append(line)
        elif current:
            current = []
    return runs


def _looks_like_heading(lines: list[str], body: str) -> bool:
    """Short and unpunctuated, or short and in capitals.

    Both rules stop at MAX_HEADING_WORDS: a long paragraph in capitals is more
    likely shouting than a title, and misreading it would drop it.
    """
    words = len(body.split())
    if words > MAX_HEADING_WORDS:
        return False
    last = body.rstrip(CLOSING_MARKS)[-1:]
    if len(lines) == 1 and last and last not in SENTENCE_END:
        return True
    return body.isupper() and sum(char.isalpha() for char in body) >= 2


# --- EPUB ---------------------------------------------------------------------

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt "
    "fieldset figcaption figure footer form header hgroup hr li main ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
# Elements whose text is not the book's text: navigation, scripts, ruby
# readings (furigana) and the like.
SKIPPED_TAGS = frozenset(
    {"head", "nav", "script", "style", "template", "rt", "rp", "svg"}
)
SKIPPED_EPUB_TYPES = frozenset(
    {"toc", "landmarks", "page-list", "noteref", "pagebreak"}
)
EPUB_TYPE_ATTRIBUTES = ("{http://www.idpf.org/2007/ops}type", "epub:type")
XML_DECLARATION_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([\w.:-]+)[\"']")


def _read_epub(data: bytes) -> ReadResult:
    if not _epub_mimetype_ok(data):
        return _failed("epub", "This file is called .epub but is not an EPUB book.")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_EPUB_UNPACKED_BYTES:
            return _failed(
                "epub", "This EPUB book unpacks to more than the server accepts."
            )
        if _is_drm_protected(archive):
            return _failed(
                "epub",
                "This EPUB book is protected by DRM, so its text cannot be read. "
                "Export it without protection, or as plain text.",
            )
    found: list[tuple[str, str]] = []
    try:
        for content in _spine_documents(data):
            found.extend(_html_blocks(content))
    except Exception as exc:
        # ebooklib and lxml raise many kinds of error on a malformed book; each
        # must become a message for the curator, not a server error.
        return _failed(
            "epub", f"This EPUB book is damaged and cannot be opened ({exc})."
        )
    if not found:
        return _failed(
            "epub",
            "This EPUB book contains no text (it may be made of scanned page images).",
        )
    blocks = [Block(kind, text, n) for n, (kind, text) in enumerate(found, start=1)]
    return ReadResult(format="epub", blocks=blocks)


def _epub_mimetype_ok(data: bytes) -> bool:
    """An EPUB is a ZIP whose first entry is `mimetype` saying so (OCF spec)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if not infos or infos[0].filename != "mimetype":
                return False
            if infos[0].file_size > 100:
                return False
            return archive.read(infos[0]).strip() == EPUB_MIMETYPE
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return False


def _is_drm_protected(archive: zipfile.ZipFile) -> bool:
    """True when documents (not just fonts) are listed as encrypted.

    Publishers obfuscate embedded fonts with the same encryption.xml file; that
    is harmless, so only encrypted (X)HTML counts as DRM.
    """
    try:
        listing = archive.read("META-INF/encryption.xml")
    except KeyError:
        return False
    uris = re.findall(rb"URI\s*=\s*[\"']([^\"']+)[\"']", listing)
    return any(uri.lower().endswith((b".xhtml", b".html", b".htm")) for uri in uris)


def _spine_documents(data: bytes) -> Iterator[bytes]:
    """The content of each text document, in the book's reading order."""
    book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    for entry in book.spine:
        idref = entry[0] if isinstance(entry, tuple) else entry
        item = book.get_item_with_id(idref) if isinstance(idref, str) else idref
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        if isinstance(item, epub.EpubNav | epub.EpubCoverHtml):
            continue
        if "nav" in (getattr(item, "properties", None) or []):
            continue
        yield item.get_content()


def _html_blocks(content: bytes) -> list[tuple[str, str]]:
    root = _parse_xhtml(content)
    if root is None:
        return []
    body = next((el for el in root.iter() if _tag(el) == "body"), root)
    collector = _BlockCollector()
    collector.visit(body)
    collector.flush()
    return collector.found


def _parse_xhtml(content: bytes) -> etree._Element | None:
    """Parse as XML (what EPUB documents are), else leniently as HTML.

    XML first, because the HTML parser reads XHTML's self-closing `<p/>` and
    `<div/>` as open elements that swallow what follows. The XML parser never
    fetches or expands external entities.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        pass
    try:
        text = _decode_markup(content)
        return html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError):
        return None


def _decode_markup(content: bytes) -> str:
    """EPUB text is UTF-8 or UTF-16; honour a declared encoding otherwise."""
    if content.startswith(UTF_BOMS):
        text = content.decode("utf-16")
    else:
        declared = XML_DECLARATION_RE.match(content)
        codec = declared.group(1).decode("ascii") if declared else "utf-8"
        try:
            text = content.decode(codec, errors="replace")
        except LookupError:
            text = content.decode("utf-8", errors="replace")
    # lxml refuses a str that still declares its encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text.removeprefix("\ufeff"))


def _tag(element: etree._Element) -> str | None:
    """Lower-case local name, or None for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1].lower()


def _skipped(element: etree._Element, tag: str) -> bool:
    if tag in SKIPPED_TAGS:
        return True
    types = " ".join(element.get(name) or "" for name in EPUB_TYPE_ATTRIBUTES)
    return not SKIPPED_EPUB_TYPES.isdisjoint(types.split())


class _BlockCollector:
    """Walk a document, cutting its text into blocks at block elements.

    Inline text (including a div's or blockquote's direct text and the tails
    after child elements) accumulates until the next block boundary, so mixed
    content comes out in reading order.
    """

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []
        self._buffer: list[str] = []

    def flush(self) -> None:
        text = _fold("".join(self._buffer))
        self._buffer.clear()
        if text:
            self.found.append(("paragraph", text))

    def visit(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag is None:
            return
        if _skipped(element, tag):
            if tag in BLOCK_TAGS or tag == "nav":
                self.flush()
            return
        if tag in HEADING_TAGS:
            self.flush()
            pieces: list[str] = []
            _inline_text(element, pieces)
            heading = _fold("".join(pieces))
            if heading:
                self.found.append(("heading", heading))
            return
        if tag == "br":
            self._buffer.append(" ")
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.flush()
        self._buffer.append(element.text or "")
        for child in element:
            self.visit(child)
            self._buffer.append(child.tail or "")
        if is_block:
            self.flush()


def _inline_text(element: etree._Element, pieces: list[str]) -> None:
    """All the text inside an element, minus skipped elements; br is a space."""
    tag = _tag(element)
    if tag is None or _skipped(element, tag):
        return
    if tag == "br":
        pieces.append(" ")
        return
    pieces.append(element.text or "")
    for child in element:
        _inline_text(child, pieces)
        pieces.append(child.tail or "")
