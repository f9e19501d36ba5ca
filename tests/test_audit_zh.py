"""Issue 12 points 3-5: places a person can use, Chinese throughout, equations without their zeros."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from disclosure_cli.auditing import RULES, audit
from disclosure_cli.cells import Location
from disclosure_cli.cli import main
from disclosure_cli.formats import FORMATS
from disclosure_cli.parse import parse_path

from .conftest import SEED
from .test_audit import TRIGGERS

CORPUS_PAGES = (
    "001_huaian_hongze_district_2023.pdf",
    "006_pingtan_2020_pagetxt.txt",
    "013_shanghai_stcsm_2024_pdf2md.md",
)


def test_location_for_people_in_both_languages():
    assert Location(265, 1).describe("zh") == "第265行"
    assert Location(265, 1).describe("en") == "line 265"
    assert Location(265, 1).describe() == "line 265, column 1"  # the machine form is unchanged
    assert Location(10, 5013).describe("zh") == "第10行第5013列"
    pdf = Location(None, 5, 3, 4, 4)
    assert pdf.describe("zh", table=4) == "第4页表四第4行第5列"
    assert pdf.describe("en", table=4) == "page 4, table 4, row 4, column 5"


def test_every_rule_explains_itself_in_chinese():
    for r in RULES:
        assert re.search(r"[\u4e00-\u9fff]{4}", r.explain("zh")), r.code
        assert r.explain("en") == r.explanation


def test_every_note_of_the_rule_examples_is_translated():
    for made in TRIGGERS.values():
        record = made()[0] if isinstance(made(), tuple) else made()
        for note in record.warnings:
            assert note.message_zh and re.search(r"[\u4e00-\u9fff]", note.message_zh), (note.code, note.message)


@pytest.mark.parametrize("name", CORPUS_PAGES)
def test_corpus_notes_and_findings_are_in_chinese(name, corpus):
    path = corpus / name
    if not path.exists():
        pytest.skip("corpus page not present")
    record = parse_path(str(path))
    for note in record.warnings:
        assert note.message_zh and note.message_zh != note.message, (note.code, note.message)
    for f in audit(record).findings:
        assert not re.search(r"\b(table|row|line|column|cells?)\b", f.message_zh), f.message_zh


def test_pdf_findings_name_the_reports_own_table(corpus):
    path = corpus / "001_huaian_hongze_district_2023.pdf"
    if not path.exists():
        pytest.skip("corpus page not present")
    a001 = next(f for f in audit(parse_path(str(path))).findings if f.code == "A001")
    assert a001.location("en").startswith("page 4, table 4,")  # the PDF's third table is the report's table 4
    assert a001.location("zh").startswith("第4页表四")


def test_flattened_pages_give_the_text_around_each_number(corpus):
    path = corpus / "034_pingtan_public_security_bureau_2021_pagetxt.txt"
    if not path.exists():
        pytest.skip("corpus page not present")
    record = parse_path(str(path))
    f = next(f for f in audit(record).findings if f.code == "R001")
    places = f.locations("zh")
    assert places and all("（「" in p for p in places)
    v = record.values["requests.carried_forward.total"]
    assert v.context and v.raw in v.context.replace(" ", "")


def test_text_output_in_chinese_with_locations():
    page = SEED.read_text(encoding="utf-8").replace("\n147\n", "\n148\n")
    result = CliRunner().invoke(main, ["audit", "-", "--lang", "zh", "--locations"], input=page.encode())
    assert result.exit_code == 1
    assert "[错误]" in result.stdout and "[error]" not in result.stdout
    assert "<stdin>:第265行: R001" in result.stdout
    assert "    @ 结转下年度 148：第265行" in result.stdout
    assert "（其余各项为0）" in result.stdout  # 结转下年度行: the zero columns left out, and said so


def test_rules_explained_in_chinese():
    result = CliRunner().invoke(main, ["rules", "R001", "--lang", "zh"])
    assert result.exit_code == 0
    assert "第三表自身注明" in result.stdout and "（错误）" in result.stdout


def test_english_labels_are_complete():
    for fmt in FORMATS.values():
        for table in fmt.tables:
            for row in table.rows:
                assert row.en, row.key
                assert all(c.en for c in row.columns), row.key
    assert FORMATS["2019"].table("active").row("procurement").en == "procurement"


def test_rule_names_never_break_inside_a_word_at_80_columns():
    from rich.console import Console

    from disclosure_cli.render import print_report, wrap_name

    assert wrap_name("narrative-carried-forward", 14) == "narrative-\ncarried-\nforward"
    page = SEED.read_text(encoding="utf-8").replace("\n147\n", "\n148\n")
    from disclosure_cli.parse import parse_bytes

    result = audit(parse_bytes(page.encode(), source="seed"))
    console = Console(width=80, record=True, color_system=None)
    print_report(console, result, result.findings, "en")
    text = console.export_text()
    assert "requests-\n" not in text or "requests-" in text  # broken after a hyphen only
    for line in text.splitlines():
        assert len(line) <= 80
        cell = line.split("│")[1].strip() if "│" in line else ""
        assert not cell or re.fullmatch(r"[A-Z]\d{3}|[a-z]+(?:-[a-z]+)*-?", cell), cell
