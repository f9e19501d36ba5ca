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

:meth:`Mapper.run` returns a :class:`MapResult`: the values, notes and what the ledger needs.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any, TypeAlias

import msgspec

from .auditing.notes import TableRef, note, shown
from .auditing.rules import Words
from .cells import Cell, Location
from .errors import ReportError
from .formats import Column, ColumnKind, Format, Row, Table
from .narrative import Statement
from .record import Note, Value
from .recover import Pending, apply_statements, describe, one_cell, readings, resolve, row_identities_hold
from .textnorm import normalize_label, simplify_prose

Number: TypeAlias = int | float
Units: TypeAlias = dict[tuple[str, str], str]  # table 2's header units, by (block, column key)
Grid: TypeAlias = int | None  # a cell's table on the page (Location.table); None for Markdown rows


class Run(msgspec.Struct):
    labels: list[Cell] = msgspec.field(default_factory=list)
    values: list[Cell] = msgspec.field(default_factory=list)
    index: int = 0  # position in the run list
    row_id: object = None  # physical row of the values, when structured
    end: int | None = None  # structured: the last grid column the values' row reaches (span copies included)

    @property
    def structured(self) -> bool:
        return self.row_id is not None

    def label_text(self) -> str:
        return " ".join(c.raw for c in self.labels)

    def trimmed_values(self, width: int) -> list[Cell]:
        """Values with trailing empty cells of a structured row beyond ``width`` dropped."""
        return _trim(self.values, width)


def build_runs(cells: Iterable[Cell]) -> list[Run]:
    runs: list[Run] = []
    current = Run()
    reach: dict[object, int] = {}  # physical row -> the last grid column a cell of it (or a copy) covers

    def close() -> None:
        nonlocal current
        if current.labels or current.values:
            current.index = len(runs)
            runs.append(current)
        current = Run()

    for cell in cells:
        if cell.row_id is not None and cell.loc.column is not None:
            reach[cell.row_id] = max(reach.get(cell.row_id, 0), cell.loc.column)
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
    for run in runs:
        if run.row_id is not None:
            run.end = reach.get(run.row_id)
    return runs


def _label_keys(run: Run) -> Iterator[str]:
    """The keys a run's label is matched by: the last label, then it completed by one or two before."""
    for n in range(1, min(3, len(run.labels)) + 1):
        yield normalize_label("".join(c.raw for c in run.labels[-n:]))


# What a table's rows are matched by: (row key, its patterns) per row. Two tables with the same
# signature match labels alike, so the compiled patterns are cached by it, not by the object.
Signature: TypeAlias = tuple[tuple[str, tuple[str, ...]], ...]


class RowMatcher:
    """A table's row patterns, compiled once, and the row each label key was matched to so far."""

    MEMO = 50_000  # label keys remembered before the memo starts afresh

    def __init__(self, signature: Signature) -> None:
        self.patterns: dict[str, tuple[re.Pattern[str], ...]] = {
            key: tuple(re.compile(p) for p in match) for key, match in signature
        }
        self._best: dict[str, str | None] = {}

    def best(self, key: str) -> str | None:
        """The key of the row whose pattern matches furthest right in ``key`` (ties: the longer match)."""
        if key in self._best:
            return self._best[key]
        best, best_end, best_len = None, -1, 0
        for row_key, patterns in self.patterns.items():
            for pattern in patterns:
                for m in pattern.finditer(key):
                    if m.end() > best_end or (m.end() == best_end and len(m.group(0)) > best_len):
                        best, best_end, best_len = row_key, m.end(), len(m.group(0))
        if len(self._best) >= self.MEMO:
            self._best.clear()
        self._best[key] = best
        return best


@lru_cache(maxsize=64)
def _matcher(signature: Signature) -> RowMatcher:
    return RowMatcher(signature)


def row_matcher(table: Table) -> RowMatcher:
    """The matcher of ``table``'s rows (one per distinct set of row patterns)."""
    return _matcher(tuple((row.key, row.match) for row in table.rows))


def match_row(table: Table, run: Run, matcher: RowMatcher | None = None) -> Row | None:
    """The row whose label the run carries: the last label decides, earlier ones may complete it.
    ``matcher``: ``row_matcher(table)``, when the caller holds it already."""
    m = matcher or row_matcher(table)
    for key in _label_keys(run):
        found = m.best(key)
        if found is not None:
            return table.row(found)
    return None


def matches(table: Table, row: Row, run: Run, matcher: RowMatcher | None = None) -> bool:
    """Does the run carry ``row``'s label? (A cheap pre-test before :func:`match_row`.)"""
    m = matcher or row_matcher(table)
    patterns = m.patterns[row.key]
    return any(p.search(key) for key in _label_keys(run) for p in patterns) and match_row(table, run, m) is row


def _best_row(table: Table, key: str, matcher: RowMatcher | None = None) -> Row | None:
    """The row whose pattern matches furthest right in ``key`` (ties: the longer match)."""
    found = (matcher or row_matcher(table)).best(key)
    return None if found is None else table.row(found)


def _has(run: Run, pattern: str) -> bool:
    return any(re.search(pattern, normalize_label(c.raw)) for c in run.labels)


class Regions(msgspec.Struct):
    active: tuple[int, int] | None
    requests: tuple[int, int] | None
    appeals_start: int | None


def find_regions(runs: list[Run], fmt: Format) -> Regions:
    requests = fmt.table("requests")
    new_row = requests.row("new")
    m = row_matcher(requests)
    start3 = next((r.index for r in runs if r.values and matches(requests, new_row, r, m)), None)
    if start3 is None:
        return _without_table3(runs, fmt)
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
    after = next((r.index for r in runs[start3:] if r.values and matches(requests, forward, r, m)), start3)
    appeals = fmt.table("appeals")
    start4 = next((r.index for r in runs[after:] if any(_has(r, a) for a in appeals.anchors)), None)
    end3 = start4 if start4 is not None else len(runs)
    return Regions(active, (start3, end3), start4)


def _without_table3(runs: list[Run], fmt: Format) -> Regions:
    """Table 3 is not on the page (an image, a lost attachment): tables 2 and 4 by their anchors."""
    appeals = fmt.table("appeals")
    begin = next((r.index for r in runs if any(_has(r, a) for a in fmt.table("active").anchors)), None)
    start4 = next(
        (r.index for r in runs[begin or 0 :] if r.index != begin and any(_has(r, a) for a in appeals.anchors)), None
    )
    active = None if begin is None else (begin, start4 if start4 is not None else len(runs))
    return Regions(active, None, start4)


_NARRATIVE = re.compile(r"[。；;]")
_HEADER_UNIT = re.compile(r"[(（]\s*(?:单位\s*[:：]\s*)?(万元|元|亿元|万宗|宗|万件|件|项|个|笔)\s*[)）]")
_BLOCK = re.compile(r"第\s*二\s*十\s*条\s*第\s*[(（]?\s*([一二三四五六七八九十]+)\s*[)）]?\s*项")


class MapResult(msgspec.Struct, frozen=True):
    """What :meth:`Mapper.run` made of a page: the record's values, extra rows and notes, and where
    they came from (the runs and the spans of runs each table was read from, for the ledger)."""

    fmt: Format
    values: dict[str, Value]
    extra: list[dict[str, Any]]
    notes: list[Note]
    inferred_identities: frozenset[tuple[str, str]]  # identity instances used to place values
    unread: frozenset[tuple[str, str]]  # (table, row) on the page but not readable
    missing: frozenset[str]  # tables not on the page
    runs: tuple[Run, ...]
    spans: tuple[tuple[int, int], ...]  # [begin, end) in ``runs``
    matched: dict[str, tuple[str, ...]]  # table -> the keys of the rows found, in page order

    def __repr__(self) -> str:  # the format, the values and the runs are too long to read in a repr
        return f"MapResult(notes={self.notes!r}, unread={set(self.unread)}, missing={set(self.missing)})"

    def rows_in_order(self, table_key: str) -> int:
        """How many of a table's rows were found in the format's order (a page that only talks about
        reports names a few labels, out of order; a statistics table prints them in order)."""
        return rows_in_order(self.fmt, table_key, self.matched.get(table_key, ()))


def rows_in_order(fmt: Format, table_key: str, keys: Iterable[str]) -> int:
    """The longest run of ``keys`` in the order of the table's rows."""
    order = {row.key: i for i, row in enumerate(fmt.table(table_key).rows)}
    best: list[int] = []  # longest increasing run of template positions, patience-sorted
    for key in keys:
        i = bisect.bisect_left(best, order[key])
        best[i : i + 1] = [order[key]]
    return len(best)


class Mapper:
    """Fills a record's values for one format from the runs of one page."""

    def __init__(self, runs: list[Run], fmt: Format, statements: Sequence[Statement] = ()) -> None:
        self.runs = runs
        self.statements = statements  # numbers the prose states: they may settle a glued row
        # On a page with real table rows, numbers in the free text between them are not cells.
        self.structured_page = any(run.structured for run in runs)
        self.pending: list[Pending] = []  # rows whose cells are not one per slot (glued, vanished)
        self.inferred_identities: set[tuple[str, str]] = set()
        self.unread: set[tuple[str, str]] = set()  # (table, row) on the page but not readable
        self.missing: set[str] = set()  # tables not on the page: their rows are not reported one by one
        self.spans: list[tuple[int, int]] = []  # the runs each table was read from: [begin, end)
        # table -> {grid: the column its first data column header sits in}, from the header rows
        self.data_starts: dict[str, dict[Grid, int]] = {}
        self.table_starts: dict[str, int | None] = {}  # per table: the start its header grids agree on
        self.pads_labels: set[str] = set()  # tables whose page pads the label columns with empty cells
        self.padded: set[str] = set()  # tables whose page pads their narrower rows out to the table's width
        self.matched: dict[str, list[str]] = {}  # table -> the keys of the rows found, in page order
        self.fmt = fmt
        self.values: dict[str, Value] = {}
        self.extra: list[dict[str, Any]] = []
        self.notes: list[Note] = []
        self._per_line: Counter[tuple[int | None, int | None]] | None = None  # see _whole
        for t, r, c in fmt.value_keys():
            row = fmt.table(t).row(r)
            self.values[f"{t}.{r}.{c}"] = Value(t, r, c, row.label)

    def run(self) -> MapResult:
        regions = find_regions(self.runs, self.fmt)
        if regions.requests is None and regions.active is None and regions.appeals_start is None:
            raise ReportError("no-table-text", "no table text found (the tables may be images or an attachment)")
        if regions.active is None:
            self.notes.append(note("table-missing", table=TableRef(2), title="主动公开政府信息情况"))
            self.missing.add("active")
        else:
            self._rows(self.fmt.table("active"), *regions.active)
        if regions.requests is None:
            self.notes.append(note("table-missing", table=TableRef(3), title="收到和处理政府信息公开申请情况"))
            self.missing.add("requests")
        else:
            self._rows(self.fmt.table("requests"), *regions.requests)
        if regions.appeals_start is None:
            self.notes.append(note("table-missing", table=TableRef(4), title="行政复议、行政诉讼"))
            self.missing.add("appeals")
        else:
            self._sequence(self.fmt.table("appeals"), regions.appeals_start)
        if self.pending:
            self._recover()
        if not any(v.raw is not None for v in self.values.values()) and not self.unread:
            raise ReportError("no-table-text", "no table text found (the tables may be images or an attachment)")
        for key, v in self.values.items():
            unread = (v.table, v.row) in self.unread or v.table in self.missing
            if v.raw is None and not unread and v.column == self.fmt.table(v.table).row(v.row).columns[0].key:
                row_key = key.rsplit(".", 1)[0]
                self.notes.append(note("row-missing", None, (row_key,), label=v.label, row=row_key))
        return MapResult(
            fmt=self.fmt,
            values=self.values,
            extra=self.extra,
            notes=self.notes,
            inferred_identities=frozenset(self.inferred_identities),
            unread=frozenset(self.unread),
            missing=frozenset(self.missing),
            runs=tuple(self.runs),
            spans=tuple(self.spans),
            matched={table: tuple(keys) for table, keys in self.matched.items()},
        )

    # -- rows anchored by label ----------------------------------------------------------------

    def _rows(self, table: Table, begin: int, end: int) -> None:
        self.spans.append((begin, end))
        around = self.runs[max(0, begin - _HEADER_RUNS) : end]
        _drop_edge_columns(around, {_data_width(table)})
        under = _header_starts(table, around)
        self.data_starts[table.key] = _data_starts(table, around, under)
        self.table_starts[table.key] = _table_start(under)
        if _pads_labels(table, around):
            self.pads_labels.add(table.key)
        matcher = row_matcher(table)
        if _pads_narrow_rows(table, around, self.data_starts[table.key], matcher):
            self.padded.add(table.key)
        matched: list[tuple[Run, Row]] = []
        orphans: list[Run] = []
        units = self._header_units(table, begin, end) if table.key == "active" else {}
        seen: set[str] = set()
        absorbed: set[int] = set()  # runs read as the rest of an earlier row (a word split it)
        for run in self.runs[begin:end]:
            if run.index in absorbed:
                continue
            matched += self._rows_of_words(table, run, matcher, seen)
            if not run.values:
                continue
            row = match_row(table, run, matcher) if run.labels else None
            if row is None and run.structured:
                run, row = self._label_before_words(table, run, matcher)
            if row is None:
                self._unknown(table, run, orphans)
                continue
            if (
                run.structured
                and not _numbers(run.values)
                and len(run.trimmed_values(len(row.columns))) != len(row.columns)
            ):
                continue  # a header row padded with empty cells (「行政复议」 over five blanks): no numbers, no row
            if (
                not run.structured
                and self.structured_page
                and len(run.trimmed_values(len(row.columns))) != len(row.columns)
            ):
                self._ignored("stray-values/near-row", run.values, table=TableRef(table.number), label=row.label)
                continue
            if row.key in seen:
                self.notes.append(
                    note(
                        "duplicate-row",
                        run.values[0].loc,
                        (),
                        _numbers(run.values),
                        table=TableRef(table.number),
                        label=row.label,
                    )
                )
                continue
            seen.add(row.key)
            matched.append((run, row))
            if len(run.trimmed_values(len(row.columns))) < len(row.columns):
                if run.structured:
                    taken = self._text_for_numbers(table, row, run, units, matcher)
                else:
                    taken = self._words_in_text(table, row, run, units, matcher, end)
                if taken is not None:
                    absorbed |= taken
                    continue
            self._assign(table, row, run, units)
        if end < len(self.runs):  # a last row of words sits among the labels that open what follows
            matched += self._rows_of_words(table, self.runs[end], matcher, seen)
        if orphans:
            self._fill_gaps(table, matched, orphans, units)
        self.matched[table.key] = [row.key for _, row in matched]

    def rows_in_order(self, table_key: str) -> int:
        """How many of a table's rows were found in the format's order (see :func:`rows_in_order`)."""
        return rows_in_order(self.fmt, table_key, self.matched.get(table_key, []))

    def _whole(self, cells: Sequence[Cell]) -> frozenset[int]:
        """The tokens of a free-text row that are one cell as printed: each alone on its line, in a row
        of several tokens (the line breaks are its cell boundaries; a row of one token may be a whole
        row run together, 「100000000000000」)."""
        if len(cells) < 2 or all(c.row_id is not None for c in cells):
            return frozenset()
        if self._per_line is None:  # free text: how many cells each line holds
            self._per_line = Counter(
                (c.loc.page, c.loc.line)
                for run in self.runs
                for c in (*run.labels, *run.values)
                if c.row_id is None and c.loc.table is None and c.loc.line is not None
            )
        per_line = self._per_line
        return frozenset(
            i
            for i, c in enumerate(cells)
            if c.row_id is None and per_line[(c.loc.page, c.loc.line)] == 1 and one_cell(c)
        )

    def _assign(self, table: Table, row: Row, run: Run, units: Units, inferred: str | None = None) -> None:
        width = len(row.columns)
        cells = run.trimmed_values(width)
        too_long = any(c.kind == "value" and c.number is None for c in cells)  # digits of several cells
        if (len(cells) < width and not run.structured) or too_long:
            slots = [(row, col) for col in row.columns]
            self.pending.append(Pending(table, slots, cells, units=units, whole=self._whole(cells)))
            return
        if run.structured:
            if len(cells) > width or table.key in self.pads_labels:  # else an empty first cell is a blank
                starts = self.data_starts.get(table.key, {})
                cells = _without_label_padding(cells, starts, self.table_starts.get(table.key))
            if len(cells) == width and self._stops_short(table, row, run, cells):
                return
        if len(cells) != width:
            joined = None if run.structured else _join_split_number(table, row, cells, self.fmt)
            if joined is None:
                self._wrong_width(table, row, cells, width)
                return
            cells, why, used = joined
            inferred = why.en
            self.inferred_identities |= used
            self.notes.append(
                note(
                    "row-recovered/one-too-many",
                    cells[0].loc,
                    (f"{table.key}.{row.key}",),
                    tuple(c.loc for c in run.values if c.kind == "value" and c.loc not in {d.loc for d in cells}),
                    table=TableRef(table.number),
                    label=row.label,
                    printed=shown(run.values),
                    why=why,
                )
            )
        for col, cell in zip(row.columns, cells):
            v = self.values[f"{table.key}.{row.key}.{col.key}"]
            v.raw, v.loc, v.inferred = cell.raw, cell.loc, inferred
            v.value, v.unit = _normalise(cell, col.kind, units.get((row.block, col.key)), v, self.notes)

    def _text_for_numbers(self, table: Table, row: Row, run: Run, units: Units, matcher: RowMatcher) -> set[int] | None:
        """A real table row with words in some of its number cells (「见附件」, 「不适用」, 「约10件」): when
        those words and the numbers fill the row's data columns exactly, one cell a column, the numbers
        are read in their columns and each word is left unread with a finding (S014), instead of the
        whole row. A word splits the row into runs: the runs after ``run`` it read are returned; None
        when the row is not such a row (it is then read as usual)."""
        grid = run.values[0].loc.table
        start = self.data_starts.get(table.key, {}).get(grid)
        if start is None and run.end is not None:  # a grid without a header: the data columns end the row
            start = run.end - len(row.columns) + 1
        rid = run.row_id
        own = [c for c in run.labels if c.row_id == rid]
        if start is None or not own:
            return None
        later = self._rest_of_row(run, len(row.columns))
        cells = [c for c in run.values if not c.copy] + [
            c for r in later for c in (*r.labels, *r.values) if c.row_id == rid and not c.copy
        ]
        placed = _placed_with_words(table, len(row.columns), own, cells, start, matcher)
        if placed is None:
            return None
        self._read_with_words(table, [(row, col) for col in row.columns], placed, units)
        return {r.index for r in later if r.values and all(c.row_id == rid for c in (*r.labels, *r.values))}

    def _rest_of_row(self, run: Run, width: int) -> list[Run]:
        """The runs after ``run`` that a word in its row opened (a word reads as a label, and a label
        after values starts a run): those whose labels belong to the same physical row."""
        later: list[Run] = []
        for nxt in self.runs[run.index + 1 : run.index + width + 1]:
            if not any(c.row_id == run.row_id for c in nxt.labels):
                break
            later.append(nxt)
            if any(c.row_id != run.row_id for c in (*nxt.labels, *nxt.values)):
                break  # a word ending the row: it opens the next row's run
        return later

    def _label_before_words(self, table: Table, run: Run, matcher: RowMatcher) -> tuple[Run, Row | None]:
        """The row a real table row names when the cells after its label are words where numbers belong
        (「3.其他 | 见附件 | 0 | 11 …」: the word, read as the last label, hides the row). A label padded
        with empty cells before the word is a run of its own, joined back here."""
        prev = self.runs[run.index - 1] if run.index > 0 else None
        if prev is not None and prev.row_id == run.row_id and prev.labels and not _numbers(prev.values):
            run = Run([*prev.labels, *run.labels], [*prev.values, *run.values], run.index, run.row_id, run.end)
        own = [c for c in run.labels if c.row_id == run.row_id and not c.copy]
        for k in range(1, len(own)):
            row = match_row(table, Run(labels=run.labels[: len(run.labels) - k]), matcher)
            if row is not None:
                return run, row
        return run, None

    def _words_in_text(
        self, table: Table, row: Row, run: Run, units: Units, matcher: RowMatcher, end: int
    ) -> set[int] | None:
        """Text (one cell a line, or flattened) where words stand in a number's place: 「规章 / 123 /
        见附件 / 210」. The word reads as a label and cuts the row in two runs; read whole, the first
        run would be one token for three cells and read glued (1/2/3). When the runs after ``run``
        are words and numbers that, each token one cell, fill the row exactly, and what follows them
        is another row (or the table's end), the row is read in that order with each word unread
        (S014): the runs used are returned. None: not such a row."""
        width = len(row.columns)
        placed: list[Cell] = list(run.values)
        used: list[Run] = []
        for nxt in self.runs[run.index + 1 : min(end, run.index + width + 1)]:
            if len(placed) >= width or not nxt.labels:
                break
            if any(_best_row(table, normalize_label(c.raw), matcher) is not None for c in nxt.labels):
                break  # the next row begins
            if any(len(normalize_label(c.raw)) > 8 for c in nxt.labels):
                return None  # a heading or a row of its own, not words in a cell
            placed += [*nxt.labels, *nxt.values]
            used.append(nxt)
        if not used or len(placed) != width or not all(c.kind == "label" or one_cell(c) for c in placed):
            return None
        after = self.runs[used[-1].index + 1] if used[-1].index + 1 < end else None
        if after is not None and match_row(table, after, matcher) is None:
            return None  # what follows is no row of the table: the count may be a coincidence
        self._read_with_words(table, [(row, col) for col in row.columns], placed, units)
        return {r.index for r in used}

    def _rows_of_words(self, table: Table, run: Run, matcher: RowMatcher, seen: set[str]) -> list[tuple[Run, Row]]:
        """Real table rows whose every number cell holds words (2021's one-cell 「行政处罚 | 不适用」):
        such a row has no values, so its cells sit among the labels before the next row's values (or
        make a run of their own, its empty edge cell dropped: :func:`_drop_edge_columns`).
        Read as a row of words (each named by S014), not reported absent."""
        groups: dict[object, list[Cell]] = {}
        for c in run.labels:
            if c.row_id is not None and (c.row_id != run.row_id or not run.values) and not c.copy:
                groups.setdefault(c.row_id, []).append(c)
        found: list[tuple[Run, Row]] = []
        for cells in groups.values():
            row = _best_row(table, normalize_label(cells[0].raw), matcher) if len(cells) > 1 else None
            if row is None or row.key in seen:
                continue
            words = _filled_by_words(table, cells[1:], [], cells[1].loc.column or 0, len(row.columns), matcher)
            if words is None:
                continue
            seen.add(row.key)
            self._read_with_words(table, [(row, col) for col in row.columns], words)
            found.append((Run(labels=cells, index=run.index), row))
        return found

    def _read_with_words(
        self, table: Table, slots: list[tuple[Row, Column]], placed: list[Cell], units: Units | None = None
    ) -> None:
        """Cells placed one a slot: numbers and blanks read, each word left unread with S014."""
        for (row, col), cell in zip(slots, placed):
            v = self.values[f"{table.key}.{row.key}.{col.key}"]
            if cell.kind != "label":
                v.raw, v.loc = cell.raw, cell.loc
                header_unit = units.get((row.block, col.key)) if units else None
                v.value, v.unit = _normalise(cell, col.kind, header_unit, v, self.notes)
                continue
            self.unread.add((table.key, row.key))
            self.notes.append(
                note(
                    "text-for-number",
                    cell.loc,
                    (f"{table.key}.{row.key}",),
                    (cell.loc,) if any(ch.isdigit() for ch in cell.raw) else (),
                    table=TableRef(table.number),
                    label=row.label,
                    column=Words(col.short, col.en),
                    text=cell.raw,
                    where=cell.loc,
                )
            )

    def _stops_short(self, table: Table, row: Row, run: Run, cells: list[Cell]) -> bool:
        """A row narrower than its table, on a page that pads such rows with empty cells out to the
        table's width (:func:`_pads_narrow_rows`), that stops short of it: one of its cells is lost and
        the padding of its last cell makes up the count. Left unread with a finding."""
        if table.key not in self.padded or len(row.columns) >= table.width or run.end is None:
            return False
        last = _last_column(table, cells)
        if last is None or run.end >= last:
            return False
        self.unread.add((table.key, row.key))
        self.notes.append(
            note(
                "row-wrong-width/padded",
                cells[0].loc,
                (f"{table.key}.{row.key}",),
                _numbers(cells),
                table=TableRef(table.number),
                label=row.label,
                where=cells[0].loc,
                end=run.end,
                last=last,
                printed=shown(cells),
            )
        )
        return True

    def _ignored(self, key: str, cells: list[Cell], **fields: object) -> None:
        """A warning that quotes the cells it leaves unread (field ``printed``), their numbers in ``cells``."""
        self.notes.append(note(key, cells[0].loc, (), _numbers(cells), printed=shown(cells), **fields))

    def _wrong_width(self, table: Table, row: Row, cells: list[Cell], width: int) -> None:
        """A row with cells missing or extra: left unread with a finding, never shifted or guessed."""
        self.unread.add((table.key, row.key))
        self.notes.append(
            note(
                "row-wrong-width",
                cells[0].loc if cells else None,
                (f"{table.key}.{row.key}",),
                _numbers(cells),
                table=TableRef(table.number),
                label=row.label,
                where=cells[0].loc if cells else "?",
                count=len(cells),
                width=width,
                printed=shown(cells),
            )
        )

    def _unknown(self, table: Table, run: Run, orphans: list[Run]) -> None:
        if all(c.kind == "null" for c in run.values):
            return  # blank cells under a header carry nothing
        if not run.labels:
            orphans.append(run)
            return
        label = run.labels[-1].raw
        if _NARRATIVE.search(label) or len(normalize_label(label)) > 30:
            # prose that happens to contain numbers, not a table row: named, not read
            self.notes.append(
                note(
                    "prose-numbers",
                    run.values[0].loc,
                    (),
                    _numbers(run.values),
                    table=TableRef(table.number),
                    printed=shown(c for c in run.values if c.kind == "value"),
                )
            )
            return
        self._extra_row(table, label, run.labels[-1].loc, list(run.values))

    def _fill_gaps(self, table: Table, matched: list[tuple[Run, Row]], orphans: list[Run], units: Units) -> None:
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
                        note(
                            "row-inferred",
                            run.values[0].loc,
                            table=TableRef(table.number),
                            printed=shown(run.values),
                            label=row.label,
                        )
                    )
                    used.add(run.index)
        for run in orphans:
            if run.index not in used:
                self._ignored("stray-values/unlabelled", run.values, table=TableRef(table.number))

    def _header_units(self, table: Table, begin: int, end: int) -> dict[tuple[str, str], str]:
        """Units printed in table-2 column headers, e.g. 处理决定数量(万宗), keyed by (block, column)."""
        units: dict[tuple[str, str], str] = {}
        block = ""
        for run in self.runs[begin:end]:
            for cell in run.labels:
                text = simplify_prose(cell.raw)
                if m := _BLOCK.search(text):
                    block = m.group(1)
                m = _HEADER_UNIT.search(re.sub(r"\s+", "", text))
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
        for p in self.pending:
            readings(p, self.fmt)
            apply_statements(p, self.statements)
        known = {k: v.value for k, v in self.values.items() if v.raw is not None}
        resolution = resolve(self.pending, self.fmt, known)
        self.inferred_identities = set(resolution.used)
        for p, reading in zip(self.pending, resolution.chosen, strict=True):
            label = "/".join(r.label for r in p.rows)
            rows = tuple(f"{p.table.key}.{r.key}" for r in p.rows)
            loc = p.cells[0].loc if p.cells else None
            if reading is None:
                self.unread |= {(p.table.key, r.key) for r in p.rows}
                unread = note(
                    "row-ambiguous",
                    loc,
                    rows,
                    _numbers(p.cells),
                    table=TableRef(p.table.number),
                    label=label,
                    text=p.text,
                    why=_why_unread(p),
                )
                unread.data = {"text": p.text, "readings": [describe(r) for r in p.readings]}  # settling.py reads them
                self.notes.append(unread)
                continue
            how = _how_read(p)
            inferred = f"cells not separated on the page ('{p.text}'); read as {describe(reading)}: {how.en}"
            for (row, col), piece in zip(p.slots, reading):
                v = self.values[f"{p.table.key}.{row.key}.{col.key}"]
                cell = piece.as_cell() if piece else Cell("", "null", loc or Location())
                v.raw, v.loc, v.inferred = cell.raw, cell.loc, inferred
                v.value, v.unit = _normalise(cell, col.kind, p.units.get((row.block, col.key)), v, self.notes)
            self.notes.append(
                note(
                    "row-recovered",
                    loc,
                    rows,
                    table=TableRef(p.table.number),
                    label=label,
                    text=p.text,
                    reading=describe(reading),
                    how=how,
                )
            )

    # -- table 4: fifteen numbers in a row -------------------------------------------------------

    def _sequence(self, table: Table, start: int) -> None:
        slots = [(row, col) for row in table.rows for col in row.columns]
        runs: list[Run] = []
        for run in self.runs[start:]:
            if run.index > start and _has(run, _AFTER_TABLE4):
                break
            runs.append(run)
        if any(run.structured for run in runs if run.values):
            self._appeal_rows(table, runs)
            return
        if self._labelled_appeal_runs(table, start, runs):
            return
        cells: list[Cell] = []
        end = start
        for run in runs:
            if len(cells) >= len(slots):
                break
            cells.extend(run.values)
            end = run.index + 1
        self.spans.append((start, end))
        cells, rest = cells[: len(slots)], cells[len(slots) :]
        if _numbers(rest):
            self._ignored("stray-values/after-cells", rest, table=TableRef(4), count=len(slots))
        too_long = any(c.kind == "value" and c.number is None for c in cells)
        if len(cells) < len(slots) or too_long:
            if cells:
                self.pending.append(Pending(table, slots, cells, whole=self._whole(cells)))
            return
        for (row, col), cell in zip(slots, cells):
            self._put(table, row, col, cell)

    def _labelled_appeal_runs(self, table: Table, start: int, runs: list[Run]) -> bool:
        """Free text of a table 4 printed as rows (a label, then its five numbers), read by the labels as
        :meth:`_appeals_by_label` reads real rows; False when it is not that (the template's fifteen
        numbers in one run). In printed order, a subtotal row or a swapped pair was read one row off."""
        width = len(table.rows[0].columns)
        valued = [run for run in runs if _numbers(run.values)]
        if len(valued) < 2 or any(len(run.values) != width for run in valued):
            return False
        # the last label (the first run's labels begin with the table's heading and column headers), or
        # the last two when it names nothing alone (a label wrapped over two lines: 经复议后提起 / 行政诉讼)
        last: dict[object, list[Cell]] = {}
        named: dict[object, Row | None] = {}
        for run in valued:
            last[run.index], named[run.index] = list(run.labels[-1:]), self._appeal_row(table, run.labels[-1:])
            if named[run.index] is None and (two := self._appeal_row(table, run.labels[-2:])) is not None:
                last[run.index], named[run.index] = list(run.labels[-2:]), two
        if not any(named.values()):
            return False
        data: list[object] = [run.index for run in valued]
        values: dict[object, list[Cell]] = {run.index: list(run.values) for run in valued}
        self._name_further(data, self._appeals_by_label(table, data, values, named, last), values)
        self.spans.append((start, valued[-1].index + 1))
        return True

    def _appeal_rows(self, table: Table, runs: list[Run]) -> None:
        """Table 4 as real table rows: header rows (labels, no numbers, however padded) are skipped;
        the data is one row of 15 cells or three rows of 5, each read whole or left unread."""
        _drop_edge_columns(runs, {len(table.rows[0].columns), _data_width(table)})
        labels, values = _appeal_cells(runs)
        data = [rid for rid, cells in values.items() if rid is not None and _numbers(cells)]
        if not data:  # an all-blank table: the label-less rows of blanks are its data
            data = [rid for rid in values if rid is not None and rid not in labels]
        total = len(table.rows[0].columns) * len(table.rows)
        starts = _data_starts(table, runs, _header_starts(table, runs))
        trimmed = {rid: _without_label_padding(_trim(values[rid], total), starts) for rid in data}
        by_label = {rid: self._appeal_row(table, labels.get(rid, [])) for rid in data}
        if len(data) == 1 and len(trimmed[data[0]]) < total:
            placed = _with_words(table, trimmed[data[0]], labels.get(data[0], []), starts, total)
            if placed is not None:
                self._read_with_words(table, [(r, c) for r in table.rows for c in r.columns], placed)
                trimmed[data[0]] = placed
                data = []
        taken = self._place_appeals(table, data, trimmed, by_label, labels) if data else [rid for rid in trimmed]
        self._name_further(data, taken, trimmed)
        for rid in taken:
            kept = {c.loc for c in trimmed[rid]}
            left = [c for c in values[rid] if c.loc not in kept]
            if _numbers(left):
                self._ignored("stray-values/beyond-row", left, table=TableRef(4))
        ends = [run.index + 1 for run in runs if any(c.row_id in taken for c in run.values)]
        end = max(ends, default=runs[0].index + 1)
        self.spans.append((runs[0].index, end))
        loose = [c for run in runs if run.index < end and not run.structured for c in run.values]
        if _numbers(loose):
            self._ignored("stray-values/between-rows", loose, table=TableRef(4))

    def _place_appeals(
        self,
        table: Table,
        data: list[object],
        trimmed: dict[object, list[Cell]],
        by_label: dict[object, Row | None],
        labels: dict[object, list[Cell]],
    ) -> list[object]:
        """Put table 4's data rows in their slots; the physical rows used. One row of 15 (glued: left to
        recovery), rows named by their own labels (transposed), three rows of 5 in order when no row
        carries a label, or unread."""
        width = len(table.rows[0].columns)
        total = width * len(table.rows)
        slots = [(r, c) for r in table.rows for c in r.columns]
        first = trimmed[data[0]] if data else []
        rows = data[: len(table.rows)]
        if len(data) == 1 and any(c.kind == "value" and c.number is None for c in first):
            self.pending.append(Pending(table, slots, first))
            return data
        if data and len(first) == total:
            for (row, col), cell in zip(slots, first):
                self._put(table, row, col, cell)
            return data[:1]
        if len(data) > 1 and any(by_label.values()):
            return self._appeals_by_label(table, data, trimmed, by_label, labels)
        if len(data) == len(table.rows) and all(len(_trim(trimmed[rid], width)) == width for rid in rows):
            for row, rid in zip(table.rows, rows):
                for col, cell in zip(row.columns, _trim(trimmed[rid], width)):
                    self._put(table, row, col, cell)
            return rows
        self.unread |= {(table.key, row.key) for row in table.rows}
        self.notes.append(
            note(
                "row-wrong-width/appeals",
                first[0].loc if first else None,
                tuple(f"{table.key}.{row.key}" for row in table.rows),
                _numbers(first),
                table=TableRef(4),
                where=first[0].loc if first else "?",
                count=len(first),
                total=total,
                row_count=len(table.rows),
                width=width,
                printed=shown(first),
            )
        )
        return data[:1]

    def _appeals_by_label(
        self,
        table: Table,
        data: list[object],
        trimmed: dict[object, list[Cell]],
        by_label: dict[object, Row | None],
        labels: dict[object, list[Cell]],
    ) -> list[object]:
        """Table 4 printed as labelled rows: each row of the format read from the one data row its label
        names, whatever their order. Before, such tables were read in printed order: a subtotal row or
        the litigation rows swapped put every number one row off with no finding.

        - The whole table printed again (every row named as often, 上年度 after this year's): the first
          grid is read and the rest left to the caller's duplicate note.
        - A data row naming none: a total (行政诉讼合计) is kept under ``extra`` with a note; the others
          fill the rows no label named, in template order, each with a row-inferred note (a label the
          patterns do not know: 直接向人民法院起诉), or go to ``extra`` when the counts differ.
        - A row named twice in one grid: which is the year's cannot be told; unread, with a note.
        """
        width = len(table.rows[0].columns)
        named = Counter(row.key for row in by_label.values() if row is not None)
        repeats = set(named.values())
        ignored: set[object] = set()  # a repeated grid's later rows: not taken, named by the caller
        if len(named) == len(table.rows) and len(repeats) == 1 and max(repeats) > 1:
            seen: set[str] = set()
            for rid in data:
                row = by_label[rid]
                if row is not None and row.key in seen:
                    ignored.add(rid)
                elif row is not None:
                    seen.add(row.key)
            named = Counter(dict.fromkeys(seen, 1))
        own = {rid: self._own_label(labels.get(rid, [])) for rid in data}
        unnamed = [rid for rid in data if by_label[rid] is None]
        headers = {normalize_label(c.label) for c in table.rows[0].columns}  # 总计 over the last column
        spare = [
            rid
            for rid in unnamed
            if normalize_label(own[rid]) in headers or not _TOTAL_LIKE.search(normalize_label(own[rid]))
        ]
        missing = [row for row in table.rows if named[row.key] == 0]
        inferred = dict(zip(spare, missing)) if missing and len(missing) == len(spare) else {}
        taken: list[object] = []
        for rid in data:
            if rid in ignored:
                continue
            row = by_label[rid] or inferred.get(rid)
            taken.append(rid)
            if row is None:
                self._extra_row(table, own[rid], (labels.get(rid) or trimmed[rid])[0].loc, trimmed[rid])
                continue
            if by_label[rid] is not None and named[row.key] != 1:
                continue  # named twice: left unread below
            cells = _trim(trimmed[rid], width)  # a row of 5 drawn out with empty cells
            if len(cells) != width:
                self._wrong_width(table, row, cells, width)
                continue
            for col, cell in zip(row.columns, cells):
                self._put(table, row, col, cell)
            if by_label[rid] is None:
                why = f"row labelled '{own[rid]}' placed as {row.label}, the one row no other label names"
                for col in row.columns:
                    self.values[f"{table.key}.{row.key}.{col.key}"].inferred = why
                self.notes.append(
                    note("row-inferred", cells[0].loc, table=TableRef(4), printed=shown(cells), label=row.label)
                )
        for row in table.rows:
            if named[row.key] <= 1:
                continue
            twice = [c for rid in data if by_label[rid] is row for c in trimmed[rid]]
            self.unread.add((table.key, row.key))
            self.notes.append(
                note(
                    "row-wrong-width/appeals-labels",
                    twice[0].loc if twice else None,
                    (f"{table.key}.{row.key}",),
                    _numbers(twice),
                    table=TableRef(4),
                    label=row.label,
                    times=named[row.key],
                    printed=shown(twice),
                )
            )
        return taken

    def _name_further(self, data: list[object], taken: list[object], cells: dict[object, list[Cell]]) -> None:
        """Table 4's data rows left over (the table printed again, 上年度 before or after this year's):
        named, never dropped."""
        further = [c for rid in data if rid not in taken for c in cells[rid]]
        if _numbers(further):
            self._ignored("duplicate-row/appeals", further, table=TableRef(4))

    @staticmethod
    def _own_label(labels: list[Cell]) -> str:
        return "".join(c.raw for c in labels if not c.copy) or "".join(c.raw for c in labels) or "?"

    def _extra_row(self, table: Table, label: str, loc: Location, cells: list[Cell]) -> None:
        """A row the format has no row for: its numbers kept under ``extra``, and named."""
        self.extra.append(
            {
                "table": table.key,
                "label": label,
                "values": [{"value": c.number, "raw": c.raw, "loc": c.loc.as_dict()} for c in cells],
            }
        )
        self.notes.append(
            note(
                "unknown-row",
                loc,
                table=TableRef(table.number),
                year=self.fmt.name,
                label=label,
                printed=shown(cells),
            )
        )

    @staticmethod
    def _appeal_row(table: Table, labels: list[Cell]) -> Row | None:
        """The table-4 row a data row's own label names (transposed layouts), if any."""
        if not labels:
            return None
        return _best_row(table, normalize_label("".join(c.raw for c in labels)))

    def _put(self, table: Table, row: Row, col: Column, cell: Cell) -> None:
        v = self.values[f"{table.key}.{row.key}.{col.key}"]
        v.raw, v.loc = cell.raw, cell.loc
        v.value, v.unit = _normalise(cell, col.kind, None, v, self.notes)


_TOTAL_LIKE = re.compile("合计|小计|总计|共计|累计")  # a label of a sum, never one of table 4's rows


def _placed_with_words(
    table: Table, width: int, own: list[Cell], cells: list[Cell], start: int, matcher: RowMatcher
) -> list[Cell] | None:
    """A real table row's cells in column order, words among the numbers: the row's own label cells
    right of its first one and at or past ``start``, and the label cells among its later cells, when
    with the numbers they fill its ``width`` data columns (see :func:`_filled_by_words`)."""
    first = min(c.loc.column or 0 for c in own)
    words = [c for c in own if (c.loc.column or 0) > first and (c.loc.column or 0) >= start]
    words += [c for c in cells if c.kind == "label"]
    return _filled_by_words(table, words, cells, start, width, matcher, trim=True)


def _with_words(
    table: Table, cells: list[Cell], labels: list[Cell], starts: dict[Grid, int], width: int
) -> list[Cell] | None:
    """A table-4 data row's numbers and the words among them (its label cells at or past the grid's
    data start) in column order, when together they fill the ``width`` data columns (see
    :func:`_filled_by_words`)."""
    if not cells or cells[0].loc.column is None:
        return None
    start = starts.get(cells[0].loc.table)
    if start is None:
        return None
    words = [c for c in labels if not c.copy and (c.loc.column or 0) >= start]
    return _filled_by_words(table, words, cells, start, width)


def _filled_by_words(
    table: Table,
    words: list[Cell],
    cells: list[Cell],
    start: int,
    width: int,
    matcher: RowMatcher | None = None,
    *,
    trim: bool = False,
) -> list[Cell] | None:
    """``words`` and ``cells`` in column order when they fill the ``width`` columns from ``start``
    exactly, one cell a column (``trim``: the row's empty cells past the last column dropped first);
    None when there is no word, a "word" names a row of the table (a label, not a word), or a gap, a
    span or a short row leaves a word's column uncertain."""
    if not words or any(_best_row(table, normalize_label(w.raw), matcher) is not None for w in words):
        return None
    placed = sorted({c.loc.column: c for c in [*words, *cells]}.values(), key=lambda c: c.loc.column or 0)
    if trim:
        placed = _trim(placed, width)
    return placed if [c.loc.column for c in placed] == list(range(start, start + width)) else None


def _appeal_cells(runs: list[Run]) -> tuple[dict[object, list[Cell]], dict[object, list[Cell]]]:
    """Table 4's cells by physical row: (labels, values). An empty cell before its row's label pads
    the label columns and is dropped."""
    labels: dict[object, list[Cell]] = {}
    values: dict[object, list[Cell]] = {}
    last_label = {cell.row_id: run.index for run in runs for cell in run.labels}
    for run in runs:
        for cell in run.labels:
            labels.setdefault(cell.row_id, []).append(cell)
        for cell in run.values:
            if cell.kind == "null" and run.index < last_label.get(cell.row_id, -1):
                continue
            values.setdefault(cell.row_id, []).append(cell)
    return labels, values


_AFTER_TABLE4 = "存在的主要问题|其他需要报告"


_HEADER_RUNS = 12  # how far before a table's first data row its header rows may begin, in runs
_LONGEST_HEAD = 24  # characters of a column header as printed (「本年收费金额（单位：万元）」 with spaces)


def _data_starts(table: Table, runs: list[Run], under: dict[Grid, int]) -> dict[Grid, int]:
    """Where each grid's data columns begin: under its first column header (``under``, from
    :func:`_header_starts`); in a grid without one (a table's continuation), where most of its rows
    say the data begins (over-long rows past their padding, full rows at their first filled cell).
    Empty cells left of it pad the label columns, however the page pads them (empty <td>s, &nbsp;,
    blank Markdown cells); a grid that shows neither keeps every cell."""
    rows, label_end = _row_cells(runs)
    out = _learned_starts(rows, label_end, _data_width(table), under)
    out.update(under)
    return out


def _data_width(table: Table) -> int:
    """How many data cells a row of ``table`` holds (table 4 printed as one row: all of them)."""
    return len(table.rows[0].columns) * len(table.rows) if table.layout == "sequence" else table.width


def _row_cells(runs: list[Run]) -> tuple[dict[object, list[Cell]], dict[object, int]]:
    """The value cells of each physical row, and the column its labels end in."""
    rows: dict[object, list[Cell]] = {}
    label_end: dict[object, int] = {}
    for run in runs:
        for cell in run.labels:
            if cell.loc.column is not None and cell.row_id is not None:
                label_end[cell.row_id] = max(label_end.get(cell.row_id, 0), cell.loc.column)
        for cell in run.values:
            if cell.loc.column is not None and cell.row_id is not None:
                rows.setdefault(cell.row_id, []).append(cell)
    return rows, label_end


def _drop_edge_columns(runs: list[Run], widths: set[int]) -> None:
    """Take out of ``runs`` the empty column at a grid's right edge that is not part of the table: an
    empty cell closing every row, as Word exports and CMS editors draw a table's last narrow column.

    A grid shows one when every cell in its last column is empty, over two rows or more, and a header
    row reaches it with a heading just left of it (总计 | empty cell), or half its rows of numbers or
    more reach it with one cell more than the table's data columns (``widths``). Neither a grid of
    blank totals nor rows drawn out to the table's width with empty cells do. Where a grid
    shows one, every grid whose last column is empty has one too (a table's cut-off part, one row of
    numbers or a few narrow ones). A row that stops short of the edge on an empty cell lost a cell
    before that (its cells closed up, and every row of a table reaches its last column, narrow ones
    by a span): that cell is the edge's and goes too, so the row is short and left unread rather
    than read one column off."""
    cells_of: dict[Grid, list[Cell]] = {}
    runs_of: dict[Grid, list[Run]] = {}
    for run in runs:
        if not run.structured:
            continue
        for cell in (*run.labels, *run.values):
            if cell.loc.column is not None and cell.row_id is not None:
                cells_of.setdefault(cell.loc.table, []).append(cell)
        if run.values and run.values[-1].loc.column is not None:
            runs_of.setdefault(run.values[-1].loc.table, []).append(run)
    empty_last: dict[Grid, int] = {}  # grids whose last column holds only empty cells
    shown = False
    for grid, cells in cells_of.items():
        last = max(c.loc.column or 0 for c in cells)
        at_edge = [c for c in cells if c.loc.column == last]
        if not all(_empty(c) for c in at_edge):
            continue
        empty_last[grid] = last
        if len({c.row_id for c in at_edge}) < 2:
            continue
        numbered = [run for run in runs_of.get(grid, []) if _numbers(run.values)]
        over = [r for r in numbered if r.values[-1].loc.column == last and len(r.values) - 1 in widths]
        with_numbers = {run.row_id for run in numbered}
        heads = {c.row_id for c in cells if c.kind == "label" and c.loc.column == last - 1}
        headed = any(c.row_id in heads and c.row_id not in with_numbers for c in at_edge)  # 总计 | (empty)
        shown = shown or headed or 2 * len(over) >= len(numbered) > 0
    if not shown:
        return
    for grid, last in empty_last.items():
        for run in runs_of.get(grid, []):
            if not run.values:
                continue
            final = run.values[-1]
            if final.loc.column == last:
                run.values = run.values[:-1]
            elif run.end is not None and run.end < last and _empty(final):
                run.values, run.end = run.values[:-1], (final.loc.column or 1) - 1  # the edge's cell, moved left
            if run.end is not None:
                run.end = min(run.end, last - 1)


def _padded_past(cells: list[Cell], label_end: int, width: int) -> list[Cell] | None:
    """A row's cells after its labels when there are more than ``width`` and the extra ones, first,
    are empty (the label columns padded); else None."""
    after = [c for c in cells if (c.loc.column or 0) > label_end]
    return after if len(after) > width and all(_empty(c) for c in after[: len(after) - width]) else None


def _pads_labels(table: Table, runs: list[Run]) -> bool:
    """Does the page pad the table's label columns with empty cells (a row with more cells after its
    labels than the table has data columns, the extra ones empty)? Only then is an empty cell right
    after a row's labels taken for padding in a row that has no cell to spare: on a page that pads
    nothing it is the row's first value, left blank."""
    rows, label_end = _row_cells(runs)
    width = _data_width(table)
    return any(_padded_past(cells, label_end.get(rid, 0), width) for rid, cells in rows.items())


def _header_starts(table: Table, runs: list[Run]) -> dict[Grid, int]:
    """The column of each grid's first column header (自然人, 结果维持, 本年制发件数 …)."""
    heads = {normalize_label(row.columns[0].short) for row in table.rows}
    under: dict[Grid, int] = {}
    for run in runs:
        for cell in run.labels:
            column = cell.loc.column
            # a span's copies sit right of the cell itself: only the cell can be the leftmost header
            if column is None or cell.row_id is None or cell.copy or len(cell.raw) > _LONGEST_HEAD:
                continue
            if normalize_label(cell.raw) in heads:
                under[cell.loc.table] = min(under.get(cell.loc.table, column), column)
    return under


def _table_start(under: dict[Grid, int]) -> int | None:
    """Where the table's data columns begin when every grid with a header (``under``) agrees: what a
    grid that neither has a header nor teaches a start (a lone continuation row starting with an
    empty cell) is read with. A wrong start never shifts a number (only empty cells go, and the row must then
    fill its columns exactly): without one, that empty cell would be read as the first value."""
    starts = set(under.values())
    return starts.pop() if len(starts) == 1 else None


def _learned_starts(
    rows: dict[object, list[Cell]], label_end: dict[object, int], width: int, under: dict[Grid, int]
) -> dict[Grid, int]:
    """Where the grids without a header begin their data, as their rows agree (see :func:`_data_starts`)."""
    learned: dict[Grid, Counter[int]] = {}  # per grid: how many rows taught each start
    for row_id, cells in rows.items():
        padded = _padded_past(cells, label_end.get(row_id, 0), width)
        after = padded or [c for c in cells if (c.loc.column or 0) > label_end.get(row_id, 0)]
        if padded:
            learned.setdefault(after[0].loc.table, Counter())[after[len(after) - width].loc.column or 0] += 1
        elif len(after) == width and not _empty(after[0]):  # a full row shows where its data begins
            learned.setdefault(after[0].loc.table, Counter())[after[0].loc.column or 0] += 1
    rows_of = {grid: starts.total() for grid, starts in learned.items()}  # how many rows taught each grid
    # The start most of a grid's rows teach: a row that lost a cell teaches one column less, and must
    # not cost the rows around it their start. A wrong start never shifts a number (only empty cells
    # go, and a row must then fill its columns exactly): at worst a row is left unread.
    out = {}
    for grid, starts in learned.items():
        (first, n), *rest = starts.most_common(2)
        if not rest or n > rest[0][1]:
            out[grid] = first
    for grid, start in list(out.items()):
        # One row alone may have taught it wrong: a padded row that lost a cell looks over-long by one
        # less, and shifts its own data one cell left. Where another grid of the table shows its start
        # under a header, a lone row must agree with it.
        if rows_of[grid] == 1 and grid not in under and under and start not in under.values():
            del out[grid]
    return out


def _last_column(table: Table, cells: list[Cell]) -> int | None:
    """The column a structured row of ``table`` whose data begins with ``cells[0]`` ends in when it
    spans the table's width (its widest rows' data columns)."""
    first = cells[0].loc.column if cells else None
    return None if first is None else first + table.width - 1


def _pads_narrow_rows(table: Table, runs: list[Run], starts: dict[Grid, int], matcher: RowMatcher) -> bool:
    """Does the page draw the rows narrower than ``table`` out to its width with empty cells (a span
    drawn as empty cells, as CMS editors and Word exports do)? A narrow row whose last value is
    followed by empty cells up to the table's width shows it; spans kept or rows left ragged do not."""
    for run in runs:
        if not run.structured or not run.labels or run.end is None:
            continue
        row = match_row(table, run, matcher)
        if row is None or len(row.columns) >= table.width:
            continue
        cells = _without_label_padding(run.values, starts)
        width = len(row.columns)
        if (
            len(cells) > width
            and not _empty(cells[0])
            and all(_empty(c) for c in cells[width:])
            and run.end == _last_column(table, cells)
        ):
            return True
    return False


def _empty(cell: Cell) -> bool:
    return cell.kind == "null" and not cell.raw


def _without_label_padding(cells: list[Cell], starts: dict[Grid, int], fallback: int | None = None) -> list[Cell]:
    """A structured row without the empty cells that sit left of its grid's data columns (``fallback``
    for a grid with no start of its own). Only empty cells go: at worst a blank value goes with them,
    and the row is then short and left unread."""
    if not cells or cells[0].loc.column is None:
        return cells
    start = starts.get(cells[0].loc.table, fallback)
    if start is None:
        return cells
    return [c for c in cells if not (_empty(c) and (c.loc.column or 0) < start)]


def _trim(cells: list[Cell], width: int) -> list[Cell]:
    """A structured row's cells without the empty cells padding it beyond ``width``."""
    while len(cells) > width and _empty(cells[-1]):
        cells = cells[:-1]
    return cells


def _numbers(cells: list[Cell]) -> tuple[Location, ...]:
    """Where the printed numbers among ``cells`` are: what a finding accounts for when no value does."""
    return tuple(c.loc for c in cells if c.kind == "value")


def _join_split_number(
    table: Table, row: Row, cells: list[Cell], fmt: Format
) -> tuple[list[Cell], Words, set[tuple[str, str]]] | None:
    """A free-text row with one cell too many because one number was split by a space (「54 32」).

    Read only when exactly one pair of neighbours sits on one line, and joining them makes the row's
    own identities hold (a row no identity checks is left unread). Returns (cells, why, identities used).
    """
    width = len(row.columns)
    if len(cells) != width + 1:
        return None
    pairs = [
        i
        for i in range(len(cells) - 1)
        if cells[i].kind == cells[i + 1].kind == "value"
        and cells[i].loc.line is not None
        and cells[i].loc.line == cells[i + 1].loc.line
        and cells[i].raw.isdecimal()
        and cells[i + 1].raw.isdecimal()
    ]
    lines = [c.loc.line for c in cells]
    if len(pairs) != 1 or len(set(lines)) != width:  # every other cell on a line of its own
        return None
    i = pairs[0]
    raw = cells[i].raw + cells[i + 1].raw
    joined = Cell(raw, "value", cells[i].loc, number=int(raw))
    out = [*cells[:i], joined, *cells[i + 2 :]]
    pending = Pending(table, [(row, col) for col in row.columns], out)
    if not row_identities_hold(pending, fmt):
        return None
    pair = f"{cells[i].raw} {cells[i + 1].raw}"
    why = Words(
        f"「{pair}」读作一个数 {raw}，只有这样该行等式才成立",
        f"'{pair}' read as one number {raw}: only then do the row's sums hold",
    )
    used = {
        (ident.code, f"{table.key}.{row.key}")
        for ident in fmt.identities
        if ident.per == "row" and ident.table == table.key
    }
    return out, why, used


def _why_unread(p: Pending) -> Words:
    """Why a glued row is left unread: several readings fit, none does, or a cell may be lost."""
    shown = " | ".join(describe(r) for r in p.readings[:4]) + (" | …" if len(p.readings) > 4 else "")
    if p.short and len(p.readings) <= 1:  # the lost cell is the reason, not the readings
        counts = f"{len(p.cells)} numbers for {len(p.slots)} cells"
        counts_zh = f"{len(p.cells)} 个数字对应 {len(p.slots)} 个单元格"
        return Words(
            (f"有一种读法符合（{shown}），但" if p.readings else "")
            + f"可能缺了一个单元格：{counts_zh}，各按印出的一格读",
            (f"one reading fits ({shown}) but " if p.readings else "")
            + f"a cell may be lost: {counts}, each one cell as printed",
        )
    if p.readings:
        return Words(f"{len(p.readings)} 种读法均符合：{shown}", f"{len(p.readings)} readings fit: {shown}")
    return Words("没有一种读法满足该行等式", "no reading satisfies the row's identities")


def _how_read(p: Pending) -> Words:
    """How the one reading of a glued row was chosen."""
    if p.stated:
        return Words(f"与正文所述 {p.stated} 唯一相符的读法", f"the only reading that agrees with the text {p.stated}")
    if p.forced:
        return Words(
            "该行宽度唯一允许的拆分，尽管该行等式在此读法下不成立",
            "the only split the row's width allows, although the row's sums do not hold on it",
        )
    if p.filtered:
        return Words("唯一满足等式的读法", "the only reading the identities allow")
    return Words("唯一可能的读法", "the only possible reading")


_TO_WAN: dict[str, Number] = {"万元": 1, "元": 0.0001, "亿元": 10000}


def _normalise(
    cell: Cell, kind: ColumnKind, header_unit: str | None, v: Value, notes: list[Note]
) -> tuple[Number | None, str | None]:
    """(value, unit) for a cell: money to 万元; other units recorded, never applied."""
    if cell.kind == "null":
        return None, None
    number = cell.number
    if kind != "money" or number is None:
        return number, cell.unit or header_unit
    unit = cell.unit or header_unit
    if unit in _TO_WAN:
        return (number if unit == "万元" else round(number * _TO_WAN[unit], 6)), "万元"
    if number == 0:
        return 0, None  # nothing spent: the unit does not matter
    notes.append(note("money-unit-unknown", cell.loc, label=v.label, raw=cell.raw))
    return number, unit
