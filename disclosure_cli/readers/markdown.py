"""Markdown: pipe tables (exports of PDFs and OCR) mixed with text lines.

A pipe row keeps its cell boundaries, so a blank cell stays a blank cell; lines between tables are
free text (PDF exports often leave row labels there). A page of more cells than
:data:`~disclosure_cli.readers.grid.MAX_PAGE_CELLS` is refused as ``too-complex``.
"""

from __future__ import annotations

import re

from ..cells import Cell, Location, classify, tokenize_text
from ..errors import too_complex
from ..textnorm import drop_invisible
from .grid import MAX_PAGE_CELLS

_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_SEPARATOR = re.compile(r"^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s*")


def read_markdown(text: str) -> list[Cell]:
    cells: list[Cell] = []
    for lineno, line in enumerate(drop_invisible(text).splitlines(), 1):
        if not line.strip() or _SEPARATOR.match(line):
            continue
        m = _ROW.match(line)
        if m:
            for col, raw in enumerate(m.group(1).split("|"), 1):
                cells.append(classify(raw, Location(line=lineno, column=col), row_id=lineno))
        else:
            cells.extend(tokenize_text(_HEADING.sub(lambda h: " " * len(h.group(0)), line), lineno, visible=True))
        if len(cells) > MAX_PAGE_CELLS:
            raise too_complex(f"over {MAX_PAGE_CELLS:,} cells")
    return cells
