"""Issue 13, item 8: a series settles glued table-2 rows that one report leaves open, or says why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import disclosure_cli
from disclosure_cli.api import audit, trend
from disclosure_cli.parse import parse_bytes, parse_path
from disclosure_cli.record import Record
from disclosure_cli.recover import glued_rows
from disclosure_cli.series import group
from disclosure_cli.settling import SETTLED, decisions, settle, unsettled
from disclosure_cli.testing import synth

# the table-2 rows a running total covers (Y002-Y004), by format
COVERED = {
    "2021": ("regulations", "normative_documents"),
    "2019": ("regulations", "normative_documents", "licensing", "other_services", "penalties", "coercion", "fees"),
}


def glue(s: synth.Synthetic, row_key: str) -> str:
    """The page one cell per line, with the cells of table-2 row ``row_key`` run together."""
    lines = synth.render_lines(s).splitlines()
    at = lines.index(s.spec.table("active").row(row_key).label, lines.index("二、主动公开政府信息情况"))
    width = len(s.printed("active", row_key))
    lines[at + 1 : at + 1 + width] = ["".join(lines[at + 1 : at + 1 + width])]
    return "\n".join(lines) + "\n"


def read(s: synth.Synthetic, glued: str | None = None) -> Record:
    text = synth.render_lines(s) if glued is None else glue(s, glued)
    return parse_bytes(text.encode(), source=f"{s.year}.txt")


def set_row(s: synth.Synthetic, row: str, **values: int) -> None:
    for col, n in values.items():
        s.values[f"active.{row}.{col}"], s.texts[f"active.{row}.{col}"] = n, str(n)


def unread(record: Record, row: str) -> bool:
    return all(v.raw is None for v in record.values.values() if v.table == "active" and v.row == row)


def ambiguous(record: Record, row: str) -> bool:
    return any(n.code == "row-ambiguous" and n.rows == (f"active.{row}",) for n in record.warnings)


@pytest.fixture
def issue_example() -> list[synth.Synthetic]:
    """「行政规范性文件5615」 (three readings) after a year with 16 in force: only 5|6|15 agrees."""
    first, second = synth.random_series(13, 2022, 2)
    set_row(first, "normative_documents", issued=20, repealed=4, in_force=16)
    set_row(second, "normative_documents", issued=5, repealed=6, in_force=15)
    return [first, second]


def test_issue_13_item_8_last_years_in_force_settles_5615(issue_example):
    first, second = issue_example
    before, glued = read(first), read(second, "normative_documents")
    assert ambiguous(glued, "normative_documents") and unread(glued, "normative_documents")
    (row,) = glued_rows(glued)
    assert row.pending.text == "5615" and len(row.readings) == 3  # 5|6|15, 5|61|5, 56|1|5
    out = settle([before, glued])
    assert out[0] is before  # nothing to settle there: the record itself
    settled = out[1]
    assert [settled.get("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [5, 6, 15]
    v = settled.values["active.normative_documents.in_force"]
    assert SETTLED in (v.inferred or "") and "2022" in (v.inferred or "") and v.raw == "15"
    assert not ambiguous(settled, "normative_documents")
    (n,) = [n for n in settled.warnings if n.rows == ("active.normative_documents",)]
    assert n.code == "row-recovered" and "2022" in n.message and "2022年" in (n.message_zh or "")
    assert unread(glued, "normative_documents")  # the caller's record is not changed
    assert unsettled(group(out)[0]) == []


def test_the_next_year_settles_too(issue_example):
    first, second = issue_example
    third = synth.random_report(5, after=second)  # 2024: 15 in force last year
    out = settle([read(first), read(second), read(third)])
    assert out[1].get("active", "normative_documents", "in_force") == 15
    # 2023 alone next to 2024 (no 2022): 2024's in force, issued and repealed fix 2023's in force
    out = settle([read(second, "normative_documents"), read(third)])
    v = out[0].values["active.normative_documents.in_force"]
    assert v.value == 15 and "2024" in (v.inferred or "")


def test_no_reading_agrees_with_the_neighbour_stays_unread_with_y008(issue_example):
    first, second = issue_example
    set_row(first, "normative_documents", issued=20, repealed=4, in_force=90)  # 90 + a − b never fits 5615
    records = [read(first), read(second, "normative_documents")]
    out = settle(records)
    assert out[1] is records[1] and unread(out[1], "normative_documents")
    ((record, f),) = unsettled(group(out)[0])
    assert record is out[1] and f.code == "Y008" and f.where == "active.normative_documents"
    assert "5615" in f.message_en and "2022's in_force 90" in f.message_en and "2022年" in f.message_zh
    assert [t.value for t in f.terms] == [90] and f.terms[0].source == "2022.txt"
    # the commands say it: audit across years and trend
    report = audit(records)
    assert [f.code for s in report.series for f in s.shown] == ["Y008"]
    assert "S008" in {f.code for r in report.reports for f in r.shown}  # the row is still unread
    assert [f.code for s in trend(records).series for f in s.findings] == ["Y008"]


def test_several_readings_left_change_nothing():
    first, second = synth.random_series(21, 2022, 2)
    set_row(first, "normative_documents", issued=1, repealed=0, in_force=1)
    set_row(second, "normative_documents", issued=10, repealed=1, in_force=10)  # 「10110」: 10|1|10 or 10|11|0
    records = [read(first), read(second, "normative_documents")]
    (d,) = decisions(group(records)[0])
    assert d.outcome == "open" and len(d.kept) == 2
    out = settle(records)
    assert out[1] is records[1] and unread(out[1], "normative_documents")
    assert unsettled(group(out)[0]) == []


def test_two_glued_neighbours_never_settle_each_other(issue_example):
    first, second = issue_example
    # both years glued: neither has a read value to judge the other by (one pass, no circles)
    out = settle([read(first, "normative_documents"), read(second, "normative_documents")])
    assert unread(out[0], "normative_documents") and unread(out[1], "normative_documents")
    # a year settled earlier (a dataset stores it) does not judge its neighbour either
    third = synth.random_report(5, after=second)
    settled = settle([read(first), read(second, "normative_documents")])[1]
    out = settle([settled, read(third, "normative_documents")])
    assert out[0] is settled and unread(out[1], "normative_documents")


def test_settle_is_exported_and_keeps_order(issue_example):
    first, second = issue_example
    records = [read(second, "normative_documents"), read(first)]
    out = disclosure_cli.settle(records)
    assert out[1] is records[1] and out[0].get("active", "normative_documents", "in_force") == 15
    assert "settle" in disclosure_cli.__all__


def test_audit_across_years_audits_the_settled_record(issue_example):
    first, second = issue_example
    records = [read(first), read(second, "normative_documents")]
    report = audit(records)
    settled = report.reports[1].record
    assert settled.get("active", "normative_documents", "in_force") == 15
    codes = {f.code for f in report.reports[1].shown}
    assert "S008" not in codes and "S009" in codes
    assert not [f for s in report.series for f in s.shown]
    # without across_years nothing is settled
    alone = audit(records, across_years=False)
    assert alone.reports[1].record.get("active", "normative_documents", "in_force") is None


def _series(seed: int, fmt: str, years: int) -> list[synth.Synthetic]:
    return synth.random_series(seed, 2021 if fmt == "2021" else 2019, years if fmt == "2021" else 2)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    pick=st.integers(0, 100),
    which=st.integers(0, 2),
    both=st.booleans(),
)
def test_settled_values_are_the_true_numbers_or_left_unread(seed, fmt, pick, which, both):
    reports = _series(seed, fmt, 3)
    row = COVERED[fmt][pick % len(COVERED[fmt])]
    target = which % len(reports)
    glued = {target} | ({(target + 1) % len(reports)} if both else set())
    records = [read(s, row if i in glued else None) for i, s in enumerate(reports)]
    out = settle(records)
    for i in glued:
        for col in reports[i].printed("active", row):
            v = out[i].values[f"active.{row}.{col.key}"]
            if v.raw is not None:
                assert v.value == reports[i].values[v.key], (v.key, v.raw, v.inferred)
    series = group(out)[0]
    assert unsettled(series) == []  # a consistent series: the true reading always agrees
    assert [f for f in trend(out).series[0].findings if f.code == "Y008"] == []


def test_settling_happens_on_consistent_series():
    """The property above is not vacuous: over a few seeds, glued rows are settled (and right)."""
    settled = 0
    for seed in range(30):
        reports = _series(seed, "2021", 3)
        records = [read(reports[0]), read(reports[1], "normative_documents"), read(reports[2])]
        was = unread(records[1], "normative_documents")
        out = settle(records)
        if was and not unread(out[1], "normative_documents"):
            settled += 1
            for col in ("issued", "repealed", "in_force"):
                key = f"active.normative_documents.{col}"
                assert out[1].values[key].value == reports[1].values[key]
    assert settled >= 5


# --- the corpus: the zone's and the bureaus' glued rows ---------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SERIES = {
    "zone": ("007", "008", "009", "004", "010"),  # 平潭综合实验区 2021-2025
    "finance": ("027", "028", "029", "030", "031", "032", "033"),  # 财政金融局 2019-2025
    "approval": ("041", "039", "040", "042"),  # 行政审批局 2022-2025
    "police": ("034", "035", "036"),  # 公安局 2021, 2022, 2024
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[Record]]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus not present")
    return {name: [parse_path(str(next(CORPUS.glob(f"{n}_*")))) for n in numbers] for name, numbers in SERIES.items()}


def _by_year(records: list[Record]) -> dict[int, Record]:
    return {r.year: r for r in records if r.year is not None}


def test_corpus_zone_2023_agrees_with_no_reading_and_2024_2025_stay_open(corpus):
    records = corpus["zone"]
    before = _by_year(records)
    assert all(ambiguous(before[y], "normative_documents") for y in (2021, 2023, 2024, 2025))
    out = _by_year(settle(records))
    for year in (2021, 2023, 2024, 2025):  # 2021: two readings agree with 2022; 2024/2025: no read neighbour
        assert out[year] is before[year] and unread(out[year], "normative_documents")
    found = [(r.year, f) for r, f in unsettled(group(list(out.values()))[0])]
    assert [(y, f.code) for y, f in found] == [(2023, "Y008")]
    assert "77132470" in found[0][1].message_en and "698" in found[0][1].message_en


def test_corpus_bureaus(corpus):
    finance = _by_year(settle(corpus["finance"]))
    # 2019 规范性文件「1077」: 1|0|77 or 10|7|7; 2020 prints 对外公开总数量 11 with 4 newly published
    values = [finance[2019].get("active", "normative_documents", c) for c in ("new_made", "new_published")]
    assert [*values, finance[2019].get("active", "normative_documents", "total_published")] == [10, 7, 7]
    assert "2020" in (finance[2019].values["active.normative_documents.total_published"].inferred or "")
    assert [(r.year, f.code, f.where) for r, f in unsettled(group(list(finance.values()))[0])] == [
        (2019, "Y008", "active.penalties")  # 「3500」 against 2020's 上一年项目数量 0
    ]
    approval = _by_year(settle(corpus["approval"]))
    # 2022 「2025」: 2|0|25 or 20|2|5, but 2023 has 16 in force after issuing 5 and repealing 4 (15 before)
    assert unread(approval[2022], "normative_documents")
    assert [(r.year, f.code) for r, f in unsettled(group(list(approval.values()))[0])] == [(2022, "Y008")]
    # 2023-2025 were read from their own pages (the prose settles them); settling changes none of them
    for year in (2023, 2024, 2025):
        assert approval[year] is _by_year(corpus["approval"])[year]
    police = settle(corpus["police"])
    assert all(a is b for a, b in zip(police, corpus["police"]))
