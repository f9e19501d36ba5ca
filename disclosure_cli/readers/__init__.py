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


def read_cells(text: str, shape: TextShape) -> list[Cell]:
    if shape == "html":
        from .html import read_html

        return read_html(text)
    if shape == "markdown":
        from .markdown import read_markdown

        return read_markdown(text)
    from .text import read_text

    return read_text(text)
