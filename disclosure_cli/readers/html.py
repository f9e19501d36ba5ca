"""HTML: real <table>s rebuilt into grids, and the text around them as free text.

Structure before text: every innermost <table> becomes a grid with rowspan/colspan expanded (the
copies are marked, so a spanning label gives context to each row it covers while a spanning value
is read once). Tables nested in layout tables are found by recursion, and a statistics table split
over several <table> elements is simply several grids in reading order. Text outside tables is cut
into lines at block elements and tokenised like plain text, keeping the source line of each block.

Bounded work for any page: the tree is walked with an explicit stack (no recursion limit on
nesting), a span is clamped to the table's real extent (a rowspan to the rows left in the table, a
colspan to the widest row's cell count plus :data:`SPAN_SLACK`), and the grid slots of one table and
of the page, the <td>s of the page and the cells it yields are budgeted; a page over a budget is
refused as ``too-complex`` before the work is done.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from ..cells import Cell, tokenize_text
from ..errors import too_complex
from .grid import MAX_PAGE_CELLS, MAX_PAGE_SLOTS, MAX_TABLE_SLOTS, SPAN_SLACK, grid_cells

if TYPE_CHECKING:
    from lxml.etree import _Element

_SKIP = {"script", "style", "noscript", "head", "template", "svg", "select", "option", "button", "iframe"}
_BLOCK = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "dd",
    "dt",
    "dl",
    "blockquote",
    "pre",
    "hr",
    "form",
    "center",
    "caption",
    "tbody",
    "thead",
}
# Budgets. The real pages (corpus and fixtures) have under 500 cells, 300 <td>s and 450 grid slots;
# these are over two orders of magnitude above that, and keep the worst page to a few seconds.
MAX_PAGE_TDS = 100_000  # <td>/<th> elements in a page, counted before it is parsed
_TD = re.compile(r"<t[dh][\s>/]", re.I)
_DIGITS = re.compile(r"\d+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_SPACE = re.compile(r"\s+")


def parse_document(text: str) -> _Element:
    """The page's element tree. A plain HTML parser: lxml.html's per-element class lookup costs
    more than the parse itself and nothing here needs its methods."""
    from lxml import etree  # lazy: keeps `disclosure --help` fast

    # huge_tree: pages with hundreds of unclosed inline tags would otherwise stop parsing early
    parser = etree.HTMLParser(huge_tree=True)
    root = etree.fromstring(_XML_DECL.sub("", text) or "<html></html>", parser)
    return root if root is not None else etree.fromstring("<html></html>", parser)


def read_html(text: str) -> list[Cell]:
    tds = sum(1 for _ in _TD.finditer(text))
    if tds > MAX_PAGE_TDS:
        raise too_complex(f"{tds:,} table cells in the page (limit {MAX_PAGE_TDS:,})")
    return _Walker().run(parse_document(text))


def cell_text(el: _Element) -> str:
    """A cell's text with <br>/<p> breaks and &nbsp; folded into single spaces."""
    texts = cast(Iterator[str], el.itertext())  # lxml-stubs says str or bytes: a tree parsed from str has str
    return _SPACE.sub(" ", " ".join(texts)).strip()


def _outer_tables(root: _Element) -> set[_Element]:
    """The <table>s that hold another <table>: layout, walked into rather than read as a grid.

    One pass over the tables, each climbing its ancestors until it meets a path already climbed,
    so the cost is the size of the tree, not tables × depth.
    """
    outer: set[_Element] = set()
    climbed: set[_Element] = set()  # holds the elements too, so lxml keeps one proxy per node
    for table in root.iter("table"):
        up = table.getparent()
        while up is not None and up not in climbed:
            climbed.add(up)
            if up.tag == "table":
                outer.add(up)
            up = up.getparent()
    return outer


class _Walker:
    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.buffer: list[str] = []
        self.buffer_line = 0
        self.tables = 0
        self.slots = 0  # grid positions filled in the page's tables so far

    def run(self, root: _Element) -> list[Cell]:
        body = root.find("body")
        self._walk(body if body is not None else root, _outer_tables(root))
        self._flush()
        return self.cells

    def _add(self, text: str | None, el: _Element) -> None:
        """Buffer ``text`` (an element's text or tail); a new line takes ``el``'s source line."""
        if text and text.strip():
            if not self.buffer:
                # lxml-stubs declares sourceline without a type; lxml gives the line, or None
                self.buffer_line = cast("int | None", el.sourceline) or 0
            self.buffer.append(text)

    def _flush(self) -> None:
        if self.buffer:
            line = _SPACE.sub(" ", "".join(self.buffer)).strip()
            if len(line) > 1000:  # each number is a cell: count them before tokenising
                self._check_cells(2 * sum(1 for _ in _DIGITS.finditer(line)))
            self.cells.extend(tokenize_text(line, self.buffer_line))
            self.buffer = []
            self._check_cells()

    def _check_cells(self, coming: int = 0) -> None:
        if len(self.cells) + coming > MAX_PAGE_CELLS:
            raise too_complex(f"over {MAX_PAGE_CELLS:,} cells")

    def _walk(self, top: _Element, outer: set[_Element]) -> None:
        """Document order with an explicit stack: an element's text, its children, then its tail.

        A stack entry is (element, None) to enter it, or (element, block) to leave it once its
        children are done (``block``: whether leaving ends a line).
        """
        stack: list[tuple[_Element, bool | None]] = [(top, None)]
        while stack:
            el, leaving = stack.pop()
            if leaving is not None:
                if leaving:
                    self._flush()
                self._add(el.tail, el)
                continue
            tag = el.tag if isinstance(el.tag, str) else None
            if tag is None or tag.lower() in _SKIP:
                self._add(el.tail, el)
                continue
            tag = tag.lower()
            if tag == "table" and el not in outer:
                self._flush()
                self._grid(el)
                self._add(el.tail, el)
                continue
            block = tag in _BLOCK
            if block:
                self._flush()
            self._add(el.text, el)
            stack.append((el, block))
            children = list(el)
            children.reverse()
            stack.extend((child, None) for child in children)

    def _grid(self, table: _Element) -> None:
        """One table as rows of slots; a slot is (td, copy) or None where no cell reaches."""
        self.tables += 1
        number = self.tables
        rows = [list(tr.iterchildren("td", "th")) for tr in table.iter("tr")]
        height = len(rows)
        widest = max((len(tds) for tds in rows), default=0)
        max_colspan = widest + SPAN_SLACK
        grid: list[list[tuple[_Element, bool] | None]] = [[] for _ in rows]
        slots = 0
        for r, tds in enumerate(rows):
            line = grid[r]
            c = 0
            for td in tds:
                while c < len(line) and line[c] is not None:
                    c += 1
                rowspan = min(_span(td.get("rowspan")), height - r)
                colspan = min(_span(td.get("colspan")), max_colspan)
                slots += rowspan * colspan
                if slots > MAX_TABLE_SLOTS or self.slots + slots > MAX_PAGE_SLOTS:
                    raise too_complex(
                        f"table {number} spans over {MAX_TABLE_SLOTS:,} grid positions"
                        if slots > MAX_TABLE_SLOTS
                        else f"its tables span over {MAX_PAGE_SLOTS:,} grid positions"
                    )
                end = c + colspan
                for dr in range(rowspan):
                    target = grid[r + dr]
                    if len(target) < end:
                        target.extend([None] * (end - len(target)))
                    for cc in range(c, end):
                        if target[cc] is None:
                            target[cc] = (td, dr > 0 or cc > c)
                c = end
        self.slots += slots
        slots_in_order = ((r, c, *slot) for r, line in enumerate(grid) for c, slot in enumerate(line) if slot)
        self.cells.extend(grid_cells(slots_in_order, number, cell_text))
        self._check_cells()


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1
