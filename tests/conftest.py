"""Shared test fixtures: the bundled seed, and the real corpus in ../shared (skipped when absent)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "seed_shenzhen_2020.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"


def same_value(a, b) -> bool:
    """Two record values agree: both blank (None), or equal numbers (money to a millionth of 万元)."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)


def corpus_manifest() -> list[dict]:
    """MANIFEST.tsv rows, or [] when ../shared is not there (tests using it then skip)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
