"""Uploaded library files: what they are (by content, not by name) and the text inside them.

Every upload is untrusted. `inspect_upload` reads the file once, checks its size,
recognises PDF, DOCX and HTML by their bytes (a DOCX is a zip archive holding
``word/document.xml``, whose uncompressed sizes are checked before anything is
inflated), and extracts the text for search; it raises `UploadRejected` with a
message for the person who uploaded the file. Nothing is stored here.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

from defusedxml import ElementTree
from django.conf import settings
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

MB = 1024 * 1024
WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX_DOCUMENT = "word/document.xml"


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "application/pdf", "PDF")
DOCX = FileKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
)
HTML = FileKind("html", "text/html; charset=utf-8", "HTML")
KINDS = {kind.extension: kind for kind in (PDF, DOCX, HTML)}


class UploadRejected(Exception):
    """The file is not one the library accepts; the message says why."""


@dataclass
class InspectedFile:
    kind: FileKind
    content: bytes
    text: str
    name: str  # a safe stored name, extension by content


def max_upload_bytes() -> int:
    return settings.LIBRARY_UPLOAD_MAX_BYTES


def inspect_upload(name: str, stream, size: int | None = None) -> InspectedFile:
    """Read, recognise and extract an uploaded file, or raise `UploadRejected`."""
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise UploadRejected(_too_big(size, limit))
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise UploadRejected(_too_big(len(content), limit))
    if not content:
        raise UploadRejected(_("The file is empty."))
    kind = recognise(content)
    text = extract_text(kind, content)
    return InspectedFile(kind, content, text, safe_file_name(name, kind))


def _too_big(size: int, limit: int) -> str:
    return _("The file is %(size).1f MB; the library accepts files up to %(limit).1f MB.") % {
        "size": size / MB,
        "limit": limit / MB,
    }


def recognise(content: bytes) -> FileKind:
    """PDF, DOCX or HTML, told by the file's bytes; anything else is rejected."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        with _open_zip(content) as archive:
            if DOCX_DOCUMENT in archive.namelist():
                return DOCX
        raise UploadRejected(_("This zip archive is not a Word document (no word/document.xml)."))
    if _looks_like_html(content):
        return HTML
    raise UploadRejected(
        _("Only PDF, Word (DOCX) and HTML files are accepted; this file is none of them.")
    )


def _looks_like_html(content: bytes) -> bool:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"\x00" in content[:2048]:
        return False
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta"))


def _open_zip(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise UploadRejected(_("The file looks like a Word document but is damaged.")) from None


# -- text -----------------------------------------------------------------------------


def extract_text(kind: FileKind, content: bytes) -> str:
    extract = {PDF: _pdf_text, DOCX: _docx_text, HTML: _html_text}[kind]
    return _tidy(extract(content))[: settings.LIBRARY_TEXT_MAX_CHARS]


def _tidy(text: str) -> str:
    """Runs of blank space to one space, blank lines to one newline."""
    lines = (re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise UploadRejected(_("The PDF is encrypted; upload a copy without a password."))
        parts, length = [], 0
        # Search needs the text of a document, not of every page of a 99,000-page file:
        # reading stops at a number of pages or of characters, whichever comes first.
        for number, page in enumerate(reader.pages):
            if number >= settings.LIBRARY_PDF_MAX_PAGES:
                break
            parts.append(page.extract_text() or "")
            length += len(parts[-1])
            if length > settings.LIBRARY_TEXT_MAX_CHARS:
                break
    except UploadRejected:
        raise
    except (PdfReadError, PdfStreamError) as exc:
        raise UploadRejected(_("The PDF cannot be read: %(error)s") % {"error": exc}) from None
    except Exception:  # a malformed file can upset pypdf in many ways; none may pass
        raise UploadRejected(_("The PDF cannot be read; it may be damaged.")) from None
    return "\n".join(parts)


def _docx_text(content: bytes) -> str:
    """The paragraphs of word/document.xml, read only after its size is checked."""
    with _open_zip(content) as archive:
        info = archive.getinfo(DOCX_DOCUMENT)
        total = sum(member.file_size for member in archive.infolist())
        limit = settings.LIBRARY_DOCX_MAX_UNCOMPRESSED_BYTES
        if total > limit or info.file_size > limit:
            raise UploadRejected(
                _("The Word document unpacks to more than %(limit)d MB; it is refused.")
                % {"limit": limit // MB}
            )
        try:
            with archive.open(info) as member:
                return _docx_paragraphs(_Bounded(member, limit))
        except (zipfile.BadZipFile, OSError, EOFError):
            raise UploadRejected(_("The file looks like a Word document but is damaged.")) from None


class _Bounded(io.RawIOBase):
    """A zip member read as it inflates, refused past LIMIT bytes whatever its header said."""

    def __init__(self, member, limit: int):
        self.member, self.left = member, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.member.read(min(len(buffer), 1 << 16))
        self.left -= len(data)
        if self.left < 0:
            raise UploadRejected(_("The Word document unpacks to more than its stated size."))
        buffer[: len(data)] = data
        return len(data)


def _docx_paragraphs(stream) -> str:
    """The paragraphs' text, parsed as the XML streams in: no tree of the whole document is
    built, and parsing stops once the text is as long as search keeps."""
    paragraphs, length = [], 0
    try:
        for _event, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag != f"{WORD_NS}p":
                continue
            paragraphs.append(_docx_paragraph(element))
            length += len(paragraphs[-1]) + 1
            element.clear()
            if length > settings.LIBRARY_TEXT_MAX_CHARS:
                break
    except UploadRejected:
        raise
    except Exception:  # defusedxml's refusals and plain XML errors alike
        raise UploadRejected(
            _("The Word document's text (word/document.xml) is not valid XML.")
        ) from None
    return "\n".join(paragraphs)


def _docx_paragraph(paragraph) -> str:
    pieces = []
    for node in paragraph.iter():
        if node.tag == f"{WORD_NS}t" and node.text:
            pieces.append(node.text)
        elif node.tag in (f"{WORD_NS}tab", f"{WORD_NS}br"):
            pieces.append(" ")
    return "".join(pieces)


class _TextOfHTML(HTMLParser):
    """The visible text of an HTML page: no script, style or template content."""

    SKIPPED = {"script", "style", "template", "noscript", "head"}
    BLOCKS = {"p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _html_text(content: bytes) -> str:
    parser = _TextOfHTML()
    parser.feed(_decode(content))
    parser.close()
    return "".join(parser.parts)


def _decode(content: bytes) -> str:
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", content[:4096], re.I)
    for encoding in (declared.group(1).decode("ascii") if declared else None, "utf-8"):
        if encoding:
            try:
                return content.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return content.decode("cp1251", errors="replace")


# -- names ----------------------------------------------------------------------------


def safe_file_name(name: str, kind: FileKind) -> str:
    """A stored name made from the upload's base name only: no folders, extension by content."""
    stem = PurePath(name.replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = slugify(stem, allow_unicode=False)[:80] or "document"
    return get_valid_filename(f"{stem}.{kind.extension}")
