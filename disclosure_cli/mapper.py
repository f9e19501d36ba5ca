"""Map a page's cells onto a format's tables: the only place that knows how rows are anchored.

Steps, each a function a test can call alone:

1. :func:`build_runs` groups cells into runs: the labels that precede some values plus those values.
   In a structured row (HTML <tr>, Markdown row) values belong only to labels of the same row; in
   free text they belong to the labels just before them.
2. :func:`find_regions` finds where each table starts: table 3 at its first 本年新收 row, table 2 at
   the first 第二十条 block before it, table 4 at the first 行政复议 after table 3.
3. Rows are matched by label (:func:`match_row`), never filled by position across rows, with one
   guarded exception: unlabelled full-width rows sitting between two anchored rows fill the missing
   rows between those anchors when the counts agree exactly (PDF exports lose labels that way); such
   values are marked ``inferred``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from .cells import Cell
from .errors import ReportError
from .formats import Format, Row, Table
from .record import Note, Value
from .recover import Pending, apply_statements, describe, readings, resolve
from .textnorm import normalize_label, simplify_prose


@dataclass
class Run:
    labels: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)
    index: int = 0  # position in the run list
    row_id: object = None  # physical row of the values, when structured

    @property
    def structured(self) -> bool:
        return self.row_id is not None

    def label_text(self) -> str:
        return " ".join(c.raw for c in self.labels)

    def trimmed_values(self, width: int) -> list[Cell]:
        """Values with trailing empty cells of a structured row beyond ``width`` dropped."""
        vals = self.values
        while len(vals) > width and vals[-1].kind == "null" and not vals[-1].raw:
            vals = vals[:-1]
        return vals


def build_runs(cells: list[Cell]) -> list[Run]:
    runs: list[Run] = []
    current = Run()

    def close() -> None:
        nonlocal current
        if current.labels or current.values:
            current.index = len(runs)
            runs.append(current)
        current = Run()

    for cell in cells:
        if cell.kind == "label":
            if current.values:
                close()
            current.labels.append(cell)
            continue
        if cell.copy:
            continue
        if current.values:
            if cell.row_id != current.row_id:
                close()
        elif cell.row_id is not None and not any(lab.row_id == cell.row_id for lab in current.labels):
            # a structured row of values only: the labels before it belong to something else
            close()
        if not current.values:
            current.row_id = cell.row_id
        current.values.append(cell)
    close()
    return runs


def _label_keys(run: Run):
    """The keys a run's label is matched by: the last label, then it completed by one or two before."""
    for n in range(1, min(3, len(run.labels)) + 1):
        yield normalize_label("".join(c.raw for c in run.labels[-n:]))


def match_row(table: Table, run: Run) -> Row | None:
    """The row whose label the run carries: the last label decides, earlier ones may complete it."""
    for key in _label_keys(run):
        row = _best_row(table, key)
        if row is not None:
            return row
    return None


def matches(table: Table, row: Row, run: Run) -> bool:
    """Does the run carry ``row``'s label? (A cheap pre-test before :func:`match_row`.)"""
    patterns = _compiled(table)[row.key]
    return any(p.search(key) for key in _label_keys(run) for p in patterns) and match_row(table, run) is row


_COMPILED: dict[int, dict[str, tuple[re.Pattern, ...]]] = {}
_BEST: dict[tuple[int, str], str | None] = {}


def _compiled(table: Table) -> dict[str, tuple[re.Pattern, ...]]:
    """Each row's patterns, compiled once per table declaration (keyed by identity: tables are static)."""
    found = _COMPILED.get(id(table))
    if found is None:
        found = _COMPILED[id(table)] = {row.key: tuple(re.compile(p) for p in row.match) for row in table.rows}
    return found


def _best_row(table: Table, key: str) -> Row | None:
    """The row whose pattern matches furthest right in ``key`` (ties: the longer match)."""
    memo = (id(table), key)
    if memo not in _BEST:
        best, best_end, best_len = None, -1, 0
        for row_key, patterns in _compiled(table).items():
            for pattern in patterns:
                for m in pattern.finditer(key):
                    if m.end() > best_end or (m.end() == best_end and len(m.group(0)) > best_len):
                        best, best_end, best_len = row_key, m.end(), len(m.group(0))
        if len(_BEST) > 50_000:
            _BEST.clear()
        _BEST[memo] = best
    found = _BEST[memo]
    return None if found is None else table.row(found)


def _has(run: Run, pattern: str) -> bool:
    return any(re.search(pattern, normalize_label(c.raw)) for c in run.labels)


@dataclass
class Regions:
    active: tuple[int, int] | None
    requests: tuple[int, int] | None
    appeals_start: int | None


def find_regions(runs: list[Run], fmt: Format) -> Regions:
    requests = fmt.table("requests")
    new_row = requests.row("new")
    start3 = next((r.index for r in runs if r.values and matches(requests, new_row, r)), None)
    if start3 is None:
        return Regions(None, None, None)
    head3 = start3
    for r in reversed(runs[: start3 + 1]):
        if any(_has(r, anchor) for anchor in requests.anchors):
            head3 = r.index
            break
    active = None
    for pattern in fmt.table("active").anchors:  # the first that occurs wins: 第二十条 before the heading
        begin = next((r.index for r in runs[:head3] if _has(r, pattern)), None)
        if begin is not None:
            active = (begin, head3)
            break
    forward = requests.row("carried_forward")
    after = next((r.index for r in runs[start3:] if r.values and matches(requests, forward, r)), start3)
    appeals = fmt.table("appeals")
    start4 = next((r.index for r in runs[after:] if any(_has(r, a) for a in appeals.anchors)), None)
    end3 = start4 if start4 is not None else len(runs)
    return Regions(active, (start3, end3), start4)


_NARRATIVE = re.compile(r"[。；;]")
_HEADER_UNIT = re.compile(r"[(（]\s*(?:单位\s*[:：]\s*)?(万元|元|亿元|万宗|宗|万件|件|项|个|笔)\s*[)）]")
_BLOCK = re.compile(r"第二十条第\s*[(（]?\s*([一二三四五六七八九十]+)\s*[)）]?\s*项")


class Mapper:
    """Fills a record's values for one format from the runs of one page."""

    def __init__(self, runs: list[Run], fmt: Format, statements=()):
        self.runs = runs
        self.statements = statements  # numbers the prose states: they may settle a glued row
        # On a page with real table rows, numbers in the free text between them are not cells.
        self.structured_page = any(run.structured for run in runs)
        self.pending: list[Pending] = []  # rows whose cells are not one per slot (glued, vanished)
        self.inferred_identities: set[tuple[str, str]] = set()
        self.unread: set[tuple[str, str]] = set()  # (table, row) on the page but not readable
        self.fmt = fmt
        self.values: dict[str, Value] = {}
        self.extra: list[dict] = []
        self.notes: list[Note] = []
        for t, r, c in fmt.value_keys():
            row = fmt.table(t).row(r)
            self.values[f"{t}.{r}.{c}"] = Value(t, r, c, row.label)

    def run(self) -> None:
        regions = find_regions(self.runs, self.fmt)
        if regions.requests is None:
            raise ReportError("no-table-text", "no table text found (the tables may be images or an attachment)")
        if regions.active is None:
            self.notes.append(Note("table-missing", "table 2 (主动公开政府信息情况) not found on the page"))
        else:
            self._rows(self.fmt.table("active"), *regions.active)
        self._rows(self.fmt.table("requests"), *regions.requests)
        if regions.appeals_start is None:
            self.notes.append(Note("table-missing", "table 4 (行政复议、行政诉讼) not found on the page"))
        else:
            self._sequence(self.fmt.table("appeals"), regions.appeals_start)
        if self.pending:
            self._recover()
        for key, v in self.values.items():
            unread = (v.table, v.row) in self.unread
            if v.raw is None and not unread and v.column == self.fmt.table(v.table).row(v.row).columns[0].key:
                self.notes.append(Note("row-missing", f"row not on the page: {v.label} ({key.rsplit('.', 1)[0]})"))

    # -- rows anchored by label ----------------------------------------------------------------

    def _rows(self, table: Table, begin: int, end: int) -> None:
        matched: list[tuple[Run, Row]] = []
        orphans: list[Run] = []
        units = self._header_units(table, begin, end) if table.key == "active" else {}
        seen: set[str] = set()
        for run in self.runs[begin:end]:
            if not run.values:
                continue
            row = match_row(table, run) if run.labels else None
            if row is None:
                self._unknown(table, run, orphans)
                continue
            if (
                not run.structured
                and self.structured_page
                and len(run.trimmed_values(len(row.columns))) != len(row.columns)
            ):
                self.notes.append(
                    Note(
                        "stray-values",
                        f"table {table.number}: text near row {row.label} "
                        f"ignored: {' '.join(c.raw for c in run.values)}",
                        run.values[0].loc,
                    )
                )
                continue
            if row.key in seen:
                self.notes.append(
                    Note(
                        "duplicate-row",
                        f"table {table.number}: row {row.label} appears again; the first one is used",
                        run.values[0].loc,
                    )
                )
                continue
            seen.add(row.key)
            self._assign(table, row, run, units)
            matched.append((run, row))
        if orphans:
            self._fill_gaps(table, matched, orphans, units)

    def _assign(self, table: Table, row: Row, run: Run, units: dict, inferred: str | None = None) -> None:
        width = len(row.columns)
        cells = run.trimmed_values(width)
        too_long = any(c.kind == "value" and c.number is None for c in cells)  # digits of several cells
        if (len(cells) < width and not run.structured) or too_long:
            self.pending.append(Pending(table, [(row, col) for col in row.columns], cells, units=units))
            return
        if len(cells) != width:
            self._wrong_width(table, row, run, cells, width)
        for col, cell in zip(row.columns, cells):
            v = self.values[f"{table.key}.{row.key}.{col.key}"]
            v.raw, v.loc, v.inferred = cell.raw, cell.loc, inferred
            v.value, v.unit = _normalise(cell, col.kind, units.get((row.block, col.key)), v, self.notes)

    def _wrong_width(self, table: Table, row: Row, run: Run, cells: list[Cell], width: int) -> None:
        """A real table row (HTML, Markdown) with cells missing or extra: refused, never shifted."""
        where = cells[0].loc.describe() if cells else "?"
        shown = " ".join(c.raw for c in cells)
        raise ReportError(
            "truncated-table",
            f"table {table.number} row {row.label} ({where}) has {len(cells)} cells, expected {width}: '{shown}'",
        )

    def _unknown(self, table: Table, run: Run, orphans: list[Run]) -> None:
        if all(c.kind == "null" for c in run.values):
            return  # blank cells under a header carry nothing
        if not run.labels:
            orphans.append(run)
            return
        label = run.labels[-1].raw
        if _NARRATIVE.search(label) or len(normalize_label(label)) > 30:
            return  # prose that happens to contain numbers, not a table row
        self.extra.append(
            {
                "table": table.key,
                "label": label,
                "values": [{"value": c.number, "raw": c.raw, "loc": c.loc.as_dict()} for c in run.values],
            }
        )
        self.notes.append(
            Note(
                "unknown-row",
                f"table {table.number}: row not in the {self.fmt.name} format kept "
                f"under 'extra': {label} = {' '.join(c.raw for c in run.values)}",
                run.labels[-1].loc,
            )
        )

    def _fill_gaps(self, table: Table, matched: list[tuple[Run, Row]], orphans: list[Run], units: dict) -> None:
        """Unlabelled rows fill the missing rows between two anchors when the counts agree."""
        order = {row.key: i for i, row in enumerate(table.rows)}
        anchors = [(-1, -1)] + [(run.index, order[row.key]) for run, row in matched] + [(10**9, len(table.rows))]
        if any(a[1] >= b[1] for a, b in pairwise(anchors)):
            anchors = []  # rows out of template order: positions say nothing
        used: set[int] = set()
        for (lo_run, lo_row), (hi_run, hi_row) in pairwise(anchors):
            missing = [
                r
                for r in table.rows[lo_row + 1 : hi_row]
                if f"{table.key}.{r.key}.{r.columns[0].key}" in self.values
                and self.values[f"{table.key}.{r.key}.{r.columns[0].key}"].raw is None
            ]
            between = [
                o for o in orphans if lo_run < o.index < hi_run and len(o.trimmed_values(table.width)) == table.width
            ]
            if missing and len(missing) == len(between) and all(len(r.columns) == table.width for r in missing):
                after = table.rows[lo_row].label if lo_row >= 0 else "the table head"
                for run, row in zip(between, missing):
                    self._assign(table, row, run, units, inferred=f"unlabelled row placed after {after} by position")
                    self.notes.append(
                        Note(
                            "row-inferred",
                            f"table {table.number}: unlabelled row "
                            f"'{' '.join(c.raw for c in run.values)}' read as {row.label} "
                            "(the only row missing at that place)",
                            run.values[0].loc,
                        )
                    )
                    used.add(run.index)
        for run in orphans:
            if run.index not in used:
                self.notes.append(
                    Note(
                        "stray-values",
                        f"table {table.number}: values without a row label ignored: "
                        f"{' '.join(c.raw for c in run.values)}",
                        run.values[0].loc,
                    )
                )

    def _header_units(self, table: Table, begin: int, end: int) -> dict[tuple[str, str], str]:
        """Units printed in table-2 column headers, e.g. 处理决定数量(万宗), keyed by (block, column)."""
        units: dict[tuple[str, str], str] = {}
        block = ""
        for run in self.runs[begin:end]:
            for cell in run.labels:
                text = simplify_prose(cell.raw)
                if m := _BLOCK.search(text):
                    block = m.group(1)
                m = _HEADER_UNIT.search(text)
                if not m:
                    continue
                key = normalize_label(text)
                for row in table.rows:
                    for col in row.columns:
                        base = normalize_label(re.sub(r"（.*?）", "", col.label))
                        if row.block == block and base in key:
                            units[(block, col.key)] = m.group(1)
        return units

    # -- rows whose cell boundaries were lost -------------------------------------------------

    def _recover(self) -> None:
        """Read glued or gappy rows where the identities allow exactly one reading (recover.py)."""
        stated: dict[int, str] = {}
        for p in self.pending:
            readings(p, self.fmt)
            phrases = apply_statements(p, self.statements)
            if phrases:
                stated[id(p)] = phrases
        known = {k: v.value for k, v in self.values.items() if v.raw is not None}
        chosen, self.inferred_identities = resolve(self.pending, self.fmt, known)
        for p in self.pending:
            what = f"table {p.table.number} {'/'.join(r.label for r in p.rows)}"
            rows = tuple(f"{p.table.key}.{r.key}" for r in p.rows)
            loc = p.cells[0].loc if p.cells else None
            reading = chosen.get(id(p))
            if reading is None:
                self.unread |= {(p.table.key, r.key) for r in p.rows}
                shown = " | ".join(describe(r) for r in p.readings[:4]) + (" | …" if len(p.readings) > 4 else "")
                why = (
                    f"{len(p.readings)} readings fit: {shown}"
                    if p.readings
                    else "no reading satisfies the row's identities"
                )
                self.notes.append(
                    Note("row-ambiguous", f"{what}: cells not separated ('{p.text}'); left unread, {why}", loc, rows)
                )
                continue
            how = "the only reading the identities allow" if p.filtered else "the only possible reading"
            if id(p) in stated:
                how = f"the only reading that agrees with the text {stated[id(p)]}"
            inferred = f"cells not separated on the page ('{p.text}'); read as {describe(reading)}: {how}"
            for (row, col), piece in zip(p.slots, reading):
                v = self.values[f"{p.table.key}.{row.key}.{col.key}"]
                cell = piece.as_cell() if piece else Cell("", "null", loc)
                v.raw, v.loc, v.inferred = cell.raw, cell.loc, inferred
                v.value, v.unit = _normalise(cell, col.kind, p.units.get((row.block, col.key)), v, self.notes)
            self.notes.append(
                Note(
                    "row-recovered",
                    f"{what}: cells not separated ('{p.text}'), read as {describe(reading)} ({how})",
                    loc,
                    rows,
                )
            )

    # -- table 4: fifteen numbers in a row -------------------------------------------------------

    def _sequence(self, table: Table, start: int) -> None:
        slots = [(row, col) for row in table.rows for col in row.columns]
        cells: list[Cell] = []
        for run in self.runs[start:]:
            if run.index > start and _has(run, "存在的主要问题|其他需要报告"):
                break
            cells.extend(run.values)
            if len(cells) >= len(slots):
                break
        too_long = any(c.kind == "value" and c.number is None for c in cells[: len(slots)])
        if len(cells) < len(slots) or too_long:
            if cells and (too_long or not any(c.row_id is not None for c in cells)):
                self.pending.append(Pending(table, slots, cells))
                return
            shown = " ".join(c.raw for c in cells)
            raise ReportError("truncated-table", f"table 4 has {len(cells)} of {len(slots)} cells: '{shown}'")
        for (row, col), cell in zip(slots, cells):
            v = self.values[f"{table.key}.{row.key}.{col.key}"]
            v.raw, v.loc = cell.raw, cell.loc
            v.value, v.unit = _normalise(cell, col.kind, None, v, self.notes)


_TO_WAN = {"万元": 1, "元": 0.0001, "亿元": 10000}


def _normalise(cell: Cell, kind: str, header_unit: str | None, v: Value, notes: list[Note]):
    """(value, unit) for a cell: money to 万元; other units recorded, never applied."""
    if cell.kind == "null":
        return None, None
    number = cell.number
    if kind != "money":
        return number, cell.unit or header_unit
    unit = cell.unit or header_unit
    if unit in _TO_WAN:
        return (number if unit == "万元" else round(number * _TO_WAN[unit], 6)), "万元"
    if number == 0:
        return 0, None  # nothing spent: the unit does not matter
    notes.append(
        Note("money-unit-unknown", f"{v.label}: money without a unit ('{cell.raw}'), kept as written", cell.loc)
    )
    return number, unit
