"""The audit: each rule has inputs that must trigger it and inputs that must not."""

from __future__ import annotations

import pytest

from disclosure_cli.auditing import RULES, audit
from disclosure_cli.parse import parse_bytes
from disclosure_cli.testing import synth

from .conftest import SEED


def record_of(s: synth.Synthetic, shape: str = "lines", edit=None):
    text = synth.render(s, shape)
    if edit:
        text = edit(text)
    return parse_bytes(text.encode(), source="test")


def mutate(s: synth.Synthetic, **changes: int) -> synth.Synthetic:
    """The same report with some values changed; keys use '__' for '.' (requests__new__total=5)."""
    for key, value in changes.items():
        k = key.replace("__", ".")
        s.values[k] = value
        s.texts[k] = str(value)
    return s


def codes(record, blank: str = "zero") -> set[str]:
    return {f.code for f in audit(record, blank).findings}


def consistent(fmt: str = "2019", seed: int = 4) -> synth.Synthetic:
    return synth.random_report(seed, fmt)


def bump(s: synth.Synthetic, *keys: str, by: int = 1) -> synth.Synthetic:
    return mutate(s, **{k.replace(".", "__"): s.values[k] + by for k in keys})


def with_text(line: str):
    return lambda text: text.replace("二、主动公开政府信息情况", f"{line}\n二、主动公开政府信息情况")


def _word_in_cell(page: str, row: str, word: str) -> str:
    """An HTML page with the first number cell of ``row`` replaced by ``word``."""
    import re

    cell = re.compile(r"(<td[^>]*>)\s*[\d,.]+\s*(</td>)").search(page, page.index(row))
    assert cell is not None
    return page[: cell.start()] + cell.group(1) + word + cell.group(2) + page[cell.end() :]


TRIGGERS = {
    "R001": lambda: record_of(
        bump(consistent(), "requests.carried_forward.natural_person", "requests.carried_forward.total")
    ),
    "R002": lambda: record_of(bump(consistent(), "requests.granted.commercial", "requests.granted.total")),
    "R003": lambda: record_of(bump(consistent(), "requests.new.total")),
    "R004": lambda: record_of(mutate(consistent(), requests__granted__natural_person=-3)),
    "A001": lambda: record_of(bump(consistent(), "appeals.review.total")),
    "P001": lambda: record_of(
        mutate(consistent(), active__regulations__new_published=9, active__regulations__total_published=5)
    ),
    "P002": lambda: record_of(mutate(consistent(), active__coercion__prior_items=10, active__coercion__change=-11)),
    "P003": lambda: record_of(consistent(), edit=lambda t: _drop_money_unit(t)),
    "N001": lambda: _narrated("本年新收政府信息公开申请{}件", "requests.new.total", 1),
    "N002": lambda: _narrated("共收到政府信息公开申请{}件", "requests.new.total", 1000),
    "N003": lambda: _narrated("上年结转政府信息公开申请{}件", "requests.carried_over.total", 1),
    "N004": lambda: _narrated("结转下年度继续办理{}件", "requests.carried_forward.total", 1),
    "N005": lambda: _narrated("行政复议{}件", "appeals.review.total", 1),
    "N006": lambda: _narrated(
        "行政诉讼{}件", ("appeals.litigation_direct.total", "appeals.litigation_after_review.total"), 1
    ),
    "N007": lambda: _with_sentences(
        "本机关2018年度共主动公开政府信息7256条。", "本机关2019年度共主动公开政府信息7256条。"
    ),
    "N008": lambda: _narrated("共办结政府信息公开申请{}件", "requests.total.total", 1000),
    "N009": lambda: _with_sentences(
        "本年度收到的申请均已按时办结。", "上年结转的申请均已办结。", s=consistent(seed=0)
    ),  # seed 0 carries 12 requests forward
    "N010": lambda: (
        record_of(consistent(), edit=lambda t: _problems(t, "无")),
        record_of(consistent(), edit=lambda t: _problems(t, "一是政策解读形式单一；二是答复规范性有待提高。")),
    ),
    "S001": lambda: record_of(consistent(), edit=lambda t: t.split("四、政府信息公开行政复议")[0]),
    "S002": lambda: record_of(consistent(), edit=lambda t: _drop_row(t, "4.保护第三方合法权益")),
    "S003": lambda: record_of(
        consistent(), edit=lambda t: t.replace("政府集中采购\n", "其他主动公开文件\n1\n2\n3\n政府集中采购\n")
    ),
    "S004": lambda: record_of(synth.random_report(6, "2021", blanks=0.3), shape="html"),
    "S005": lambda: record_of(mutate(consistent(), requests__new__total=None)),
    "S006": lambda: record_of(consistent("2021"), shape="markdown", edit=lambda t: _unlabel(t, "2.重复申请")),
    "S007": lambda: record_of(
        consistent("2021"), shape="markdown", edit=lambda t: t.replace("## 四、", "| 5 | 5 |\n## 四、")
    ),
    "S008": lambda: record_of(
        mutate(
            consistent("2021"),
            active__normative_documents__issued=62,
            active__normative_documents__repealed=3,
            active__normative_documents__in_force=3440,
        ),
        edit=lambda t: _glue(t, "行政规范性文件", 3),
    ),
    "S009": lambda: record_of(consistent(), edit=lambda t: _glue(t, "（一）予以公开", 7)),
    "S010": lambda: record_of(consistent("2021"), shape="markdown", edit=lambda t: _shorten(t, "| 规章 |")),
    "S011": lambda: parse_bytes(synth.render_html(consistent()).encode() + b"\xe5\x85", source="test"),
    "S012": lambda: record_of(
        consistent(),
        edit=lambda t: t.replace("（一）予以公开\n", "注：本表申请均已按时办结；另有电话咨询 3 宗\n（一）予以公开\n"),
    ),
    "S013": lambda: _ocr_record(consistent(), "requests.new.natural_person", 0.5),
    "H002": lambda: _ocr_record(
        bump(consistent(), "requests.carried_forward.natural_person", "requests.carried_forward.total"),
        "requests.carried_forward.natural_person",
        0.5,
    ),
    "S015": lambda: _ocr_record(consistent(), "requests.new.natural_person", 0.95),
    "S014": lambda: record_of(consistent(), shape="html", edit=lambda t: _word_in_cell(t, "规章", "见附件")),
    "H001": lambda: record_of(
        mutate(
            consistent(),
            requests__new__natural_person=1,
            requests__new__commercial=2,
            requests__new__research=0,
            requests__new__nonprofit=0,
            requests__new__legal_services=0,
            requests__new__other_org=0,
            requests__new__total=12,
        )
    ),
}


def _narrated(sentence: str, keys: str | tuple[str, ...], off: int):
    s = consistent()
    table_value = sum(s.values[k] for k in ((keys,) if isinstance(keys, str) else keys))
    right = sentence.format(table_value)
    wrong = sentence.format(table_value + off)
    return record_of(s, edit=with_text(f"全年{wrong}。")), record_of(s, edit=with_text(f"全年{right}。"))


def _with_sentences(wrong: str, right: str, s: synth.Synthetic | None = None):
    """(a report whose text says ``wrong``, the same report saying ``right``)."""
    s = s or consistent()
    return record_of(s, edit=with_text(wrong)), record_of(s, edit=with_text(right))


def _problems(text: str, body: str) -> str:
    """Section 五 with ``body`` as its text, followed by section 六."""
    head = "五、存在的主要问题及改进情况\n"
    return text.split(head)[0] + head + body + "\n六、其他需要报告的事项\n无\n"


def _glue(text: str, label: str, width: int) -> str:
    """The cells after ``label`` run together, as scraped page text prints them."""
    lines = text.splitlines()
    at = lines.index(label)
    lines[at + 1 : at + 1 + width] = ["".join(lines[at + 1 : at + 1 + width])]
    return "\n".join(lines)


def _drop_money_unit(text: str) -> str:
    lines = text.splitlines()
    at = lines.index("政府集中采购")
    lines[at + 2] = lines[at + 2].replace("万元", "").replace("元", "")
    return "\n".join(lines)


def _drop_row(text: str, label: str) -> str:
    lines = text.splitlines()
    at = lines.index(label)
    del lines[at : at + 8]
    return "\n".join(lines)


def _ocr_record(s: synth.Synthetic, key: str, confidence_of_key: float):
    """The report as if read by OCR from a picture (the engine stood in for by the HTML reader), one
    value recognised with ``confidence``: the wiring of parse.py, without the slow optional engine."""
    from unittest import mock

    from disclosure_cli.readers import ocr
    from disclosure_cli.readers.html import read_html

    cells = read_html(synth.render_html(s))
    confidence = {c.loc: 0.95 for c in cells if c.kind == "value"}
    record = parse_bytes(synth.render_html(s).encode())
    confidence[record.values[key].loc] = confidence_of_key
    result = ocr.OcrResult(cells, confidence)
    with mock.patch.object(ocr, "ocr_image", return_value=result):
        return parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, source="scan.png")


def _shorten(text: str, start: str) -> str:
    """The row starting with ``start`` a cell short, as a PDF export prints it."""
    return "\n".join(
        "|".join(line.split("|")[:-2]) + "|" if line.startswith(start) else line for line in text.splitlines()
    )


def _unlabel(text: str, label: str) -> str:
    return "\n".join("|" + line.split("|", 2)[2] if label in line else line for line in text.splitlines())


def test_every_rule_has_a_trigger_example():
    # the cross-year (Y) rules need several reports: tests/test_series.py triggers each of them
    assert set(TRIGGERS) == {r.code for r in RULES if not r.code.startswith("Y")}


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_rule_triggers(code):
    made = TRIGGERS[code]()
    record = made[0] if isinstance(made, tuple) else made
    assert code in codes(record)


@pytest.mark.parametrize("code", sorted(c for c in TRIGGERS if c.startswith("N")))
def test_narrative_rules_stay_quiet_when_the_text_agrees(code):
    _, agreeing = TRIGGERS[code]()
    assert not [f for f in audit(agreeing).findings if f.code.startswith("N")]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_consistent_reports_trigger_nothing(seed, fmt):
    record = record_of(synth.random_report(seed, fmt), shape="html")
    assert audit(record).findings == []


def test_seed_audits_clean():
    from disclosure_cli.parse import parse_path

    result = audit(parse_path(str(SEED)))
    assert result.findings == []
    assert result.evaluated == 7 + 7 + 23 + 3


def test_negative_change_in_table2_is_not_a_bad_count():
    record = record_of(mutate(consistent(), active__licensing__change=-5, active__licensing__prior_items=50))
    assert "R004" not in codes(record)


def test_equation_shows_the_published_numbers_and_where_they_are():
    s = bump(consistent(seed=9), "requests.carried_forward.natural_person", "requests.carried_forward.total")
    record = record_of(s)
    f = next(f for f in audit(record).findings if f.code == "R001" and f.where == "requests.*.natural_person")
    v = s.values
    new, over = v["requests.new.natural_person"], v["requests.carried_over.natural_person"]
    total, fwd = v["requests.total.natural_person"], v["requests.carried_forward.natural_person"]
    left = f"本年新收 {new} + 上年结转 {over}（{new + over}）" if over else f"本年新收 {new}"
    rest = "" if over else "（其余各项为0）"  # issue 12: zero terms left out, and said so
    assert f.equation_zh == f"自然人列：{left} ≠ 办理结果总计 {total} + 结转下年度 {fwd}（{total + fwd}）{rest}"
    assert (f.expected, f.actual, f.difference) == (new + over, total + fwd, 1)
    lines = synth.render_lines(s).splitlines()
    for term in f.terms:
        assert lines[term.loc.line - 1] == term.raw


def test_blank_total_is_one_unfilled_total_not_a_mismatch_per_sum():
    record = record_of(mutate(consistent(), requests__new__total=None))
    found = audit(record).findings
    assert [f.code for f in found] == ["S004", "S005"]


def test_blank_conventions():
    s = synth.random_report(6, "2021", blanks=0.3)
    record = record_of(s, shape="html")
    zero, skip = audit(record, "zero"), audit(record, "skip")
    assert zero.evaluated > skip.evaluated
    assert skip.skipped > zero.skipped
    assert all(f.blank_dependent for f in zero.findings if f.code in ("R001", "R002", "R003", "A001"))
    assert not [f for f in skip.findings if f.code in ("R001", "R002", "R003", "A001")]


def test_digit_hint_names_the_two_cells():
    record = TRIGGERS["H001"]()
    hint = next(f for f in audit(record).findings if f.code == "H001")
    assert [t.key for t in hint.terms] == ["requests.new.natural_person", "requests.new.commercial"]
    assert "1 and 2 are one number 12" in hint.message_en


def test_issue_12_answered_count_is_read_as_tolerantly_as_n002():
    """「办结N件」 equal to 一 or 一+二 (not （七）总计) is not a finding; a part (「其中公开答复」) is not read."""
    s = consistent()
    for n in (s.values["requests.new.total"], s.values["requests.new.total"] + s.values["requests.carried_over.total"]):
        assert "N008" not in codes(record_of(s, edit=with_text(f"全年共办结政府信息公开申请{n}件。")))
    assert "N008" not in codes(record_of(s, edit=with_text("全年共收到申请若干件，其中公开答复1件。")))


def test_issue_12_all_closed_is_quiet_without_carried_forward():
    s = consistent()  # seed 4: nothing carried forward
    assert s.values["requests.carried_forward.total"] == 0
    assert "N009" not in codes(record_of(s, edit=with_text("本年度收到的申请均已按时办结。")))


def test_issue_12_new_narrative_rules_are_silent_on_every_fixture():
    from disclosure_cli.parse import parse_path

    from .conftest import FIXTURES

    for path in sorted(FIXTURES.iterdir()):
        found = {f.code for f in audit(parse_path(str(path))).findings}
        assert not found & {"N007", "N008", "N009", "N010"}, path.name
