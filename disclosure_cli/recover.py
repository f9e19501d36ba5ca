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
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .cells import Cell, Location
from .formats import Column, Format, Row, Table

MAX_READINGS = 50_000  # per row: beyond this the row is left unread rather than guessed
MAX_JOINT = 200_000  # combinations of ambiguous rows tried against the column identities

_DIGITS = re.compile(r"[+\-]?\d+")


@dataclass(frozen=True)
class Piece:
    value: int | float | None
    raw: str
    loc: Location
    unit: str | None = None

    def as_cell(self) -> Cell:
        return Cell(self.raw, "null" if self.value is None else "value", self.loc, number=self.value, unit=self.unit)


@dataclass
class Pending:
    """Cells that must fill ``slots`` but are not one per slot."""

    table: Table
    slots: list[tuple[Row, Column]]
    cells: list[Cell]
    units: dict = field(default_factory=dict)  # header units of table 2, by (block, column)
    readings: list[tuple[Piece | None, ...]] = field(default_factory=list)
    filtered: bool = False  # did an identity narrow the readings down?

    @property
    def text(self) -> str:
        return " ".join(c.raw for c in self.cells)

    @property
    def rows(self) -> list[Row]:
        return list(dict.fromkeys(row for row, _ in self.slots))


@lru_cache(maxsize=4096)
def splits(digits: str, k: int) -> tuple[tuple[str, ...], ...]:
    """Every way to cut a digit string into ``k`` numbers without leading zeros."""
    if k == 1:
        return ((digits,),) if digits == "0" or not digits.startswith("0") else ()
    out = []
    first_max = 1 if digits.startswith("0") else len(digits) - k + 1
    for i in range(1, first_max + 1):
        out += [(digits[:i], *rest) for rest in splits(digits[i:], k - 1)]
    return tuple(out)


_SPLITTABLE = re.compile(r"([+\-]?)(\d+)(\.\d+)?(\D*)")


def _parts(cell: Cell) -> tuple[str, str, str] | None:
    """(sign, integer digits, the rest) of a token whose digits may hold several cells; None if not."""
    if cell.kind == "null":
        return None
    m = _SPLITTABLE.fullmatch(cell.raw.replace(" ", ""))
    return (m.group(1), m.group(2), (m.group(3) or "") + m.group(4)) if m else None


def _glued_readings(cells: list[Cell], pieces: int):
    """Each token split into one or more numbers, ``pieces`` numbers in all. A decimal or a unit
    stays with the last number cut from its token (「13575394432.52元」 may be 1357 and 5394432.52元)."""
    parts = [_parts(c) for c in cells]
    maxima = [1 if p is None else len(p[1]) for p in parts]
    for counts in _compositions(pieces, maxima):
        options = []
        for cell, part, k in zip(cells, parts, counts):
            if k == 1:
                options.append([(_piece(cell, cell.raw, 0),)])
                continue
            sign, digits, rest = part
            cut = []
            for numbers in splits(digits, k):
                offset, out = 0, []
                for n, number in enumerate(numbers):
                    text = (sign if n == 0 else "") + number + (rest if n == k - 1 else "")
                    out.append(_piece(cell, text, offset))
                    offset += len(text)
                cut.append(tuple(out))
            options.append(cut)
        for combo in itertools.product(*options):
            yield tuple(p for group in combo for p in group)


def _with_blanks(reading: tuple, width: int):
    """A reading of fewer numbers than cells: the missing cells were blank, anywhere in order."""
    if len(reading) == width:
        yield reading
        return
    for positions in itertools.combinations(range(width), len(reading)):
        out: list[Piece | None] = [None] * width
        for pos, piece in zip(positions, reading):
            out[pos] = piece
        yield tuple(out)


def _compositions(total: int, maxima: list[int]):
    if not maxima:
        if total == 0:
            yield ()
        return
    first, rest = maxima[0], maxima[1:]
    for k in range(1, min(first, total - len(rest)) + 1):
        for tail in _compositions(total - k, rest):
            yield (k, *tail)


def _piece(cell: Cell, text: str, offset: int) -> Piece:
    if cell.kind == "null":
        return Piece(None, cell.raw, cell.loc)
    loc = cell.loc
    if offset and loc.column is not None:
        loc = Location(loc.line, loc.column + offset, loc.table, loc.row)
    if text == cell.raw:
        return Piece(cell.number, text, loc, cell.unit)
    number = re.match(r"[+\-]?\d+(?:\.\d+)?", text).group(0)
    unit = cell.unit if cell.unit and text.endswith(cell.unit) else None
    return Piece(float(number) if "." in number else int(number), text, loc, unit)


def readings(p: Pending, fmt: Format) -> None:
    """Fill ``p.readings`` with the readings that satisfy the identities inside the row(s).

    Glued readings (every cell present) are tried first; only when none fits are readings with
    vanished blank cells considered. When no reading fits but the digits allow exactly one, that one
    is kept: the page is then inconsistent, which is the audit's business, not the reader's.
    """
    width = len(p.slots)
    capacity = sum(1 if part is None else len(part[1]) for part in map(_parts, p.cells))
    for pieces in range(min(width, capacity), len(p.cells) - 1, -1):
        kept, tried, last = [], 0, None
        for glued in _glued_readings(p.cells, pieces):
            for reading in _with_blanks(glued, width):
                tried += 1
                if tried > MAX_READINGS:
                    p.readings = []
                    return
                if _row_ok(p, fmt, reading):
                    kept.append(reading)
                last = reading
        if kept:
            p.readings, p.filtered = kept, len(kept) < tried
            return
        if pieces == width and tried == 1:
            p.readings, p.filtered = [last], False
            return
    p.readings = []


def _row_ok(p: Pending, fmt: Format, reading) -> bool:
    values = {(row.key, col.key): (piece.value if piece else None) for (row, col), piece in zip(p.slots, reading)}
    for (_row, col), piece in zip(p.slots, reading):
        if piece is not None and piece.value is not None and col.kind == "count" and piece.value < 0:
            return False
    for ident in fmt.identities:
        if ident.per != "row" or ident.table != p.table.key:
            continue
        for row in p.rows:
            terms = [(row.key, c) for c in (*ident.lhs, *ident.rhs)]
            if all(t in values for t in terms):
                lhs = sum(values[(row.key, c)] or 0 for c in ident.lhs)
                rhs = sum(values[(row.key, c)] or 0 for c in ident.rhs)
                if lhs != rhs:
                    return False
    # table 2 plausibility (2019 format): new ≤ total published; items never below zero
    get = values.get
    for row in p.rows:
        new, total = get((row.key, "new_published")), get((row.key, "total_published"))
        if new is not None and total is not None and new > total:
            return False
        prior, change = get((row.key, "prior_items")), get((row.key, "change"))
        if prior is not None and change is not None and prior + change < 0:
            return False
    return True


def column_identities_hold(fmt: Format, table: Table, known: dict[str, float | int | None]) -> bool:
    """Per-column identities of ``table`` over ``known`` values (absent terms: not evaluated)."""
    for ident in fmt.identities:
        if ident.per != "column" or ident.table != table.key:
            continue
        for col in table.rows[0].columns:
            keys = [f"{table.key}.{r}.{col.key}" for r in (*ident.lhs, *ident.rhs)]
            if any(k not in known for k in keys):
                continue
            lhs = sum(known[f"{table.key}.{r}.{col.key}"] or 0 for r in ident.lhs)
            rhs = sum(known[f"{table.key}.{r}.{col.key}"] or 0 for r in ident.rhs)
            if lhs != rhs:
                return False
    return True


def column_identity_instances(fmt: Format, table: Table) -> list[tuple[str, str]]:
    return [
        (ident.code, f"{table.key}.*.{col.key}")
        for ident in fmt.identities
        if ident.per == "column" and ident.table == table.key
        for col in table.rows[0].columns
    ]


def resolve(pendings: list[Pending], fmt: Format, known: dict[str, float | int | None]):
    """Choose one reading per pending row where the identities allow exactly one.

    ``known``: values already read (key -> value; absent rows are missing from it).
    Returns (chosen: {id(pending): reading}, used: set of (identity code, where)).
    """
    chosen: dict[int, tuple] = {}
    used: set[tuple[str, str]] = set()
    open_rows = []
    for p in pendings:
        if len(p.readings) == 1:
            chosen[id(p)] = p.readings[0]
            if p.filtered:
                used |= _row_identities(p, fmt)
        elif len(p.readings) > 1:
            open_rows.append(p)
    by_table: dict[str, list[Pending]] = {}
    for p in open_rows:
        by_table.setdefault(p.table.key, []).append(p)
    for table_key, rows in by_table.items():
        table = fmt.table(table_key)
        if not any(i.per == "column" and i.table == table_key for i in fmt.identities):
            continue
        total = 1
        for p in rows:
            total *= len(p.readings)
        if total > MAX_JOINT:
            continue
        base = dict(known)
        for p in pendings:
            if id(p) in chosen and p.table.key == table_key:
                base.update(_as_values(p, chosen[id(p)]))
        survivors = []
        for combo in itertools.product(*(p.readings for p in rows)):
            trial = dict(base)
            for p, reading in zip(rows, combo):
                trial.update(_as_values(p, reading))
            if column_identities_hold(fmt, table, trial):
                survivors.append(combo)
                if len(survivors) > 1 and all(len({c[i] for c in survivors}) > 1 for i in range(len(rows))):
                    break
        for i, p in enumerate(rows):
            options = {combo[i] for combo in survivors}
            if len(options) == 1:
                chosen[id(p)] = options.pop()
                used |= _row_identities(p, fmt) | set(column_identity_instances(fmt, table))
    return chosen, used


def _as_values(p: Pending, reading) -> dict[str, float | int | None]:
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


def describe(reading) -> str:
    return "/".join("空" if piece is None else piece.raw for piece in reading)
