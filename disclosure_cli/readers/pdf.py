"""PDF with a text layer: ruled tables rebuilt into grids, the text around them as free text.

Library: pdfium (pypdfium2), with the table finder in :mod:`.pdfium`: pdfium parses the page and
gives the characters with their boxes and the path objects; the grids are rebuilt from the ruling
lines in Python with pdfplumber's "lines" algorithm, and the text with its word and line rules, so
the cells are the ones the pdfplumber reader gave (issue 14: same Cell lists on the corpus PDFs and
on every PDF the test writer makes). parse_bytes on a corpus PDF: 3.8x pypdfium2's plain text
extraction, 5.3x on the synthetic ones (bench/results/run_all-2026-12-03-pdf-*.txt).

pdfplumber is still the reader of a page pdfium's data cannot stand in for (:func:`needs_fallback`):
a rotated page or rotated text (pdfplumber reads it in its own direction), or characters without a
Unicode value (pdfminer's "(cid:N)", which decide the no-text-layer refusal), or, on a machine
without a CJK font, Chinese text in a font the file does not embed (pdfium drops each
one-character object of it: :func:`.pdfium.draws_cjk`). Such a page is read by
:func:`page_blocks` from the same bytes, opened once; the other pages stay with pdfium.
:data:`LAST_READ` records which pages fell back and why: none of the 236 pages of the corpus and
synthetic PDFs compared for issue 14 did (only a test page with turned text does).

Structure before text, in stages a test can call alone:

1. :func:`pdfium_blocks` (:func:`page_blocks` for pdfplumber) reads one page into plain data:
   table fragments (grids with spans expanded, as in the HTML reader) and the text lines outside
   them, top to bottom. Invisible white fills (WPS paints one behind every paragraph) are ignored,
   or boxed prose would read as a table; a table whose border is open where the page cut it is
   found again with its outline closed, or its top-left cells are lost. Page-number lines
   (「- 3 -」, 「第3页」) in the margins are dropped.
2. :func:`join_blocks` makes one table of a table that ends a page and one that starts the next
   at the same width, drops header rows the continuation repeats, and carries row-spanning labels
   (「（四）无法提供」) over the cut; wrapped prose lines become one paragraph again, so a statement
   such as 「受理…申请 / 17件」 broken over two lines is read whole.
3. :func:`emit` turns that into cells exactly like the HTML reader does. Blank cells are kept only
   where a blank means something: in a column that holds numbers, below the header rows.

Bounded work: pdfium is C code, so a PDF is refused before pdfium opens it where the bytes can
tell: a stream that inflates past :data:`MAX_STREAM` or streams that inflate past
:data:`MAX_INFLATED` together (``too-large``; the size cap only sees the compressed file), more than
:data:`MAX_STREAMS` streams, or more content-stream operators than any real report
(``too-complex``; see :class:`StreamCosts`: operators and the bytes of the strings they show,
counted with a regular expression over the inflated content, forms once for each time they are
drawn). A file cut short is refused too: pdfium would rebuild it and read the pages left, silently.
Once open, more than :data:`MAX_PAGES` pages is ``too-large``; more characters or path objects on
a page, or characters in the document, than the limits is ``too-complex``, before its tables are
looked for.

Locations: a table cell is ``Location(table, row, column, page)`` (rows counted over the joined
table); free text is ``tokenize_text(paragraph, n)`` with ``n`` the paragraph's first line, counted
over the document, and the paragraph's page.
"""

from __future__ import annotations

import io
import re
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import TYPE_CHECKING, Any

import msgspec

from ..cells import Cell, CellKind, Location, classify, tokenize_text
from ..errors import ReportError, too_complex, too_large
from . import pdfium as pdfium_page

if TYPE_CHECKING:
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
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>")
_DRAW = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_FORM = re.compile(rb"/Subtype\s*/Form\b")
_FILTER = re.compile(rb"/Filter\b")
_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
# streams that are not content: fonts, colour profiles, cross-reference, object and metadata streams
_NOT_CONTENT = re.compile(
    rb"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType|XML)\b|/N\s+\d|"
    rb"/Type\s*/(?:XRef|ObjStm|Metadata|EmbeddedFile|CMap|XObject\s*/Subtype\s*/Image)\b"
)
_BINDING = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*(\d+)\s+\d+\s+R\b")


def _word_starts_table() -> bytes:
    """An operator is a bare word that is not a /Name, a number or inside a hex string (close enough):
    a letter or quote not preceded by another, nor by a digit, ``_ * / # . <``. Mapped through this
    table (letters and quotes to ``a``, those to ``n``, the rest to a space), each one is a " a"."""
    table = bytearray(b" " * 256)
    for ch in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"":
        table[ch] = ord("a")
    for ch in b"0123456789_*/#.<":
        table[ch] = ord("n")
    return bytes(table)


_WORD_STARTS = _word_starts_table()


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


@dataclass
class PageStats:
    """What :func:`read_blocks` did with each page: which reader read it and why (for benchmarks)."""

    fallback: list[tuple[int, str]] = field(default_factory=list)  # (page, reason) read by pdfplumber
    pages: int = 0


LAST_READ = PageStats()  # the last read_blocks call's pages: how many fell back to pdfplumber


def read_blocks(data: bytes) -> list[Fragment | Line]:
    """Every page's blocks, in page order. Library failures become ReportError('unreadable')."""
    import pypdfium2 as pdfium  # lazy: keeps `disclosure --help` fast
    import pypdfium2.raw as raw

    costs = check_streams(data)
    _check_truncated(data)
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise ReportError("unreadable", "encrypted PDF (a password is needed to open it)") from exc
        detail = str(exc).split("(PDFium: ", 1)[-1].rstrip(")").strip() or "cannot be opened"
        raise ReportError("unreadable", f"broken PDF ({detail})") from exc
    stats = PageStats()
    blocks: list[Fragment | Line] = []
    chars = cid = 0
    plumber: _Plumber | None = None
    try:
        pages = len(doc)
        if pages > MAX_PAGES:
            raise ReportError("too-large", f"PDF too large (over {MAX_PAGES} pages)")
        costs.check()
        stats.pages = pages
        for number in range(1, pages + 1):
            page = raw.FPDF_LoadPage(doc.raw, number - 1)
            if not page:
                raise ReportError("unreadable", f"broken PDF (page {number} cannot be read)")
            textpage = raw.FPDFText_LoadPage(page)
            try:
                if not textpage:
                    raise ReportError("unreadable", f"broken PDF (no text on page {number} can be read)")
                got = pdfium_page.read_page(page, textpage, MAX_PAGE_CHARS, MAX_PAGE_OBJECTS)
            finally:
                if textpage:
                    raw.FPDFText_ClosePage(textpage)
                raw.FPDF_ClosePage(page)
            check_counts(len(got.chars), got.shapes, number)
            reason = needs_fallback(got)
            if reason:
                stats.fallback.append((number, reason))
                plumber = plumber or _Plumber(data)
                page_chars, page_cid, page_blocks_ = plumber.page(number)
            else:
                page_chars, page_cid, page_blocks_ = len(got.chars), 0, pdfium_blocks(got, number)
            chars += page_chars
            cid += page_cid
            if chars > MAX_CHARS:
                raise too_complex(f"over {MAX_CHARS:,} characters in the PDF")
            blocks.extend(page_blocks_)
    finally:
        if plumber is not None:
            plumber.close()
        doc.close()
        LAST_READ.fallback, LAST_READ.pages = stats.fallback, stats.pages
    if chars == 0:
        raise ReportError("no-text-layer", "PDF has no text layer (scanned image); OCR it first")
    if cid > chars / 2:
        raise ReportError("no-text-layer", "PDF text layer has no character codes (fonts without ToUnicode); OCR it")
    return blocks


def needs_fallback(page: pdfium_page.PageData) -> str:
    """Why a page goes to pdfplumber ('' when pdfium's reading is the same): rotated text (pdfplumber
    reads it in its own direction), characters without a Unicode value (counted as pdfminer's
    "(cid:N)" for the no-text-layer verdict), or text objects pdfium drew nothing of."""
    if page.rotated:
        return "rotated"
    if page.unmapped:
        return "unmapped characters"
    if page.undrawn:
        return "text in a font neither embedded nor installed"
    return ""


def check_counts(chars: int, shapes: int, number: int) -> None:
    """A page with more characters or path objects than the table finder should work on: too-complex."""
    if chars > MAX_PAGE_CHARS:
        raise too_complex(f"page {number} has over {MAX_PAGE_CHARS:,} characters")
    if shapes > MAX_PAGE_OBJECTS:
        raise too_complex(f"page {number} has over {MAX_PAGE_OBJECTS:,} lines and shapes")


class _Plumber:
    """pdfplumber over the same bytes, opened on the first page that needs it."""

    def __init__(self, data: bytes) -> None:
        import pdfplumber

        self.pdf = pdfplumber.open(io.BytesIO(data))

    def page(self, number: int) -> tuple[int, int, list[Fragment | Line]]:
        from pdfminer.psexceptions import PSException
        from pdfplumber.utils.exceptions import PdfminerException

        try:
            page = self.pdf.pages[number - 1]
            chars = len(page.chars)
            shapes = sum(len(page.objects.get(kind, ())) for kind in ("line", "rect", "curve"))
            check_counts(chars, shapes, number)
            cid = sum(1 for c in page.chars if c["text"].startswith("(cid:"))
            blocks = page_blocks(page, number)
            page.close()
        except (PdfminerException, PSException) as exc:  # only the library's errors: ours stay bugs
            cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
            detail = str(cause).strip() or type(cause).__name__
            raise ReportError("unreadable", f"broken PDF ({detail})") from exc
        return chars, cid, blocks

    def close(self) -> None:
        self.pdf.close()


def _check_truncated(data: bytes) -> None:
    """pdfium rebuilds a file cut short and reads what is left: refuse it instead (pages would be lost
    silently). A PDF ends with ``startxref`` and ``%%EOF``; a little trailing junk is allowed."""
    tail = data[-8192:]
    if b"startxref" not in tail or b"%%EOF" not in tail:
        raise ReportError("unreadable", "broken PDF (truncated: no cross-reference table at the end)")


@dataclass
class StreamCosts:
    """The content operators the streams of a file will run, counted before pdfium opens it.

    Every stream that can hold content (page contents, forms; not fonts, images, colour profiles,
    cross-reference or object streams) is counted: its operators and the bytes of the strings it
    shows. A form XObject counts once for each time a stream draws it by a name the file binds to it
    (``/Fm1 12 0 R``), forms inside forms too (to a depth of 4). A stream is a page's content or
    part of it, so each is held to the page budget and all of them together to the document's.
    Names bound indirectly are not followed; pdfium's object counts after loading a page catch what
    such a file draws.
    """

    own: dict[int, int] = field(default_factory=dict)  # object number -> operators of its stream
    draws: dict[int, dict[bytes, int]] = field(default_factory=dict)  # object -> name -> times drawn
    forms: set[int] = field(default_factory=set)
    names: dict[bytes, set[int]] = field(default_factory=dict)  # name -> form objects it may mean

    def cost(self, obj: int, depth: int = 0, memo: dict[int, int] | None = None) -> int:
        memo = {} if memo is None else memo
        if obj in memo:
            return memo[obj]
        memo[obj] = MAX_PAGE_OPS + 1  # a form that draws itself is over any budget
        total = self.own.get(obj, 0)
        if depth < 4:
            for name, times in self.draws.get(obj, {}).items():
                costs = [self.cost(f, depth + 1, memo) for f in self.names.get(name, ()) if f != obj]
                total += times * max(costs, default=0)
                if total > MAX_PAGE_OPS:
                    break
        memo[obj] = total
        return total

    def check(self) -> None:
        total = 0
        memo: dict[int, int] = {}
        for obj in self.own:
            if obj in self.forms:
                continue
            ops = self.cost(obj, 0, memo)
            if ops > MAX_PAGE_OPS:
                raise too_complex(f"a page has over {MAX_PAGE_OPS:,} PDF content operators")
            total += ops
            if total > MAX_OPS:
                raise too_complex(f"over {MAX_OPS:,} PDF content operators")


def check_streams(data: bytes) -> StreamCosts:
    """Refuse a decompression bomb before any stream is inflated in full (too-large), and count the
    operators of the content streams (see :class:`StreamCosts`).

    Every Flate stream of the file is inflated with a bound, in order, so the cost is at most the
    limits; images are skipped (never inflated to read text, and a scanned page is large).
    Streams filtered twice through Flate are inflated twice.
    """
    total = count = 0
    end = -1
    view = memoryview(data)
    costs = StreamCosts()
    find = data.find
    at = find(b"stream")
    while at >= 0:
        start = at
        at = find(b"stream", at + 6)
        before = data[start - 1 : start]
        if before.isalnum() or before == b"_":
            continue  # "endstream", or a word that ends in "stream"
        eol = data[start + 6 : start + 8]
        if eol[:1] not in (b"\r", b"\n"):
            continue
        body_start = start + 6 + (2 if eol == b"\r\n" else 1)
        count += 1
        if count > MAX_STREAMS:
            raise too_complex(f"over {MAX_STREAMS:,} PDF streams")
        head = data[max(0, start - 1024) : start]
        objs = list(_OBJ.finditer(head))
        number = int(objs[-1].group(1)) if objs else -count
        head = head[objs[-1].end() :] if objs else head
        if _IMAGE.search(head):
            continue
        layers = len(_FLATE.findall(head))
        content = not _NOT_CONTENT.search(head) and bool(layers or not _FILTER.search(head))
        if not layers and not content:
            continue
        if end < body_start:  # found once for every run of streams: a file of "stream" stays linear
            end = find(b"endstream", body_start)
            end = len(data) if end < 0 else end
        body: bytes | memoryview = view[body_start:end]
        for _ in range(min(layers, 3)):
            body = _inflate(body, MAX_STREAM)
            if len(body) > MAX_STREAM:
                raise too_large(None, MAX_STREAM, "PDF stream (decompressed)")
        if layers:
            total += len(body)
            if total > MAX_INFLATED:
                raise too_large(None, MAX_INFLATED, "PDF content (decompressed)")
        if content:
            _count_operators(bytes(body), number, _FORM.search(head) is not None, costs)
        elif _OBJSTM.search(head):
            _bind_names(bytes(body), costs)
    if costs.forms:
        _bind_names(data, costs)
    return costs


def _count_operators(stream: bytes, number: int, form: bool, costs: StreamCosts) -> None:
    if b"begincmap" in stream[:4096]:
        return  # a ToUnicode CMap: read once per font, and not drawn
    ops = (b" " + stream).translate(_WORD_STARTS).count(b" a")  # in C: 5x a regex's findall
    ops += sum(map(len, _STRING.findall(stream)))  # a char shown is the dearest work
    costs.own[number] = costs.own.get(number, 0) + ops
    if form:
        costs.forms.add(number)
    if b"Do" in stream:
        draws = costs.draws.setdefault(number, {})
        for name in _DRAW.findall(stream):
            draws[name] = draws.get(name, 0) + 1


def _bind_names(text: bytes, costs: StreamCosts) -> None:
    """``/Name N G R`` bindings that point at a form: the names a Do may draw it by."""
    for name, number in _BINDING.findall(text):
        obj = int(number)
        if obj in costs.forms:
            costs.names.setdefault(name, set()).add(obj)


def _inflate(data: bytes | memoryview, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a zlib stream; what a broken stream gives before it breaks.

    The input goes in by chunks: zlib copies what it leaves unread, so handing it the rest of the
    file for every stream would be quadratic.
    """
    head = bytes(data[:2])
    if len(head) < 2 or head[0] & 0x0F != 8 or (head[0] * 256 + head[1]) % 31:
        return b""  # not zlib: pdfium will find it broken too
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


# --- stage 1: one page -----------------------------------------------------------------------


def pdfium_blocks(page: pdfium_page.PageData, number: int) -> list[Fragment | Line]:
    """Tables and text lines of one page read by pdfium, top to bottom (as :func:`page_blocks`)."""
    finder = pdfium_page.find_tables
    tables = [t for t in finder(page.edges, page.chars) if len(t.columns) > 1]  # one column: boxed prose
    verticals = [(e.x0, e.top, e.bottom) for e in page.edges if e.orientation == "v"]
    reach = [_reach(t.bbox, verticals) for t in tables]
    if any(_has_holes(t) or r != t.bbox for t, r in zip(tables, reach)):
        tables = [t for t in finder(page.edges, page.chars, reach) if len(t.columns) > 1]
    fragments = [fragment(t, number) for t in tables]
    boxes = [f.bbox for f in fragments]
    found = pdfium_page.text_lines(tables[0].chars_outside(boxes) if tables else list(page.chars))
    lines = [Line(number, ln.top, ln.bottom, ln.x0, ln.x1, ln.text.strip()) for ln in found if ln.text.strip()]
    return _page_order(fragments, lines, page.height)


def page_blocks(page: Page, number: int) -> list[Fragment | Line]:
    """Tables and text lines of one pdfplumber page, top to bottom (the fallback reader)."""
    visible = page.filter(_visible)
    tables = [t for t in visible.find_tables() if len(t.columns) > 1]  # one column: boxed prose
    verticals = [(e["x0"], e["top"], e["bottom"]) for e in visible.vertical_edges]
    reach = [_reach(t.bbox, verticals) for t in tables]
    if any(_has_holes(t) or r != t.bbox for t, r in zip(tables, reach)):
        outlines = [_outline(r, page) for r in reach]
        closed = {"explicit_horizontal_lines": outlines, "explicit_vertical_lines": outlines}
        tables = [t for t in visible.find_tables(closed) if len(t.columns) > 1]
    fragments = [fragment(t, number) for t in tables]
    boxes = [f.bbox for f in fragments]

    def outside(obj: PageObject) -> bool:
        if obj.get("object_type") != "char":
            return True
        return not any(_centre_in(obj["x0"], obj["x1"], obj["top"], obj["bottom"], b) for b in boxes)

    lines = [
        Line(number, ln["top"], ln["bottom"], ln["x0"], ln["x1"], ln["text"].strip())
        for ln in visible.filter(outside).extract_text_lines(return_chars=False)
        if ln["text"].strip()
    ]
    return _page_order(fragments, lines, page.height)


def _page_order(fragments: list[Fragment], lines: list[Line], height: float) -> list[Fragment | Line]:
    lines = [ln for ln in lines if not is_page_number(ln, height)]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for ln in lines:
            ln.left, ln.right = left, right
    blocks: list[Fragment | Line] = [*fragments, *lines]
    blocks.sort(key=lambda b: b.bbox[1] if isinstance(b, Fragment) else b.top)
    return blocks


def fragment(table: FoundTable | pdfium_page.FoundTable, page: int) -> Fragment:
    """A found table (pdfium's or pdfplumber's) as a grid: spans expanded into copies, blank cells ''."""
    rows_texts = table.extract()
    rows: list[Any] = list(table.rows)
    cells = [
        (bbox, text or "")
        for row, texts in zip(rows, rows_texts)
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
    if "\n" not in text:
        return _SPACE.sub(" ", text.strip()).strip()  # one line (the usual cell): nothing to join
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
            for cell in tokenize_text(item.text, item.lineno):
                cells.append(msgspec.structs.replace(cell, loc=msgspec.structs.replace(cell.loc, page=page)))
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


@lru_cache(maxsize=4096)
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


def _has_holes(table: FoundTable | pdfium_page.FoundTable) -> bool:
    """True when a grid position lies in no cell (a missing border), not merely under a span."""
    tops = sorted({c[1] for c in table.cells})
    lefts = sorted({c[0] for c in table.cells})
    covered: set[tuple[int, int]] = set()
    for x0, top, x1, bottom in table.cells:  # the grid positions p with x0 <= p < x1, top <= p < bottom
        columns = range(bisect_left(lefts, x0), bisect_left(lefts, x1))
        covered.update((r, c) for r in range(bisect_left(tops, top), bisect_left(tops, bottom)) for c in columns)
    return len(covered) < len(tops) * len(lefts)


def _reach(
    bbox: tuple[float, float, float, float], verticals: list[tuple[float, float, float]]
) -> tuple[float, float, float, float]:
    """The table's box grown to where its column rules end: a page cut leaves the last row open.

    Only rules inside the table count, so a frame drawn round the whole page does not swallow it.
    ``verticals``: (x, top, bottom) of the page's vertical edges.
    """
    x0, top, x1, bottom = bbox
    mine = [(t, b) for x, t, b in verticals if x0 + _EDGE < x < x1 - _EDGE and t < bottom and b > top]
    new_top = min([top, *(t for t, _ in mine)])
    new_bottom = max([bottom, *(b for _, b in mine)])
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


def _centre_in(x0: float, x1: float, top: float, bottom: float, bbox: tuple[float, float, float, float]) -> bool:
    left, upper, right, lower = bbox
    h = (x0 + x1) / 2
    v = (top + bottom) / 2
    return left <= h < right and upper <= v < lower
