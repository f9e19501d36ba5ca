"""The audit of one record: structure, identities (read from the format declaration), plausibility,
and the prose against the tables.

Blank cells follow one stated convention (``zero``: read as 0; ``skip``: a sum with a blank is not
evaluated) and a blank never becomes a mismatch of its own: a total left blank while its parts are
filled is one ``unfilled-total`` finding per table, and every other finding that counted a blank
says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator

import msgspec

from ..formats import Bound, Format, Identity, Row, Table
from ..narrative import Statement
from ..record import LOW_CONFIDENCE, Note, Record, Value
from .findings import Finding, Term, _tidy
from .rules import BY_BOUND, BY_IDENTITY, BY_NOTE, BY_STATEMENT, IdentityCheck, Severity, StatedTotal
from .suspect import Check, attach


class AuditResult(msgspec.Struct):
    record: Record
    findings: list[Finding]
    blank: str  # the blank-cell convention used
    evaluated: int = 0  # identity instances evaluated
    skipped: int = 0  # identity instances not evaluable (absent rows, blanks under `skip`, unfilled totals)
    used_for_reading: int = 0  # identity instances used to read glued cells: not confirmation
    counts: Counter[Severity] = msgspec.field(default_factory=Counter)
    checks: list[Check] = msgspec.field(default_factory=list)  # every identity instance evaluated, holding or not

    def __post_init__(self) -> None:
        self.counts = Counter(f.severity for f in self.findings)


def _fmt(x: float | int | None) -> str:
    return "空" if x is None else str(_tidy(x))


def _sum(terms: list[Term]) -> float | int:
    """The sum of the terms' numbers (those of an evaluated identity are all known)."""
    return sum(t.value for t in terms if t.value is not None)


class Auditor:
    def __init__(self, record: Record, blank: str = "zero") -> None:
        if blank not in ("zero", "skip"):
            raise ValueError(f"blank convention must be 'zero' or 'skip', not {blank!r}")
        self.record = record
        self.fmt: Format = record.spec
        self.blank = blank
        self.findings: list[Finding] = []
        self.unfilled: set[str] = set()
        self.evaluated = 0
        self.skipped = 0
        self.used_for_reading = 0
        self.checks: list[Check] = []

    def run(self) -> AuditResult:
        self._notes()
        self._blanks()
        for ident in self.fmt.identities:
            self._identity(ident)
        self._natural_counts()
        self._bounds()
        self._narrative()
        attach(self.checks, self.fmt, self.record.values)
        for check in self.checks:  # the equation without its zero terms, the suspect always shown
            if check.finding is not None:
                keep = {s.key for s in (check.finding.suspect, *check.finding.candidates) if s is not None}
                check.finding.equation_zh = check.equation("zh", keep)
                check.finding.equation_en = check.equation("en", keep)
        return AuditResult(
            self.record, self.findings, self.blank, self.evaluated, self.skipped, self.used_for_reading,
            checks=self.checks,
        )  # fmt: skip

    # -- helpers -----------------------------------------------------------------------------

    def _v(self, table: str, row: str, col: str) -> Value:
        return self.record.values[f"{table}.{row}.{col}"]

    def _names(self, v: Value) -> tuple[str, str]:
        """「结转下年度/总计」 and "carried forward / total" for a cell."""
        row = self.fmt.table(v.table).row(v.row)
        col = next(c for c in row.columns if c.key == v.column)
        return f"{row.name}/{col.short}", f"{row.en} / {col.en}"

    def _term(self, v: Value, name_zh: str, name_en: str) -> Term:
        blank = v.raw is not None and v.value is None
        value = 0 if blank and self.blank == "zero" else v.value
        return self._placed(v, name_zh, name_en, value, blank)

    def _placed(self, v: Value, name_zh: str, name_en: str, value: float | int | None, blank: bool) -> Term:
        number = self.fmt.table(v.table).number
        return Term(name_zh, name_en, value, v.raw, v.loc, v.key, blank, table_number=number, context=v.context)

    # -- structure ---------------------------------------------------------------------------

    def _notes(self) -> None:
        for note in self.record.warnings:
            rule = BY_NOTE.get(note.code)
            if rule is None:
                continue
            number = _note_table(self.fmt, note)
            terms = [Term("", "", None, None, note.loc, table_number=number)] if note.loc else []
            self.findings.append(
                Finding(rule.code, note.text("zh"), note.message, terms=terms, where=",".join(note.rows))
            )

    def _blanks(self) -> None:
        for table in self.fmt.tables:
            blanks = [
                v for v in self.record.values.values() if v.table == table.key and v.raw is not None and v.value is None
            ]
            if not blanks:
                continue
            zh, en = table.names
            how_zh = "按 0 计算" if self.blank == "zero" else "相关等式不予核对"
            how_en = "read as 0" if self.blank == "zero" else "sums that use them are not evaluated"
            self.findings.append(
                Finding(
                    "S004",
                    f"{zh}：{len(blanks)} 个空白单元格，{how_zh}",
                    f"{en}: {len(blanks)} blank cells, {how_en}",
                    terms=[self._placed(v, *self._names(v), None, True) for v in blanks[:5]],
                    where=table.key,
                )
            )
        self._unfilled_totals()

    def _unfilled_totals(self) -> None:
        """Blank totals whose parts are filled: one finding per table; their sums are skipped."""
        per_table: dict[str, list[Value]] = {}
        for ident in self.fmt.identities:
            table = self.fmt.table(ident.table)
            for parts, totals in self._instances(ident, table):
                if len(totals) != 1:
                    continue
                total = totals[0]
                blank_total = total.raw is not None and total.value is None
                if blank_total and total.key not in self.unfilled and any(p.value for p in parts):
                    self.unfilled.add(total.key)
                    per_table.setdefault(table.key, []).append(total)
        for key, totals in per_table.items():
            zh, en = self.fmt.table(key).names
            names = "、".join(f"{self._names(t)[0]}" for t in totals)
            self.findings.append(
                Finding(
                    "S005",
                    f"{zh}：{len(totals)} 个合计栏空白而分项已填：{names}",
                    f"{en}: {len(totals)} total(s) left blank while their parts are filled: "
                    + ", ".join(t.key for t in totals),
                    terms=[self._placed(t, *self._names(t), None, True) for t in totals],
                    where=key,
                )
            )

    # -- identities --------------------------------------------------------------------------

    def _instances(self, ident: Identity, table: Table) -> Iterator[tuple[list[Value], list[Value]]]:
        """(lhs values, rhs values) for every column (or row) the identity applies to."""
        if ident.per == "column":
            for col in table.rows[0].columns:
                yield (
                    [self._v(table.key, r, col.key) for r in ident.lhs if self._has_row(table, r)],
                    [self._v(table.key, r, col.key) for r in ident.rhs],
                )
        else:
            for row in table.rows:
                yield (
                    [self._v(table.key, row.key, c) for c in ident.lhs],
                    [self._v(table.key, row.key, c) for c in ident.rhs],
                )

    @staticmethod
    def _has_row(table: Table, key: str) -> bool:
        try:
            table.row(key)
        except KeyError:
            return False
        return True

    def _identity(self, ident: Identity) -> None:
        table = self.fmt.table(ident.table)
        for lhs, rhs in self._instances(ident, table):
            cells = lhs + rhs
            if (ident.code, self._where(ident, table, lhs[0])[2]) in self.record.inferred_identities:
                self.used_for_reading += 1  # it chose the reading of glued cells: it cannot confirm it
                continue
            if any(v.raw is None for v in cells) or any(v.key in self.unfilled for v in cells):
                self.skipped += 1
                continue
            if self.blank == "skip" and any(v.value is None for v in cells):
                self.skipped += 1
                continue
            self.evaluated += 1
            left = [self._named(table, v, ident) for v in lhs]
            right = [self._named(table, v, ident) for v in rhs]
            lsum, rsum = _sum(left), _sum(right)
            where_zh, where_en, where = self._where(ident, table, lhs[0])
            check = Check(ident, where, where_zh, where_en, left, right)
            self.checks.append(check)
            if lsum == rsum:
                continue
            check.finding = self._mismatch(ident, table, lhs[0], left, right, lsum, rsum)
            doubtful = [(t, v) for t, v in zip(left + right, cells) if _misread(v)]
            if doubtful:  # read from a picture, a term in doubt: the reading's fault more likely than the page's
                check.finding = _misreading(check.finding, doubtful)
            self.findings.append(check.finding)
            hint = self._digit_hint(ident, table, lhs[0], left, rsum)
            if hint:
                self.findings.append(hint)

    def _named(self, table: Table, v: Value, ident: Identity) -> Term:
        row = table.row(v.row)
        col = next(c for c in row.columns if c.key == v.column)
        if ident.per == "column":
            return self._term(v, row.name, row.en)
        return self._term(v, col.short, col.en)

    def _where(self, ident: Identity, table: Table, v: Value) -> tuple[str, str, str]:
        row = table.row(v.row)
        if ident.per == "column":
            col = next(c for c in row.columns if c.key == v.column)
            return f"{col.short}列", f"{col.en} column", f"{table.key}.*.{col.key}"
        return f"{row.name}行", f"{row.en} row", f"{table.key}.{row.key}"

    def _mismatch(
        self,
        ident: Identity,
        table: Table,
        first: Value,
        left: list[Term],
        right: list[Term],
        lsum: float | int,
        rsum: float | int,
    ) -> Finding:
        where_zh, where_en, where = self._where(ident, table, first)
        code, sides = _identity_rule(ident)
        lz, le, rz, re_ = sides.left.zh, sides.left.en, sides.right.zh, sides.right.en

        def side(terms: list[Term], lang: str) -> str:
            parts = " + ".join(f"{t.name_zh if lang == 'zh' else t.name_en} {_fmt(t.value)}" for t in terms)
            return parts if len(terms) == 1 else f"{parts} = {_fmt(_sum(terms))}"

        blanks = [t for t in left + right if t.blank]
        note_zh = f"（其中 {len(blanks)} 个空白单元格按 0 计）" if blanks else ""
        note_en = f" ({len(blanks)} blank cell(s) read as 0)" if blanks else ""
        diff = _fmt(rsum - lsum)
        return Finding(
            code,
            f"{where_zh}：{lz} {_fmt(lsum)}，{rz} {_fmt(rsum)}，相差 {diff}{note_zh}",
            f"{where_en}: {le} is {_fmt(lsum)} but {re_} is {_fmt(rsum)} (difference {diff}){note_en}",
            f"{where_zh}：{side(left, 'zh')}，{side(right, 'zh')}",
            f"{where_en}: {side(left, 'en')}, but {side(right, 'en')}",
            expected=_tidy(lsum),
            actual=_tidy(rsum),
            terms=left + right,
            blank_dependent=bool(blanks),
            where=where,
        )

    def _digit_hint(
        self, ident: Identity, table: Table, first: Value, left: list[Term], target: float | int
    ) -> Finding | None:
        """H001: does the sum hold if two adjacent single digits are one number, or one number two?"""
        total = _sum(left)
        for i in range(len(left) - 1):
            a, b = left[i], left[i + 1]
            x, y = _digit(a), _digit(b)
            # two single digits that could be one number split over two cells (「1」「2」 for 12)
            if x is not None and y is not None and x != 0 and total - x - y + int(f"{x}{y}") == target:
                return self._hint(
                    ident,
                    table,
                    first,
                    [a, b],
                    f"{x} 与 {y} 应为一个数 {x}{y}",
                    f"{x} and {y} are one number {x}{y}",
                )
        for t in left:
            if not isinstance(t.value, int) or t.value < 10 or t.blank:
                continue
            digits = str(t.value)
            for k in range(1, len(digits)):
                x, y = int(digits[:k]), int(digits[k:])
                if digits[k] != "0" and total - t.value + x + y == target:
                    return self._hint(
                        ident,
                        table,
                        first,
                        [t],
                        f"{t.value} 应为两个数 {x} 和 {y}",
                        f"{t.value} is two numbers {x} and {y}",
                    )
        return None

    def _hint(self, ident: Identity, table: Table, first: Value, terms: list[Term], zh: str, en: str) -> Finding:
        where_zh, where_en, where = self._where(ident, table, first)
        return Finding(
            "H001",
            f"{where_zh}：若{zh}，等式成立——页面或提取过程可能拆分/合并了数字，请对照原页面核实",
            f"{where_en} adds up if {en}: the page or its extraction probably split or merged a number; "
            "check these cells on the original page",
            terms=terms,
            where=where,
        )

    # -- single values -----------------------------------------------------------------------

    def _natural_counts(self) -> None:
        for v in self.record.published():
            if v.value is None:
                continue
            kind = next(c.kind for c in self.fmt.table(v.table).row(v.row).columns if c.key == v.column)
            if kind == "money":
                continue
            bad = not float(v.value).is_integer() or (kind == "count" and v.value < 0)
            if bad:
                self.findings.append(
                    Finding(
                        "R004",
                        f"{v.label}：{v.key} = {v.raw}，件数应为非负整数",
                        f"{v.key} = {v.raw}: a count must be a whole number" + ("" if kind == "signed" else " ≥ 0"),
                        terms=[self._term(v, v.label, v.key)],
                        where=v.key,
                    )
                )

    def _bounds(self) -> None:
        """P001/P002: the format's plausibility bounds (formats.Bound), row by row."""
        for bound in self.fmt.bounds:
            table = self.fmt.table(bound.table)
            for row_key in bound.rows:
                left, right = self._v(table.key, row_key, bound.left), self._v(table.key, row_key, bound.right)
                if left.value is None or right.value is None or bound.holds(left.value, right.value):
                    continue  # a bound with a blank or absent side holds
                self.findings.append(
                    self._bound_finding(bound, table.row(row_key), left, right, left.value, right.value)
                )

    def _bound_finding(
        self, bound: Bound, row: Row, left: Value, right: Value, lv: float | int, rv: float | int
    ) -> Finding:
        code = BY_BOUND[bound.code].code
        columns = {c.key: c for c in row.columns}
        lz, le = columns[bound.left].short, columns[bound.left].en
        rz, re_ = columns[bound.right].short, columns[bound.right].en
        terms = [self._term(left, lz, le), self._term(right, rz, re_)]
        a, b = _fmt(lv), _fmt(rv)
        if bound.kind == "at-most":
            return Finding(
                code, f"{row.name}：{lz} {a} 大于{rz} {b}", f"{row.key}: {le} {a} exceeds {re_} {b}",
                f"{row.name}：{lz} {a} > {rz} {b}", f"{row.key}: {bound.left} {a} > {bound.right} {b}",
                expected=rv, actual=lv, terms=terms, where=f"{bound.table}.{row.key}",
            )  # fmt: skip
        now = _fmt(lv + rv)
        return Finding(
            code, f"{row.name}：{lz} {a} + {rz} {b} = {now}，为负数",
            f"{row.key}: {le} {a} + {re_} {b} = {now}, negative", f"{row.name}：{lz} {a} + {rz} {b} = {now}",
            f"{row.key}: {bound.left} {a} + {bound.right} {b} = {now}",
            expected=0, actual=lv + rv, terms=terms, where=f"{bound.table}.{row.key}",
        )  # fmt: skip

    # -- prose against tables ----------------------------------------------------------------

    def _narrative(self) -> None:
        """N001-N010: each statement of the prose against the tables, by the rule that reads its kind."""
        for st in self.record.statements:
            rule = BY_STATEMENT.get(st.kind)
            if rule is None:
                continue  # statements the reader uses, not ones the audit checks
            if rule.stated_total is not None:
                finding = self._stated_total(st, rule.code, rule.stated_total)
            else:
                finding = SENTENCE_CHECKS[rule.code](self, st)
            if finding is not None:
                self.findings.append(finding)

    def _stated_total(self, st: Statement, code: str, stated: StatedTotal) -> Finding | None:
        """N001, N003-N006: a number the prose states must equal the table totals its rule names."""
        cells = [self._v(t, r, "total") for t, r in stated.rows]
        known = [v.value for v in cells if v.value is not None]
        if len(known) < len(cells):
            return None
        table_value = sum(known)
        if table_value == st.value:
            return None
        name_zh, name_en = stated.name.zh, stated.name.en
        return Finding(
            code,
            f"正文「{st.raw}」（{st.loc.describe('zh')}），{name_zh} {_fmt(table_value)}",
            f"the text says '{st.raw}' ({st.loc.describe('en')}) but the {name_en} is {_fmt(table_value)}",
            expected=table_value,
            actual=st.value,
            terms=[Term("正文", "text", st.value, st.raw, st.loc), *(self._term(v, name_zh, name_en) for v in cells)],
            where=cells[0].key,
        )

    def _received(self, st: Statement) -> Finding | None:
        """N002: 「收到申请N件」 must be 一 or 一+二 (agencies count it either way)."""
        new, over = self._v("requests", "new", "total"), self._v("requests", "carried_over", "total")
        if new.value is None or over.value is None:
            return None
        if st.value in (new.value, new.value + over.value):
            return None
        both = _fmt(new.value + over.value)
        return Finding(
            "N002",
            f"正文「{st.raw}」（{st.loc.describe('zh')}），表三本年新收 {_fmt(new.value)}，本年新收+上年结转 {both}",
            f"the text says '{st.raw}' ({st.loc.describe('en')}) but table 3 has {_fmt(new.value)} "
            f"new requests, {both} with those carried over",
            expected=new.value,
            actual=st.value,
            terms=[
                Term("正文", "text", st.value, st.raw, st.loc),
                self._term(new, "本年新收总计", "new total"),
                self._term(over, "上年结转总计", "carried-over total"),
            ],
            where="requests.new.total",
        )

    def _other_year(self, st: Statement) -> Finding | None:
        """N007: 「本机关2022年度…」 in a 2023 report: the text was probably copied from another year's."""
        year = self.record.year
        if year is None or st.value == year:
            return None
        return Finding(
            "N007",
            f"正文「{st.raw}」（{st.loc.describe('zh')}）称本机关{st.value}年度，本报告为{year}年度报告，疑似沿用旧稿",
            f"the text says '{st.raw}' ({st.loc.describe('en')}) of its own work, but this is the {year} report: "
            "probably copied from another year's",
            expected=year,
            actual=st.value,
            terms=[Term("正文", "text", st.value, st.raw, st.loc)],
            where="narrative.year",
        )

    def _answered(self, st: Statement) -> Finding | None:
        """N008: 「共办结148件」 must be （七）总计, or (read as tolerantly as N002) 一 or 一+二."""
        handled = self._v("requests", "total", "total")
        new, over = self._v("requests", "new", "total"), self._v("requests", "carried_over", "total")
        if handled.value is None or new.value is None or over.value is None:
            return None
        if st.value in (handled.value, new.value, new.value + over.value):
            return None
        return Finding(
            "N008",
            f"正文「{st.raw}」（{st.loc.describe('zh')}），表三办理结果总计 {_fmt(handled.value)}，"
            f"本年新收 {_fmt(new.value)}，本年新收+上年结转 {_fmt(new.value + over.value)}",
            f"the text says '{st.raw}' ({st.loc.describe('en')}) but table 3 has {_fmt(handled.value)} handled, "
            f"{_fmt(new.value)} new, {_fmt(new.value + over.value)} with those carried over",
            expected=handled.value,
            actual=st.value,
            terms=[
                Term("正文", "text", st.value, st.raw, st.loc),
                self._term(handled, "办理结果总计", "handled total"),
                self._term(new, "本年新收总计", "new total"),
                self._term(over, "上年结转总计", "carried-over total"),
            ],
            where="requests.total.total",
        )

    def _all_closed(self, st: Statement) -> Finding | None:
        """N009: 「申请均已办结」 while table 3 carries requests forward to next year."""
        forward = self._v("requests", "carried_forward", "total")
        if not forward.value or forward.value <= 0:
            return None
        return Finding(
            "N009",
            f"正文「{st.raw}」（{st.loc.describe('zh')}），但表三结转下年度继续办理 {_fmt(forward.value)} 件",
            f"the text says every request was closed ('{st.raw}', {st.loc.describe('en')}) but table 3 carries "
            f"{_fmt(forward.value)} forward to next year",
            expected=0,
            actual=forward.value,
            terms=[
                Term("正文", "text", None, st.raw, st.loc),
                self._term(forward, "结转下年度总计", "carried-forward total"),
            ],
            where="requests.carried_forward.total",
        )

    def _problems_empty(self, st: Statement) -> Finding:
        """N010: section 五 (存在的主要问题及改进情况) left empty or 「无」."""
        return Finding(
            "N010",
            f"第五部分「存在的主要问题及改进情况」为空或写「无」（{st.loc.describe('zh')}）",
            f"section 五 (main problems and improvements) is empty or says 无 ({st.loc.describe('en')})",
            terms=[Term("正文", "text", None, st.raw, st.loc)],
            where="narrative.problems",
        )


# the prose checks that are code of their own, by the code of the rule that reads the statement
SENTENCE_CHECKS: dict[str, Callable[[Auditor, Statement], Finding | None]] = {
    "N002": Auditor._received,
    "N007": Auditor._other_year,
    "N008": Auditor._answered,
    "N009": Auditor._all_closed,
    "N010": Auditor._problems_empty,
}


MISREADING = "H002"  # possible-misreading: a failed identity on a picture with a doubtful term


def _misread(v: Value) -> bool:
    """Read by OCR with low confidence, or ink that read as nothing (an unread cell has confidence 0)."""
    return v.ocr is not None and v.ocr < LOW_CONFIDENCE


def _misreading(f: Finding, doubtful: list[tuple[Term, Value]]) -> Finding:
    """The identity's finding under H002: the same numbers and terms, the doubtful readings named."""

    def named(lang: str) -> str:
        return "、".join(f"{t.name(lang)} {t.raw or _fmt(t.value)} ({v.ocr or 0.0:.2f})" for t, v in doubtful)

    return msgspec.structs.replace(
        f,
        code=MISREADING,
        message_zh=f"{f.message_zh}；可能识别有误：{named('zh')} 识别置信度低，请对照图片核实",
        message_en=f"{f.message_en}; possible misreading: {named('en')} read from the picture with low confidence",
    )


def _identity_rule(ident: Identity) -> tuple[str, IdentityCheck]:
    """The code of the rule that checks a format identity, and how it names the two sides; a format
    identity no rule declares is a declaration error."""
    rule = BY_IDENTITY.get(ident.code)
    if rule is None or rule.identity is None:
        raise KeyError(f"no rule in audit/rules.py declares identity={ident.code!r}")
    return rule.code, rule.identity


def _note_table(fmt: Format, note: Note) -> int | None:
    """The report's number of the table a parser note is about (its rows, else 「table 3: …」)."""
    if note.rows:
        return fmt.table(note.rows[0].split(".", 1)[0]).number
    m = re.match(r"table (\d)\b", note.message)
    return int(m.group(1)) if m else None


def audit(record: Record, blank: str = "zero") -> AuditResult:
    """Every finding for one record."""
    return Auditor(record, blank).run()


def _digit(t: Term) -> int | None:
    """The term's number when it is a single digit read from the page."""
    return t.value if isinstance(t.value, int) and 0 <= t.value <= 9 and not t.blank else None
