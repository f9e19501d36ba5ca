"""Mutation test: any single changed number of table 3 or 4 is flagged by an identity naming its
row or column; unmodified consistent reports give no identity finding."""

from __future__ import annotations

import json

import pytest

from disclosure_cli.auditing.mutation import identity_findings, mutation_score
from disclosure_cli.parse import parse_bytes, parse_path
from disclosure_cli.testing import synth

from .conftest import GOLDEN, SEED


def _corpus_records(corpus):
    for golden in sorted(GOLDEN.glob("*.json")):
        yield parse_path(str(corpus / json.loads(golden.read_text(encoding="utf-8"))["file"]))


def test_seed_every_single_change_is_caught():
    record = parse_path(str(SEED))
    assert identity_findings(record) == []
    score = mutation_score(record)
    assert score.mutated == 2 * (161 + 15)
    assert score.missed == []


def test_corpus_reports_every_single_change_is_caught(corpus):
    """Over the consistent corpus reports (those that publish an inconsistency are left out)."""
    checked = 0
    for record in _corpus_records(corpus):
        if identity_findings(record):
            continue
        score = mutation_score(record)
        assert score.missed == [], record.source
        checked += score.mutated
    assert checked > 1000


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_synthetic_reports_every_single_change_is_caught(seed, fmt):
    record = parse_bytes(synth.render_html(synth.random_report(seed, fmt, blanks=0.1 * (seed % 2))).encode())
    assert identity_findings(record) == []
    assert mutation_score(record).missed == []
