"""The suspect (issue 12, point 1): one changed number is named, with the value the identities imply."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_cli.auditing import audit
from disclosure_cli.auditing.suspect import describe_location
from disclosure_cli.parse import parse_bytes
from disclosure_cli.testing import synth

from .conftest import SEED

IDENTITY_CODES = {"R001", "R002", "R003", "A001"}
SEED_LINE = 265  # 四、結轉下年度繼續辦理 / 自然人 in the bundled example: 147


def parsed(s: synth.Synthetic):
    return parse_bytes(synth.render(s, "lines").encode(), source="test")


def changed(s: synth.Synthetic, key: str, value: int) -> synth.Synthetic:
    s.values[key] = value
    s.texts[key] = str(value)
    return s


def identity_findings(result):
    return [f for f in result.findings if f.code in IDENTITY_CODES]


def seed_with(line: int, text: str) -> bytes:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = text
    return "\n".join(lines).encode()


def test_issue_12_seed_changed_carried_forward_names_the_changed_line():
    """The finding for a changed 结转下年度 cell points at line 265 (the changed one), not line 85 (新收)."""
    assert SEED.read_text(encoding="utf-8").split("\n")[SEED_LINE - 1] == "147"
    result = audit(parse_bytes(seed_with(SEED_LINE, "148"), source="seed"))
    found = identity_findings(result)
    assert {f.code for f in found} == {"R001", "R003"}
    for f in found:
        assert f.suspect is not None and not f.candidates
        assert f.suspect.key == "requests.carried_forward.natural_person"
        assert (f.suspect.value, f.suspect.implied, f.suspect.loc.line) == (148, 147, SEED_LINE)
        assert f.location() == "line 265"  # the changed line, not line 85 (新收)
        assert f.location("zh") == "第265行"
        assert f.suspect_text("zh") == "最可能出错：结转下年度·自然人 148（按恒等式应为147），第265行"
        assert f.suspect_text("en") == (
            "most likely wrong: carried forward · natural persons 148 (the identities imply 147), line 265"
        )
    d = found[0].as_dict("zh")
    assert d["suspect"] == {
        "key": "requests.carried_forward.natural_person",
        "label": "结转下年度·自然人",
        "value": 148,
        "raw": "148",
        "implied": 147,
        "loc": {"line": SEED_LINE, "column": 1},
        "location": "第265行",
    }
    assert "candidates" not in d
    json.dumps(d, ensure_ascii=False)  # serialisable as it is


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(8))
def test_consistent_reports_name_no_suspect(seed, fmt):
    result = audit(parsed(synth.random_report(seed, fmt)))
    assert result.checks and all(c.holds for c in result.checks)
    assert all(f.suspect is None and not f.candidates for f in result.findings)
    assert all("suspect" not in f.as_dict() and "candidates" not in f.as_dict() for f in result.findings)


def test_seed_names_no_suspect():
    result = audit(parse_bytes(SEED.read_bytes(), source="seed"))
    assert all(f.suspect is None and not f.candidates for f in result.findings)


TABLE3 = sorted(k for k in synth.random_report(0, "2021").values if k.startswith("requests."))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    fmt=st.sampled_from(["2019", "2021"]),
    index=st.integers(0, len(TABLE3) - 1),
    how=st.sampled_from(["plus", "minus", "digit"]),
    by=st.integers(1, 40),
)
def test_one_changed_table3_value_is_the_suspect(seed, fmt, index, how, by):
    """Every table-3 cell is in its row's 总计 identity and in its column's R001 and/or R002: when it
    alone changes, every failing identity names it, with the published value as the implied one."""
    s = synth.random_report(seed, fmt)
    key = TABLE3[index]
    if key not in s.values:  # a 2019-only or 2021-only row
        key = "requests.granted.natural_person"
    original = s.values[key]
    new = {"plus": original + by, "minus": max(0, original - by), "digit": original * 10 + 7}[how]
    if new == original:
        new = original + by
    result = audit(parsed(changed(s, key, new)))
    assert not result.record.inferred_identities
    found = identity_findings(result)
    assert len(found) >= 2
    for f in found:
        assert f.suspect is not None, f.message("en")
        assert f.suspect.key == key
        assert f.suspect.value == new
        assert f.suspect.implied == original
        assert not f.candidates


def test_table4_change_leaves_candidates():
    """A table-4 cell is in one identity only: several values could fix it; no single suspect."""
    s = synth.random_report(3, "2021")
    key = "appeals.review.pending"
    original = s.values[key]
    result = audit(parsed(changed(s, key, original + 2)))
    (f,) = identity_findings(result)
    assert f.code == "A001" and f.suspect is None
    keys = {c.key for c in f.candidates}
    assert key in keys and len(keys) > 1
    assert next(c for c in f.candidates if c.key == key).implied == original
    assert f.suspect_text("zh").startswith("可能出错（其中之一）：")
    assert [c["key"] for c in f.as_dict()["candidates"]] == [c.key for c in f.candidates]


def test_candidates_leave_out_impossible_values():
    """A candidate's implied value must be a possible count: none below zero."""
    s = synth.random_report(3, "2021")
    for col in ("upheld", "corrected", "other", "pending", "total"):
        changed(s, f"appeals.review.{col}", 0)
    changed(s, "appeals.review.upheld", 1)
    result = audit(parsed(s))
    (f,) = identity_findings(result)
    assert {c.key: c.implied for c in f.candidates} == {"appeals.review.upheld": 0, "appeals.review.total": 1}


def test_two_changes_in_one_column_name_no_single_suspect_for_that_column():
    s = synth.random_report(5, "2019")
    for key in ("requests.granted.natural_person", "requests.partly_granted.natural_person"):
        changed(s, key, s.values[key] + 3)
    result = audit(parsed(s))
    column = next(f for f in identity_findings(result) if f.code == "R002" and f.where.endswith("natural_person"))
    assert column.suspect is None  # either row could be fixed, but neither alone fixes the column and its row
    rows = [f for f in identity_findings(result) if f.code == "R003"]
    assert {f.where for f in rows} == {"requests.granted", "requests.partly_granted"}


def test_checks_keep_every_evaluated_identity():
    result = audit(parsed(synth.random_report(1, "2019")))
    assert len(result.checks) == result.evaluated
    assert all(" = " in c.equation("zh") and "≠" not in c.equation("en") for c in result.checks)
    s = synth.random_report(1, "2019")
    bad = audit(parsed(changed(s, "requests.new.natural_person", s.values["requests.new.natural_person"] + 1)))
    failing = [c for c in bad.checks if not c.holds]
    assert {c.where for c in failing} == {"requests.*.natural_person", "requests.new"}
    assert all("≠" in c.equation("zh") and c.finding is not None for c in failing)


@pytest.mark.parametrize(
    ("loc", "zh", "en"),
    [
        ({"line": 265, "column": 1}, "第265行", "line 265"),
        ({"line": 10, "column": 5013}, "第10行第5013列", "line 10, column 5013"),
        ({"table": 2, "row": 4, "column": 3}, "第2个表格第4行第3列", "table 2, row 4, column 3"),
        ({"page": 3, "line": 7}, "第3页第7行", "page 3, line 7"),
    ],
)
def test_describe_location(loc, zh, en):
    from disclosure_cli.cells import Location

    assert describe_location(Location(**loc), "zh") == zh
    assert describe_location(Location(**loc), "en") == en
    assert describe_location(None, "zh") == ""
