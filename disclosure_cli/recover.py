"""Cells whose boundaries were lost: 「（一）予以公开6000017」 is seven cells run together.

What the format knows decides the reading: the row's width, which cells may be negative, and the
identities (row totals, and for table 3 the column balance and outcome total). A reading is accepted
only when exactly one satisfies every identity that applies; otherwise the row stays unread and a
warning lists the candidate readings. Values read this way are marked ``inferred``, and the
identities used to choose them are recorded so the audit does not count them as confirmation.

Two ways a row loses its boundaries:
- glued: the digits of neighbouring cells run together (「6000017」): each token splits into one or
  more numbers, and together they fill the row exactly;
- vanished: blank cells disappeared from flattened text (「26 26」 for seven cells): each token is
  one number, placed in order, and the slots left over were blank.

A third explanation is never read: a cell lost (a damaged page). When every token reads as one cell
and the row is exactly one cell short, a glued pair and a lost cell fit the page equally well, so the
row stays unread (``Pending.short``). A token alone on its line, in a row printed one cell per line,
is one cell (``Pending.whole``): the line breaks are the cell boundaries there.

:func:`resolve` returns a :class:`Resolution`, one entry per pending row in the order given.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from typing import TypeAlias

import msgspec

from .cells import Cell, Location, classify
from .formats import Bound, Column, Format, Row, Table
from .narrative import Statement
from .record import Note, Record

MAX_READINGS = 50_000  # per row: beyond this the row is left unread rather than guessed
MAX_JOINT = 200_000  # combinations of ambiguous rows tried against the column identities

_DIGITS = re.compile(r"[+\-]?\d+")


class Piece(msgspec.Struct, frozen=True):
    value: int | float | None
    raw: str
    loc: Location
    unit: str | None = None

    def as_cell(self) -> Cell:
        return Cell(self.raw, "null" if self.value is None else "value", self.loc, number=self.value, unit=self.unit)


Number: TypeAlias = int | float
Reading: TypeAlias = tuple[Piece | None, ...]  # one piece per slot; None: the slot's cell was blank
# one number cut from a token: (value, text, offset of the text in the token)
_Cut: TypeAlias = tuple[Number | None, str, int]
# a cut with the index of its token among the row's cells
_Entry: TypeAlias = tuple[int, Number | None, str, int]
_Parts: TypeAlias = tuple[str, str, str, str]


class Pending(msgspec.Struct, dict=True):
    """Cells that must fill ``slots`` but are not one per slot."""

    table: Table
    slots: list[tuple[Row, Column]]
    cells: list[Cell]
    units: dict[tuple[str, str], str] = msgspec.field(default_factory=dict)  # table 2 header units by (block, column)
    whole: frozenset[int] = frozenset()  # cells that are one cell as printed (alone on their line): never cut
    readings: list[Reading] = msgspec.field(default_factory=list)
    filtered: bool = False  # did an identity narrow the readings down?
    forced: bool = False  # the width alone fixes the reading, though the identities fail on it
    short: bool = False  # every token reads as one cell and one is missing: a lost cell fits as well as a glue
    stated: str | None = None  # the phrases of the text that left one reading (apply_statements)

    @property
    def text(self) -> str:
        return " ".join(c.raw for c in self.cells)

    @cached_property
    def rows(self) -> list[Row]:
        return list(dict.fromkeys(row for row, _ in self.slots))


def too_many(digits: str, k: int) -> bool:
    """More ways to cut ``digits`` into ``k`` numbers than a row may be read in: leave it unread."""
    return k > len(digits) or math.comb(len(digits) - 1, k - 1) > MAX_READINGS


@lru_cache(maxsize=1024)
def splits(digits: str, k: int) -> tuple[tuple[str, ...], ...]:
    """Every way to cut a digit string into ``k`` numbers without leading zeros (callers check
    :func:`too_many` first, so this never builds more than ``MAX_READINGS`` of them)."""
    if k == 1:
        return ((digits,),) if digits == "0" or not digits.startswith("0") else ()
    out = []
    first_max = 1 if digits.startswith("0") else len(digits) - k + 1
    for i in range(1, first_max + 1):
        out += [(digits[:i], *rest) for rest in splits(digits[i:], k - 1)]
    return tuple(out)


_SPLITTABLE = re.compile(r"([+\-]?)(\d+)((?:,\d{3})*)(\.\d+)?(\D*)")


def _parts(cell: Cell) -> _Parts | None:
    """(sign, leading digits, thousands groups, decimals and unit) of a token whose digits may hold
    several cells; None for a blank or a token that is not a plain number."""
    return None if cell.kind == "null" else _raw_parts(cell.raw)


@lru_cache(maxsize=4096)
def _raw_parts(raw: str) -> _Parts | None:
    """:func:`_parts` by the token's text: a row's tokens are looked at once per reading tried."""
    m = _SPLITTABLE.fullmatch(raw.replace(" ", ""))
    return (m.group(1), m.group(2), m.group(3), (m.group(4) or "") + m.group(5)) if m else None


def one_cell(cell: Cell) -> bool:
    """Does the token read as one cell as printed: a blank, or a number with no leading zero that
    the cell reader could parse (「023」, 「00」 and 16 digits are cells run together)?"""
    if cell.kind == "null":
        return True
    if cell.kind != "value" or cell.number is None:
        return False
    part = _parts(cell)
    return part is None or len(part[1]) == 1 or not part[1].startswith("0")


def one_cell_short(cells: Sequence[Cell], width: int) -> bool:
    """Every token one cell, and one cell fewer than the row has: a lost cell explains the page as
    well as two cells run together (or a blank vanished), so no reading can be trusted."""
    return len(cells) == width - 1 and all(one_cell(c) for c in cells)


def _token_options(cell: Cell, part: _Parts | None, k: int) -> Sequence[tuple[_Cut, ...]]:
    """The ways one token can be ``k`` numbers: tuples of (value, text, offset in the token).

    Thousands groups, decimals and a unit belong to the last number; a number with thousands
    groups has at most three digits before the first comma."""
    if part is None:
        if cell.kind == "value" and cell.number is None:
            return []  # digits that are no number and cannot be split by the rules below: no reading
        return [((cell.number if cell.kind != "null" else None, cell.raw, 0),)]
    _, digits, groups, _ = part
    if k == 1:
        return [] if (groups and len(digits) > 3) or cell.number is None else [((cell.number, cell.raw, 0),)]
    if too_many(digits, k):
        raise _TooMany
    return _cuts(part, k)


@lru_cache(maxsize=4096)
def _cuts(part: _Parts, k: int) -> tuple[tuple[_Cut, ...], ...]:
    """The ways to cut a token's digits into ``k`` (> 1) numbers: they depend on its text alone, and
    each row tries the same token in several counts, over several readings."""
    sign, digits, groups, rest = part
    out: list[tuple[_Cut, ...]] = []
    for numbers in splits(digits, k):
        if groups and len(numbers[-1]) > 3:
            continue
        offset, entries = 0, list[_Cut]()
        for n, number in enumerate(numbers):
            last = n == k - 1
            text = (sign if n == 0 else "") + number + (groups + rest if last else "")
            head = (sign if n == 0 else "") + number + (groups.replace(",", "") if last else "")
            decimals = rest.split("元")[0].split("万")[0].split("亿")[0] if last and rest[:1] == "." else ""
            entries.append((float(head + decimals) if decimals else int(head), text, offset))
            offset += len(text)
        out.append(tuple(entries))
    return tuple(out)


def _capacity(cells: Sequence[Cell], whole: frozenset[int] = frozenset()) -> list[int]:
    """How many numbers each token may be cut into (its digits; one for a blank or a whole token)."""
    parts = [_parts(c) for c in cells]
    return [1 if p is None or i in whole else len(p[1]) for i, p in enumerate(parts)]


def _glued_readings(
    cells: Sequence[Cell], pieces: int, whole: frozenset[int] = frozenset()
) -> Iterator[tuple[_Entry, ...]]:
    """Each token split into one or more numbers, ``pieces`` numbers in all (a ``whole`` token into
    one). A decimal or a unit stays with the last number cut from its token (「13575394432.52元」 may
    be 1357 and 5394432.52元). Yields tuples of (token index, value, text, offset)."""
    parts = [_parts(c) for c in cells]
    maxima = _capacity(cells, whole)
    # a token's options for a count, built once: the same (token, count) recurs in many compositions
    known: dict[tuple[int, int], list[tuple[_Entry, ...]]] = {}

    def token_options(i: int, k: int) -> list[tuple[_Entry, ...]]:
        got = known.get((i, k))
        if got is None:
            got = known[(i, k)] = [
                tuple((i, *entry) for entry in option) for option in _token_options(cells[i], parts[i], k)
            ]
        return got

    for counts in _compositions(pieces, maxima):
        options = [token_options(i, k) for i, k in enumerate(counts)]
        for combo in itertools.product(*options):
            yield tuple(entry for group in combo for entry in group)


def _with_blanks(reading: tuple[_Entry, ...], width: int) -> Iterator[tuple[_Entry | None, ...]]:
    """A reading of fewer numbers than cells: the missing cells were blank, anywhere in order."""
    if len(reading) == width:
        yield reading
        return
    for positions in itertools.combinations(range(width), len(reading)):
        out: list[_Entry | None] = [None] * width
        for pos, entry in zip(positions, reading):
            out[pos] = entry
        yield tuple(out)


def _compositions(total: int, maxima: list[int]) -> Iterator[tuple[int, ...]]:
    if not maxima:
        if total == 0:
            yield ()
        return
    first, rest = maxima[0], maxima[1:]
    for k in range(1, min(first, total - len(rest)) + 1):
        for tail in _compositions(total - k, rest):
            yield (k, *tail)


def _piece(cell: Cell, text: str, offset: int, value: Number | None) -> Piece:
    if cell.kind == "null":
        return Piece(None, cell.raw, cell.loc)
    loc = cell.loc
    if offset and loc.column is not None:
        loc = Location(loc.line, loc.column + offset, loc.table, loc.row)
    if text == cell.raw:
        return Piece(cell.number, text, loc, cell.unit)
    unit = cell.unit if cell.unit and text.endswith(cell.unit) else None
    return Piece(value, text, loc, unit)


class _RowCheck:
    """The identities and plausibility rules inside a pending row, compiled to slot indices."""

    def __init__(self, p: Pending, fmt: Format) -> None:
        index = {(row.key, col.key): i for i, (row, col) in enumerate(p.slots)}
        self.nonnegative = [i for i, (_, col) in enumerate(p.slots) if col.kind == "count"]
        self.sums: list[tuple[list[int], list[int]]] = []
        for ident in fmt.identities:
            if ident.per == "row" and ident.table == p.table.key:
                for row in p.rows:
                    terms = [(row.key, c) for c in (*ident.lhs, *ident.rhs)]
                    if all(t in index for t in terms):
                        self.sums.append(
                            ([index[(row.key, c)] for c in ident.lhs], [index[(row.key, c)] for c in ident.rhs])
                        )
        self.bounds: list[tuple[Bound, int, int]] = [  # plausibility bounds: (bound, left index, right index)
            (bound, index[(row.key, bound.left)], index[(row.key, bound.right)])
            for bound in fmt.bounds
            if bound.table == p.table.key
            for row in p.rows
            if row.key in bound.rows and (row.key, bound.left) in index and (row.key, bound.right) in index
        ]

    def __call__(self, values: Sequence[Number | None]) -> bool:
        for i in self.nonnegative:
            v = values[i]
            if v is not None and v < 0:
                return False
        for lhs, rhs in self.sums:
            if sum(values[i] or 0 for i in lhs) != sum(values[i] or 0 for i in rhs):
                return False
        return all(bound.holds(values[a], values[b]) for bound, a, b in self.bounds)


def row_identities_hold(p: Pending, fmt: Format) -> bool:
    """Do ``p``'s cells, one per slot, satisfy at least one identity inside the row, and all of them?"""
    check = _RowCheck(p, fmt)
    values = [None if c.kind == "null" else c.number for c in p.cells]
    return len(values) == len(p.slots) and bool(check.sums) and check(values)


class _TooMany(Exception):
    """A token with more possible readings than a row may be read in."""


def readings(p: Pending, fmt: Format) -> None:
    """Fill ``p.readings`` with the readings that satisfy the identities inside the row(s).

    Glued readings (every cell present) are tried when the digits can fill every cell; readings with
    vanished blank cells only when they cannot (a row both glued and gappy, with digits to spare, is
    too open to read). When no reading fits, the row stays unread even if the digits allow only one
    split: an inconsistent page and a misread one look the same here. A row one cell short whose
    every token is one cell (:func:`one_cell_short`) is marked ``short``: its readings are listed,
    never chosen.
    """
    width = len(p.slots)
    check = _RowCheck(p, fmt)
    capacity = sum(_capacity(p.cells, p.whole))
    fewest = width if capacity >= width else len(p.cells)
    p.short = one_cell_short(p.cells, width)
    try:
        _read(p, check, width, capacity, fewest)
        if not p.readings and capacity >= width and not p.short:
            _force(p, width)
    except _TooMany:
        p.readings = []


def _force(p: Pending, width: int) -> None:
    """No reading satisfies the identities: read the row anyway when its width alone fixes the
    numbers, so that the audit reports the publisher's broken sum instead of the row vanishing.

    Only plain runs of digits with exactly one digit per cell qualify (「100000000000000」 for
    table 4's 15 cells), and of several tokens only those that cannot be one cell are split (「00」):
    a 「29」 the page set apart is one number, and the row has lost cells rather than glued them. A
    run with thousands groups or decimals may have a single split under the grouping rules and still
    be wrong: its token boundaries are the tokenizer's guess, not the page's.
    """
    if any(c.kind != "value" or not c.raw.isascii() or not c.raw.isdigit() for c in p.cells):
        return
    if sum(len(c.raw) for c in p.cells) != width:
        return
    if len(p.cells) > 1 and any(len(c.raw) > 1 and one_cell(c) for c in p.cells):
        return  # 「29 0 3 1 67」: the page separated its numbers, and 29 reads as one; cells may be lost
    found: dict[tuple[Number | None, ...], tuple[_Entry, ...]] = {}
    for tried, glued in enumerate(_glued_readings(p.cells, width, p.whole)):
        if tried > MAX_READINGS:
            return
        found.setdefault(tuple(e[1] for e in glued), glued)
        if len(found) > 1:
            return
    if len(found) == 1:
        (reading,) = found.values()
        p.readings = [tuple(_piece(p.cells[e[0]], e[2], e[3], e[1]) for e in reading)]
        p.forced = True


def _read(p: Pending, check: _RowCheck, width: int, capacity: int, fewest: int) -> None:
    for pieces in range(min(width, capacity), fewest - 1, -1):
        kept: list[tuple[_Entry | None, ...]] = []
        tried = 0
        for glued in _glued_readings(p.cells, pieces, p.whole):
            for reading in _with_blanks(glued, width):
                tried += 1
                if tried > MAX_READINGS:
                    p.readings = []
                    return
                if check([None if e is None else e[1] for e in reading]):
                    kept.append(reading)
        if kept:
            p.readings = [
                tuple(None if e is None else _piece(p.cells[e[0]], e[2], e[3], e[1]) for e in reading)
                for reading in kept
            ]
            p.filtered = len(kept) < tried
            return
    p.readings = []


STATED = {"documents_issued": "issued", "documents_repealed": "repealed", "documents_in_force": "in_force"}


def apply_statements(p: Pending, statements: Iterable[Statement]) -> str | None:
    """Narrow an ambiguous 行政规范性文件 row with what the text states (「制发行政规范性文件62件」).

    Returns the phrases used when they leave exactly one reading (also kept as ``p.stated``);
    otherwise the row is unchanged. A ``short`` row is never narrowed: its cell may be lost.
    """
    if len(p.readings) < 2 or p.short or [row.key for row in p.rows] != ["normative_documents"]:
        return None
    stated = {STATED[st.kind]: st for st in statements if st.kind in STATED}
    columns = [col.key for _, col in p.slots]
    if not stated or not set(stated) <= set(columns):
        return None
    fits = [r for r in p.readings if all(_value_at(r, columns.index(c)) == st.value for c, st in stated.items())]
    if len(fits) != 1:
        return None
    p.readings = fits
    p.stated = "、".join(f"「{st.raw}」" for st in stated.values())
    return p.stated


def _value_at(reading: Reading, i: int) -> Number | None:
    piece = reading[i]
    return None if piece is None else piece.value


def column_identity_instances(fmt: Format, table: Table) -> list[tuple[str, str]]:
    return [
        (ident.code, f"{table.key}.*.{col.key}")
        for ident in fmt.identities
        if ident.per == "column" and ident.table == table.key
        for col in table.rows[0].columns
    ]


class Resolution(msgspec.Struct, frozen=True):
    """What :func:`resolve` chose: ``chosen[i]`` is the reading of the i-th pending row (None: left
    unread), ``used`` the identity instances (code, where) that chose them."""

    chosen: tuple[Reading | None, ...]
    used: frozenset[tuple[str, str]]


def resolve(pendings: Sequence[Pending], fmt: Format, known: dict[str, Number | None]) -> Resolution:
    """Choose one reading per pending row where the identities allow exactly one.

    ``known``: values already read (key -> value; absent rows are missing from it). A ``short`` row
    is never chosen, and its readings take no part in the column identities (its cells are unknown).
    """
    chosen: list[Reading | None] = [None] * len(pendings)
    used: set[tuple[str, str]] = set()
    open_rows: list[int] = []
    for n, p in enumerate(pendings):
        if p.short:
            continue
        if len(p.readings) == 1:
            chosen[n] = p.readings[0]
            if p.filtered:
                used |= _row_identities(p, fmt)
        elif len(p.readings) > 1:
            open_rows.append(n)
    by_table: dict[str, list[int]] = {}
    for n in open_rows:
        by_table.setdefault(pendings[n].table.key, []).append(n)
    for table_key, indices in by_table.items():
        table = fmt.table(table_key)
        if not any(i.per == "column" and i.table == table_key for i in fmt.identities):
            continue
        rows = [pendings[n] for n in indices]
        if math.prod(len(p.readings) for p in rows) > MAX_JOINT:
            continue
        settled = [(p, r) for p, r in zip(pendings, chosen) if r is not None]
        survivors = _joint(fmt, table, rows, known, settled)
        for i, n in enumerate(indices):
            options = {combo[i] for combo in survivors}
            if len(options) == 1:
                chosen[n] = options.pop()
                used |= _row_identities(pendings[n], fmt) | set(column_identity_instances(fmt, table))
    return Resolution(tuple(chosen), frozenset(used))


def _joint(
    fmt: Format,
    table: Table,
    rows: list[Pending],
    known: dict[str, Number | None],
    settled: list[tuple[Pending, Reading]],
) -> list[tuple[Reading, ...]]:
    """Combinations of the open rows' readings under which every column identity of ``table`` holds.

    Each identity instance is kept as a running difference (left side minus right side): the
    settled values give its base, each reading adds its own part, and a combination survives when
    every difference is zero.
    """
    values = dict(known)
    for p, reading in settled:
        if p.table.key == table.key:
            values.update(_as_values(p, reading))
    open_keys = {f"{table.key}.{row.key}.{col.key}" for p in rows for row, col in p.slots}
    instances: list[tuple[list[str], list[str]]] = []
    for ident in fmt.identities:
        if ident.per != "column" or ident.table != table.key:
            continue
        for col in table.rows[0].columns:
            lhs = [f"{table.key}.{r}.{col.key}" for r in ident.lhs]
            rhs = [f"{table.key}.{r}.{col.key}" for r in ident.rhs]
            if all(k in values or k in open_keys for k in lhs + rhs):
                instances.append((lhs, rhs))
    base = [
        sum(values.get(k) or 0 for k in lhs if k not in open_keys)
        - sum(values.get(k) or 0 for k in rhs if k not in open_keys)
        for lhs, rhs in instances
    ]
    deltas: list[list[list[Number]]] = []
    for p in rows:
        per_reading: list[list[Number]] = []
        for reading in p.readings:
            v = _as_values(p, reading)
            per_reading.append(
                [
                    sum(v[k] or 0 for k in lhs if k in v) - sum(v[k] or 0 for k in rhs if k in v)
                    for lhs, rhs in instances
                ]
            )
        deltas.append(per_reading)
    survivors: list[tuple[Reading, ...]] = []

    def walk(i: int, acc: list[Number], picked: tuple[Reading, ...]) -> None:
        if i == len(rows):
            if not any(acc):
                survivors.append(picked)
            return
        for n, d in enumerate(deltas[i]):
            walk(i + 1, [a + b for a, b in zip(acc, d)], (*picked, rows[i].readings[n]))

    walk(0, base, ())
    return survivors


def _as_values(p: Pending, reading: Reading) -> dict[str, Number | None]:
    return {
        f"{p.table.key}.{row.key}.{col.key}": (piece.value if piece else None)
        for (row, col), piece in zip(p.slots, reading)
    }


def _row_identities(p: Pending, fmt: Format) -> set[tuple[str, str]]:
    return {
        (ident.code, f"{p.table.key}.{row.key}")
        for ident in fmt.identities
        if ident.per == "row" and ident.table == p.table.key
        for row in p.rows
    }


def describe(reading: Reading) -> str:
    return "/".join("空" if piece is None else piece.raw for piece in reading)


# --- the glued rows a record left unread ------------------------------------------------------


class Glued(msgspec.Struct, frozen=True):
    """A row of a record left unread because its cells ran together (a ``row-ambiguous`` note), with
    the candidate readings the parser weighed: what a series of years may settle (``settling.py``).

    ``note`` is the record's note about it; ``pending`` holds the printed text (``pending.text``),
    the row's slots and its readings, computed again from the note exactly as the parser computed
    them (:func:`glued_rows`)."""

    note: Note
    pending: Pending

    @property
    def row(self) -> Row:
        return self.pending.rows[0]

    @property
    def readings(self) -> list[Reading]:
        return self.pending.readings


def glued_rows(record: Record) -> list[Glued]:
    """The single-row glued rows of ``record`` left unread, with their candidate readings.

    The candidates are computed again from what the record keeps: the printed text the note keeps
    (``Note.data["text"]``), the places of its numbers (``Note.cells``, or the note's place for a
    single token) and the numbers the prose states. A row is given only when that computation
    provably sees what the parser saw: the readings found must be the ones the note lists
    (``Note.data["readings"]``). Rows where it might not (a token alone on its line, a header unit,
    a table whose column identities take part, a row that may have lost a cell) are left out: a row
    left out stays unread, never settled."""
    out: list[Glued] = []
    for note in record.warnings:
        if note.code == "row-ambiguous" and len(note.rows) == 1:
            pending = _pending_again(record, note)
            if pending is not None:
                out.append(Glued(note, pending))
    return out


def _pending_again(record: Record, note: Note) -> Pending | None:
    fmt = record.spec
    table_key, _, row_key = note.rows[0].partition(".")
    try:
        table = fmt.table(table_key)
        row = table.row(row_key)
    except KeyError:
        return None
    if any(i.per == "column" and i.table == table.key for i in fmt.identities):
        return None  # the parser's joint choice over the column identities is not repeated here
    text, listed = note.data.get("text"), note.data.get("readings")
    if not isinstance(text, str) or not isinstance(listed, list):
        return None  # a note from an older version: it keeps no readings
    cells = _cells_again(text, note)
    if cells is None:
        return None
    siblings = [r for r in table.rows if r.block == row.block and r.key != row.key]
    columns = {c.key for c in row.columns}
    if any(record.values[f"{table.key}.{r.key}.{c.key}"].unit for r in siblings for c in r.columns if c.key in columns):
        return None  # the block's header may carry a unit the record does not keep
    p = Pending(table, [(row, col) for col in row.columns], cells)
    readings(p, fmt)
    apply_statements(p, record.statements)
    if p.short or len(p.readings) < 2:
        return None
    if [describe(r) for r in p.readings] != listed:
        return None  # not the readings the parser listed: leave the row as it is
    return p


def _cells_again(text: str, note: Note) -> list[Cell] | None:
    """The row's cells from the text the note quotes, each at the place the note keeps for it; None
    when the places are not known or a token may have been one cell alone on its line (then the
    parser never cut it, and the readings here could differ)."""
    tokens = text.split(" ")
    placeholder = Location()
    cells = [classify(t, placeholder) for t in tokens]
    if any(c.kind == "label" for c in cells):
        return None
    values = [i for i, c in enumerate(cells) if c.kind == "value"]
    if note.cells:
        if len(note.cells) != len(values):
            return None
        places = list(note.cells)
    elif len(cells) == 1 and values and note.loc is not None:
        places = [note.loc]
    else:
        return None
    for i, loc in zip(values, places):
        cells[i].loc = loc
    if len(cells) > 1:  # no token may be alone on its line: all in grid cells, or all on one line
        in_grid = all(loc.table is not None for loc in places)
        one_line = len(values) >= 2 and len({(loc.page, loc.line) for loc in places}) == 1 and places[0].table is None
        if not (in_grid or one_line):
            return None
    return cells
