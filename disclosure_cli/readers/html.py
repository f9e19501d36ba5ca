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

The tree is lxml's (libxml2), not selectolax's (lexbor), though lexbor parses faster: lexbor keeps
no source positions, so the free-text cells would lose the line a person finds them by (records
differed on 267 of 268 HTML inputs, 266 of them only there), and end to end it was no faster
(parse_bytes 0.87x lxml's on the corpus page, 1.00x over corpus and fixtures; issue 14).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, cast

from ..cells import Cell, Location, classify, tokenize_text
from ..errors import too_complex
from .grid import MAX_PAGE_CELLS, MAX_PAGE_SLOTS, MAX_TABLE_SLOTS, SPAN_SLACK

if TYPE_CHECKING:
    from lxml.etree import _Element

_SKIP = ("script", "style", "noscript", "head", "template", "svg", "select", "option", "button", "iframe")
# Elements that end a line of text (a browser starts a new line after them); synth.copied_text too.
BLOCK_TAGS = (
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
)
# What the walk does with an element, by tag: its text and tail joined to the line (inline), a line
# of its own (block), only its tail read (skipped), or a grid (a table that holds no other table).
_INLINE, _BLOCKED, _SKIPPED, _TABLE = "inline", "block", "skipped", "table"
_KINDS: dict[object, str] = {
    **dict.fromkeys(("span", "a", "b", "i", "u", "em", "strong", "font", "img", "o:p", "label", "small"), _INLINE),
    **dict.fromkeys(BLOCK_TAGS, _BLOCKED),
    **dict.fromkeys(_SKIP, _SKIPPED),
    "table": _TABLE,
}
# Budgets. The real pages (corpus and fixtures) have under 500 cells, 300 <td>s and 450 grid slots;
# these are over two orders of magnitude above that, and keep the worst page to a few seconds.
MAX_PAGE_TDS = 100_000  # <td>/<th> elements in a page, counted before it is parsed
_TD = re.compile(r"<t[dh][\s>/]", re.I)
_DIGITS = re.compile(r"\d+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_NO_SPAN = (None, None)  # a <td> declaring neither rowspan nor colspan


@lru_cache(maxsize=1)
def _text_nodes() -> Callable[[_Element], list[str]]:
    from lxml import etree

    # the text nodes under an element in document order: its text, its descendants' texts and tails
    return cast("Callable[[_Element], list[str]]", etree.XPath(".//text()", smart_strings=False))


def parse_document(text: str) -> _Element:
    """The page's element tree. A plain HTML parser: lxml.html's per-element class lookup costs
    more than the parse itself and nothing here needs its methods."""
    from lxml import etree  # lazy: keeps `disclosure --help` fast

    # huge_tree: pages with hundreds of unclosed inline tags would otherwise stop parsing early
    parser = etree.HTMLParser(huge_tree=True)
    root = etree.fromstring(_XML_DECL.sub("", text) or "<html></html>", parser)
    return root if root is not None else etree.fromstring("<html></html>", parser)


def read_html(text: str) -> list[Cell]:
    tds = sum(1 for _ in _TD.finditer(text))  # counted, not listed: a flood of <td>s costs no memory
    if tds > MAX_PAGE_TDS:
        raise too_complex(f"{tds:,} table cells in the page (limit {MAX_PAGE_TDS:,})")
    root = parse_document(text)
    # the pre-checks: literal-led patterns on the page's bytes with ASCII letters lowered (a case-blind
    # alternation scanned a 95,000-character page in 6 ms, str.lower 1 ms; these take 0.3 ms)
    low = text.encode("utf-8", "surrogatepass").lower()
    if any(p.search(low) for p in _MAYBE_HIDDEN):
        drop_hidden_inline(root)
    if b"<sup" in low or b"notereference" in low or _RAISED.search(low):
        mark_note_references(root)
    return _Walker().run(root)


# A footnote reference raised after a number or a label: 「12<sup>1</sup>」, Word's
# <a href="#_ftn1"><span class=MsoFootnoteReference>[1]</span></a>, a span styled
# vertical-align:super. Its text joined the number (12 and 1 read as the count 121); written as
# superscript digits, it is a note mark the cell reader keeps out of the number (textnorm.NOTE_MARKS).
_RAISED = re.compile(rb"vertical-align\s*:\s*super")
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_NOTE_REFERENCE_ELEMENTS = (
    "//sup | //*[self::span or self::a or self::font or self::small]["
    f"contains(translate(@class, '{_UPPER}', '{_LOWER}'), 'footnotereference')"
    f" or contains(translate(@class, '{_UPPER}', '{_LOWER}'), 'endnotereference')"
    f" or contains(translate(@style, '{_UPPER} \t\n', '{_LOWER}'), 'vertical-align:super')]"
)
_NOTE_REFERENCE = re.compile(r"[\[(（〔【]?(?:注释?)?(\d{1,2})[\])）〕】]?")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BLOCKS_OF_TEXT = ("td", "th", "p", "div", "li", "caption", "body")


def mark_note_references(root: _Element) -> None:
    """Write each footnote reference (``<sup>``, a ``*NoteReference`` class, ``vertical-align:super``)
    as superscript digits: 「[1]」 as 「¹」.
    Only a reference with text before it in its cell or paragraph: raised text alone in a cell is the
    cell's value (「<td><sup>7</sup></td>」 is 7), and one that is not a short reference stays."""
    text_nodes = _text_nodes()
    for el in cast("list[_Element]", root.xpath(_NOTE_REFERENCE_ELEMENTS)):
        text = "".join(text_nodes(el)).strip()
        m = _NOTE_REFERENCE.fullmatch(text)
        if m is None or not _text_before(el, text_nodes):
            continue
        for child in list(el):
            el.remove(child)  # their text and tails are the reference, rewritten below
        el.text = str(int(m.group(1))).translate(_SUPERSCRIPT)  # int(): full-width digits too


def _text_before(el: _Element, text_nodes: Callable[[_Element], list[str]]) -> bool:
    """Whether any text comes before ``el`` in its cell or paragraph (the nearest block holding it)."""
    node = el
    while True:
        prev = node.getprevious()
        while prev is not None:
            if (prev.tail or "").strip() or "".join(text_nodes(prev)).strip():
                return True
            prev = prev.getprevious()
        parent = node.getparent()
        if parent is None:
            return False
        if (parent.text or "").strip():
            return True
        if parent.tag in _BLOCKS_OF_TEXT:
            return False
        node = parent


# Inline elements whose text is not on the page as a reader takes it: hidden ones
# (「12<span style="display:none">7</span>」, a trick against copying that shows 12; Word's
# mso-hide:all; text sized 0) and deleted ones (Word's unaccepted tracked changes saved as a web page,
# 「<del>9</del><ins>20</ins>」, and struck-out text <s>, <strike>): 12 and 20 were read 127 and 920.
# Hidden blocks are kept: a widget hides its inactive tabs, which may hold the report.
_MAYBE_HIDDEN = tuple(
    re.compile(p)
    for p in (
        rb"display\s*:\s*none",
        rb"visibility\s*:\s*hidden",
        rb"hidden[\s>=/]",
        rb"mso-hide\s*:\s*all",
        rb"font-size\s*:\s*0",
        rb"<del[\s>]",
        rb"<s[\s>]",
        rb"<strike[\s>]",
    )
)  # each led by a literal, searched in the page's lowered bytes (read_html)
_STYLE = f"translate(@style, '{_UPPER} \t\n', '{_LOWER}')"
_HIDDEN_INLINE = (
    "//*[self::span or self::font or self::b or self::i or self::u or self::em or self::strong or self::a"
    " or self::small or self::sup or self::sub or self::label or self::ins or self::del or self::s]"
    f"[@hidden or contains({_STYLE}, 'display:none') or contains({_STYLE}, 'visibility:hidden')"
    f" or contains({_STYLE}, 'mso-hide:all') or contains({_STYLE}, 'font-size:0')]"
    " | //del | //s | //strike"
)
_NO_SIZE = re.compile(r"font-size:0+(?:\.0*)?(?:[a-z%]+)?(?:;|$|!)")  # 0, 0px, 0.0pt; not 0.8em


def drop_hidden_inline(root: _Element) -> None:
    """Remove the inline elements a reader does not see or that are deleted (:data:`_HIDDEN_INLINE`),
    keeping the text after each."""
    for el in cast("list[_Element]", root.xpath(_HIDDEN_INLINE)):
        parent = el.getparent()
        if parent is None or (el.tag not in ("del", "s", "strike") and not _hides(el.get("style") or "", el)):
            continue
        tail, prev = el.tail or "", el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(el)


def _hides(style: str, el: _Element) -> bool:
    """The XPath's ``font-size:0`` also matches 0.8em: only a size of nothing hides, and only text of
    its own (font-size:0 on a wrapper is the CSS trick that removes the gaps between its children,
    which set their own size and show)."""
    squeezed = "".join(style.lower().split())
    if el.get("hidden") is not None or any(
        h in squeezed for h in ("display:none", "visibility:hidden", "mso-hide:all")
    ):
        return True
    # the property itself, not mso-bidi-font-size or a --x-font-size custom property
    starts = (m.end() for m in re.finditer(r"(?:^|;)(?=font-size:)", squeezed))
    return len(el) == 0 and any(_NO_SIZE.match(squeezed, at) for at in starts)


def cell_text(el: _Element) -> str:
    """A cell's text with <br>/<p> breaks and &nbsp; folded into single spaces.

    The text nodes in one XPath call (the strings ``itertext`` yields, without its per-node
    iteration in Python); ``str.split`` folds exactly the whitespace ``\\s`` matches, in C."""
    return _cell_text(el, _text_nodes())


def _cell_text(el: _Element, text_nodes: Callable[[_Element], list[str]]) -> str:
    if len(el):
        return " ".join(" ".join(text_nodes(el)).split())
    text = el.text
    return " ".join(text.split()) if text else ""


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

    def _flush(self) -> None:
        buffer = self.buffer
        if buffer:
            line = " ".join("".join(buffer).split())  # whitespace folded as \s+ would, in C
            buffer.clear()
            if len(line) > 1000:  # each number is a cell: count them before tokenising
                self._check_cells(2 * sum(1 for _ in _DIGITS.finditer(line)))
            self.cells.extend(tokenize_text(line, self.buffer_line))
            self._check_cells()

    def _check_cells(self, coming: int = 0) -> None:
        if len(self.cells) + coming > MAX_PAGE_CELLS:
            raise too_complex(f"over {MAX_PAGE_CELLS:,} cells")

    def _walk(self, top: _Element, outer: set[_Element]) -> None:
        """Document order with an explicit stack: an element's text, its children, then its tail.

        A stack entry is (element, None) to enter it, or (element, block) to leave it once its
        children are done (``block``: whether leaving ends a line). Text that is not all whitespace
        is buffered; a new line takes the source line of the element whose text or tail starts it.
        """
        stack: list[tuple[_Element, bool | None]] = [(top, None)]
        pop, push, extend = stack.pop, stack.append, stack.extend
        buffer = self.buffer
        kinds = _KINDS
        while stack:
            el, leaving = pop()
            if leaving is None:
                tag = el.tag
                kind = kinds.get(tag)
                if kind is None:
                    kind = kinds.get(tag.lower(), _INLINE) if isinstance(tag, str) else _SKIPPED
                if kind is _SKIPPED:
                    text = el.tail
                elif kind is _TABLE and el not in outer:
                    if buffer:
                        self._flush()
                    self._grid(el)
                    text = el.tail
                else:
                    block = kind is not _INLINE
                    if block and buffer:
                        self._flush()
                    text = el.text
                    push((el, block))
                    if len(el):
                        children = list(el)
                        children.reverse()
                        extend(zip(children, repeat(None)))
            else:
                if leaving and buffer:
                    self._flush()
                text = el.tail
            if not text:
                continue
            if not text.isspace():
                if not buffer:
                    # lxml-stubs declares sourceline without a type; lxml gives the line, or None
                    self.buffer_line = cast("int | None", el.sourceline) or 0
                buffer.append(text)
            elif buffer:  # white space between two inline elements shows as a space: 「<b>12</b> <b>34</b>」
                buffer.append(" ")

    def _grid(self, table: _Element) -> None:
        """One table as rows of slots, read into cells row by row.

        A slot holds the cell a <td> reads as, and whether it is a span copy; ``None`` where no cell
        reaches. Each <td> is read once, when it is placed: its first slot (its own row and column)
        is always free and comes first in reading order, so that cell is the original and its other
        slots are copies of it. A row that no span reaches and whose cells declare none (most rows)
        is its cells in order; only the rows spans touch are laid out slot by slot.
        """
        self.tables += 1
        number = self.tables
        rows = [list(tr.iterchildren("td", "th")) for tr in table.iter("tr")]
        height = len(rows)
        max_colspan = max(map(len, rows), default=0) + SPAN_SLACK
        below: dict[int, list[tuple[Cell, bool] | None]] = {}  # the slots rowspans gave rows below
        cells: list[Cell] = []
        append = cells.append
        text_nodes = _text_nodes()
        slots = 0
        for r, tds in enumerate(rows):
            row_id = (number, r)
            row = r + 1
            spans = [(td.get("rowspan"), td.get("colspan")) for td in tds]
            line = below.pop(r, None)
            if (
                line is None
                and spans.count(_NO_SPAN) == len(spans)
                and slots + len(tds) <= MAX_TABLE_SLOTS
                and self.slots + slots + len(tds) <= MAX_PAGE_SLOTS
            ):  # one slot per cell, in order
                slots += len(tds)
                for c, td in enumerate(tds, 1):
                    append(classify(_cell_text(td, text_nodes), Location(table=number, row=row, column=c), row_id))
                continue
            if line is None:
                line = []
            c = 0
            for td, (rowspan_attr, colspan_attr) in zip(tds, spans):
                while c < len(line) and line[c] is not None:
                    c += 1
                rowspan = 1 if rowspan_attr is None else min(_span(rowspan_attr), height - r)
                colspan = 1 if colspan_attr is None else min(_span(colspan_attr), max_colspan)
                slots += rowspan * colspan
                if slots > MAX_TABLE_SLOTS or self.slots + slots > MAX_PAGE_SLOTS:
                    raise too_complex(
                        f"table {number} spans over {MAX_TABLE_SLOTS:,} grid positions"
                        if slots > MAX_TABLE_SLOTS
                        else f"its tables span over {MAX_PAGE_SLOTS:,} grid positions"
                    )
                cell = classify(_cell_text(td, text_nodes), Location(table=number, row=row, column=c + 1), row_id)
                end = c + colspan
                if len(line) < end:
                    line.extend([None] * (end - len(line)))
                line[c] = (cell, False)
                copy = (cell, True)
                for cc in range(c + 1, end):
                    if line[cc] is None:
                        line[cc] = copy
                for dr in range(1, rowspan):
                    target = below.get(r + dr)
                    if target is None:
                        target = below[r + dr] = []
                    if len(target) < end:
                        target.extend([None] * (end - len(target)))
                    for cc in range(c, end):
                        if target[cc] is None:
                            target[cc] = copy
                c = end
            for c, slot in enumerate(line, 1):
                if slot is None:
                    continue
                cell, is_copy = slot
                if not is_copy:
                    append(cell)
                elif cell.kind != "null":  # a blank copy carries nothing
                    loc = Location(table=number, row=row, column=c)
                    append(Cell(cell.raw, cell.kind, loc, row_id, cell.number, cell.unit, True))
        self.slots += slots
        self.cells.extend(cells)
        self._check_cells()


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1
