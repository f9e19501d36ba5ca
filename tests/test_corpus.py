"""Real published pages in ../shared/corpus: golden records, and clear refusals for the rest.

Golden records (tests/golden/*.json) were written by reading each page by hand, independently of
the parser. Every value must match, blanks included.
"""

from __future__ import annotations

import json
import math

import pytest

from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_path

from .conftest import CORPUS, GOLDEN, corpus_manifest

GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: p.stem)
def test_golden_record(golden, corpus):
    expected = json.loads(golden.read_text(encoding="utf-8"))
    record = parse_path(str(corpus / expected["file"]))
    assert record.format == expected["format"]
    assert record.year == expected["year"]
    assert record.agency == expected["agency"]
    got = record.numbers()
    assert list(got) == list(expected["values"]), "keys and their order follow the format declaration"
    wrong = {k: (v, got[k]) for k, v in expected["values"].items() if not _same(v, got[k])}
    assert wrong == {}


def _expected_refusal(row: dict) -> str | None:
    if row["kind"] == "legacy":
        return "legacy-format"
    if row["kind"] == "no-report":
        return "no-table-text"
    if row["shape"] == "pdf":
        return "pdf"
    return None


MANIFEST = corpus_manifest()
GOLDEN_NAMES = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in GOLDEN_FILES}


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["file"])
def test_every_corpus_page_parses_exactly_or_is_refused_clearly(row, corpus):
    path = CORPUS / row["file"]
    refusal = _expected_refusal(row)
    if row["file"] in GOLDEN_NAMES:
        record = parse_path(str(path))
        assert (record.format, record.year) == (row["format"], int(row["year"]))
        return
    with pytest.raises(ReportError) as info:
        parse_path(str(path))
    if refusal is not None:
        assert info.value.reason == refusal
    else:
        # text pages whose cells are glued into runs of digits: never parsed into wrong numbers
        assert row["shape"] == "text-flattened"
        assert info.value.reason == "cells-not-separated", info.value.message
    assert "\n" not in info.value.message


def test_every_report_with_separated_cells_has_a_golden_record():
    if not MANIFEST:
        pytest.skip("../shared/corpus is not present")
    separated = {r["file"] for r in MANIFEST if r["shape"] in ("text-lines", "markdown-table", "html-table")}
    assert separated <= GOLDEN_NAMES
