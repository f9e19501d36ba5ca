"""Real published pages in ../shared/corpus: golden records, and clear refusals for the rest.

Golden records (tests/golden/*.json) were written by reading each page by hand, independently of
the parser. Every value must match, blanks included.
"""

from __future__ import annotations

import json

import pytest

from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_path

from .conftest import CORPUS, GOLDEN, corpus_manifest, same_value

GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: p.stem)
def test_golden_record(golden, corpus):
    """Every value read equals the page; a value not read sits in a row reported as unreadable."""
    expected = json.loads(golden.read_text(encoding="utf-8"))
    record = parse_path(str(corpus / expected["file"]))
    assert record.format == expected["format"]
    assert record.year == expected["year"]
    assert record.agency == expected["agency"]
    assert list(record.values) == list(expected["values"]), "keys and their order follow the format declaration"
    wrong = {
        k: (v, record.values[k].value)
        for k, v in expected["values"].items()
        if record.values[k].raw is not None and not same_value(v, record.values[k].value)
    }
    assert wrong == {}
    reported = {row for w in record.warnings if w.code == "row-ambiguous" for row in w.rows}
    unread = {k for k, v in expected["values"].items() if record.values[k].raw is None and v is not None}
    assert {k.rsplit(".", 1)[0] for k in unread} <= reported


def _expected_refusal(row: dict) -> str | None:
    if row["kind"] == "legacy":
        return "legacy-format"
    if row["kind"] == "no-report":
        return "no-table-text"
    return None


MANIFEST = corpus_manifest()
GOLDEN_NAMES = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in GOLDEN_FILES}


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["file"])
def test_every_corpus_page_parses_or_is_refused_clearly(row, corpus):
    refusal = _expected_refusal(row)
    if refusal is None:
        record = parse_path(str(CORPUS / row["file"]))
        assert (record.format, record.year) == (row["format"], int(row["year"]))
        return
    with pytest.raises(ReportError) as info:
        parse_path(str(CORPUS / row["file"]))
    assert info.value.reason == refusal
    assert "\n" not in info.value.message


def test_every_report_has_a_golden_record():
    if not MANIFEST:
        pytest.skip("../shared/corpus is not present")
    reports = {r["file"] for r in MANIFEST if r["kind"] == "report"}
    assert reports <= GOLDEN_NAMES
