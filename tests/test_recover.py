"""Glued cells: read back when the identities allow one reading, never guessed wrong otherwise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_cli.auditing import audit
from disclosure_cli.cells import Cell, Location, classify
from disclosure_cli.formats import FORMATS
from disclosure_cli.parse import parse_bytes
from disclosure_cli.recover import Pending, describe, one_cell, one_cell_short, readings, resolve, splits
from disclosure_cli.testing import synth


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


def _cells(*raws: str) -> list[Cell]:
    return [classify(raw, Location(line=1, column=1 + i)) for i, raw in enumerate(raws)]


def test_a_token_is_one_cell_unless_its_digits_say_otherwise():
    assert [one_cell(c) for c in _cells("0", "24", "607,717", "12.50万元", "/", "-3", "１２")] == [True] * 7
    assert [one_cell(c) for c in _cells("00", "023", "1234567890123456", "1,0892466")] == [False] * 4


def test_a_row_one_cell_short_of_one_cell_tokens_is_short():
    assert one_cell_short(_cells("0", "2", "0", "0", "0", "24"), 7)
    assert not one_cell_short(_cells("0", "2", "0", "0", "0", "24"), 8)  # two cells short: glued or vanished
    assert not one_cell_short(_cells("0", "0", "0", "0", "0", "00"), 7)  # 「00」 is two cells run together
    assert not one_cell_short(_cells("4000004"), 7)


def _pending(fmt: str, row: str, *raws: str) -> Pending:
    table = FORMATS[fmt].table("requests")
    r = table.row(row)
    return Pending(table, [(r, c) for c in r.columns], _cells(*raws))


def test_resolve_returns_one_reading_per_pending_row_in_order():
    fmt = FORMATS["2019"]
    rows = [_pending("2019", "granted", "4000004"), _pending("2019", "carried_over", "0", "2", "0", "0", "0", "24")]
    for p in rows:
        readings(p, fmt)
    assert rows[1].short and rows[1].readings  # 0/2/0/0/0/2/4 fits the row's sum, and is not trusted
    result = resolve(rows, fmt, {})
    assert [None if r is None else describe(r) for r in result.chosen] == ["4/0/0/0/0/0/4", None]
    assert result.used == frozenset()  # the only split of 「4000004」 without leading zeros: no identity chose it


# --- issue 13, item 8: the candidates of a row left unread, reachable from the record ----------------


def _glued_5615(cells: tuple[str, ...] = ("5615",)) -> bytes:
    """A 2023 page whose 行政规范性文件 row prints ``cells`` (one per line) for 5 | 6 | 15."""
    (s,) = synth.random_series(13, 2023, 1)
    for col, n in zip(("issued", "repealed", "in_force"), (5, 6, 15)):
        s.values[f"active.normative_documents.{col}"], s.texts[f"active.normative_documents.{col}"] = n, str(n)
    lines = synth.render_lines(s).splitlines()
    at = lines.index("行政规范性文件", lines.index("二、主动公开政府信息情况"))
    lines[at + 1 : at + 4] = list(cells)
    return ("\n".join(lines) + "\n").encode()


def test_glued_rows_give_back_the_printed_digits_and_the_readings_the_note_lists():
    from msgspec.structs import replace

    from disclosure_cli.recover import glued_rows

    record = parse_bytes(_glued_5615())
    (note,) = [n for n in record.warnings if n.code == "row-ambiguous"]
    (row,) = glued_rows(record)
    assert row.note is note and row.row.key == "normative_documents" and row.pending.text == "5615"
    assert [describe(r) for r in row.readings] == ["5/6/15", "5/61/5", "56/1/5"]
    assert [p.value for p in row.readings[0] if p] == [5, 6, 15]
    # as a dataset gives the note back (no places of its numbers): one token at the note's place will do
    record.warnings = [replace(n, cells=()) if n is note else n for n in record.warnings]
    assert [describe(r) for r in glued_rows(record)[0].readings] == ["5/6/15", "5/61/5", "56/1/5"]
    assert note.data == {"text": "5615", "readings": ["5/6/15", "5/61/5", "56/1/5"]}
    # readings other than the note lists (another parser's, an edited one), or none kept: nothing
    listed = {"text": "5615", "readings": ["5/6/15", "56/1/5"]}
    record.warnings = [replace(n, data=listed) if n.code == "row-ambiguous" else n for n in record.warnings]
    assert glued_rows(record) == []
    record.warnings = [replace(n, data={}) if n.code == "row-ambiguous" else n for n in record.warnings]
    assert glued_rows(record) == []


def test_glued_rows_leave_out_what_they_cannot_recompute_exactly():
    from disclosure_cli.recover import glued_rows

    # two tokens on two lines: each may be one cell as printed, which the parser never cuts
    apart = parse_bytes(_glued_5615(("56", "15")))
    assert any(n.code == "row-ambiguous" for n in apart.warnings) and glued_rows(apart) == []
    # two one-cell tokens for three cells: a cell may be lost, the readings are not trusted
    short = parse_bytes(_glued_5615(("56 15",)))
    assert any(n.code == "row-ambiguous" for n in short.warnings) and glued_rows(short) == []
