"""Table grids, shared by every reader of real tables (HTML, Word): the work budgets, and the
grid of slots turned into cells.

A reader expands its spans into slots (row, column, element, copy) in reading order; each element
is read once, and a span's copies reuse that reading, so a spanning label gives context to every
row it covers while a spanning value is read once. The Word reader hands its slots to
:func:`grid_cells`; the HTML reader, whose rows mostly have no span, reads a row without one
straight into cells and lays out only the rows spans touch, by the same rule (readers/html.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..cells import Cell, Location, classify

_E = TypeVar("_E")  # a reader's table cell element (lxml's <td>, Word's w:tc)

SPAN_SLACK = 4  # a colspan may exceed the widest row's cell count by this much
MAX_TABLE_SLOTS = 200_000  # grid positions (cells and their span copies) in one table
MAX_PAGE_SLOTS = 400_000  # ... in all the tables of a page or document
MAX_PAGE_CELLS = 100_000  # cells read from a page (table cells and tokens of free text)


def grid_cells(slots: Iterable[tuple[int, int, _E, bool]], number: int, text_of: Callable[[_E], str]) -> list[Cell]:
    """The cells of table ``number`` from its slots; blank copies are left out (they carry nothing)."""
    read: dict[int, Cell] = {}  # the slots hold every element, so ids stay unique while they live
    out: list[Cell] = []
    for r, c, element, copy in slots:
        first = read.get(id(element))
        if first is None:
            first = read[id(element)] = classify(text_of(element), Location())
        if copy and first.kind == "null":
            continue
        loc = Location(table=number, row=r + 1, column=c + 1)
        out.append(Cell(first.raw, first.kind, loc, (number, r), first.number, first.unit, copy))
    return out
