"""Shape-specific readers: each turns decoded text into a flat list of cells in reading order.

The shape is sniffed from the text itself (markup, pipe tables), never from a file name.
"""

from __future__ import annotations

import re

from ..cells import Cell

_HTML_HINT = re.compile(r"<\s*(html|body|table|div|p|br|td|meta|head)\b", re.I)
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)


def sniff_shape(text: str) -> str:
    """'html', 'markdown' or 'text'."""
    head = text[:65536]
    if _HTML_HINT.search(head) and ("</" in head or "<table" in text.lower()):
        return "html"
    if len(_MD_ROW.findall(text)) >= 3:
        return "markdown"
    return "text"


def read_cells(text: str, shape: str) -> list[Cell]:
    if shape == "html":
        from .html import read_html

        return read_html(text)
    if shape == "markdown":
        from .markdown import read_markdown

        return read_markdown(text)
    from .text import read_text

    return read_text(text)
