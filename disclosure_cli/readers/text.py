"""Plain text: one cell per line (the seed's shape), whole tables flattened into one line, or tables
copied from a browser or a spreadsheet, one row a line with its cells separated by tabs.

A tab-separated row keeps its cell boundaries, as a Markdown pipe row does: a blank cell (two tabs
with nothing between) stays a blank cell, where white space alone would close it up and move the
row's numbers under the wrong headings. A line is read so when it has two tabs or more after its
first text (indentation is not a cell), and the page has :data:`MIN_TAB_ROWS` such lines.
"""

from __future__ import annotations

from ..cells import Cell, Location, classify, tokenize_text
from ..errors import too_complex
from ..textnorm import drop_invisible
from .grid import MAX_PAGE_CELLS

MIN_TAB_ROWS = 3  # tab-separated lines a page needs before its tabs are read as cell boundaries


def _tab_row(line: str) -> bool:
    """Two tabs or more after the line's first text (tabs before it indent; tabs after it close
    blank cells at the row's end)."""
    return line.lstrip().count("\t") >= 2


def read_text(text: str) -> list[Cell]:
    lines = drop_invisible(text).splitlines()
    tabbed = sum(1 for line in lines if "\t" in line and _tab_row(line)) >= MIN_TAB_ROWS
    cells: list[Cell] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if tabbed and "\t" in line and _tab_row(line):
            fields = line.rstrip("\r\n").lstrip(" \u3000").split("\t")
            cells += [
                classify(raw, Location(line=lineno, column=col), row_id=lineno) for col, raw in enumerate(fields, 1)
            ]
            if len(cells) > MAX_PAGE_CELLS:
                raise too_complex(f"over {MAX_PAGE_CELLS:,} cells")
        else:
            cells.extend(tokenize_text(line, lineno, visible=True))
    return cells
