"""Shape-specific readers: each turns decoded text into a flat list of cells in reading order.

The shape is sniffed from the text itself (markup, pipe tables), never from a file name.
"""

from __future__ import annotations

import re
from typing import Literal

from ..cells import Cell

# The shapes sniff_shape tells apart in decoded text.
TextShape = Literal["html", "markdown", "text"]
# Every reader's shape: decoded text, a PDF's text layer, a Word file, OCR of a picture or of a
# scanned PDF. parse.py names the record's shape (record.ReportShape) from it and the cells read.
InputShape = Literal[TextShape, "pdf", "docx", "image", "scan"]

_HTML_HINT = re.compile(r"<\s*(html|body|table|div|p|br|td|meta|head)\b", re.I)
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)


def sniff_shape(text: str) -> TextShape:
    """'html', 'markdown' or 'text'."""
    head = text[:65536]
    if _HTML_HINT.search(head) and ("</" in head or "<table" in text.lower()):
        return "html"
    if len(_MD_ROW.findall(text)) >= 3:
        return "markdown"
    return "text"


# File types told apart by their first bytes, never by a file name. Here, so that a parse of a text
# page does not import the Word and OCR readers to learn it is neither.
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def is_image(data: bytes) -> bool:
    """PNG, JPEG or TIFF bytes."""
    return data.startswith(PNG_MAGIC) or data.startswith(JPEG_MAGIC) or data[:4] in TIFF_MAGIC


def is_docx(data: bytes) -> bool:
    """A zip package with a ``word/document.xml`` part (.docx, and .docm/.dotx exports)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(name.lower() == "word/document.xml" for name in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def is_ole_doc(data: bytes) -> bool:
    """An OLE compound file (.doc, Kingsoft .wps, but also .xls/.ppt: LibreOffice tells them apart)."""
    return data.startswith(OLE_MAGIC)


def read_cells(text: str, shape: TextShape) -> list[Cell]:
    if shape == "html":
        from .html import read_html

        return read_html(text)
    if shape == "markdown":
        from .markdown import read_markdown

        return read_markdown(text)
    from .text import read_text

    return read_text(text)
