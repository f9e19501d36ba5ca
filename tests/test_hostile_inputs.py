"""Issue 11: bounded work for every input. Hostile pages are refused with a one-line reason.

The builders here are shared with ``bench/hostile.py`` (which measures the time and memory of each)
and the mutators with ``bench/fuzz.py`` (long runs); the suite only asserts outcomes, never times.
"""

from __future__ import annotations

import random
import time
import zlib
from pathlib import Path

import pytest

from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_bytes
from disclosure_cli.readers import html as html_reader
from disclosure_cli.readers import pdf as pdf_reader
from disclosure_cli.readers.html import read_html
from disclosure_cli.readers.markdown import read_markdown
from disclosure_cli.record import Record

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
PAGE = FIXTURES / "synthetic_2021_html.html"

# --- builders: one per kind of hostile input ------------------------------------------------------


def append(page: bytes, html: str) -> bytes:
    """``html`` at the end of a real page's body (after ``</html>`` the reader would not look)."""
    at = page.rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + html.encode() + page[at:]


def span_bomb(page: bytes, cells: int = 3600, per_row: int = 60) -> bytes:
    """``cells`` <td rowspan=100 colspan=100> appended to a real page, ``per_row`` to a row."""
    rows = []
    for start in range(0, cells, per_row):
        n = min(per_row, cells - start)
        rows.append("<tr>" + '<td rowspan="100" colspan="100">1</td>' * n + "</tr>")
    return append(page, "<table>" + "".join(rows) + "</table>")


def span_row(page: bytes, cells: int = 3600) -> bytes:
    """The same cells in one row: the clamp cannot shrink them, the budget must refuse them."""
    return span_bomb(page, cells, per_row=cells)


def empty_cells(page: bytes, cells: int = 1_000_000, per_row: int = 1000) -> bytes:
    row = "<tr>" + "<td></td>" * per_row + "</tr>"
    return append(page, "<table>" + row * (cells // per_row) + "</table>")


def deep_nesting(page: bytes, depth: int = 2000, tag: str = "div") -> bytes:
    """A real report after ``depth`` unclosed elements."""
    text = page.decode("utf-8")
    at = text.find("<body>") + len("<body>")
    return (text[:at] + f"<{tag}>" * depth + text[at:]).encode()


def many_tables(page: bytes, tables: int = 20000) -> bytes:
    return append(page, "<table><tr><td>1</td><td>2</td></tr></table>" * tables)


def number_flood(page: bytes, numbers: int = 2_000_000) -> bytes:
    """Free text of bare numbers: each one a cell."""
    return append(page, "<p>" + "1 " * numbers + "</p>")


def markdown_flood(rows: int = 20000, cols: int = 50) -> bytes:
    line = "|" + "1|" * cols + "\n"
    return ("| 政府信息公开 | 年度报告 |\n|---|---|\n" + line * rows).encode()


def pdf_document(pages: list[bytes], forms: dict[str, bytes] | None = None, filters: int = 1) -> bytes:
    """A minimal PDF (Helvetica, A4) with one content stream a page, Flate-compressed ``filters`` times.

    ``forms``: form XObjects every page can draw with ``/name Do``.
    """
    forms = forms or {}
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }

    def stream(content: bytes, extra: bytes = b"") -> bytes:
        for _ in range(filters):
            content = zlib.compress(content, 9)
        names = b" ".join([b"/FlateDecode"] * filters)
        return b"<< /Length %d /Filter [%s]%s >>\nstream\n%s\nendstream" % (len(content), names, extra, content)

    form_refs = []
    for name, content in forms.items():
        n = 4 + len(form_refs)
        objs[n] = stream(content, b" /Type /XObject /Subtype /Form /BBox [0 0 595 842]")
        form_refs.append(b"/%s %d 0 R" % (name.encode(), n))
    first = 4 + len(forms)
    kids = []
    resources = b"<< /Font << /F1 3 0 R >> /XObject << %s >> >>" % b" ".join(form_refs)
    for i, content in enumerate(pages):
        page = first + 2 * i
        kids.append(b"%d 0 R" % page)
        objs[page] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>" % (
            resources,
            page + 1,
        )
        objs[page + 1] = stream(content)
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (k, objs[k])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[k] for k in sorted(objs))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def table_page() -> bytes:
    """The content of one ruled table page: a 20 × 6 grid of numbers."""
    ops = [b"0.5 w"]
    for r in range(21):
        ops.append(b"50 %d m 545 %d l S" % (800 - 30 * r, 800 - 30 * r))
    for c in range(7):
        x = 50 + c * 82
        ops.append(b"%d 800 m %d 200 l S" % (x, x))
    for r in range(20):
        for c in range(6):
            ops.append(b"BT /F1 10 Tf %d %d Td (%d) Tj ET" % (60 + c * 82, 780 - 30 * r, r * c))
    return b"\n".join(ops)


def pdf_bomb(inflated_mb: int = 120) -> bytes:
    """A small PDF whose one content stream inflates to ``inflated_mb`` MB of text operators."""
    op = b"BT /F1 1 Tf 10 10 Td (0) Tj ET\n"
    return pdf_document([op * (inflated_mb * 1024 * 1024 // len(op))])


def pdf_pages(pages: int = 300) -> bytes:
    return pdf_document([table_page()] * pages)


def pdf_operators(ops: int = 1_000_000) -> bytes:
    """One page of path operators only: no character, no size to speak of, minutes of interpreting."""
    return pdf_document([b"q Q\n" * (ops // 2)])


def pdf_form_fanout(draws: int = 5000) -> bytes:
    """A small form XObject drawn thousands of times: the content stream itself is tiny."""
    return pdf_document([b"/X0 Do\n" * draws], forms={"X0": table_page()})


def pdf_double_flate(inflated_mb: int = 200) -> bytes:
    """A bomb compressed twice (``/Filter [/FlateDecode /FlateDecode]``): tiny twice over."""
    return pdf_document([b" " * (inflated_mb * 1024 * 1024)], filters=2)


def pdf_stream_flood(streams: int = 300_000) -> bytes:
    """Stream keywords without an end: a scan that looked for each one's end would be quadratic."""
    return b"%PDF-1.4\n" + b"1 0 obj << /Filter /FlateDecode >> stream\n" * streams


HOSTILE = {
    "span-bomb": lambda page: span_bomb(page),
    "span-row": lambda page: span_row(page),
    "empty-cells": lambda page: empty_cells(page),
    "deep-nesting": lambda page: deep_nesting(page),
    "deep-nesting-100k": lambda page: deep_nesting(page, 100_000),
    "deep-nesting-table": lambda page: deep_nesting(page, 20_000, "table"),
    "many-tables": lambda page: many_tables(page),
    "number-flood": lambda page: number_flood(page),
    "markdown-flood": lambda page: markdown_flood(),
    "pdf-bomb": lambda page: pdf_bomb(),
    "pdf-300-pages": lambda page: pdf_pages(),
    "pdf-operators": lambda page: pdf_operators(),
    "pdf-form-fanout": lambda page: pdf_form_fanout(),
    "pdf-double-flate": lambda page: pdf_double_flate(),
    "pdf-stream-flood": lambda page: pdf_stream_flood(),
}

# --- mutators: what bench/fuzz.py and the seeded fuzz test do to real pages ------------------------

_TAGS = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th colspan=3>", "<div>", "</div>", "<p>", "<br>"]
_TAGS += ["<script>", "</script>", "<!--", "-->", "<![CDATA[", "<?xml?>", "<tbody>", "<svg>", "&#x0;", "&nbsp;"]
_SPANS = ["0", "-1", "1", "2", "100", "65535", "99999999999999999999", "1e9", "x", "", " 3 ", "2.5", "０"]
_NUMBERS = ["9" * 40, "1e308", "-0", "1,2,3,4", "12345678901234567", "٣", "１２３", "0.000000001", "NaN", "∞"]


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of a page: (its name, the mutated bytes)."""
    kind = rng.choice(
        ["flip", "truncate", "delete-line", "duplicate", "tags", "spans", "numbers", "nesting", "nul", "encoding"]
    )
    b = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 50)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "truncate":
        del b[rng.randrange(len(b) + 1) :]
    elif kind == "delete-line":
        lines = bytes(b).split(b"\n")
        for _ in range(rng.randint(1, 5)):
            if lines:
                del lines[rng.randrange(len(lines))]
        b = bytearray(b"\n".join(lines))
    elif kind == "duplicate":
        i, j = sorted(rng.randrange(len(b) + 1) for _ in range(2))
        b[j:j] = b[i:j] * rng.randint(1, 20)
    elif kind == "tags":
        for _ in range(rng.randint(1, 30)):
            at = rng.randrange(len(b) + 1)
            b[at:at] = rng.choice(_TAGS).encode()
    elif kind == "spans":
        parts = bytes(b).split(b"<td")
        out = [parts[0]]
        for part in parts[1:]:
            if rng.random() < 0.3:
                attr = rng.choice([b"rowspan", b"colspan"])
                part = b' %s="%s"' % (attr, rng.choice(_SPANS).encode()) + part
            out.append(part)
        b = bytearray(b"<td".join(out))
    elif kind == "numbers":
        text = bytes(b)
        digits = [i for i, ch in enumerate(text) if 48 <= ch <= 57]
        for _ in range(min(len(digits), rng.randint(1, 20))):
            at = rng.choice(digits)
            b[at : at + 1] = rng.choice(_NUMBERS).encode()
            digits = [i for i in digits if i < at]
            if not digits:
                break
    elif kind == "nesting":
        at = rng.randrange(len(b) + 1)
        b[at:at] = rng.choice([b"<div>", b"<table><tr><td>", b"<b>", b"<span>", b"<li>"]) * rng.randint(500, 5000)
    elif kind == "nul":
        for _ in range(rng.randint(1, 10)):
            at = rng.randrange(len(b) + 1)
            b[at:at] = b"\x00" * rng.randint(1, 4)
    else:
        try:
            text = bytes(b).decode("utf-8")
            b = bytearray(text.encode(rng.choice(["utf-16-le", "utf-16", "gb18030", "big5", "latin-1"]), "replace"))
        except UnicodeError:
            pass
    return kind, bytes(b)


def fixture_pages() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_file())


def outcome(data: bytes) -> str:
    """'record', 'refused:<reason>', or raises: the only outcomes an input may have."""
    try:
        result = parse_bytes(data)
    except ReportError as exc:
        return f"refused:{exc.reason}"
    assert isinstance(result, Record)
    return "record"


def refusal(data: bytes) -> str:
    with pytest.raises(ReportError) as info:
        parse_bytes(data)
    assert "\n" not in str(info.value)
    return info.value.reason


# --- HTML ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> bytes:
    return PAGE.read_bytes()


def test_span_bomb_is_refused_as_too_complex(page):
    assert refusal(span_bomb(page)) == "too-complex"


def test_span_bomb_in_one_row_is_refused_as_too_complex(page):
    assert refusal(span_row(page)) == "too-complex"


def test_empty_cell_flood_is_refused_before_parsing(page):
    assert refusal(empty_cells(page)) == "too-complex"


def test_free_text_number_flood_is_refused(page):
    assert refusal(number_flood(page)) == "too-complex"


def test_markdown_flood_is_refused():
    assert refusal(markdown_flood()) == "too-complex"


def test_rowspan_is_clamped_to_the_rows_left_without_changing_cells():
    table = "<table><tr><td rowspan={}>标签</td><td>1</td></tr><tr><td>2</td></tr></table>"
    assert read_html(table.format(100)) == read_html(table.format(2))


def test_colspan_is_clamped_to_the_widest_row():
    cells = read_html("<table><tr><td colspan=100>标题</td></tr><tr><td>a</td><td>1</td></tr></table>")
    columns = {c.loc.column for c in cells}
    assert max(columns) == 2 + html_reader.SPAN_SLACK


def test_a_page_of_many_small_tables_stays_readable(page):
    assert outcome(many_tables(page, 200)) == "record"


def test_deeply_nested_report_reads_the_same_values(page):
    """Regression (issue 11): 2,000 unclosed <div>s before the report gave RecursionError."""
    plain = parse_bytes(page)
    nested = parse_bytes(deep_nesting(page, 2000))
    assert nested.values == plain.values


def test_nesting_past_the_parsers_depth_limit_is_no_crash(page):
    """libxml2 stops at 2,048 levels, so the report after 100,000 unclosed <div>s is never seen."""
    assert outcome(deep_nesting(page, 100_000)) in ("record", "refused:no-table-text")


def test_nested_tables_deep_are_bounded(page):
    assert outcome(deep_nesting(page, 20_000, "table")) in ("record", "refused:too-complex", "refused:no-table-text")


def test_iterative_walk_keeps_document_order():
    html = "<div>甲<p>乙<b>丙</b>丁</p>戊<table><tr><td>1</td></tr></table>己<br>庚</div>辛"
    assert [c.raw for c in read_html(html)] == ["甲", "乙丙丁", "戊", "1", "己", "庚", "辛"]


def test_markdown_rows_stay_readable():
    cells = read_markdown("| a | 1 |\n|---|---|\n| b | 2 |\n")
    assert [c.raw for c in cells] == ["a", "1", "b", "2"]


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_decompression_bomb_is_refused_as_too_large():
    data = pdf_bomb()
    assert len(data) < 512 * 1024  # far under any size cap
    assert refusal(data) == "too-large"


def test_pdf_bomb_under_two_filters_is_refused():
    assert refusal(pdf_double_flate()) == "too-large"


def test_pdf_of_stream_keywords_is_refused():
    assert refusal(pdf_stream_flood()) == "too-complex"


def test_pdf_with_too_many_pages_is_refused():
    assert refusal(pdf_pages(pdf_reader.MAX_PAGES + 1)) == "too-large"


def test_pdf_operator_flood_is_refused_before_interpreting():
    assert refusal(pdf_operators()) == "too-complex"


def test_pdf_form_drawn_thousands_of_times_is_refused():
    assert refusal(pdf_form_fanout()) == "too-complex"


def test_a_small_table_pdf_is_still_read():
    """The limits leave an ordinary table page alone: it reaches the mapper (not a report: no CJK)."""
    assert refusal(pdf_pages(3)) == "not-a-report"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_pdfs_are_within_every_limit():
    for path in sorted(CORPUS.glob("*.pdf")):
        assert outcome(path.read_bytes()) == "record", path.name


# --- fuzz ---------------------------------------------------------------------------------------

FUZZ_SEED = 11
FUZZ_CASES = 300
FUZZ_SECONDS = 15  # stop early on a slow machine (coverage, not an assertion)


def test_seeded_fuzz_of_real_pages_never_raises_anything_but_report_error():
    rng = random.Random(FUZZ_SEED)
    pages = [(p.name, p.read_bytes()) for p in fixture_pages()]
    deadline = time.monotonic() + FUZZ_SECONDS
    failures = []
    for case in range(FUZZ_CASES):
        if time.monotonic() > deadline:
            break
        name, data = rng.choice(pages)
        kind, mutated = mutate(data, rng)
        try:
            outcome(mutated)
        except Exception as exc:  # the test's point: any other exception is an internal error
            failures.append(f"case {case} ({name}, {kind}): {type(exc).__name__}: {exc}")
    assert failures == []
