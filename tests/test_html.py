"""HTML reader: grids with spans, nested layout tables, split tables, chrome around the report."""

from __future__ import annotations

from disclosure_cli.parse import parse_bytes
from disclosure_cli.readers.html import read_html
from disclosure_cli.testing import synth

SPANNED = """<html><body><table>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>1</td><td colspan="2">2</td></tr>
<tr><td>2.其他法律行政法规<br>禁止公开</td><td>&nbsp;</td><td>3</td><td>4</td></tr>
</table></body></html>"""


def test_rowspan_label_gives_context_and_colspan_value_is_read_once():
    cells = read_html(SPANNED)
    rows: dict[int, list] = {}
    for c in cells:
        rows.setdefault(c.loc.row, []).append(c)
    first = [(c.kind, c.raw, c.copy) for c in rows[1]]
    assert first == [
        ("label", "（三）不予公开", False),
        ("label", "1.属于国家秘密", False),
        ("value", "1", False),
        ("value", "2", False),
        ("value", "2", True),
    ]
    second = [(c.kind, c.raw, c.copy) for c in rows[2]]
    assert second[0] == ("label", "（三）不予公开", True)
    assert second[1] == ("label", "2.其他法律行政法规 禁止公开", False)
    assert second[2] == ("null", "", False)
    assert [c.loc.column for c in rows[2]] == [1, 2, 3, 4, 5]


def test_text_outside_tables_keeps_its_source_line():
    cells = read_html("<html><body>\n<p>标题</p>\n<div>共 12 项 规章 3</div></body></html>")
    assert [(c.raw, c.loc.line) for c in cells] == [("标题", 2), ("共 12 项 规章", 3), ("3", 3)]


def test_nested_layout_tables_and_split_tables_parse():
    s = synth.random_report(11, "2019")
    for shape in ("html-layout", "html-split"):
        got = parse_bytes(synth.render(s, shape).encode()).numbers()
        assert {k for k, v in s.values.items() if abs(got[k] - v) > 1e-6} == set()


def test_provenance_names_table_row_and_column():
    s = synth.random_report(5, "2021")
    record = parse_bytes(synth.render_html(s).encode())
    v = record.values["requests.new.natural_person"]
    assert (v.loc.table, v.loc.row, v.loc.column) == (2, 4, 4)
    assert v.loc.describe() == "table 2, row 4, column 4"


def test_hundreds_of_unclosed_inline_tags_do_not_hide_the_tables():
    s = synth.random_report(3, "2021")
    page = synth.render_html(s).replace("<body>", "<body>" + "<b>" * 300, 1)
    got = parse_bytes(page.encode()).numbers()
    assert {k for k, v in s.values.items() if abs(got[k] - v) > 1e-6} == set()
