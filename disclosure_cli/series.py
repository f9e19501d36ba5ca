"""Year over year: group an agency's reports, check what must carry over, and measure change.

Grouping is by place and department: an agency name that ``region.resolve`` reads is grouped under
its GB/T 2260 code and department (「洪泽区人民政府」, 「淮安市洪泽区人民政府」 and 「洪泽县人民政府」 are
one series, ``320813/政府``); any other name under the name normalised (white space, script,
人民政府 vs 政府, brackets). It can be steered with an explicit agency or a mapping file for renamed
agencies (机构改革): a mapped report is grouped as if published under its mapped name. Cross-year
findings use the audit's rule catalogue (Y codes) and its Finding values. Changes are computed for
every value and for the derived indicators of DOMAIN.md; across the 2020→2021 format change only
comparable values are compared, and the output says which were not.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Literal, TypedDict, overload

import msgspec

from .auditing.findings import Finding, Term, _tidy
from .auditing.rules import RULES, RunningTotal
from .record import Record
from .region import resolve
from .region import series_key as place_key
from .textnorm import simplify_prose

MIN_BASE = 30  # a rate or relative change built on fewer cases is shown but not ranked


# --- grouping --------------------------------------------------------------------------------

_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def normalize_agency(name: str | None) -> str:
    """An agency name normalised (white space, script, brackets, 人民政府 → 政府): 「平潭综合实验区（管委会）」
    and 「平潭综合实验区」 agree. The grouping key of a name ``region.resolve`` reads no place in."""
    text = simplify_prose(name or "")
    text = _BRACKETS.sub("", text)
    text = re.sub(r"\s+", "", text).replace("人民政府", "政府")
    return text


def load_mapping(path: str | Path) -> dict[str, str]:
    """Renamed agencies: a JSON object or a two-column CSV/TSV ``old name, current name``."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        pairs = json.loads(text).items()
    else:
        dialect = "excel-tab" if "\t" in text else "excel"
        pairs = [(row[0], row[1]) for row in csv.reader(text.splitlines(), dialect) if len(row) >= 2]
    return {normalize_agency(old): new.strip() for old, new in pairs if old.strip() and new.strip()}


class Series(msgspec.Struct):
    """One agency's reports by year, with what grouping had to decide."""

    agency: str
    records: dict[int, Record] = msgspec.field(default_factory=dict)
    duplicates: list[tuple[int, Record, Record]] = msgspec.field(default_factory=list)  # (year, used, ignored)
    key: str = ""  # the grouping key (series_key): ``320813/政府``, or a normalised name

    @property
    def years(self) -> list[int]:
        return sorted(self.records)

    def pairs(self) -> list[tuple[Record, Record]]:
        """(previous available, current) for each report after the first."""
        ys = self.years
        return [(self.records[a], self.records[b]) for a, b in pairwise(ys)]


def name_key(name: str | None) -> str:
    """The grouping key of a name as written, without a mapping: its place and department when
    ``region.resolve`` reads a place in it (``320813/政府``), else the normalised name."""
    region = resolve(name) if name else None
    return place_key(region) if region is not None else normalize_agency(name)


def series_key(name: str | None, mapping: dict[str, str] | None = None) -> str:
    """The grouping key of an agency name after ``mapping`` (old name → current name): the mapped
    name decides, read as :func:`name_key` reads any name."""
    return name_key((mapping or {}).get(normalize_agency(name)) or name)


def record_key(record: Record, mapping: dict[str, str] | None = None) -> str:
    """The series a record belongs to: :func:`series_key` of its agency; a record without an agency
    name is a series of its own, by source (a path is never read for a place)."""
    if (mapping or {}).get(normalize_agency(record.agency)) or record.agency:
        return series_key(record.agency, mapping)
    return "source:" + record.source


def series_name(record: Record, mapping: dict[str, str] | None = None) -> str:
    """The name a record's series is shown under: its mapped current name, else its own."""
    return (mapping or {}).get(normalize_agency(record.agency)) or record.agency or record.source


def matching_agencies(names: Iterable[str | None], agency: str, mapping: dict[str, str] | None = None) -> list[str]:
    """The agency names (as written in reports) that belong to ``agency``'s series."""
    want = series_key(agency, mapping)
    return sorted({n for n in names if n and series_key(n, mapping) == want})


def select(records: Iterable[Record], agency: str | None, mapping: dict[str, str] | None = None) -> list[Record]:
    """The records of ``agency``'s series (all of them when ``agency`` is None): ``agency`` is read
    as a report's agency name is (its place and department, after ``mapping``)."""
    if agency is None:
        return list(records)
    want = series_key(agency, mapping)
    return [r for r in records if record_key(r, mapping) == want]


@overload
def group(
    records: Iterable[Record],
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
    with_undated: Literal[False] = False,
) -> list[Series]: ...
@overload
def group(
    records: Iterable[Record], agency: str | None, mapping: dict[str, str] | None, with_undated: Literal[True]
) -> tuple[list[Series], list[Record]]: ...
@overload
def group(
    records: Iterable[Record],
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
    *,
    with_undated: Literal[True],
) -> tuple[list[Series], list[Record]]: ...
def group(
    records: Iterable[Record],
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
    with_undated: bool = False,
) -> list[Series] | tuple[list[Series], list[Record]]:
    """Reports grouped by agency (:func:`record_key`: place and department, else the normalised
    name; ``mapping`` merges renamed agencies) and ordered by year; ``agency`` selects that agency's
    series only (it never merges others into it). A series is shown under the name of its latest
    report (its mapped name when mapped). With ``with_undated``, also the reports left out for want
    of a year."""
    by_key: dict[str, Series] = {}
    undated: list[Record] = []
    for record in select(records, agency, mapping):
        if record.year is None:
            undated.append(record)
            continue
        key = record_key(record, mapping)
        series = by_key.setdefault(key, Series(series_name(record, mapping), key=key))
        if record.year > max(series.records, default=record.year - 1):
            series.agency = series_name(record, mapping)
        current = series.records.get(record.year)
        if current is None:
            series.records[record.year] = record
        elif len(record.published()) > len(current.published()):
            series.records[record.year] = record
            series.duplicates.append((record.year, record, current))
        else:
            series.duplicates.append((record.year, current, record))
    return (list(by_key.values()), undated) if with_undated else list(by_key.values())


def several_years(records: Iterable[Record], mapping: dict[str, str] | None = None) -> list[Series]:
    """The agencies given with more than one report: the ones cross-year rules can look at."""
    return [s for s in group(records, mapping=mapping) if len(s.records) + len(s.duplicates) >= 2]


# --- comparable values -----------------------------------------------------------------------

_ACROSS_FORMATS = (
    "requests.",
    "appeals.",
    "active.licensing.decisions",
    "active.penalties.decisions",
    "active.coercion.decisions",
)


def comparable_values(record: Record, blanks_as_zero: bool = False) -> dict[str, float | int | None]:
    """Values keyed so both formats line up: 2021's three (六) rows also add up to ``requests.other``.
    A blank cell is None, or 0 with ``blanks_as_zero``; an unread or absent value is None either way."""
    values = record.numbers()
    if blanks_as_zero:
        values.update({key: 0 for key, v in record.values.items() if v.value is None and v.raw is not None})
    if record.format == "2021":
        for col in record.spec.table("requests").rows[0].columns:
            parts = [values.get(f"requests.other.{k}.{col.key}") for k in ("no_correction", "no_fee", "misc")]
            known = [p for p in parts if p is not None]
            values[f"requests.other.{col.key}"] = sum(known) if len(known) == len(parts) else None
    return values


def compared_keys(a: Record, b: Record) -> tuple[list[str], list[str]]:
    """(keys compared, keys not comparable) for a pair of reports."""
    va, vb = comparable_values(a), comparable_values(b)
    keys = [k for k in vb if k in va]
    if a.format != b.format:
        keys = [k for k in keys if k.startswith(_ACROSS_FORMATS)]
    left_out = sorted((set(va) | set(vb)) - set(keys))
    return keys, left_out


# --- indicators ------------------------------------------------------------------------------


Values = Mapping[str, float | int | None]  # comparable values of one report, by key
Compute = Callable[[Values], tuple[float | None, float | None]]  # values -> (value, base)


class Indicator(msgspec.Struct, frozen=True):
    key: str
    zh: str
    en: str
    compute: Compute
    percent: bool = False


class _Unread(Exception):
    """An indicator needs a value its report does not give (a row unread or absent)."""


def _get(v: Values, key: str) -> float:
    """A value an indicator needs; a blank cell is 0 (see :func:`indicator_values`). A value the
    report does not give makes the indicator unknown, never 0: a row left unread is not a drop to zero."""
    found = v.get(key)
    if found is None:
        raise _Unread(key)
    return found


def indicator_values(record: Record) -> dict[str, float | int | None]:
    """The values indicators read: a blank cell as 0 (what publishers mean by it), an unread or absent
    one as None."""
    return comparable_values(record, blanks_as_zero=True)


def compute(ind: Indicator, values: Values) -> tuple[float | None, float | None]:
    """(value, base) of ``ind``; (None, None) when a value it needs is not given."""
    try:
        return ind.compute(values)
    except _Unread:
        return None, None


def _rate(num: Callable[[Values], float], den: Callable[[Values], float]) -> Compute:
    def compute(v: Values) -> tuple[float | None, float | None]:
        d = den(v)
        return (None, d) if not d else (round(num(v) / d, 6), d)

    return compute


INDICATORS = (
    Indicator("new_requests", "本年新收申请", "new requests", lambda v: (_get(v, "requests.new.total"),) * 2),
    Indicator(
        "disclosure_rate",
        "公开率（予以公开+部分公开）",
        "disclosure rate (granted + partly granted)",
        _rate(
            lambda v: _get(v, "requests.granted.total") + _get(v, "requests.partly_granted.total"),
            lambda v: _get(v, "requests.total.total"),
        ),
        percent=True,
    ),
    Indicator(
        "not_held_share",
        "不掌握相关信息占比",
        "share answered 'not held'",
        _rate(lambda v: _get(v, "requests.unavailable.not_held.total"), lambda v: _get(v, "requests.total.total")),
        percent=True,
    ),
    Indicator(
        "review_correction_rate",
        "行政复议纠错率",
        "review correction rate",
        _rate(
            lambda v: _get(v, "appeals.review.corrected"),
            lambda v: _get(v, "appeals.review.total") - _get(v, "appeals.review.pending"),
        ),
        percent=True,
    ),
    Indicator(
        "litigation_total",
        "行政诉讼合计",
        "lawsuits",
        lambda v: (_get(v, "appeals.litigation_direct.total") + _get(v, "appeals.litigation_after_review.total"),) * 2,
    ),
    Indicator(
        "disputes_per_100",
        "每百件新收申请的复议诉讼",
        "reviews and lawsuits per 100 new requests",
        _rate(
            lambda v: (
                100
                * (
                    _get(v, "appeals.review.total")
                    + _get(v, "appeals.litigation_direct.total")
                    + _get(v, "appeals.litigation_after_review.total")
                )
            ),
            lambda v: _get(v, "requests.new.total"),
        ),
    ),
)


# --- changes ---------------------------------------------------------------------------------


class ChangeDict(TypedDict):
    """A change as JSON and CSV output carry it."""

    agency: str
    indicator: str
    label: str
    label_en: str
    year: int
    value: float | int | None
    previous_year: int | None
    change: float | int | None
    change_pct: float | None
    ranked: bool
    small: bool


class Change(msgspec.Struct):
    agency: str
    indicator: str  # an indicator key or a value key (table.row.column)
    label: str
    year: int
    value: float | int | None
    previous_year: int | None = None
    previous: float | int | None = None
    base: float | int | None = None  # cases behind the value (rates) or the previous value (counts)
    is_indicator: bool = False
    percent: bool = False  # a rate, shown as a percentage
    label_en: str = ""

    def name(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return _tidy(self.value - self.previous)

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return round(100 * self.change / abs(self.previous), 2)

    @property
    def ranked(self) -> bool:
        return self.change_pct is not None and self.base is not None and self.base >= MIN_BASE

    @property
    def small(self) -> bool:
        """A move built on fewer than MIN_BASE cases (from 0 included): listed, marked, never ranked."""
        return bool(self.change) and self.base is not None and not self.ranked

    def as_dict(self) -> ChangeDict:
        return {
            "agency": self.agency,
            "indicator": self.indicator,
            "label": self.label,
            "label_en": self.label_en,
            "year": self.year,
            "value": self.value,
            "previous_year": self.previous_year,
            "change": self.change,
            "change_pct": self.change_pct,
            "ranked": self.ranked,
            "small": self.small,
        }


def _label(record: Record, key: str) -> tuple[str, str]:
    """(Chinese, English) names of a value: 「本年新收/自然人」, "new requests / natural persons"."""
    table, rest = key.split(".", 1)
    row, col = rest.rsplit(".", 1)
    from .formats import FORMATS

    # a value of this format first; 2021's (六) rows added up as ``requests.other`` are named as 2019 names it
    for spec in (record.spec.table(table), *(f.table(table) for f in FORMATS.values())):
        r = next((r for r in spec.rows if r.key == row), None)
        if r is not None:
            break
    else:
        return f"{row}/{col}", f"{row} / {col}"
    c = next((c for c in r.columns if c.key == col), None)
    return f"{r.name}/{c.short if c else col}", f"{r.en} / {c.en if c else col}"


def series_changes(series: Series) -> tuple[list[Change], dict[int, list[str]]]:
    """Every indicator and value for every year, with its change from the previous report;
    and, per year, the keys that could not be compared with the previous report."""
    out: list[Change] = []
    not_compared: dict[int, list[str]] = {}
    previous: Record | None = None
    values: dict[str, float | int | None] = {}  # the previous report's, read once a year
    measured: dict[str, float | int | None] = {}
    for year in series.years:
        record = series.records[year]
        prev_values, measured_before = values, measured
        values, measured = comparable_values(record), indicator_values(record)
        for ind in INDICATORS:
            value, base = compute(ind, measured)
            change = Change(
                series.agency,
                ind.key,
                ind.zh,
                year,
                value,
                is_indicator=True,
                base=base,
                percent=ind.percent,
                label_en=ind.en,
            )
            if previous is not None:
                pv, pbase = compute(ind, measured_before)
                change.previous_year, change.previous = previous.year, pv
                change.base = None if base is None or pbase is None else min(base, pbase)
            out.append(change)
        if previous is None:
            keys = list(values)
        else:
            keys, left_out = compared_keys(previous, record)
            if left_out:
                not_compared[year] = left_out
        for key in keys:
            zh, en = _label(record, key)
            change = Change(series.agency, key, zh, year, values[key], label_en=en)
            if previous is not None:
                change.previous_year, change.previous = previous.year, prev_values.get(key)
                change.base = change.previous
            out.append(change)
        previous = record
    return out, not_compared


def biggest_moves(changes: list[Change], limit: int | None = None) -> list[Change]:
    """Ranked changes, largest relative move first (small bases are left out of the ranking;
    :func:`moves` adds them, marked)."""
    ranked = sorted((c for c in changes if c.ranked and c.change), key=lambda c: -abs(c.change_pct or 0))
    return ranked[:limit] if limit else ranked


def small_moves(changes: list[Change], limit: int | None = None) -> list[Change]:
    """Moves built on fewer than ``MIN_BASE`` cases (``Change.small``), largest absolute change
    first: a small agency's changes, listed apart from the ranking because a percentage of a few
    cases says little."""
    small = sorted(
        (c for c in changes if c.small and c.change),
        key=lambda c: (c.percent, -abs(c.change or 0), c.indicator, c.year),
    )
    return small[:limit] if limit else small


def moves(changes: list[Change], limit: int) -> list[Change]:
    """What a trend view lists: the ranked moves, then (when fewer than ``limit``) the small-number
    moves, so a small agency's changes are shown (marked ``small``) instead of none."""
    ranked = biggest_moves(changes, limit)
    return ranked + small_moves(changes, limit - len(ranked)) if len(ranked) < limit else ranked


# --- cross-year rules ------------------------------------------------------------------------


def _term(record: Record, key: str, zh: str, en: str) -> Term:
    v = record.values.get(key)
    return Term(
        f"{record.year}年{zh}",
        f"{record.year} {en}",
        None if v is None else v.value,
        None if v is None else v.raw,
        None if v is None else v.loc,
        key,
        source=record.source,
    )


def cross_year(series: Series) -> list[Finding]:
    """Y findings for a series: carry-over, running totals, copies, gaps and duplicates."""
    return [f for _, f in attributed_cross_year(series)]


def attributed_cross_year(series: Series) -> list[tuple[Record, Finding]]:
    """:func:`cross_year` with the report each finding belongs to (a dataset stores it there): the
    later report of a pair, the report after a gap, the report left out of a duplicate year."""
    findings: list[tuple[Record, Finding]] = []
    for year, used, ignored in series.duplicates:
        findings.append(
            (
                ignored,
                Finding(
                    "Y007",
                    f"{series.agency} {year}年有两份报告：使用 {used.source}，忽略 {ignored.source}",
                    f"{series.agency} {year}: two reports; used {used.source}, ignored {ignored.source}",
                    where=f"{series.agency}.{year}",
                ),
            )
        )
    years = series.years
    for a, b in pairwise(years):
        for gap in range(a + 1, b):
            findings.append(
                (
                    series.records[b],
                    Finding(
                        "Y006",
                        f"{series.agency}：缺少{gap}年报告（{a}年与{b}年之间）",
                        f"{series.agency}: no report for {gap} between {a} and {b}",
                        where=f"{series.agency}.{gap}",
                    ),
                )
            )
    for prev, cur in series.pairs():
        found = _identical(prev, cur)
        if prev.year is not None and cur.year == prev.year + 1:
            found += _carry_over(prev, cur) + _running_totals(prev, cur)
        findings += [(cur, f) for f in found]
    return findings


def _carry_over(prev: Record, cur: Record) -> list[Finding]:
    out: list[Finding] = []
    for col in cur.spec.table("requests").rows[0].columns:
        before = prev.values[f"requests.carried_forward.{col.key}"]
        now = cur.values[f"requests.carried_over.{col.key}"]
        if before.value is None or now.value is None or before.value == now.value:
            continue
        out.append(
            Finding(
                "Y001",
                f"{col.short}列：{cur.year}年上年结转 {_tidy(now.value)} ≠ "
                f"{prev.year}年结转下年度 {_tidy(before.value)}",
                f"{col.en} column: {cur.year} carried over {_tidy(now.value)} but {prev.year} carried forward "
                f"{_tidy(before.value)}",
                f"{col.short}列：{cur.year}年上年结转 {_tidy(now.value)}，"
                f"{prev.year}年结转下年度 {_tidy(before.value)}",
                f"{col.en} column: {cur.year} carried_over {_tidy(now.value)}, {prev.year} carried_forward "
                f"{_tidy(before.value)}",
                expected=before.value,
                actual=now.value,
                terms=[
                    _term(cur, now.key, "上年结转", "carried over"),
                    _term(prev, before.key, "结转下年度", "carried forward"),
                ],
                where=f"requests.*.{col.key}",
            )
        )
    return out


# the table-2 totals that follow from last year's (Y002-Y004), as their rules declare them
RUNNING_TOTALS: tuple[tuple[str, RunningTotal], ...] = tuple(
    (r.code, r.running_total) for r in RULES if r.running_total is not None
)


def _drift(code: str, rule: RunningTotal, prev: Record, cur: Record, row_key: str) -> Finding | None:
    plus_rec = prev if rule.plus_last_year else cur
    now, base = cur.get("active", row_key, rule.total), prev.get("active", row_key, rule.total)
    plus = plus_rec.get("active", row_key, rule.plus)
    minus = cur.get("active", row_key, rule.minus) if rule.minus else 0
    if now is None or base is None or plus is None or minus is None:
        return None
    expected = base + plus - minus
    if now == expected:
        return None
    label = cur.spec.table("active").row(row_key).name
    zh_now, zh_base, zh_plus, zh_minus = rule.names
    minus_zh = f" − {zh_minus} {_tidy(minus)}" if rule.minus else ""
    eq = (
        f"{label}：{cur.year}年{zh_now} {_tidy(now)}，{prev.year}年 {_tidy(base)} + {zh_plus} {_tidy(plus)}"
        f"{minus_zh} = {_tidy(expected)}"
    )
    terms = [
        _term(cur, f"active.{row_key}.{rule.total}", zh_now, rule.total),
        _term(prev, f"active.{row_key}.{rule.total}", zh_base, rule.total),
        _term(plus_rec, f"active.{row_key}.{rule.plus}", zh_plus, rule.plus),
    ]
    if rule.minus:
        terms.append(_term(cur, f"active.{row_key}.{rule.minus}", zh_minus, rule.minus))
    en = (
        f"{row_key}: {cur.year} {rule.total} {_tidy(now)} but {prev.year} {rule.total} {_tidy(base)} + {rule.plus} "
        f"{_tidy(plus)}" + (f" − {rule.minus} {_tidy(minus)}" if rule.minus else "") + f" = {_tidy(expected)}"
    )
    return Finding(code, eq, en, eq, en, expected=expected, actual=now, terms=terms, where=f"active.{row_key}")


def _running_totals(prev: Record, cur: Record) -> list[Finding]:
    found = [_drift(code, rule, prev, cur, row) for code, rule in RUNNING_TOTALS
             if prev.format == cur.format == rule.format for row in rule.rows]  # fmt: skip
    return [f for f in found if f]


def _identical(prev: Record, cur: Record) -> list[Finding]:
    out: list[Finding] = []
    for table in cur.spec.tables:
        if prev.format != cur.format and table.key == "active":
            continue
        now = [v.value for v in cur.values.values() if v.table == table.key]
        before = [v.value for v in prev.values.values() if v.table == table.key]
        if now == before and any(now):
            zh = table.names[0]
            out.append(
                Finding(
                    "Y005",
                    f"{zh} {cur.year}年与{prev.year}年的 {len(now)} 个数字完全相同",
                    f"table {table.number}: all {len(now)} numbers of {cur.year} repeat {prev.year} exactly",
                    where=table.key,
                    terms=[
                        Term(cur.source, cur.source, None, None, None, None, source=cur.source),
                        Term(prev.source, prev.source, None, None, None, None, source=prev.source),
                    ],
                )
            )
    return out
