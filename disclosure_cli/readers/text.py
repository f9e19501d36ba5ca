"""Plain text: one cell per line (the seed's shape), whole tables flattened into one line, or tables
copied from a browser or a spreadsheet, one row a line with its cells separated by tabs.

A tab-separated row keeps its cell boundaries, as a Markdown pipe row does: a blank cell (two tabs
with nothing between) stays a blank cell, where white space alone would close it up and move the
row's numbers under the wrong headings. A line is read so when it has two tabs or more after its
first text (indentation is not a cell), and the page has :data:`MIN_TAB_ROWS` such lines.
"""

from __future__ import annotations

import re

from ..cells import Cell, Location, classify, tokenize_text
from ..errors import too_complex
from ..textnorm import drop_invisible
from .grid import MAX_PAGE_CELLS

MIN_TAB_ROWS = 3  # tab-separated lines a page needs before its tabs are read as cell boundaries


_SPACED_NUMBERS = re.compile(r"\d[ \u3000\xa0]+[+\-]?\d")  # 「56 1200」 in one field: a space where a tab belongs


def _tab_row(line: str) -> bool:
    """Two tabs or more after the line's first text (tabs before it indent; tabs after it close
    blank cells at the row's end), and no field with two numbers in it: a row whose cells are not
    all between tabs is read as free text, as it would be without its tabs."""
    return line.lstrip().count("\t") >= 2 and not _SPACED_NUMBERS.search(line)


def tab_rows(text: str) -> bool:
    """Whether the page has :data:`MIN_TAB_ROWS` lines :func:`read_text` reads cell by cell."""
    return sum(1 for line in text.splitlines() if "\t" in line and _tab_row(line)) >= MIN_TAB_ROWS


def read_text(text: str, tabs: bool = True) -> list[Cell]:
    """The page's cells; ``tabs`` False reads every line as free text (parse.py reads a page with
    tab rows both ways: tabs that align columns rather than separate cells read better so)."""
    lines = drop_invisible(text).splitlines()
    tabbed = tabs and sum(1 for line in lines if "\t" in line and _tab_row(line)) >= MIN_TAB_ROWS
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
