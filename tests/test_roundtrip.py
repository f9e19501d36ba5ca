"""Property tests: a random consistent report, rendered in every shape, parses back to its numbers."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_cli.parse import parse_bytes
from disclosure_cli.testing import synth

from .conftest import same_value

VARIANTS = ("utf-8", "utf-8-bom", "traditional", "gbk", "big5")


def page_bytes(s: synth.Synthetic, shape: str, variant: str) -> bytes:
    text = synth.render(s, shape)
    if variant == "traditional":
        return synth.to_traditional(text).encode()
    if variant == "gbk":
        return synth.encode(text, "gbk")
    if variant == "big5":
        return synth.encode(synth.to_traditional(text), "big5")
    if variant == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode()
    return text.encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    shape=st.sampled_from(synth.SHAPES),
    variant=st.sampled_from(VARIANTS),
    blanks=st.sampled_from((0.0, 0.15)),
)
def test_rendered_report_parses_back_to_the_same_numbers(seed, fmt, shape, variant, blanks):
    s = synth.random_report(seed, fmt, blanks=blanks)
    record = parse_bytes(page_bytes(s, shape, variant), source=f"{shape}/{variant}")
    got = record.numbers()
    assert {k: v for k, v in s.values.items() if not same_value(v, got[k])} == {}
    assert (record.format, record.year, record.agency) == (fmt, s.year, s.agency)
    assert record.script == ("traditional" if variant in ("traditional", "big5") else "simplified")
    assert not [w for w in record.warnings if w.code in ("unknown-row", "row-missing", "stray-values")]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), fmt=st.sampled_from(("2019", "2021")))
def test_synthetic_reports_are_consistent(seed, fmt):
    """The generator itself: every identity of the format holds (the audit relies on it)."""
    s = synth.random_report(seed, fmt)
    for ident in s.spec.identities:
        table = s.spec.table(ident.table)
        if ident.per == "column":
            for col in table.rows[0].columns:
                lhs = sum(s.values[f"{table.key}.{r}.{col.key}"] for r in ident.lhs)
                rhs = sum(s.values[f"{table.key}.{r}.{col.key}"] for r in ident.rhs)
                assert lhs == rhs, (ident.code, col.key)
        else:
            for row in table.rows:
                lhs = sum(s.values[f"{table.key}.{row.key}.{c}"] for c in ident.lhs)
                rhs = sum(s.values[f"{table.key}.{row.key}.{c}"] for c in ident.rhs)
                assert lhs == rhs, (ident.code, row.key)
