"""Cutting free text into cells: numbers as published, prose numbers left alone."""

from __future__ import annotations

import pytest

from disclosure_cli.cells import Location, classify, tokenize_text


def kinds(line: str) -> list[tuple[str, object]]:
    return [(c.kind, c.number if c.kind == "value" else c.raw) for c in tokenize_text(line, 1)]


def test_space_separated_row():
    assert kinds("规章 0 0 3") == [("label", "规章"), ("value", 0), ("value", 0), ("value", 3)]


def test_label_numbering_is_not_a_value():
    cells = kinds("0 0 2.其他法律行政法规禁止公开 1")
    assert cells == [("value", 0), ("value", 0), ("label", "2.其他法律行政法规禁止公开"), ("value", 1)]


def test_glued_digits_before_a_numbered_label_stay_one_token():
    # 「00000002.其他」: the last digit numbers the label; the run before it is one (glued) token
    cells = kinds("1.属于国家秘密00000002.其他法律")
    assert cells == [("label", "1.属于国家秘密"), ("value", 0), ("label", "2.其他法律")]
    assert tokenize_text("1.属于国家秘密00000002.其他法律", 1)[1].raw == "0000000"


@pytest.mark.parametrize(
    "text",
    ["2020年，全年主动公开信息198条", "国务院令第711号", "共 34 件", "公开率100%", "上话量943万通"],
)
def test_prose_numbers_are_not_cells(text):
    assert all(kind == "label" for kind, _ in kinds(text))


@pytest.mark.parametrize(
    ("raw", "number", "unit"),
    [
        ("1,339,407", 1339407, None),
        ("１２３", 123, None),
        ("1，339", 1339, None),
        ("-98", -98, None),
        ("+1036", 1036, None),
        ("4855733.96萬元", 4855733.96, "万元"),
        ("251000元", 251000, "元"),
        ("2笔", 2, "笔"),
    ],
)
def test_numbers_as_published(raw, number, unit):
    cell = classify(raw, Location(line=1))
    assert (cell.kind, cell.number, cell.unit) == ("value", number, unit)


@pytest.mark.parametrize("raw", ["", " ", "\xa0", "/", "／", "—", "-", "－－", "无", "無"])
def test_blank_cells_are_null_with_their_raw_text(raw):
    cell = classify(raw, Location(line=1))
    assert cell.kind == "null"
    assert cell.raw == raw.strip()


def test_standalone_markers_in_free_text_are_blank_cells():
    assert kinds("行政许可 / 3 —") == [("label", "行政许可"), ("null", "/"), ("value", 3), ("null", "—")]


def test_a_line_that_only_says_none_is_a_blank_cell():
    assert kinds("无") == [("null", "无")]


def test_identifiers_are_not_numbers():
    assert all(kind == "label" for kind, _ in kinds("GB2312 ICP12345678"))
