"""PDF input (text layer): tables rebuilt from ruling lines, joined over page breaks, mapped to records.

The PDFs here are written by hand (a few lines of PDF syntax; Chinese through the standard
STSong-Light font, which needs no embedding), so every case runs without the corpus: a synthetic
report rendered to PDF over several pages with a repeated header, a label spanning the page cut,
blank cells, invisible paragraph fills, a scanned page, a truncated file. The two corpus PDFs are
checked against golden records written by reading the rendered pages.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from disclosure_cli.cells import Cell
from disclosure_cli.errors import ReportError
from disclosure_cli.mapper import Mapper, build_runs
from disclosure_cli.metadata import read_metadata
from disclosure_cli.narrative import find_statements
from disclosure_cli.parse import detect_format
from disclosure_cli.readers import pdf as pdf_reader
from disclosure_cli.readers import pdfium as pdfium_page
from disclosure_cli.readers.pdf import Line, emit, is_page_number, join_blocks, page_blocks, read_pdf
from disclosure_cli.readers.pdfium import pdf_file
from disclosure_cli.testing import synth

from .conftest import GOLDEN, same_value

pytest.importorskip("pdfplumber")

# --- a tiny PDF writer -----------------------------------------------------------------------

WIDTH, HEIGHT = 595, 842
IMAGE = b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>"


def make_pdf(pages: list[bytes], height: int = HEIGHT, image: bool = False) -> bytes:
    """A valid PDF whose pages run the given content streams (fonts F1 Latin, F2 Chinese; Im1 an image)."""
    objs: list[bytes] = [b"", b""]  # catalog and page tree, filled in last
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objs.append(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light "
        b"/Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
        b"/StemV 93 >> /DW 1000 >>"
    )
    objs.append(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
    )
    objs.append(IMAGE + b"\nstream\n\x00\xff\xff\x00\nendstream")
    kids = []
    for content in pages:
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        xobject = b"/XObject << /Im1 6 0 R >>" if image else b""
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 5 0 R >> %s >> >>" % (WIDTH, height, len(objs), xobject)
        )
        kids.append(len(objs))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_file(objs)


def show(x: float, top: float, text: str, size: float, height: int = HEIGHT) -> bytes:
    """Text with its top at ``top`` (measured down from the page top, as pdfplumber does)."""
    y = height - top - size * 0.88
    if text.isascii():
        return b"BT /F1 %.1f Tf %.2f %.2f Td (%s) Tj ET\n" % (size, x, y, text.encode())
    return b"BT /F2 %.1f Tf %.2f %.2f Td <%s> Tj ET\n" % (size, x, y, text.encode("utf-16-be").hex().encode())


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most ``width`` points; every character is one em wide in STSong-Light here."""
    per = max(1, int(width // size))
    return [text[i : i + per] for i in range(0, len(text), per)] or [""]


@dataclass
class Layout:
    """Top-down page layout: paragraphs, ruled tables split over pages, page numbers 「- n -」."""

    height: int = HEIGHT
    left: float = 50
    width: float = 495
    size: float = 10
    repeat_header: int = 0  # header rows drawn again at the top of a continued table
    pages: list[bytearray] = field(default_factory=list)
    top: float = 0

    def __post_init__(self) -> None:
        self.new_page()

    def new_page(self) -> None:
        if self.pages:
            number = f"- {len(self.pages)} -"
            self.pages[-1] += show(WIDTH / 2 - 12, self.height - 40, number, 9, self.height)
        self.pages.append(bytearray())
        self.top = 60

    def room(self, needed: float) -> bool:
        return self.top + needed <= self.height - 70

    def paragraph(self, text: str, size: float | None = None, indent: int = 2, centre: bool = False) -> None:
        """Prose wrapped at the margin; the first line indented two characters, as reports print it."""
        size = size or self.size
        lines = wrap(text, self.width, size) if centre else _indent_wrap(text, self.width, size, indent)
        for i, line in enumerate(lines):
            if not self.room(size * 1.6):
                self.new_page()
            if centre:
                x = self.left + (self.width - len(line) * size) / 2
            else:
                x = self.left + (indent * size if i == 0 else 0)
            self.pages[-1] += show(x, self.top, line, size, self.height)
            self.top += size * 1.6

    def table(self, rows: list[list[str]], widths: list[float] | None = None, size: float | None = None) -> None:
        size = size or self.size
        n = len(rows[0])
        if widths is None:
            widths = [self.width / n] * n if n >= 10 else [self.width * 0.4] + [self.width * 0.6 / (n - 1)] * (n - 1)
        header = rows[: self.repeat_header]
        self.top += 4
        for r, row in enumerate(rows):
            height = self._row_height(row, widths, size)
            if not self.room(height):
                self.new_page()
                if header and r >= len(header):
                    for h in header:
                        self._row(h, widths, size, self._row_height(h, widths, size))
            self._row(row, widths, size, height)
        self.top += 8

    def _row_height(self, row: list[str], widths: list[float], size: float) -> float:
        return max(len(wrap(t, w - 4, size)) for t, w in zip(row, widths)) * size * 1.25 + 6

    def _row(self, row: list[str], widths: list[float], size: float, height: float) -> None:
        x = self.left
        for text, w in zip(row, widths):
            self.pages[-1] += b"0.5 w %.2f %.2f %.2f %.2f re S\n" % (x, self.height - self.top - height, w, height)
            for i, line in enumerate(wrap(text, w - 4, size) if text else []):
                self.pages[-1] += show(x + 2, self.top + 3 + i * size * 1.25, line, size, self.height)
            x += w
        self.top += height

    def pdf(self) -> bytes:
        self.new_page()
        return make_pdf([bytes(p) for p in self.pages[:-1]], self.height)


def _indent_wrap(text: str, width: float, size: float, indent: int) -> list[str]:
    first = wrap(text, width - indent * size, size)[0]
    return [first, *wrap(text[len(first) :], width, size)] if len(first) < len(text) else [first]


def markdown_pdf(markdown: str, height: int = HEIGHT, repeat_header: int = 0) -> bytes:
    """A PDF of synth.render_markdown: headings and prose as paragraphs, pipe tables as ruled tables."""
    layout = Layout(height=height, repeat_header=repeat_header)
    table: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            if not set(line) <= set("|- "):
                table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if table:
            layout.table(table, size=6 if len(table[0]) >= 10 else layout.size)
            table = []
        if line.startswith("# "):
            layout.paragraph(line[2:], size=14, indent=0, centre=True)
        elif line.strip():
            layout.paragraph(line.lstrip("#").strip())
    return layout.pdf()


def record_of(data: bytes):
    """What parse_bytes does with a page's cells, for PDF bytes: (metadata, mapper, cells)."""
    cells = read_pdf(data)
    fmt = detect_format(cells)
    assert fmt is not None, "no format markers found"
    mapper = Mapper(build_runs(cells), fmt)
    mapper.run()
    return read_metadata("\n".join(c.raw for c in cells), "pdf", cells), mapper, cells


def numbers(mapper: Mapper) -> dict:
    return {k: v.value for k, v in mapper.values.items()}


def table_cells(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.loc.table is not None]


# --- synthetic reports, rendered to PDF and read back ----------------------------------------


@pytest.mark.parametrize(
    ("seed", "fmt", "blanks", "height", "repeat"),
    [
        (1, "2021", 0.0, HEIGHT, 0),
        (2, "2019", 0.0, HEIGHT, 1),
        (3, "2021", 0.3, 700, 1),
        (4, "2019", 0.3, 600, 1),
        (5, "2021", 0.0, 500, 0),
    ],
)
def test_synthetic_report_round_trips_through_pdf(seed, fmt, blanks, height, repeat):
    s = synth.random_report(seed, fmt, blanks=blanks)
    data = markdown_pdf(synth.render_markdown(s), height=height, repeat_header=repeat)
    meta, mapper, cells = record_of(data)
    got = numbers(mapper)
    assert {k: (v, got[k]) for k, v in s.values.items() if not same_value(v, got[k])} == {}
    assert (meta.agency, meta.year) == (s.agency, s.year)
    assert not [c for c in cells if c.raw.startswith("- ") and c.raw.endswith(" -")], "page numbers dropped"


def test_a_table_split_over_pages_is_one_table_and_its_repeated_header_is_dropped():
    s = synth.random_report(7, "2021")
    data = markdown_pdf(synth.render_markdown(s), height=520, repeat_header=1)
    assert data.count("自然人".encode("utf-16-be").hex().encode()) == 2, "the page repeats the header"
    _, mapper, cells = record_of(data)
    heads = [c for c in table_cells(cells) if c.raw == "自然人"]
    assert len(heads) == 1, "the header row repeated on the next page is read once"
    rows = {c.row_id: c for c in table_cells(cells) if c.raw.endswith("结转下年度继续办理")}
    first = next(c for c in table_cells(cells) if c.raw.startswith("一、本年新收"))
    (last,) = rows.values()
    assert last.loc.table == first.loc.table and last.loc.page > first.loc.page, "one table over two pages"
    assert last.loc.row > first.loc.row
    assert not [n for n in mapper.notes if n.code in ("duplicate-row", "unknown-row", "stray-values")]


def _grid(cells: list[tuple[int, int, int, int, str]], widths: list[float], heights: list[float], top: float) -> bytes:
    """Ruled cells (row, column, rowspan, colspan, text) drawn from ``top`` down."""
    xs = [50 + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [top + sum(heights[:i]) for i in range(len(heights) + 1)]
    out = bytearray()
    for r, c, rs, cs, text in cells:
        x0, x1, y0, y1 = xs[c], xs[c + cs], ys[r], ys[r + rs]
        out += b"0.5 w %.2f %.2f %.2f %.2f re S\n" % (x0, HEIGHT - y1, x1 - x0, y1 - y0)
        if text:
            out += show(x0 + 2, y0 + 3, text, 9)
    return bytes(out)


def test_a_label_spanning_the_page_cut_is_carried_to_the_rows_below_it():
    widths, h = [90, 150, 60, 60], [20] * 3
    page1 = _grid(
        [
            (0, 0, 1, 2, "信息内容"),
            (0, 2, 1, 1, "自然人"),
            (0, 3, 1, 1, "总计"),
            (1, 0, 2, 1, "（四）无法提供"),
            (1, 1, 1, 1, "1.本机关不掌握"),
            (1, 2, 1, 1, "3"),
            (1, 3, 1, 1, "3"),
            (2, 1, 1, 1, "2.没有现成信息"),
            (2, 2, 1, 1, "1"),
            (2, 3, 1, 1, "1"),
        ],
        widths,
        h,
        top=HEIGHT - 3 * 20 - 70,
    )
    page2 = _grid(
        [
            (0, 0, 2, 1, ""),
            (0, 1, 1, 1, "3.补正后仍不明确"),
            (0, 2, 1, 1, "0"),
            (0, 3, 1, 1, ""),
            (1, 1, 1, 1, "4.另一行"),
            (1, 2, 1, 1, "2"),
            (1, 3, 1, 1, "2"),
        ],
        widths,
        h,
        top=60,
    )
    cells = table_cells(read_pdf(make_pdf([page1 + show(280, 800, "- 1 -", 9), page2])))
    row = [c for c in cells if c.loc.page == 2 and c.loc.row == 4]
    assert [(c.raw, c.kind, c.copy) for c in row] == [
        ("（四）无法提供", "label", True),  # carried over the cut: context, never a value
        ("3.补正后仍不明确", "label", False),
        ("0", "value", False),
        ("", "null", False),  # a blank under a column of numbers is a blank cell
    ]
    assert {c.loc.table for c in cells} == {1}
    assert [c.raw for c in cells if c.loc.row == 5][:2] == ["（四）无法提供", "4.另一行"]


def test_blank_cells_count_only_under_numbers():
    widths, h = [120, 60, 60, 60], [20] * 3
    content = _grid(
        [
            (0, 0, 1, 1, "信息内容"),
            (0, 1, 1, 1, ""),
            (0, 2, 1, 1, "本年"),
            (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "规章"),
            (1, 1, 1, 1, "5"),
            (1, 2, 1, 1, ""),
            (1, 3, 1, 1, "／"),
            (2, 0, 1, 1, ""),
            (2, 1, 1, 1, "1"),
            (2, 2, 1, 1, "2"),
            (2, 3, 1, 1, "3"),
        ],
        widths,
        h,
        top=100,
    )
    cells = table_cells(read_pdf(make_pdf([content])))
    assert [(c.loc.row, c.loc.column, c.kind) for c in cells if c.kind == "null"] == [(2, 3, "null"), (2, 4, "null")]
    assert not [c for c in cells if c.loc.row == 1 and c.loc.column == 2], "a blank header cell is nothing"
    assert not [c for c in cells if c.loc.row == 3 and c.loc.column == 1], "a blank label cell is nothing"


def test_invisible_white_fills_behind_prose_are_not_a_table():
    lines = ["本年度主动公开政府信息一千条。", "收到政府信息公开申请二十件。", "全部按期答复。"]
    content = bytearray()
    for i, line in enumerate(lines):
        top = 100 + i * 28
        content += b"1 1 1 rg 50 %.2f 495 28 re f 0 g\n" % (HEIGHT - top - 28)
        content += show(52, top + 8, line, 12)
    cells = read_pdf(make_pdf([bytes(content)]))
    assert table_cells(cells) == []
    assert [c.raw for c in cells] == lines


@pytest.mark.parametrize(
    ("text", "top", "dropped"),
    [
        ("- 3 -", 800, True),
        ("— 12 —", 20, True),
        ("第3页", 800, True),
        ("第 3 页 共 5 页", 800, True),
        ("3/5", 800, True),
        ("7", 810, True),
        ("- 3 -", 400, False),  # mid-page: a line of the report
        ("2023 年", 800, False),
    ],
)
def test_page_number_lines(text, top, dropped):
    assert is_page_number(Line(1, top, top + 10, 280, 300, text), HEIGHT) is dropped


def test_a_wrapped_statement_is_read_whole():
    layout = Layout()
    layout.paragraph(
        "根据上级要求，现将情况报告如下。" * 3 + "2024年，区政府办代表区政府受理政府信息公开申请17件，均已答复。"
    )
    cells = read_pdf(layout.pdf())
    statements = find_statements(cells)
    assert [(s.kind, s.value) for s in statements] == [("received", 17)]
    assert len({c.loc.line for c in cells}) == 1, "one paragraph, one line number"


# --- pdfium against pdfplumber (issue 14): the same cells ------------------------------------


def plumber_cells(data: bytes) -> list[Cell]:
    """The cells pdfplumber's reader gives (every page through page_blocks), for comparison."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        blocks = [b for number, page in enumerate(pdf.pages, 1) for b in page_blocks(page, number)]
    return emit(join_blocks(blocks))


def _key(cells: list[Cell]) -> list[tuple]:
    return [(c.raw, c.kind, c.loc, c.copy) for c in cells]


FONTLESS = "text in a font neither embedded nor installed"


@functools.cache
def pdfium_draws_cjk() -> bool:
    """Whether pdfium finds a font here for the writer's STSong-Light, which no PDF of it embeds:
    without one (no CJK font installed) it drops one-character text objects, and such pages go to
    pdfplumber."""
    read_pdf(make_pdf([show(50, 100, "政府信息公开工作年度报告", 12) + show(50, 130, "０", 10)]))
    return pdf_reader.LAST_READ.fallback == []


def test_a_lone_character_in_a_font_not_embedded_is_read_with_or_without_a_cjk_font():
    """A one-character cell in STSong-Light (not embedded): pdfium drops it where no CJK font is
    installed, so the page is read by pdfplumber then; either way the 「０」 and the 「构」 are read."""
    rows = [["申请人情况", "科研机构"], ["本年新收", "０"]]
    layout = Layout()
    layout.table(rows, size=10)
    data = layout.pdf()
    cells = read_pdf(data)
    texts = [c.raw for c in cells]
    assert "０" in texts and "科研机构" in texts
    fell = pdf_reader.LAST_READ.fallback
    assert fell == ([] if pdfium_draws_cjk() else [(1, FONTLESS)])
    assert pdfium_page.draws_cjk() == pdfium_draws_cjk(), "the library's probe agrees with what pdfium does"
    assert _key(cells) == _key(plumber_cells(data))


def _pdfium_read_every_page() -> None:
    """Every page read by pdfium, or (no CJK font here) by pdfplumber for the font alone."""
    fell = pdf_reader.LAST_READ.fallback
    if pdfium_draws_cjk():
        assert fell == [], "every page read by pdfium"
    else:
        assert fell and {reason for _, reason in fell} == {FONTLESS}


@pytest.mark.parametrize(
    ("seed", "fmt", "blanks", "height", "repeat"),
    [(11, "2021", 0.0, HEIGHT, 0), (12, "2019", 0.3, 600, 1), (13, "2021", 0.3, 520, 1), (14, "2019", 0.0, 500, 0)],
)
def test_pdfium_reader_gives_the_cells_pdfplumber_gave(seed, fmt, blanks, height, repeat):
    s = synth.random_report(seed, fmt, blanks=blanks)
    data = markdown_pdf(synth.render_markdown(s), height=height, repeat_header=repeat)
    cells = read_pdf(data)
    _pdfium_read_every_page()
    assert _key(cells) == _key(plumber_cells(data))


def test_pdfium_reader_gives_the_corpus_cells_pdfplumber_gave(corpus):
    for name in ("001_huaian_hongze_district_2023.pdf", "002_huaian_hongze_district_2024.pdf"):
        data = (corpus / name).read_bytes()
        cells = read_pdf(data)
        assert pdf_reader.LAST_READ.fallback == [], name
        assert _key(cells) == _key(plumber_cells(data)), name


def test_rotated_text_is_read_by_pdfplumber():
    """A page with text turned 90° goes to pdfplumber, which reads it in its own direction."""
    turned = "规章".encode("utf-16-be").hex().encode()
    page2 = show(50, 100, "本年度收到申请二十件。", 10) + b"BT /F2 10 Tf 0 1 -1 0 300 400 Tm <%s> Tj ET\n" % turned
    data = make_pdf([show(50, 100, "政府信息公开工作年度报告", 12), page2])
    cells = read_pdf(data)
    assert pdf_reader.LAST_READ.fallback == [(2, "rotated")], "only the page with turned text falls back"
    assert _key(cells) == _key(plumber_cells(data))
    assert cells[0].raw.startswith("政府信息公开工作年度报告") and cells[0].loc.page == 1
    assert any("规" in c.raw for c in cells), "the turned text is read, not lost"


def test_ruled_grid_with_spans_matches_pdfplumber():
    widths, h = [90, 150, 60, 60], [20] * 4
    content = _grid(
        [
            (0, 0, 1, 2, "信息内容"),
            (0, 2, 1, 2, "处理决定"),
            (1, 0, 3, 1, "（四）无法提供"),
            (1, 1, 1, 1, "1.本机关不掌握"),
            (1, 2, 1, 1, "3"),
            (1, 3, 1, 1, "3"),
            (2, 1, 1, 1, "2.没有现成信息"),
            (2, 2, 1, 1, "1"),
            (2, 3, 1, 1, ""),
            (3, 1, 1, 1, "3.补正后仍不明确"),
            (3, 2, 1, 2, "12,345"),
        ],
        widths,
        h,
        top=100,
    )
    data = make_pdf([content])
    cells = table_cells(read_pdf(data))
    assert _key(cells) == _key(table_cells(plumber_cells(data)))
    assert [(c.raw, c.copy) for c in cells if c.loc.row == 4][:2] == [
        ("（四）无法提供", True),
        ("3.补正后仍不明确", False),
    ]


def _page_paths(data: bytes, number: int = 0):
    """pdfium's path functions and the path objects of one page (the page kept open by the caller)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from disclosure_cli.readers import pdfium as pdfium_page

    doc = pdfium.PdfDocument(data)
    page = raw.FPDF_LoadPage(doc.raw, number)
    objects = [raw.FPDFPage_GetObject(page, i) for i in range(raw.FPDFPage_CountObjects(page))]
    paths = [o for o in objects if raw.FPDFPageObj_GetType(o) == raw.FPDF_PAGEOBJ_PATH]
    return doc, page, pdfium_page._Paths(raw), [pdfium_page._address(o) for o in paths]


def test_path_segments_read_at_once_are_what_pdfiums_functions_give():
    """The segments of a path read from pdfium's point array equal the ones its calls give: moves,
    lines, curves and close marks, several subpaths in one path."""
    content = (
        b"0.5 w 50 700 200 20 re S 60 600 m 300 600 l S "
        b"70 500 m 90 520 110 520 130 500 c h f 80 400 m 120 400 l 120 380 l h 150 400 m 150 300 l S\n"
    )
    for data in (make_pdf([content]), markdown_pdf(synth.render_markdown(synth.random_report(3, "2021")))):
        doc, page, paths, objects = _page_paths(data)
        assert objects
        for obj in objects:
            n = paths.count(obj)
            assert paths.segments(obj) == paths._call(obj, n)
        paths.c.FPDF_ClosePage(page)
        doc.close()


def _plain_extract(table, chars):
    """Every cell's text from the characters whose centre is in it, cell by cell (the reference)."""
    from disclosure_cli.readers import pdfium as pdfium_page

    return [
        [
            None
            if cell is None
            else pdfium_page.cell_text(inside)
            if (inside := [ch for ch in chars if pdfium_page._centre_in(ch, cell)])
            else ""
            for cell in row.cells
        ]
        for row in table.rows
    ]


def test_characters_are_dealt_to_cells_as_each_cell_alone_would_take_them():
    """One pass over a row's characters gives what a filter per cell gives, cells overlapping or not."""
    from disclosure_cli.readers import pdfium as pdfium_page

    def ch(text, x, top):
        return pdfium_page.Char(text, x, x + 6, top, top + 8)

    chars = [ch("a", 2, 1), ch("b", 9, 1), ch(" ", 15, 1), ch("c", 21, 1), ch("d", 44, 1), ch("e", 52, 12)]
    chars += [ch("f", 70, 1), ch("g", 28, 12), ch("h", 95, 1), ch("i", 40, 30), ch("j", -5, 1)]
    side_by_side = [(0, 0, 30, 10), (30, 0, 60, 20), (60, 0, 90, 10), (0, 10, 30, 20), (60, 10, 90, 20)]
    overlapping = [(0, 0, 50, 10), (20, 0, 80, 10), (0, 10, 80, 20)]
    for cells in (side_by_side, overlapping):
        table = pdfium_page.FoundTable(cells, pdfium_page._PageChars(chars))
        assert table.extract() == _plain_extract(table, chars)
        boxes = [table.bbox, (90, 0, 100, 10)]
        outside = [c for c in chars if not any(pdfium_page._centre_in(c, b) for b in boxes)]
        assert table.chars_outside(boxes) == outside


# --- refusals --------------------------------------------------------------------------------


def test_operators_of_an_uncompressed_content_stream_are_counted_before_pdfium_opens_it():
    with pytest.raises(ReportError) as info:
        read_pdf(make_pdf([b"q Q\n" * (pdf_reader.MAX_PAGE_OPS // 2 + 1)]))
    assert info.value.reason == "too-complex"


@pytest.mark.parametrize(
    ("stream", "cost"),
    [
        (b"q Q", 2),
        (b"BT /F1 12 Tf 72 712 Td (ab) Tj ET", 5 + 1 + 4),  # BT Tf Td Tj ET, the word ab, its 4 bytes
        (b"BT/F2 9.5 Tf<4e2d56fd>Tj T* 0 -1.2 TD[(x)-250(y)]TJ ET", 7 + 2 + 10 + 3 + 3),
        (b"/Fm1 Do 1 0 0 1 0 0 cm 0.5 w 10 20 m 30 40 l S", 6),  # not /Fm1, 0.5 or the numbers
        (b"a1b2 _x #y .z *w", 1),  # a word with digits; a letter after _ # . * starts none
    ],
)
def test_a_content_stream_costs_its_operators_and_the_bytes_it_shows(stream, cost):
    costs = pdf_reader.StreamCosts()
    pdf_reader._count_operators(stream, 3, False, costs)
    assert costs.own == {3: cost}


def test_a_font_cmap_is_not_counted_as_page_content():
    costs = pdf_reader.StreamCosts()
    pdf_reader._count_operators(
        b"/CIDInit /ProcSet findresource begin begincmap " + b"<0001> <4E00>\n" * 9000, 7, False, costs
    )
    assert costs.own == {}


def test_a_scanned_pdf_has_no_text_layer():
    data = make_pdf([b"q 400 0 0 600 100 100 cm /Im1 Do Q\n", b"q 400 0 0 600 100 100 cm /Im1 Do Q\n"], image=True)
    with pytest.raises(ReportError) as info:
        read_pdf(data)
    assert info.value.reason == "no-text-layer"
    assert info.value.message == "PDF has no text layer (scanned image); OCR it first"


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_a_truncated_pdf_is_unreadable(cut):
    data = markdown_pdf(synth.render_markdown(synth.random_report(3, "2021")))
    with pytest.raises(ReportError) as info:
        read_pdf(data[: int(len(data) * cut)])
    assert info.value.reason == "unreadable"
    assert info.value.message.startswith("broken PDF")
    assert "\n" not in info.value.message


def test_bytes_that_only_start_like_a_pdf_are_unreadable():
    with pytest.raises(ReportError) as info:
        read_pdf(b"%PDF-1.7\nthis is not a PDF at all\n")
    assert info.value.reason == "unreadable"


def test_the_pdf_library_is_imported_only_when_a_pdf_is_read():
    code = (
        "import sys, disclosure_cli.cli, disclosure_cli.readers.pdf; "
        "print(sorted({'pdfplumber', 'pdfminer'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the corpus PDFs -------------------------------------------------------------------------

PDF_GOLDEN = sorted(
    p for p in GOLDEN.glob("*.json") if json.loads(p.read_text(encoding="utf-8"))["file"].endswith(".pdf")
)
# Rows printed under a label the format declaration may not know (the page drops 法规禁): until it
# does, the values arrive under `extra` with the numbers as printed, never placed elsewhere.
MISPRINTED_LABELS = {"requests.withheld.prohibited_by_law": "2.其他法律行政止公开"}


def _golden(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("golden", PDF_GOLDEN, ids=lambda p: p.stem)
def test_corpus_pdf_maps_to_the_values_on_its_pages(golden, corpus):
    expected = _golden(golden)
    meta, mapper, _ = record_of((corpus / expected["file"]).read_bytes())
    assert mapper.fmt.name == expected["format"]
    assert (meta.agency, meta.year) == (expected["agency"], expected["year"])
    got = numbers(mapper)
    assert list(got) == list(expected["values"]), "keys and their order follow the format declaration"
    kept = {}
    for row, label in MISPRINTED_LABELS.items():
        keys = [k for k in got if k.rsplit(".", 1)[0] == row]
        if all(mapper.values[k].raw is None for k in keys):
            (extra,) = [e for e in mapper.extra if e["label"] == label]
            assert [v["value"] for v in extra["values"]] == [expected["values"][k] for k in keys]
            kept.update(dict.fromkeys(keys))
    wrong = {k: (v, got[k]) for k, v in expected["values"].items() if k not in kept and not same_value(v, got[k])}
    assert wrong == {}


def test_corpus_pdf_tables_are_joined_over_page_breaks_with_their_place(corpus):
    cells = read_pdf((corpus / "001_huaian_hongze_district_2023.pdf").read_bytes())
    tables = table_cells(cells)
    assert sorted({c.loc.table for c in tables}) == [1, 2, 3], "tables 2 and 3 each span two pages"
    (penalties,) = [c for c in tables if c.raw == "4119"]
    assert (penalties.loc.page, penalties.loc.table, penalties.loc.row) == (3, 1, 10)
    assert penalties.loc.describe() == "page 3, table 1, row 10, column 2"
    # page 3 opens the continued table with a cell whose top border is missing: it is read
    assert [c.raw for c in tables if c.loc.page == 3 and c.loc.table == 1][:2] == ["信息内容", "本年处理决定数量"]
    carried = [c.raw for c in tables if c.loc.page == 4 and c.loc.table == 2 and c.loc.row == 18]
    assert carried[:3] == ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"]
    assert not [c for c in cells if c.raw.replace(" ", "") in {"-1-", "-2-", "-3-", "-4-", "-5-"}]
