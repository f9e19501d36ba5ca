"""Conservation of numbers: every number printed in a statistics table is read into a value, kept
under ``extra`` or named by a warning — exactly once — on every page the project has."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from disclosure_cli.errors import ReportError
from disclosure_cli.ledger import ledger
from disclosure_cli.testing import synth

from .conftest import CORPUS, FIXTURES, corpus_manifest


def _assert_balanced(data: bytes) -> int:
    _, book = ledger(data)
    assert [(c.raw, c.loc.describe()) for c in book.lost] == [], "numbers read nowhere"
    assert [(c.raw, c.loc.describe()) for c in book.twice] == [], "numbers read twice"
    assert book.checked == book.mapped + book.extra + book.named
    return book.checked


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_fixtures(path):
    assert _assert_balanced(path.read_bytes()) > 150


@pytest.mark.parametrize("row", corpus_manifest(), ids=lambda r: r["file"])
def test_corpus(row, corpus):
    try:
        _assert_balanced((CORPUS / row["file"]).read_bytes())
    except ReportError:
        assert row["kind"] != "report"


def _damage(text: str, rng: random.Random) -> str:
    """Drop one cell, duplicate one, or add a stray number: the ledger must still balance."""
    lines = text.splitlines()
    numeric = [i for i, line in enumerate(lines) if line.strip().isdigit()]
    if not numeric:
        return text
    at = rng.choice(numeric)
    how = rng.randrange(3)
    if how == 0:
        del lines[at]
    elif how == 1:
        lines.insert(at, lines[at])
    else:
        lines.insert(at, f"{lines[at]} 7")
    return "\n".join(lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    shape=st.sampled_from((*synth.SHAPES, *synth.WILD)),
    damaged=st.sampled_from(("none", "cell", "text")),
)
def test_renderings(seed, fmt, shape, damaged):
    """Every shape and layout of the wild, clean, with a cell missing, or with its text damaged."""
    s = synth.random_report(seed, fmt, blanks=0.1)
    if damaged == "cell":
        s = synth.damage(s, seed, synth.WILD.get(shape))
    text = synth.render(s, shape, seed)
    if damaged == "text":
        text = _damage(text, random.Random(seed))
    try:
        _assert_balanced(text.encode())
    except ReportError:
        assert damaged != "none"


@pytest.mark.parametrize(
    "shape, key",
    [
        ("lines", "active.procurement.amount"),
        ("flat", "requests.granted.natural_person"),
        ("padded-labels", "active.procurement.projects"),
        ("everything-padded-labels", "active.fees.prior_items"),
    ],
)
def test_a_row_left_unread_for_a_lost_cell_names_its_numbers(shape, key):
    """A text row a cell short, a padded row that lost its first cell: unread, every number named."""
    s = synth.random_report(7, "2019")
    d = replace(s, values=dict(s.values), texts=dict(s.texts), dropped=(key,), damaged=(key.rsplit(".", 1)[0],))
    record, book = ledger(synth.render(d, shape, 7).encode())
    assert all(v.raw is None for k, v in record.values.items() if k.startswith(d.damaged[0] + "."))
    assert book.balanced and book.named > 0
