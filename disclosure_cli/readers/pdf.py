"""PDF with a text layer: ruled tables rebuilt into grids, the text around them as free text.

Library: pdfplumber (pdfminer.six underneath), chosen over pypdfium2 after measuring both on the two
corpus PDFs (WPS exports, 5 pages each). pdfplumber rebuilt every ruled table: cells from the ruling
lines with their spans, text wrapped inside a cell, the vertical 「三、本年度办理结果」 label; about
110 ms a page. pypdfium2 reads the text layer in 7-10 ms a page but has no table finder: it returns
the content stream's order (「- 3 -」 first, header cells one per line, a row label apart from its
numbers) and rebuilding grids from its path objects would mean writing our own TableFinder. Cells
we can trust are worth the 15x: a PDF is read once, and the record is the expensive part to get wrong.

Structure before text, in stages a test can call alone:

1. :func:`page_blocks` reads one page into plain data: table fragments (grids with spans expanded,
   as in the HTML reader) and the text lines outside them, top to bottom. Invisible white fills
   (WPS paints one behind every paragraph) are ignored, or boxed prose would read as a table; a
   table whose border is open where the page cut it is found again with its outline closed, or its
   top-left cells are lost. Page-number lines (「- 3 -」, 「第3页」) in the margins are dropped.
2. :func:`join_blocks` makes one table of a table that ends a page and one that starts the next
   at the same width, drops header rows the continuation repeats, and carries row-spanning labels
   (「（四）无法提供」) over the cut; wrapped prose lines become one paragraph again, so a statement
   such as 「受理…申请 / 17件」 broken over two lines is read whole.
3. :func:`emit` turns that into cells exactly like the HTML reader does. Blank cells are kept only
   where a blank means something: in a column that holds numbers, below the header rows.

Bounded work: a PDF is refused before the slow part when it has more than :data:`MAX_PAGES`
pages, a stream that inflates past :data:`MAX_STREAM` or streams that inflate past
:data:`MAX_INFLATED` together (``too-large``; the size cap only sees the compressed file), or more
content-stream operators, characters or graphic objects than any real report (``too-complex``).
Operators (and the bytes of the strings they show) are counted with a regular expression over
the inflated content before pdfminer interprets it: its interpreter is what a small file can keep
busy for minutes.

Locations: a table cell is ``Location(table, row, column, page)`` (rows counted over the joined
table); free text is ``tokenize_text(paragraph, n)`` with ``n`` the paragraph's first line, counted
over the document, and the paragraph's page.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import TYPE_CHECKING, Any

from ..cells import Cell, CellKind, Location, classify, tokenize_text
from ..errors import ReportError, too_complex, too_large

if TYPE_CHECKING:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFStream
    from pdfplumber.page import Page
    from pdfplumber.table import Table as FoundTable

    PageObject = dict[str, Any]  # a char, line, rect or curve as pdfplumber describes it

_EDGE = 3.0  # points: how far two table borders may differ and still be the same border
_PAGE_NUMBER = re.compile(
    r"[-－—–]\s*\d{1,4}\s*[-－—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}(?:\s*/\s*\d{1,4})?"
)
_MARGIN = 0.1  # page-number lines live in the top or bottom tenth of the page
_SPACE = re.compile(r"\s+")

# Budgets. The corpus reports have 5 pages, 2,000-4,000 operators and 500-1,500 characters a page
# and streams that inflate to 300 KB at most; a report of MAX_PAGES dense pages stays within all.
MAX_PAGES = 50
MAX_STREAM = 16 * 1024 * 1024  # inflated bytes of one stream (images excepted: they are never inflated)
MAX_INFLATED = 64 * 1024 * 1024  # ... of all the streams together
MAX_PAGE_OPS = 40_000  # content-stream operators and string bytes of one page, its forms included
MAX_OPS = 300_000  # ... of the document
MAX_PAGE_CHARS = 20_000
MAX_CHARS = 200_000
MAX_PAGE_OBJECTS = 20_000  # lines, rects and curves of one page: what the table finder works on
MAX_STREAMS = 10_000  # streams in the file; the corpus reports have 20
_CHUNK = 64 * 1024
_STREAM = re.compile(rb"\bstream(?:\r\n|\r|\n)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>")
_DRAW = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
# an operator: a bare word that is not a /Name, a number or inside a hex string (close enough)
_OPERATOR = re.compile(rb"(?<![/\w#.<])[A-Za-z'\"][A-Za-z0-9*'\"]*")


@dataclass(slots=True)
class Slot:
    """One grid position. Positions covered by a span share ``origin`` and are copies."""

    text: str
    copy: bool
    origin: int


@dataclass(slots=True)
class Row:
    page: int
    slots: list[Slot | None]
    lefts: list[float]  # left edge of each grid column of the fragment the row came from
    first_value: int | None  # the fragment's leftmost column holding a number; labels sit left of it
    header: bool  # a column-header row: labels above the numbers

    def keeps_blank(self, column: int) -> bool:
        """A blank is a cell (null) under a column of numbers, and nothing in a header or label area."""
        return not self.header and self.first_value is not None and column >= self.first_value


@dataclass
class Fragment:
    """The part of a table on one page."""

    page: int
    bbox: tuple[float, float, float, float]
    rows: list[Row]
    lead: int = 0  # rows above the first row with a number: what a continued page may repeat


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    left: float = 0.0  # the page's text margins, for telling a wrapped line from a new paragraph
    right: float = 0.0


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    bbox: tuple[float, float, float, float] = (0, 0, 0, 0)
    page: int = 0
    headers: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class Paragraph:
    lineno: int
    lines: list[Line]

    @property
    def text(self) -> str:
        return reduce(_join, (line.text for line in self.lines))


# --- stage 0: open ---------------------------------------------------------------------------


def read_pdf(data: bytes) -> list[Cell]:
    """The cells of a PDF's text layer in reading order; ReportError when there is none to read."""
    return emit(join_blocks(read_blocks(data)))


def read_blocks(data: bytes) -> list[Fragment | Line]:
    """Every page's blocks, in page order. Library failures become ReportError('unreadable')."""
    import pdfplumber  # lazy: keeps `disclosure --help` fast
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    check_streams(data)
    blocks: list[Fragment | Line] = []
    chars = cid = ops = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if count_pages(pdf.doc) > MAX_PAGES:
                raise ReportError("too-large", f"PDF too large (over {MAX_PAGES} pages)")
            for number, page in enumerate(pdf.pages, 1):
                ops += check_operators(page.page_obj, number)
                if ops > MAX_OPS:
                    raise too_complex(f"over {MAX_OPS:,} PDF content operators")
                chars += check_objects(page, number)
                if chars > MAX_CHARS:
                    raise too_complex(f"over {MAX_CHARS:,} characters in the PDF")
                cid += sum(1 for c in page.chars if c["text"].startswith("(cid:"))
                blocks.extend(page_blocks(page, number))
                page.close()  # frees the parsed objects: memory stays flat over long reports
    except (PdfminerException, PSException) as exc:  # only the library's errors: ours stay bugs
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise ReportError("unreadable", "encrypted PDF (a password is needed to open it)") from exc
        detail = str(cause).strip() or type(cause).__name__
        raise ReportError("unreadable", f"broken PDF ({detail})") from exc
    if chars == 0:
        raise ReportError("no-text-layer", "PDF has no text layer (scanned image); OCR it first")
    if cid > chars / 2:
        raise ReportError("no-text-layer", "PDF text layer has no character codes (fonts without ToUnicode); OCR it")
    return blocks


def check_streams(data: bytes) -> None:
    """Refuse a decompression bomb before any stream is inflated in full (too-large).

    Every Flate stream of the file is inflated with a bound, in order, so the cost is at most the
    limits; images are skipped (pdfplumber never inflates them, and a scanned page is large).
    Streams filtered twice through Flate are inflated twice.
    """
    total = count = 0
    end = -1
    view = memoryview(data)
    for m in _STREAM.finditer(data):
        count += 1
        if count > MAX_STREAMS:
            raise too_complex(f"over {MAX_STREAMS:,} PDF streams")
        head = data[max(0, m.start() - 1024) : m.start()]
        objs = list(_OBJ.finditer(head))
        head = head[objs[-1].end() :] if objs else head
        layers = len(_FLATE.findall(head))
        if not layers or _IMAGE.search(head):
            continue
        if end < m.end():  # found once for every run of streams: a file of "stream" stays linear
            end = data.find(b"endstream", m.end())
            end = len(data) if end < 0 else end
        body: bytes | memoryview = view[m.end() : end]
        for _ in range(min(layers, 3)):
            body = _inflate(body, MAX_STREAM)
            if len(body) > MAX_STREAM:
                raise too_large(None, MAX_STREAM, "PDF stream (decompressed)")
        total += len(body)
        if total > MAX_INFLATED:
            raise too_large(None, MAX_INFLATED, "PDF content (decompressed)")


def count_pages(doc: PDFDocument) -> int:
    """The pages of a pdfminer document, counted only up to one past the limit."""
    from pdfminer.pdfpage import PDFPage

    pages = 0
    for _ in PDFPage.create_pages(doc):
        pages += 1
        if pages > MAX_PAGES:
            break
    return pages


def _inflate(data: bytes | memoryview, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a zlib stream; what a broken stream gives before it breaks.

    The input goes in by chunks: zlib copies what it leaves unread, so handing it the rest of the
    file for every stream would be quadratic.
    """
    head = bytes(data[:2])
    if len(head) < 2 or head[0] & 0x0F != 8 or (head[0] * 256 + head[1]) % 31:
        return b""  # not zlib: pdfminer will find it broken too
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    size = 0
    try:
        for start in range(0, len(data), _CHUNK):
            out.append(inflater.decompress(data[start : start + _CHUNK], limit + 1 - size))
            size += len(out[-1])
            if size > limit or inflater.eof:
                break
    except zlib.error:
        pass
    return b"".join(out)


def check_operators(page: PDFPage, number: int) -> int:
    """The operators a page's content streams will run (pdfminer page), refused past the budget.

    A form XObject counts once for each time it is drawn, forms inside forms too (to a depth of 4).
    """
    ops = 0
    for stream in _streams(page.attrs.get("Contents")):
        ops += _operators(stream, page.resources, 0, number)
        if ops > MAX_PAGE_OPS:
            break
    if ops > MAX_PAGE_OPS:
        raise too_complex(f"page {number} has over {MAX_PAGE_OPS:,} PDF content operators")
    return ops


def _operators(stream: PDFStream, resources: object, depth: int, number: int) -> int:
    data = _data(stream)
    ops = sum(1 for _ in _OPERATOR.finditer(data))
    ops += sum(len(m.group(0)) for m in _STRING.finditer(data))  # a char shown is the dearest work
    forms = _forms(resources) if depth < 4 else {}
    if not forms:
        return ops
    cost: dict[bytes, int] = {}
    for m in _DRAW.finditer(data):
        name = m.group(1)
        form = forms.get(name)
        if form is None:
            continue
        if name not in cost:
            cost[name] = _operators(form, form.get("Resources") or resources, depth + 1, number)
        ops += cost[name]
        if ops > MAX_PAGE_OPS:
            break
    return ops


def check_objects(page: Page, number: int) -> int:
    """The characters of a pdfplumber page, refused with too many graphics for the table finder."""
    chars = len(page.chars)
    if chars > MAX_PAGE_CHARS:
        raise too_complex(f"page {number} has over {MAX_PAGE_CHARS:,} characters")
    shapes = sum(len(page.objects.get(kind, ())) for kind in ("line", "rect", "curve"))
    if shapes > MAX_PAGE_OBJECTS:
        raise too_complex(f"page {number} has over {MAX_PAGE_OBJECTS:,} lines and shapes")
    return chars


def _streams(value: object) -> list[PDFStream]:
    from pdfminer.pdftypes import PDFStream, resolve1

    value = resolve1(value)
    items = value if isinstance(value, list) else [value]
    return [s for s in (resolve1(v) for v in items) if isinstance(s, PDFStream)]


def _forms(resources: object) -> dict[bytes, PDFStream]:
    """The form XObjects a content stream may draw, by name as written after ``/`` in ``Do``."""
    from pdfminer.pdftypes import PDFStream, resolve1

    resources = resolve1(resources)
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    if not isinstance(xobjects, dict):
        return {}
    forms: dict[bytes, PDFStream] = {}
    for name, ref in xobjects.items():
        obj = resolve1(ref)
        if isinstance(obj, PDFStream) and getattr(resolve1(obj.get("Subtype")), "name", None) == "Form":
            forms[str(name).encode("latin-1", "replace")] = obj
    return forms


def _data(stream: PDFStream) -> bytes:
    from pdfminer.pdftypes import PDFException
    from pdfminer.psexceptions import PSException

    try:
        return stream.get_data()  # inflated once: pdfminer keeps it for the interpreter
    except (PDFException, PSException, zlib.error, ValueError):  # the interpreter will say it is broken
        return b""


# --- stage 1: one page -----------------------------------------------------------------------


def page_blocks(page: Page, number: int) -> list[Fragment | Line]:
    """Tables and text lines of one pdfplumber page, top to bottom."""
    visible = page.filter(_visible)
    tables = [t for t in visible.find_tables() if len(t.columns) > 1]  # one column: boxed prose
    reach = [_reach(t.bbox, visible.vertical_edges) for t in tables]
    if any(_has_holes(t) or r != t.bbox for t, r in zip(tables, reach)):
        outlines = [_outline(r, page) for r in reach]
        closed = {"explicit_horizontal_lines": outlines, "explicit_vertical_lines": outlines}
        tables = [t for t in visible.find_tables(closed) if len(t.columns) > 1]
    fragments = [fragment(t, number) for t in tables]
    boxes = [f.bbox for f in fragments]

    def outside(obj: PageObject) -> bool:
        return obj.get("object_type") != "char" or not any(_centre_in(obj, b) for b in boxes)

    lines = [
        Line(number, ln["top"], ln["bottom"], ln["x0"], ln["x1"], ln["text"].strip())
        for ln in visible.filter(outside).extract_text_lines(return_chars=False)
        if ln["text"].strip()
    ]
    lines = [ln for ln in lines if not is_page_number(ln, page.height)]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for ln in lines:
            ln.left, ln.right = left, right
    blocks: list[Fragment | Line] = [*fragments, *lines]
    blocks.sort(key=lambda b: b.bbox[1] if isinstance(b, Fragment) else b.top)
    return blocks


def fragment(table: FoundTable, page: int) -> Fragment:
    """A pdfplumber table as a grid: spans expanded into copies, blank cells kept as ''."""
    rows_texts = table.extract()
    cells = [
        (bbox, text or "")
        for row, texts in zip(table.rows, rows_texts)
        for bbox, text in zip(row.cells, texts)
        if bbox is not None
    ]
    tops = sorted({bbox[1] for bbox, _ in cells})
    lefts = sorted({bbox[0] for bbox, _ in cells})
    grid: list[list[Slot | None]] = [[None] * len(lefts) for _ in tops]
    for origin, ((x0, top, x1, bottom), text) in enumerate(cells):
        r0, c0 = tops.index(top), lefts.index(x0)
        text = cell_text(text)
        for r in range(r0, len(tops)):
            if tops[r] >= bottom - 0.5:
                break
            for c in range(c0, len(lefts)):
                if lefts[c] >= x1 - 0.5:
                    break
                if grid[r][c] is None:
                    grid[r][c] = Slot(text, r > r0 or c > c0, origin)
    numbers = [c for row in grid for c, s in enumerate(row) if s is not None and not s.copy and _is_number(s.text)]
    first_value = min(numbers, default=None)
    rows = [Row(page, slots, lefts, first_value, _is_header(slots, first_value)) for slots in grid]
    lead = next((r for r, slots in enumerate(grid) if any(s and not s.copy and _is_number(s.text) for s in slots)), 0)
    x0, top, x1, bottom = table.bbox
    return Fragment(page, (x0, top, x1, bottom), rows, lead)


def _is_header(slots: list[Slot | None], first_value: int | None) -> bool:
    """Labels of its own above the numbers: 自然人, 结果维持. A data row's label sits left of them."""
    if first_value is None:
        return True
    return any(s is not None and not s.copy and _kind(s.text) == "label" for s in slots[first_value:])


def cell_text(text: str) -> str:
    """A cell's lines joined as one text: CJK wraps join without a space, Latin words with one."""
    return _SPACE.sub(" ", reduce(_join, (part.strip() for part in text.split("\n")))).strip()


def is_page_number(line: Line, height: float) -> bool:
    in_margin = line.bottom < height * _MARGIN or line.top > height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.fullmatch(line.text) is not None


# --- stage 2: across pages -------------------------------------------------------------------


def join_blocks(blocks: list[Fragment | Line]) -> list[Table | Paragraph]:
    """Tables continued over a page break joined; wrapped prose lines joined into paragraphs."""
    out: list[Table | Paragraph] = []
    lineno = 0
    for block in blocks:
        last = out[-1] if out else None
        if isinstance(block, Line):
            lineno += 1
            if isinstance(last, Paragraph) and _continues(last.lines[-1], block):
                last.lines.append(block)
            else:
                out.append(Paragraph(lineno, [block]))
        elif isinstance(last, Table) and _continues_table(last, block):
            _append(last, block)
        else:
            table = Table(list(block.rows), block.bbox, block.page)
            table.headers = {_signature(row) for row in block.rows[: block.lead]}
            out.append(table)
    return out


def _continues(prev: Line, line: Line) -> bool:
    """A line that carries on the previous one: that one ran to the margin, this one is not indented."""
    size = max(prev.bottom - prev.top, 1.0)
    next_page = line.page == prev.page + 1
    if line.page != prev.page and not next_page:
        return False
    if line.page == prev.page and line.top - prev.bottom > size:
        return False  # a blank line between them
    return prev.x1 >= prev.right - 1.5 * size and line.x0 <= line.left + 0.5 * size


def _continues_table(table: Table, frag: Fragment) -> bool:
    x0, _, x1, _ = table.bbox
    return (
        frag.page == table.page + 1
        and abs(frag.bbox[0] - x0) <= _EDGE
        and abs(frag.bbox[2] - x1) <= _EDGE
        and bool(table.rows)
    )


def _append(table: Table, frag: Fragment) -> None:
    rows = list(frag.rows)
    repeated = 0
    while repeated < frag.lead and _signature(rows[repeated]) in table.headers:
        repeated += 1  # the table's head printed again at the top of the page
    rows = rows[repeated:]
    if rows:
        _carry_labels(table.rows[-1], rows)
    table.rows.extend(rows)
    table.bbox, table.page = frag.bbox, frag.page


def _carry_labels(prev: Row, rows: list[Row]) -> None:
    """Blank label cells at the top of a continuation take the label that spanned into the cut."""
    first = rows[0]
    for c, slot in enumerate(first.slots):
        if slot is None or slot.copy or slot.text or (first.first_value is not None and c >= first.first_value):
            continue
        above = next(
            (s for j, s in enumerate(prev.slots) if s is not None and abs(prev.lefts[j] - first.lefts[c]) <= _EDGE),
            None,
        )
        if above is None or not above.text or _is_number(above.text):
            continue
        for row in rows:
            for s in row.slots:
                if s is not None and s.origin == slot.origin:
                    s.text, s.copy = above.text, True


def _signature(row: Row) -> tuple[str, ...]:
    return tuple(_SPACE.sub("", s.text) for s in row.slots if s is not None and not s.copy)


# --- stage 3: cells --------------------------------------------------------------------------


def emit(items: list[Table | Paragraph]) -> list[Cell]:
    """Cells in reading order, the same shapes the HTML reader gives the mapper."""
    cells: list[Cell] = []
    number = 0
    for item in items:
        if isinstance(item, Paragraph):
            page = item.lines[0].page if item.lines else None
            cells.extend(replace(c, loc=replace(c.loc, page=page)) for c in tokenize_text(item.text, item.lineno))
            continue
        number += 1
        for r, row in enumerate(item.rows):
            for c, slot in enumerate(row.slots):
                if slot is None:
                    continue
                if not slot.copy and not slot.text and not row.keeps_blank(c):
                    continue  # a blank beside a label or in a header carries nothing
                cell = classify(slot.text, where(row.page, number, r + 1, c + 1), (number, r), slot.copy)
                if slot.copy and cell.kind == "null":
                    continue
                cells.append(cell)
    return cells


def where(page: int, table: int, row: int, column: int) -> Location:
    """The one place a table cell's location is made."""
    return Location(table=table, row=row, column=column, page=page)


# --- helpers ---------------------------------------------------------------------------------


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def _kind(text: str) -> CellKind:
    return classify(text, Location()).kind


def _is_number(text: str) -> bool:
    return _kind(text) == "value"


def _white(colour: object) -> bool:
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (tuple, list)) or not colour:
        return False
    if len(colour) == 4:  # CMYK
        return all(isinstance(v, (int, float)) and v <= 0.01 for v in colour)
    return all(isinstance(v, (int, float)) and v >= 0.99 for v in colour)


def _visible(obj: PageObject) -> bool:
    """False for white fills without a stroke: invisible on paper, but edges to a table finder."""
    if obj.get("object_type") in ("rect", "curve") and obj.get("fill") and not obj.get("stroke"):
        return not _white(obj.get("non_stroking_color"))
    if obj.get("object_type") == "line" and obj.get("stroke"):
        return not _white(obj.get("stroking_color"))
    return True


def _has_holes(table: FoundTable) -> bool:
    """True when a grid position lies in no cell (a missing border), not merely under a span."""
    tops = sorted({c[1] for c in table.cells})
    lefts = sorted({c[0] for c in table.cells})
    for top in tops:
        for left in lefts:
            if not any(c[0] <= left < c[2] and c[1] <= top < c[3] for c in table.cells):
                return True
    return False


def _reach(bbox: tuple[float, float, float, float], verticals: list[PageObject]) -> tuple[float, float, float, float]:
    """The table's box grown to where its column rules end: a page cut leaves the last row open.

    Only rules inside the table count, so a frame drawn round the whole page does not swallow it.
    """
    x0, top, x1, bottom = bbox
    mine = [e for e in verticals if x0 + _EDGE < e["x0"] < x1 - _EDGE and e["top"] < bottom and e["bottom"] > top]
    new_top = min([top, *(e["top"] for e in mine)])
    new_bottom = max([bottom, *(e["bottom"] for e in mine)])
    if new_top > top - 1 and new_bottom < bottom + 1:
        return bbox
    return (x0, new_top, x1, new_bottom)


def _outline(bbox: tuple[float, float, float, float], page: Page) -> PageObject:
    """A table's bounding box as a rect object, to close borders the page cut open."""
    x0, top, x1, bottom = bbox
    return {
        "object_type": "rect",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": page.initial_doctop + top,
        "y0": page.height - bottom,
        "y1": page.height - top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _centre_in(obj: PageObject, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    h: float = (obj["x0"] + obj["x1"]) / 2
    v: float = (obj["top"] + obj["bottom"]) / 2
    return x0 <= h < x1 and top <= v < bottom
