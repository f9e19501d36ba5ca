"""HTML: real <table>s rebuilt into grids, and the text around them as free text.

Structure before text: every innermost <table> becomes a grid with rowspan/colspan expanded (the
copies are marked, so a spanning label gives context to each row it covers while a spanning value
is read once). Tables nested in layout tables are found by recursion, and a statistics table split
over several <table> elements is simply several grids in reading order. Text outside tables is cut
into lines at block elements and tokenised like plain text, keeping the source line of each block.
"""

from __future__ import annotations

import re

from ..cells import Cell, Location, classify, tokenize_text

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
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_SPACE = re.compile(r"\s+")


def parse_document(text: str):
    """The page's element tree. A plain HTML parser: lxml.html's per-element class lookup costs
    more than the parse itself and nothing here needs its methods."""
    from lxml import etree  # lazy: keeps `disclosure --help` fast

    # huge_tree: pages with hundreds of unclosed inline tags would otherwise stop parsing early
    parser = etree.HTMLParser(huge_tree=True)
    root = etree.fromstring(_XML_DECL.sub("", text) or "<html></html>", parser)
    return root if root is not None else etree.fromstring("<html></html>", parser)


def read_html(text: str) -> list[Cell]:
    return _Walker().run(parse_document(text))


def cell_text(el) -> str:
    """A cell's text with <br>/<p> breaks and &nbsp; folded into single spaces."""
    return _SPACE.sub(" ", " ".join(el.itertext())).strip()


class _Walker:
    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.buffer: list[str] = []
        self.buffer_line = 0
        self.tables = 0

    def run(self, root) -> list[Cell]:
        body = root.find("body")
        self._walk(body if body is not None else root)
        self._flush()
        return self.cells

    def _add(self, text: str | None, line: int | None) -> None:
        if text and text.strip():
            if not self.buffer:
                self.buffer_line = line or 0
            self.buffer.append(text)

    def _flush(self) -> None:
        if self.buffer:
            line = _SPACE.sub(" ", "".join(self.buffer)).strip()
            self.cells.extend(tokenize_text(line, self.buffer_line))
            self.buffer = []

    def _walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag.lower() in _SKIP:
            self._add(el.tail, el.sourceline)
            return
        tag = tag.lower()
        if tag == "table" and not el.xpath(".//table"):
            self._flush()
            self._grid(el)
        else:
            if tag in _BLOCK:
                self._flush()
            self._add(el.text, el.sourceline)
            for child in el:
                self._walk(child)
            if tag in _BLOCK:
                self._flush()
        self._add(el.tail, el.sourceline)

    def _grid(self, table) -> None:
        self.tables += 1
        number = self.tables
        grid: dict[tuple[int, int], tuple[object, bool]] = {}
        rows = [tr for tr in table.iter("tr")]
        for r, tr in enumerate(rows):
            c = 0
            for td in tr.iterchildren("td", "th"):
                while (r, c) in grid:
                    c += 1
                rowspan = _span(td.get("rowspan"))
                colspan = _span(td.get("colspan"))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid.setdefault((r + dr, c + dc), (td, dr > 0 or dc > 0))
                c += colspan
        read: dict[int, Cell] = {}  # each <td> is read once; its span copies reuse the reading
        height = len(rows)
        width = max((c for _, c in grid), default=-1) + 1
        for r in range(height):
            for c in range(width):
                slot = grid.get((r, c))
                if slot is None:
                    continue
                td, copy = slot
                first = read.get(id(td))
                if first is None:
                    first = read[id(td)] = classify(cell_text(td), Location())
                if copy and first.kind == "null":
                    continue
                loc = Location(table=number, row=r + 1, column=c + 1)
                self.cells.append(Cell(first.raw, first.kind, loc, (number, r), first.number, first.unit, copy))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1
