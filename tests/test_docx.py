"""Word input: .docx tables with merged cells rebuilt into the HTML reader's grid, .doc/.wps through LibreOffice.

The .docx files are written with python-docx by ``tests/docx_render.py`` from synthetic reports (the
HTML renderer's tables, every span a merged cell); the odd constructs Word and WPS write (old
``w:hMerge``, ``w:gridBefore``, content controls, tracked deletions, text-box fallbacks) are small
hand-written bodies. LibreOffice is never needed: a stand-in ``soffice`` script checks the command
line and the timeout, and the one test with the real one skips when it is not installed.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import time
import zipfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from disclosure_cli import parse, readers
from disclosure_cli.cells import Location
from disclosure_cli.errors import ReportError
from disclosure_cli.readers import docx as word
from disclosure_cli.readers.html import read_html
from disclosure_cli.record import Record
from disclosure_cli.testing import synth

from .conftest import same_value

pytest.importorskip("docx")

from .docx_render import render_docx  # after the skip: it needs python-docx

# --- the pipeline after the reader -----------------------------------------------------------


def parse_word(data: bytes, source: str = "-") -> Record:
    return parse.parse_bytes(data, source=source)


# --- round trip ------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    blanks=st.sampled_from((0.0, 0.15)),
    blank=st.sampled_from(("", "/", "—", "无")),
    split=st.booleans(),
    layout=st.booleans(),
    ragged=st.booleans(),
)
# a split table whose continuation starts with 「8.属于行政查询事项」, its first cell blank, on a page that
# pads no label column: the blank is the row's first value, not padding (it was left unread)
@example(seed=38955, fmt="2019", blanks=0.15, blank="", split=True, layout=False, ragged=True)
def test_rendered_docx_parses_back_to_the_same_numbers(seed, fmt, blanks, blank, split, layout, ragged):
    s = synth.random_report(seed, fmt, blanks=blanks)
    data = render_docx(s, split=split, layout=layout, blank=blank, seed=seed, ragged=ragged)
    record = parse_word(data, source="x.docx")
    got = record.numbers()
    assert {k: (v, got.get(k)) for k, v in s.values.items() if not same_value(v, got.get(k))} == {}
    assert (record.format, record.year, record.agency, record.title) == (fmt, s.year, s.agency, s.title)
    assert record.shape == "docx-table"
    assert not [w for w in record.warnings if w.code in ("unknown-row", "row-missing", "stray-values")]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_merged_cells_make_the_same_grid_as_the_html_spans(fmt):
    """Cell for cell (text, kind, place, row, number, span copy) the HTML reader's grid of the same tables."""
    s = synth.random_report(15, fmt, blanks=0.15)

    def grid(cells):
        return [(c.raw, c.kind, c.loc, c.row_id, c.number, c.unit, c.copy) for c in cells if c.loc.table is not None]

    html = grid(read_html(synth.render_html(s)))
    assert grid(word.read_docx(render_docx(s, blank=""))) == html
    assert {c[2].table for c in html} == {1, 2, 3}


def test_title_narrative_and_sections_are_paragraphs_in_body_order():
    s = synth.random_report(3, "2021")
    cells = word.read_docx(render_docx(s, seed=3))
    assert (cells[0].raw, cells[0].kind, cells[0].loc) == (s.title, "label", Location(line=1, column=1))
    order = [c.raw if c.loc.table is None else c.loc.table for c in cells]
    order = [x for i, x in enumerate(order) if i == 0 or x != order[i - 1]]  # a table once
    sections = [x for x in order if isinstance(x, int) or x[:2] in ("二、", "三、", "四、", "五、")]
    assert sections == [
        "二、主动公开政府信息情况",
        1,
        "三、收到和处理政府信息公开申请情况",
        2,
        "四、政府信息公开行政复议、行政诉讼情况",
        3,
        "五、存在的主要问题及改进情况",
    ]
    text = " ".join(c.raw for c in cells)
    assert "0755-88888888" not in text  # the page footer is not the report
    assert f"{s.year - 1}年政府信息公开工作年度报告" not in text  # nor the stale core-properties title


def test_runs_are_joined_without_spaces():
    """Word cuts text into runs anywhere (here inside the year and inside a number)."""
    data = docx_with_body(
        _p("<w:r><w:t>深圳市人民政府20</w:t></w:r><w:r><w:t>20年政府信息公开工作年度报告</w:t></w:r>")
        + _table([[_tc("收到申请"), _tc("<w:r><w:t>1,3</w:t></w:r><w:r><w:t>39</w:t></w:r>", raw=True)]])
    )
    cells = word.read_docx(data)
    assert cells[0].raw == "深圳市人民政府2020年政府信息公开工作年度报告"
    assert (cells[-1].raw, cells[-1].number) == ("1,339", 1339)


# --- Word constructs ---------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _p(inner: str) -> str:
    return f"<w:p>{inner}</w:p>"


def _tc(text: str, props: str = "", raw: bool = False) -> str:
    body = text if raw else (f"<w:r><w:t>{text}</w:t></w:r>" if text else "")
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{body}</w:p></w:tc>"


def _table(rows: list[list[str]], row_props: list[str] | None = None) -> str:
    trs = "".join(
        f"<w:tr>{f'<w:trPr>{row_props[i]}</w:trPr>' if row_props else ''}{''.join(r)}</w:tr>"
        for i, r in enumerate(rows)
    )
    return f"<w:tbl><w:tblPr/>{trs}</w:tbl>"


def docx_with_body(body_xml: str) -> bytes:
    """A python-docx package whose document body is ``body_xml``."""
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}" '
        f'xmlns:mc="{MC_NS}"><w:body>{body_xml}<w:sectPr/></w:body></w:document>'
    )
    return _replace_member(out.getvalue(), "word/document.xml", document.encode())


def _replace_member(package: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info.filename))
    return out.getvalue()


def _grid(cells) -> list[tuple[int, int, str, bool]]:
    return [(c.loc.row, c.loc.column, c.raw, c.copy) for c in cells if c.loc.table is not None]


def test_vertical_and_horizontal_merges_expand_like_rowspan_and_colspan():
    cells = word.read_docx(
        docx_with_body(
            _table(
                [
                    [
                        _tc("（四）无法提供", '<w:vMerge w:val="restart"/>'),
                        _tc("1.本机关不掌握", '<w:gridSpan w:val="2"/>'),
                    ],
                    [_tc("", "<w:vMerge/>"), _tc("2.没有现成信息"), _tc("7")],
                    [_tc("", '<w:vMerge w:val="continue"/>'), _tc("3.补正后"), _tc("")],
                ]
            )
        )
    )
    assert _grid(cells) == [
        (1, 1, "（四）无法提供", False),
        (1, 2, "1.本机关不掌握", False),
        (1, 3, "1.本机关不掌握", True),
        (2, 1, "（四）无法提供", True),
        (2, 2, "2.没有现成信息", False),
        (2, 3, "7", False),
        (3, 1, "（四）无法提供", True),
        (3, 2, "3.补正后", False),
        (3, 3, "", False),  # a blank cell is a null, kept (a blank span copy is not)
    ]
    assert cells[-1].kind == "null" and cells[-1].row_id == (1, 2)


def test_a_merged_value_is_read_once_and_a_merged_blank_leaves_no_copies():
    cells = word.read_docx(
        docx_with_body(
            _table(
                [
                    [_tc("总计"), _tc("12", '<w:gridSpan w:val="2"/>'), _tc("", '<w:gridSpan w:val="2"/>')],
                ]
            )
        )
    )
    assert _grid(cells) == [(1, 1, "总计", False), (1, 2, "12", False), (1, 3, "12", True), (1, 4, "", False)]
    assert [c.kind for c in cells if not c.copy] == ["label", "value", "null"]


def test_old_style_hmerge_and_grid_before():
    """``w:hMerge`` (Word 95 conversions, WPS) and rows starting off the grid's first column."""
    cells = word.read_docx(
        docx_with_body(
            _table(
                [
                    [_tc("行政复议", '<w:hMerge w:val="restart"/>'), _tc("", "<w:hMerge/>"), _tc("行政诉讼")],
                    [_tc("5"), _tc("6")],
                ],
                row_props=["", '<w:gridBefore w:val="1"/>'],
            )
        )
    )
    assert _grid(cells) == [
        (1, 1, "行政复议", False),
        (1, 2, "行政复议", True),
        (1, 3, "行政诉讼", False),
        (2, 2, "5", False),
        (2, 3, "6", False),
    ]


def test_a_layout_table_is_walked_and_its_inner_tables_are_grids():
    inner = _table([[_tc("规章"), _tc("3")]])
    outer = _table([[_tc("首页")], [f"<w:tc><w:p><w:r><w:t>二、主动公开</w:t></w:r></w:p>{inner}<w:p/></w:tc>"]])
    cells = word.read_docx(docx_with_body(outer + _table([[_tc("行政复议"), _tc("4")]])))
    assert [(c.raw, c.loc.table, c.loc.line) for c in cells] == [
        ("首页", None, 1),
        ("二、主动公开", None, 2),
        ("规章", 1, None),
        ("3", 1, None),
        ("行政复议", 2, None),
        ("4", 2, None),
    ]


def test_content_controls_deletions_field_codes_and_text_box_fallbacks():
    body = (
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + _p(
            "<w:r><w:t>沭阳县发展和改革局</w:t></w:r><w:del><w:r><w:delText>2019</w:delText></w:r></w:del>"
            "<w:ins><w:r><w:t>2020</w:t></w:r></w:ins><w:r><w:t>年政府信息公开工作年度报告</w:t></w:r>"
        )
        + "</w:sdtContent></w:sdt>"
        + _p(
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE 17 </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>第一页</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )
        + _p(
            "<w:r><mc:AlternateContent><mc:Choice><w:t>框内文字</w:t></mc:Choice>"
            "<mc:Fallback><w:t>框内文字</w:t></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>之后</w:t></w:r>"
        )
        + _table([["<w:sdt><w:sdtContent>" + _tc("规章") + "</w:sdtContent></w:sdt>", _tc("3")]])
    )
    cells = word.read_docx(docx_with_body(body))
    assert [c.raw for c in cells] == [
        "沭阳县发展和改革局2020年政府信息公开工作年度报告",
        "第一页",
        "框内文字之后",
        "规章",
        "3",
    ]


def test_hidden_runs_and_a_moves_old_place_are_not_text():
    """A hidden run (``w:vanish``) and the old place of a tracked move (``w:moveFrom``, whose text Word
    keeps in ``w:t``) are not shown: 「9」 hidden before 「20」 was read 920, silently in table 2."""
    hidden = "<w:r><w:rPr><w:vanish/></w:rPr><w:t>9</w:t></w:r>"
    shown = '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>1</w:t></w:r>'
    moved = '<w:moveFrom w:id="1" w:author="x"><w:r><w:t>7</w:t></w:r></w:moveFrom>'
    body = _table(
        [
            [_tc("规章"), f"<w:tc><w:p>{hidden}<w:r><w:t>20</w:t></w:r></w:p></w:tc>"],
            [_tc("规范性文件"), f"<w:tc><w:p>{moved}<w:r><w:t>3</w:t></w:r>{shown}</w:p></w:tc>"],
        ]
    )
    assert [c.raw for c in word.read_docx(docx_with_body(body))] == ["规章", "20", "规范性文件", "31"]


def test_a_line_break_inside_a_paragraph_starts_a_new_line_and_tabs_are_spaces():
    cells = word.read_docx(
        docx_with_body(_p("<w:r><w:t>行政复议</w:t><w:tab/><w:t>5</w:t><w:br/><w:t>行政诉讼</w:t><w:t>6</w:t></w:r>"))
    )
    assert [(c.raw, c.kind, c.loc.line, c.loc.column) for c in cells] == [
        ("行政复议", "label", 1, 1),
        ("5", "value", 1, 6),
        ("行政诉讼", "label", 1, 1),
        ("6", "value", 1, 5),
    ]


# --- sniffing and refusals -----------------------------------------------------------------------


def test_sniffing():
    docx_bytes = render_docx(synth.random_report(1, "2019"))
    assert readers.is_docx(docx_bytes) and not readers.is_ole_doc(docx_bytes)
    ole = readers.OLE_MAGIC + b"\x00" * 504
    assert readers.is_ole_doc(ole) and not readers.is_docx(ole)
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    for data in (b"%PDF-1.7", b"<html></html>", other_zip.getvalue(), b"PK\x03\x04 truncated", b""):
        assert not readers.is_docx(data) and not readers.is_ole_doc(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not really a zip", "unreadable"),
        (b"plain text", "unreadable"),
    ],
)
def test_bytes_that_are_not_a_word_package_are_unreadable(data, reason):
    with pytest.raises(ReportError) as err:
        word.read_docx(data)
    assert err.value.reason == reason


def test_a_zip_without_a_word_document_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ReportError, match=r"no word/document\.xml") as err:
        word.read_docx(out.getvalue())
    assert err.value.reason == "unreadable"


def test_a_broken_document_part_is_unreadable_not_a_traceback():
    data = _replace_member(render_docx(synth.random_report(2, "2019")), "word/document.xml", b"<w:document")
    with pytest.raises(ReportError, match="not a readable Word file") as err:
        word.read_docx(data)
    assert err.value.reason == "unreadable"


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    """51 MB of document.xml in a 50 KB file: refused from the zip directory alone."""
    bomb = b"<w:p>" + b" " * (51 * 1024 * 1024) + b"</w:p>"
    data = _replace_member(render_docx(synth.random_report(2, "2021")), "word/document.xml", bomb)
    assert len(data) < 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(ReportError, match=r"document\.xml too large once uncompressed \(51 MB; limit 50 MB\)") as err:
        word.read_docx(data)
    assert err.value.reason == "too-large"
    assert time.perf_counter() - start < 1


def test_the_whole_package_is_bounded_too(monkeypatch):
    monkeypatch.setattr(word, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(ReportError, match="Word package too large once uncompressed") as err:
        word.read_docx(render_docx(synth.random_report(2, "2021")))
    assert err.value.reason == "too-large"


def test_a_span_is_clamped_to_the_table():
    """gridSpan 1000 in a two-column table fills the table's grid and a little slack, not 1000 slots."""
    cells = word.read_docx(docx_with_body(_table([[_tc("规章", '<w:gridSpan w:val="1000"/>')], [_tc("1"), _tc("2")]])))
    assert len([c for c in cells if c.loc.row == 1]) == 2 + word.SPAN_SLACK


def test_a_table_over_the_slot_budget_is_too_complex(monkeypatch):
    monkeypatch.setattr(word, "MAX_TABLE_SLOTS", 50)
    with pytest.raises(ReportError, match="over 50 slots in a table") as err:
        word.read_docx(render_docx(synth.random_report(2, "2019")))
    assert err.value.reason == "too-complex"


def test_without_python_docx_the_message_says_what_to_install(monkeypatch):
    data = docx_with_body(_p("<w:r><w:t>x</w:t></w:r>"))
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    with pytest.raises(ReportError) as err:
        word.read_docx(data)
    assert err.value.reason == "needs-extra"
    assert "pip install 'disclosure-cli[docx]'" in err.value.message


def test_python_docx_is_imported_only_when_a_docx_is_read():
    code = (
        "import sys; import disclosure_cli.readers as r; import disclosure_cli.readers.docx; "
        "import disclosure_cli.parse; r.is_docx(b'PK'); print('docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- .doc / .wps through LibreOffice ---------------------------------------------------------------

FAKE_SOFFICE = """\
#!{python}
# A stand-in for LibreOffice: records its command line, then does what FAKE_MODE says.
import os, shutil, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_ARGS"], "a") as fh:
    fh.write(repr(args) + "\\n")
mode = os.environ.get("FAKE_MODE", "convert")
if mode == "hang":
    time.sleep(60)
if mode == "fail":
    sys.stderr.write("Error: source file could not be loaded\\n")
    sys.exit(0)  # LibreOffice exits 0 when it could not convert: only the missing output tells
outdir = args[args.index("--outdir") + 1]
stem = os.path.splitext(os.path.basename(args[-1]))[0]
shutil.copy(os.environ["FAKE_DOCX"], os.path.join(outdir, stem + ".docx"))
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """A ``soffice`` first on PATH; returns the file its command lines are written to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_ARGS", str(tmp_path / "args.txt"))
    return tmp_path / "args.txt"


def test_a_doc_file_is_converted_with_libreoffice_and_read(fake_soffice, tmp_path, monkeypatch):
    s = synth.random_report(7, "2019")
    (tmp_path / "converted.docx").write_bytes(render_docx(s))
    monkeypatch.setenv("FAKE_DOCX", str(tmp_path / "converted.docx"))
    cells = word.read_word(readers.OLE_MAGIC + b"\x00" * 1024, suffix=".wps")
    assert cells[0].raw == s.title
    (args,) = [eval(line) for line in fake_soffice.read_text().splitlines()]
    assert args[1:7] == ["--headless", "--norestore", "--nolockcheck", "--convert-to", "docx", "--outdir"]
    assert args[0].startswith("-env:UserInstallation=file://")  # its own profile, not the user's
    assert args[-1].endswith("input.wps")


def test_a_file_libreoffice_cannot_convert_is_unreadable(fake_soffice, monkeypatch):
    monkeypatch.setenv("FAKE_MODE", "fail")
    with pytest.raises(ReportError, match=r"LibreOffice could not convert the file to \.docx \(Error: source") as e:
        word.convert_with_libreoffice(readers.OLE_MAGIC, ".doc")
    assert e.value.reason == "unreadable"


def test_a_conversion_that_hangs_is_stopped_at_the_timeout(fake_soffice, monkeypatch):
    monkeypatch.setenv("FAKE_MODE", "hang")
    start = time.perf_counter()
    with pytest.raises(ReportError, match=r"did not convert the file within 0\.5 s") as err:
        word.convert_with_libreoffice(readers.OLE_MAGIC, ".doc", timeout=0.5)
    assert err.value.reason == "unreadable"
    assert time.perf_counter() - start < 10


def test_an_odd_suffix_is_not_passed_to_the_shell_or_the_file_name(fake_soffice, tmp_path, monkeypatch):
    (tmp_path / "converted.docx").write_bytes(docx_with_body(_p("<w:r><w:t>x</w:t></w:r>")))
    monkeypatch.setenv("FAKE_DOCX", str(tmp_path / "converted.docx"))
    word.convert_with_libreoffice(readers.OLE_MAGIC, "../../x; rm -rf")
    assert eval(fake_soffice.read_text().splitlines()[0])[-1].endswith("input.doc")


def test_without_libreoffice_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(word, "find_soffice", lambda: None)
    with pytest.raises(ReportError) as err:
        word.read_word(readers.OLE_MAGIC + b"\x00" * 504)
    assert err.value.reason == "needs-libreoffice"
    assert err.value.message == "reading .doc/.wps files needs LibreOffice: install LibreOffice (soffice)"


@pytest.mark.skipif(word.find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_real_doc_written_by_libreoffice_reads_back_to_the_same_numbers(tmp_path):
    s = synth.random_report(11, "2021", blanks=0.15)
    source = tmp_path / "report.docx"
    source.write_bytes(render_docx(s))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(
        [word.find_soffice(), profile, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    doc = (tmp_path / "report.doc").read_bytes()
    assert readers.is_ole_doc(doc)
    record = parse_word(doc, source="report.doc")
    got = record.numbers()
    assert {k: v for k, v in s.values.items() if not same_value(v, got.get(k))} == {}
    assert (record.year, record.agency) == (s.year, s.agency)


def test_paragraphs_before_the_title_are_read_in_order():
    """A Word attachment often starts with 「附件2」 above the title; both are paragraphs, in order."""
    s = synth.random_report(4, "2019")
    data = docx_with_body(_p("<w:r><w:t>附件2</w:t></w:r>") + _p(f"<w:r><w:t>{s.title}</w:t></w:r>"))
    assert [(c.raw, c.loc.line) for c in word.read_docx(data)] == [("附件", 1), ("2", 1), (s.title, 2)]
