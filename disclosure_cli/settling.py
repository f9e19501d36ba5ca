"""A series settles what one report leaves open: glued table-2 rows read with the neighbouring years.

One report alone may leave a glued row with several readings (「行政规范性文件5615」 is 5|6|15, 5|61|5
or 56|1|5) and the parser leaves it unread (``row-ambiguous``). The running totals of table 2 tie each
year to the next (Y002 现行有效 = last year's 现行有效 + 制发 − 废止, Y003 上一年项目数量, Y004
对外公开总数量): read with the report of the year before and the year after, each reading either
agrees with them or not (last year's 16 in force leaves 5|6|15 only). For every such row:

- exactly one reading agrees with every neighbour able to judge it: the row is read that way, its
  values marked ``inferred`` (the same marking recover.py gives glued cells, naming the neighbouring
  year), and its ``row-ambiguous`` note is replaced by a ``row-recovered`` note saying which year
  settled it;
- no reading agrees: the row stays unread and a Y008 finding (:func:`unsettled`) says why;
- several agree, or no neighbour can judge: the row is left as it is.

Settling is one pass over values read from the pages: a value settled this way never judges another
row, so no two glued rows settle each other in a circle, and a record settled before (a dataset
stores settled values) is recognised by :data:`SETTLED` in its values' ``inferred``. A neighbour's
value recover.py read from its own page (its identities, its prose) does judge. The identities are
exact (tolerance 0); a reading with a blank where the identity needs a number cannot be judged, so it
is kept, and a row that keeps it is not settled.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Literal, TypeAlias

import msgspec

from .auditing.findings import Finding, Term, _tidy
from .auditing.notes import TableRef, note
from .auditing.rules import RunningTotal, Words
from .record import Record
from .recover import Glued, Reading, describe, glued_rows
from .series import RUNNING_TOTALS, Series, several_years

Number: TypeAlias = int | float
Outcome = Literal["settled", "unsettled", "open"]

SETTLED = "settled across years"  # in the ``inferred`` of every value settled here


class _Check(msgspec.Struct, frozen=True):
    """One running total between the glued row's report and a neighbouring report, able to judge a
    reading: ``known`` holds the neighbour's terms (column -> value), all read from its page."""

    code: str
    rule: RunningTotal
    neighbour: Record
    later: bool  # the neighbour is the next year's report (the glued row's report is its previous)
    known: dict[str, Number]

    def verdict(self, values: dict[str, Number | None]) -> bool | None:
        """Does the reading (column -> value) agree? None when it leaves a needed term blank."""
        rule, known = self.rule, self.known
        now: Number | None
        base: Number | None
        plus: Number | None
        minus: Number | None
        if self.later:
            now = known[rule.total]
            base = values.get(rule.total)
            plus = values.get(rule.plus) if rule.plus_last_year else known[rule.plus]
            minus = known[rule.minus] if rule.minus else 0
        else:
            now = values.get(rule.total)
            base = known[rule.total]
            plus = known[rule.plus] if rule.plus_last_year else values.get(rule.plus)
            minus = values.get(rule.minus) if rule.minus else 0
        if now is None or base is None or plus is None or minus is None:
            return None
        return bool(now == base + plus - minus)


class Decision(msgspec.Struct):
    """What the neighbouring years make of one glued row: the checks that could judge it and the
    readings none of them contradicts."""

    record: Record
    glued: Glued
    checks: list[_Check] = msgspec.field(default_factory=list)
    kept: list[Reading] = msgspec.field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        if not self.checks:
            return "open"
        if not self.kept:
            return "unsettled"
        values = _values(self.glued, self.kept[0]) if len(self.kept) == 1 else {}
        if len(self.kept) == 1 and all(c.verdict(values) for c in self.checks):
            return "settled"
        return "open"


def _values(glued: Glued, reading: Reading) -> dict[str, Number | None]:
    return {col.key: (None if piece is None else piece.value) for (_, col), piece in zip(glued.pending.slots, reading)}


def _read(record: Record, row: str, column: str) -> Number | None:
    """A value as the page printed it (recover.py's readings included), never one settled here."""
    v = record.values.get(f"active.{row}.{column}")
    if v is None or v.value is None or (v.inferred is not None and SETTLED in v.inferred):
        return None
    return v.value


def _checks(series: Series, record: Record, row: str) -> list[_Check]:
    year = record.year
    if year is None:
        return []
    out: list[_Check] = []
    for code, rule in RUNNING_TOTALS:
        if rule.format != record.format or row not in rule.rows:
            continue
        for later in (False, True):
            neighbour = series.records.get(year + 1 if later else year - 1)
            if neighbour is None or neighbour.format != rule.format:
                continue
            needed = [rule.total]
            if rule.plus_last_year != later:  # the plus term is the neighbour's
                needed.append(rule.plus)
            if later and rule.minus:
                needed.append(rule.minus)
            known = {col: _read(neighbour, row, col) for col in needed}
            if all(v is not None for v in known.values()):
                out.append(_Check(code, rule, neighbour, later, {k: v for k, v in known.items() if v is not None}))
    return out


def decisions(series: Series) -> list[Decision]:
    """Every glued table-2 row of the series that a running total covers, judged by its neighbours
    (the reports of the year before and after, of the same format)."""
    out: list[Decision] = []
    for year in series.years:
        record = series.records[year]
        for glued in glued_rows(record):
            if glued.pending.table.key != "active":
                continue
            checks = _checks(series, record, glued.row.key)
            if not checks:
                continue
            kept = [r for r in glued.readings if all(c.verdict(_values(glued, r)) is not False for c in checks)]
            out.append(Decision(record, glued, checks, kept))
    return out


# --- words -----------------------------------------------------------------------------------


def _names(rule: RunningTotal) -> dict[str, str]:
    zh_now, _, zh_plus, zh_minus = rule.names
    out = {rule.total: zh_now, rule.plus: zh_plus}
    if rule.minus:
        out[rule.minus] = zh_minus
    return out


def _identity(rule: RunningTotal) -> Words:
    zh_now, zh_base, zh_plus, zh_minus = rule.names
    last = "上年" if rule.plus_last_year else ""
    zh = f"{zh_now} = 上年{zh_base} + {last}{zh_plus}" + (f" − {zh_minus}" if rule.minus else "")
    last_en = "last year's " if rule.plus_last_year else ""
    en = f"{rule.total} = last year's {rule.total} + {last_en}{rule.plus}" + (f" − {rule.minus}" if rule.minus else "")
    return Words(zh, en)


def _neighbours(checks: list[_Check]) -> Words:
    """「2022年现行有效件数 698」 / "2022's in_force 698": what the neighbours printed."""
    zh, en = [], []
    for c in checks:
        names = _names(c.rule)
        zh.append(f"{c.neighbour.year}年" + "、".join(f"{names[k]} {_tidy(v)}" for k, v in c.known.items()))
        en.append(f"{c.neighbour.year}'s " + ", ".join(f"{k} {_tidy(v)}" for k, v in c.known.items()))
    return Words("及".join(zh), " and ".join(en))


def _identities(checks: list[_Check]) -> Words:
    seen = list(dict.fromkeys(c.rule for c in checks))
    return Words("；".join(_identity(r).zh for r in seen), "; ".join(_identity(r).en for r in seen))


def _years(checks: list[_Check]) -> str:
    return "、".join(str(y) for y in sorted({c.neighbour.year for c in checks if c.neighbour.year is not None}))


def _how(checks: list[_Check]) -> Words:
    years, who, rules = _years(checks), _neighbours(checks), _identities(checks)
    return Words(
        f"跨年度确定（{years}年）：唯一与{who.zh} 相符的读法（{rules.zh}）",
        f"{SETTLED} by {years.replace('、', ' and ')}: the only reading that agrees with {who.en} ({rules.en})",
    )


# --- settling --------------------------------------------------------------------------------


def _fill(record: Record, decision: Decision, reading: Reading) -> None:
    """Read the glued row of ``record`` (a copy of ``decision.record``) as ``reading``."""
    glued = decision.glued
    p = glued.pending
    how = _how(decision.checks)
    inferred = f"cells not separated on the page ('{p.text}'); read as {describe(reading)}: {how.en}"
    loc = glued.note.loc
    for (row, col), piece in zip(p.slots, reading):
        key = f"{p.table.key}.{row.key}.{col.key}"
        v = record.values[key] = msgspec.structs.replace(record.values[key])
        if piece is None:  # a cell that vanished: blank, as recover.py reads it
            v.value, v.raw, v.loc, v.unit = None, "", loc, None
        else:
            v.value, v.raw, v.loc, v.unit = piece.value, piece.raw, piece.loc, piece.unit
        v.inferred = inferred
    index = decision.record.warnings.index(glued.note)
    record.warnings[index] = note(
        "row-recovered",
        glued.note.loc,
        glued.note.rows,
        table=TableRef(p.table.number),
        label="/".join(r.label for r in p.rows),
        text=p.text,
        reading=describe(reading),
        how=how,
    )


def settle_series(series: Series) -> dict[int, Record]:
    """The reports of ``series`` whose glued rows the neighbouring years settle, settled, by year: copies
    with their own values and notes (the series' records are not changed)."""
    out: dict[int, Record] = {}
    for decision in decisions(series):
        if decision.outcome != "settled" or decision.record.year is None:
            continue
        year = decision.record.year
        if year not in out:  # a copy that shares what settling never changes (statements, extra, ...)
            out[year] = copy.copy(decision.record)
            out[year].values = dict(decision.record.values)
            out[year].warnings = list(decision.record.warnings)
        _fill(out[year], decision, decision.kept[0])
    return out


def settle(records: Iterable[Record], mapping: dict[str, str] | None = None) -> list[Record]:
    """``records`` in the same order, each glued table-2 row that the neighbouring years of its series
    settle read (the record copied); every other record is returned as given.

    Series are grouped as every cross-year command groups them (``series.several_years``; ``mapping``
    merges renamed agencies). Settling is one pass from values read from the pages (see the module)."""
    out = list(records)
    where = {id(r): i for i, r in enumerate(out)}
    for series in several_years(out, mapping):
        for year, settled in settle_series(series).items():
            out[where[id(series.records[year])]] = settled
    return out


def unsettled(series: Series) -> list[tuple[Record, Finding]]:
    """Y008 for each glued row no reading of which agrees with the neighbouring years, with the
    report it belongs to (the one with the glued row)."""
    out: list[tuple[Record, Finding]] = []
    for d in decisions(series):
        if d.outcome != "unsettled":
            continue
        record, p, row = d.record, d.glued.pending, d.glued.row
        who, rules = _neighbours(d.checks), _identities(d.checks)
        n = len(d.glued.readings)
        terms = []
        for c in d.checks:
            names = _names(c.rule)
            for col in c.known:
                v = c.neighbour.values[f"active.{row.key}.{col}"]
                terms.append(
                    Term(
                        f"{c.neighbour.year}年{names[col]}",
                        f"{c.neighbour.year} {col}",
                        v.value,
                        v.raw,
                        v.loc,
                        v.key,
                        source=c.neighbour.source,
                    )
                )
        out.append(
            (
                record,
                Finding(
                    "Y008",
                    f"{row.name}：{record.year}年粘连的「{p.text}」的 {n} 种读法都与{who.zh} 不符（{rules.zh}），"
                    "该行未读取",
                    f"{row.key}: none of the {n} readings of {record.year}'s glued '{p.text}' agrees with {who.en} "
                    f"({rules.en}); the row stays unread",
                    f"{record.year}年「{p.text}」：{' | '.join(describe(r) for r in d.glued.readings[:4])}"
                    + (" | …" if n > 4 else ""),
                    f"{record.year} '{p.text}': {' | '.join(describe(r) for r in d.glued.readings[:4])}"
                    + (" | …" if n > 4 else ""),
                    terms=terms,
                    where=f"active.{row.key}",
                ),
            )
        )
    return out
