"""What is not a parseable report is refused with a reason: legacy, no table text, not a report."""

from __future__ import annotations

import pytest

from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_bytes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("今天天气很好。\n明天也很好。", "not-a-report"),
        ("平潭综合实验区2017年政府信息公开工作年度报告\n一、概述\n二、主动公开政府信息情况\n", "legacy-format"),
        ("某市人民政府2020年政府信息公开工作年度报告\n（表格见附件）\n", "no-table-text"),
        ("<html><body><h1>某局2022年政府信息公开工作年度报告</h1><img src='t.png'></body></html>", "no-table-text"),
    ],
)
def test_refusals_name_the_reason(text, reason):
    with pytest.raises(ReportError) as info:
        parse_bytes(text.encode())
    assert info.value.reason == reason


def test_a_broken_pdf_is_unreadable_not_a_traceback():
    with pytest.raises(ReportError) as info:
        parse_bytes(b"%PDF-1.7\n1 0 obj <<")
    assert info.value.reason == "unreadable"


def test_a_line_with_a_number_above_the_title_is_not_its_first_half():
    """A page copied with its chrome (「网站标识码 4403000001」 above the title): not a title wrapped
    over two lines, as a PDF's 「洪泽区人民 / 政府2023年…报告」 is."""
    from disclosure_cli.cells import tokenize_text
    from disclosure_cli.metadata import read_metadata

    lines = ["首页 | 政务公开", "网站标识码 4403000001", "沭阳县发展和改革局2023年政府信息公开工作年度报告"]
    cells = [c for n, line in enumerate(lines, 1) for c in tokenize_text(line, n)]
    meta = read_metadata("\n".join(lines), "text", cells)
    assert (meta.agency, meta.year) == ("沭阳县发展和改革局", 2023)
    wrapped = ["洪泽区人民", "政府2023年政府信息公开工作年度报告"]
    cells = [c for n, line in enumerate(wrapped, 1) for c in tokenize_text(line, n)]
    assert read_metadata("\n".join(wrapped), "text", cells).agency == "洪泽区人民政府"


def test_a_minified_html_page_keeps_its_wrapped_title():
    """All of a minified page is source line 1: a number on it says nothing of the title's lines."""
    from disclosure_cli.metadata import read_metadata
    from disclosure_cli.readers.html import read_html

    page = (
        "<html><head><title>政务公开</title></head><body><div>首页 网站标识码4403000001</div>"
        "<p>洪泽区人民</p><p>政府2023年政府信息公开工作年度报告</p></body></html>"
    )
    assert read_metadata(page, "html", read_html(page)).agency == "洪泽区人民政府"
