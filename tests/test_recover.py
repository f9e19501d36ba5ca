"""Glued cells: read back when the identities allow one reading, never guessed wrong otherwise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_cli import synth
from disclosure_cli.audit import audit
from disclosure_cli.parse import parse_bytes
from disclosure_cli.recover import splits


def test_splits_never_make_leading_zeros():
    assert splits("1000001", 7) == (("1", "0", "0", "0", "0", "0", "1"),)
    assert splits("105", 2) == (("10", "5"),)
    assert ("1", "05") not in splits("105", 2)
    assert splits("00", 1) == ()


def glue(s: synth.Synthetic, rows: set[str], spaces: bool) -> str:
    """The flattened page with the cells of ``rows`` run together (some keep a space, as scrapes do)."""
    out = []
    for token in synth.render_lines(s).splitlines():
        out.append(token)
    text = "\n".join(out)
    for row in s.spec.table("requests").rows:
        if row.key not in rows:
            continue
        lines = text.splitlines()
        at = lines.index(row.label)
        cells = lines[at + 1 : at + 8]
        joined = (cells[0] + " " + "".join(cells[1:])) if spaces else "".join(cells)
        lines[at + 1 : at + 8] = [joined]
        text = "\n".join(lines)
    return text


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    picks=st.sets(st.integers(0, 24), min_size=1, max_size=25),
    spaces=st.booleans(),
)
def test_glued_rows_are_read_exactly_or_left_unread(seed, fmt, picks, spaces):
    s = synth.random_report(seed, fmt)
    rows = [r.key for r in s.spec.table("requests").rows]
    glued = {rows[i % len(rows)] for i in picks}
    record = parse_bytes(glue(s, glued, spaces).encode())
    unread = {w.message for w in record.warnings if w.code == "row-ambiguous"}
    for row in glued:
        for col in s.spec.table("requests").rows[0].columns:
            v = record.values[f"requests.{row}.{col.key}"]
            if v.raw is None:  # left unread: a warning lists the readings
                assert any(s.spec.table("requests").row(row).label in m for m in unread)
            else:
                assert v.value == s.values[v.key], (v.key, v.raw, v.inferred)
                assert v.inferred
    result = audit(record)
    assert not [f for f in result.findings if f.code in ("R001", "R002", "R003")]
    if record.inferred_identities:
        assert result.used_for_reading > 0
