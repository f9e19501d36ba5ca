"""The audit as one self-contained HTML page a journalist can open offline, share and print.

Per report: its metadata and verdict, the three tables rebuilt in the national layout from the
format declaration (``record.spec``), every value in its cell, and the findings with their
equations. Each value cell carries ``data-key`` (its canonical key) and, where a finding names it,
``data-codes`` (the codes, space-separated) and a visible mark; hovering or tapping it shows the raw
text, its place on the page and every equation it is in. Inferred values, unread rows and the
suspect are marked. After the reports, one section per agency given in several years lists the
cross-year findings (Y codes) with the years and the reports they concern. Inline CSS only, nothing
from the network; ``@media print`` lays it out on A4. The trend page (``trend_html.py``) shares the
style, the environment and the cross-year section.

The page is built from Jinja2 templates (``templates/audit.html.j2``) with autoescape on: every
string that comes from a page (agency, raw cell text, messages quoting the prose) is untrusted.

    from disclosure_cli import parse_path
    from disclosure_cli.auditing import audit
    from disclosure_cli.report_html import render_audit_html
    html = render_audit_html([audit(parse_path("report.txt"))], lang="zh")
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import msgspec

from .auditing import AuditResult, Finding
from .auditing.rules import Severity
from .auditing.suspect import describe_location
from .formats import Column, Row, Table
from .record import Record, Value

if TYPE_CHECKING:
    from jinja2 import Environment

    from .api import SeriesAudit
    from .series import Series

GROUPS = {  # table 3's outcome groups: the label the national layout prints once for several rows
    "withheld": ("（三）不予公开", "(3) withheld"),
    "unavailable": ("（四）无法提供", "(4) cannot be provided"),
    "not_processed": ("（五）不予处理", "(5) not processed"),
    "other": ("（六）其他处理", "(6) other handling"),
}
RANK: dict[Severity, int] = {
    "error": 0,
    "warning": 1,
    "info": 2,
}  # the page lists errors first, then warnings, then notes
SEVERITY: dict[Severity, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "note"),
}
TEXT = {  # page wording: (zh, en)
    "page_title": ("政府信息公开工作年度报告核对", "Audit of Open Government Information annual reports"),
    "source": ("来源", "source"),
    "agency": ("机关", "agency"),
    "year": ("年度", "year"),
    "format": ("格式", "format"),
    "shape": ("页面形式", "page shape"),
    "encoding": ("编码", "encoding"),
    "values": ("读取数值", "values read"),
    "sums": ("核对等式", "sums checked"),
    "findings": ("发现", "findings"),
    "no_findings": ("未发现问题。", "No findings."),
    "code": ("代码", "code"),
    "severity": ("严重性", "severity"),
    "where": ("位置", "where"),
    "finding": ("发现", "finding"),
    "raw": ("原文", "raw text"),
    "location": ("位置", "location"),
    "equations": ("所在等式", "equations"),
    "inferred": ("位置系推断", "place inferred"),
    "unread": ("此行未能读取", "row left unread"),
    "absent": ("页面无此行", "not on the page"),
    "blank": ("空白单元格", "blank cell"),
    "suspect": ("最可能出错", "most likely wrong"),
    "candidate": ("可能出错（候选之一）", "possibly wrong (one of several)"),
    "implied": ("按恒等式应为", "the identities imply"),
    "legend": ("图例", "legend"),
    "flagged": ("有发现的数值（悬停或点按查看）", "value named by a finding (hover or tap for details)"),
    "notes": ("读取说明", "reading notes"),
    "content": ("信息内容", "item"),
    "applicants": ("申请人情况", "applicants"),
    "legal_persons": ("法人或其他组织", "legal persons and other organisations"),
    "results": ("三、本年度办理结果", "3. results this year"),
    "balance": (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "(in every column: 1 + 2 = 3 + 4)",
    ),
    "review": ("行政复议", "administrative review"),
    "litigation": ("行政诉讼", "administrative litigation"),
    "direct": ("未经复议直接起诉", "directly"),
    "after_review": ("复议后起诉", "after review"),
    "generated": ("由 disclosure-cli 生成；数值悬停或点按可查看原文、位置与等式。",
                  "Made by disclosure-cli; hover over or tap a value for its raw text, place and equations."),
    # the cross-year findings of an agency given in several years (both pages)
    "cross_year": ("跨年度核对", "Across years"),
    "years_concerned": ("涉及年度", "years"),
    "series_reports": ("各年报告", "reports by year"),
    "as_written": ("报告所列机关", "agency as written"),
    "not_used": ("（同年另一份报告，未使用）", "(a second report of that year, not used)"),
    "no_cross_year": ("跨年度核对未发现问题。", "No cross-year findings."),
    "places": ("数值位置", "places of the numbers"),
    "colon": ("：", ": "),
    "sep": ("；", "; "),
}  # fmt: skip
BLOCKS = {"一": "（一）", "五": "（五）", "六": "（六）", "八": "（八）", "九": "（九）"}


class Head(msgspec.Struct):
    """A header or label cell of the rebuilt table."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    cls: str = ""


class Cell(msgspec.Struct):
    """One value cell: what it shows, its key, its marks and its tooltip."""

    key: str
    text: str
    classes: list[str] = msgspec.field(default_factory=list)
    codes: list[str] = msgspec.field(default_factory=list)
    marks: list[str] = msgspec.field(default_factory=list)
    tip: list[tuple[str, str]] = msgspec.field(default_factory=list)  # (heading, text)
    equations: list[tuple[str, bool]] = msgspec.field(default_factory=list)  # (equation, holds)


class BodyRow(msgspec.Struct):
    labels: list[Head]
    cells: list[Cell]
    cls: str = ""


class Part(msgspec.Struct):
    """One <table>: table 2 prints one per 第二十条 item, tables 3 and 4 one each."""

    caption: str
    head: list[list[Head]]
    body: list[BodyRow]


class TableView(msgspec.Struct):
    key: str
    title: str
    parts: list[Part]


class FindingView(msgspec.Struct):
    code: str
    name: str
    severity: str
    severity_label: str
    where: str
    message: str
    equation: str
    suspect: str
    keys: list[str]


class ReportView(msgspec.Struct):
    anchor: str
    heading: str
    meta: list[tuple[str, str]]
    verdict: str
    status: str  # ok | warning | error
    tables: list[TableView]
    findings: list[FindingView]
    notes: list[str]


def _t(name: str, lang: str) -> str:
    zh, en = TEXT[name]
    return zh if lang == "zh" else en


def _num(x: float | int | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(round(x, 6))


def value_text(v: Value) -> str:
    """What a value cell shows: the number read, the raw marker of a blank cell, nothing when absent."""
    if v.value is not None:
        return _num(v.value)
    return v.raw or ""


class _Builder:
    def __init__(self, result: AuditResult, shown: Sequence[Finding], lang: str):
        self.result, self.record, self.lang = result, result.record, lang
        self.shown = list(shown)
        self.zh = lang == "zh"
        self.codes: dict[str, list[str]] = {}
        self.messages: dict[str, list[str]] = {}
        self.suspects: dict[str, str] = {}
        self.candidates: dict[str, str] = {}
        for f in self.shown:
            keys = [t.key for t in f.terms if t.key]
            if f.suspect is not None:
                keys.append(f.suspect.key)
                self.suspects[f.suspect.key] = f.suspect.describe(lang)
            for c in f.candidates:
                keys.append(c.key)
                self.candidates.setdefault(c.key, c.describe(lang))
            for key in dict.fromkeys(keys):
                if f.code not in self.codes.setdefault(key, []):
                    self.codes[key].append(f.code)
                self.messages.setdefault(key, []).append(f"{f.code} {f.message(lang)}")
        self.unread: dict[str, str] = {}  # table.row -> why: rows a note names whose values were not read
        for note in self.record.warnings:
            for row in note.rows:
                if any(v.raw is None for v in self.record.values.values() if f"{v.table}.{v.row}" == row):
                    self.unread.setdefault(row, note.message)
        self.checks: dict[str, list[tuple[str, bool]]] = {}
        for check in result.checks:
            for key in check.keys:
                self.checks.setdefault(key, []).append((check.equation(lang), check.holds))

    def name(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    # -- cells ---------------------------------------------------------------------------------

    def cell(self, v: Value) -> Cell:
        key = v.key
        c = Cell(key, value_text(v))
        row = self.record.spec.table(v.table).row(v.row)
        col = next(x for x in row.columns if x.key == v.column)
        c.tip.append(("", f"{row.name}·{col.short}" if self.zh else f"{row.en or row.key} · {col.en or col.key}"))
        if v.raw is None:
            c.classes.append("absent")
            c.tip.append(("", _t("absent", self.lang)))
        else:
            c.tip.append((_t("raw", self.lang), v.raw if v.raw else "（空）" if self.zh else "(empty)"))
            if v.value is None:
                c.classes.append("blank")
                c.tip.append(("", _t("blank", self.lang)))
        if v.unit:
            c.tip.append(("", v.unit))
        where = describe_location(v.loc, self.lang)
        if where:
            c.tip.append((_t("location", self.lang), where))
        if v.inferred:
            c.classes.append("inferred")
            c.marks.append("≈")
            c.tip.append((_t("inferred", self.lang), v.inferred))
        unread = self.unread.get(f"{v.table}.{v.row}")
        if unread is not None:
            c.classes.append("unread")
            c.marks.append("⊘")
            c.tip.append((_t("unread", self.lang), unread))
        if key in self.codes:
            c.classes.append("flag")
            c.codes = self.codes[key]
            for message in self.messages[key]:
                c.tip.append(("", message))
        if key in self.suspects:
            c.classes.append("suspect")
            c.marks.append("?")
            c.tip.append((_t("suspect", self.lang), self.suspects[key]))
        elif key in self.candidates:
            c.classes.append("candidate")
            c.marks.append("?")
            c.tip.append((_t("candidate", self.lang), self.candidates[key]))
        c.equations = self.checks.get(key, [])
        return c

    def cells(self, table: Table, row: Row) -> list[Cell]:
        return [self.cell(self.record.values[f"{table.key}.{row.key}.{col.key}"]) for col in row.columns]

    # -- the national layout -------------------------------------------------------------------

    def table(self, table: Table) -> TableView:
        zh, en = table.names
        title = f"{zh} {table.label}" if self.zh else f"{en.capitalize()}: {_TABLE_EN.get(table.key, table.label)}"
        parts = {"active": self.active, "requests": self.requests, "appeals": self.appeals}[table.key](table)
        return TableView(table.key, title, parts)

    def active(self, table: Table) -> list[Part]:
        """Table 2: one small table per 第二十条 item, each with its own column header."""
        parts: list[Part] = []
        for block in dict.fromkeys(r.block for r in table.rows):
            rows = [r for r in table.rows if r.block == block]
            caption = f"第二十条第{BLOCKS.get(block, block)}项" if self.zh else f"Article 20 item ({block})"
            head = [[Head(_t("content", self.lang), cls="label")] + [
                Head(c.label if self.zh else (c.en or c.key)) for c in rows[0].columns
            ]]  # fmt: skip
            body = [BodyRow([Head(r.label if self.zh else (r.en or r.key), cls="label")], self.cells(table, r))
                    for r in rows]  # fmt: skip
            parts.append(Part(caption, head, body))
        return parts

    def requests(self, table: Table) -> list[Part]:
        """Table 3 as the notice prints it: applicant columns under 申请人情况, the outcome groups."""
        cols = table.rows[0].columns
        head = [
            [Head(_t("balance", self.lang), 3, 3, "label note"), Head(_t("applicants", self.lang), len(cols))],
            [Head(self._col(cols[0]), rowspan=2), Head(_t("legal_persons", self.lang), len(cols) - 2),
             Head(self._col(cols[-1]), rowspan=2)],
            [Head(self._col(c)) for c in cols[1:-1]],
        ]  # fmt: skip
        outcome = [r for r in table.rows if r.block == "三"]
        body: list[BodyRow] = []
        seen_groups: set[str] = set()
        for r in table.rows:
            labels: list[Head] = []
            if r.block != "三":
                labels.append(Head(self._row(r), colspan=3, cls="label"))
            else:
                if r is outcome[0]:
                    labels.append(Head(_t("results", self.lang), rowspan=len(outcome), cls="label group"))
                group = r.key.split(".")[0] if "." in r.key else None
                if group is None:
                    labels.append(Head(self._row(r), colspan=2, cls="label"))
                else:
                    if group not in seen_groups:
                        seen_groups.add(group)
                        size = sum(1 for x in outcome if x.key.startswith(group + "."))
                        labels.append(Head(self.name(*GROUPS[group]), rowspan=size, cls="label group"))
                    labels.append(Head(self._row(r, sub=True), cls="label sub"))
            body.append(BodyRow(labels, self.cells(table, r), "total" if r.key == "total" else ""))
        return [Part("", head, body)]

    def appeals(self, table: Table) -> list[Part]:
        """Table 4 as the notice prints it: one row of 15 numbers under a three-level header."""
        review, direct, after = table.rows
        n = len(review.columns)
        head = [
            [Head(_t("review", self.lang), n), Head(_t("litigation", self.lang), 2 * n)],
            [*(Head(self._col(c), rowspan=2) for c in review.columns),
             Head(_t("direct", self.lang), n), Head(_t("after_review", self.lang), n)],
            [Head(self._col(c)) for c in (*direct.columns, *after.columns)],
        ]  # fmt: skip
        cells = [c for r in (review, direct, after) for c in self.cells(table, r)]
        return [Part("", head, [BodyRow([], cells)])]

    def _col(self, c: Column) -> str:
        return c.label if self.zh else (c.en or c.key)

    def _row(self, r: Row, sub: bool = False) -> str:
        if self.zh:
            return r.label
        en = r.en or r.key
        return en.split(": ", 1)[1] if sub and ": " in en else en

    # -- the report ----------------------------------------------------------------------------

    def finding(self, f: Finding) -> FindingView:
        first = f.suspect.loc if f.suspect is not None else None  # what a person looks at first
        if first is None:
            first = next((t.loc for t in f.terms if t.loc is not None), None)
        where = describe_location(first, self.lang)
        keys = [t.key for t in f.terms if t.key]
        return FindingView(
            f.code, f.rule.name, f.severity, self.name(*SEVERITY[f.severity]), where, f.message(self.lang),
            f.equation(self.lang), f.suspect_text(self.lang), keys,
        )  # fmt: skip

    def report(self, index: int) -> ReportView:
        from .render import verdict

        r: Record = self.record
        lang = self.lang
        heading = " ".join(str(x) for x in (r.agency or r.title or r.source, r.year or "") if x)
        meta = [
            (_t("source", lang), r.source),
            (_t("agency", lang), r.agency or ""),
            (_t("year", lang), str(r.year or "")),
            (_t("format", lang), f"{r.format}（{r.spec.notice}）" if self.zh else f"{r.format} ({r.spec.notice})"),
            (_t("shape", lang), f"{r.shape}, {r.script}"),
            (_t("encoding", lang), r.encoding),
            (_t("values", lang), str(len(r.published()))),
            (_t("sums", lang), str(self.result.evaluated)),
            ("sha256", r.sha256),
        ]
        status = _status(self.shown)
        return ReportView(
            f"report-{index}",
            heading,
            [(k, v) for k, v in meta if v],
            verdict(self.result, self.shown, lang),
            status,
            [self.table(t) for t in r.spec.tables],
            [self.finding(f) for f in sorted(self.shown, key=lambda f: RANK.get(f.severity, 3))],
            [w.message for w in r.warnings],
        )


# -- across years (Y findings): one section per agency given in several years ---------------------
class SeriesReportView(msgspec.Struct):
    """One report of a series: its year, the agency as the report writes it, and its place on the page."""

    year: int
    agency: str
    source: str
    anchor: str = ""  # the report's section on the same page, if it has one
    used: bool = True  # False: a second report of the year, left out of the series


class CrossYearFindingView(msgspec.Struct):
    code: str
    name: str
    severity: str
    severity_label: str
    years: str
    message: str
    equation: str
    places: list[str]


class CrossYearView(msgspec.Struct):
    anchor: str
    heading: str
    status: str  # ok | warning | error
    verdict: str
    reports: list[SeriesReportView]
    findings: list[CrossYearFindingView]


def finding_years(series: Series, f: Finding) -> list[int]:
    """The years a cross-year finding concerns: those of the reports its numbers come from, else the
    year its ``where`` names (a missing year, a year with two reports)."""
    by_source: dict[str, int] = {r.source: y for y, r in series.records.items()}
    for year, _used, ignored in series.duplicates:
        by_source.setdefault(ignored.source, year)
    years = {by_source[t.source] for t in f.terms if t.source in by_source}
    if not years:
        tail = f.where.rsplit(".", 1)[-1]
        if len(tail) == 4 and tail.isdecimal():
            years.add(int(tail))
    return sorted(years)


def _status(findings: Sequence[Finding]) -> str:
    severities = {f.severity for f in findings}
    return "error" if "error" in severities else "warning" if severities else "ok"


def cross_year_view(
    series: Series, shown: Sequence[Finding], lang: str, anchor: str, anchors: dict[int, str] | None = None
) -> CrossYearView:
    """The cross-year section of one series; ``anchors`` (``id(record)`` → section id) links each year to
    its report when the page shows it."""
    zh = lang == "zh"
    anchors = anchors or {}
    reports = [SeriesReportView(y, r.agency or "", r.source, anchors.get(id(r), "")) for y, r in
               sorted(series.records.items())]  # fmt: skip
    for year, _used, ignored in series.duplicates:
        reports.append(SeriesReportView(year, ignored.agency or "", ignored.source, anchors.get(id(ignored), ""),
                                        used=False))  # fmt: skip
    reports.sort(key=lambda r: (r.year, not r.used))
    years = series.years
    heading = f"{_t('cross_year', lang)}：{series.agency} {years[0]}–{years[-1]}" if zh else \
        f"{_t('cross_year', lang)}: {series.agency} {years[0]}–{years[-1]}"  # fmt: skip
    counts = {s: sum(1 for f in shown if f.severity == s) for s in ("error", "warning", "info")}
    if not shown:
        verdict = "✓ " + _t("no_cross_year", lang)
    elif zh:
        verdict = f"✗ {counts['error']} 个错误，{counts['warning']} 个警告，{counts['info']} 条提示"
    else:
        verdict = f"✗ {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"
    sep = "、" if zh else ", "
    findings = [
        CrossYearFindingView(
            f.code, f.rule.name, f.severity, SEVERITY[f.severity][0 if zh else 1],
            sep.join(str(y) for y in finding_years(series, f)), f.message(lang), f.equation(lang), f.locations(lang),
        )
        for f in sorted(shown, key=lambda f: RANK.get(f.severity, 3))
    ]  # fmt: skip
    return CrossYearView(anchor, heading, _status(shown), verdict, reports, findings)


_TABLE_EN = {
    "active": "information published proactively",
    "requests": "requests received and handled",
    "appeals": "administrative review and litigation",
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("disclosure_cli", "templates"),
        autoescape=True,  # every string from a page is untrusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_audit_html(
    results: list[AuditResult],
    lang: str = "zh",
    shown: Sequence[Sequence[Finding]] | None = None,
    series: Sequence[SeriesAudit] = (),
) -> str:
    """One self-contained HTML page for the audit of ``results``.

    ``shown``: the findings to show for each result (after --select/--ignore/--min-severity);
    all of each result's findings by default. ``series``: the cross-year findings of the agencies
    given in several years (``AuditReport.series``), one section each after the reports.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if shown is None:
        shown = [r.findings for r in results]
    if len(shown) != len(results):
        raise ValueError("shown needs one list of findings per result")
    reports = [_Builder(r, s, lang).report(i + 1) for i, (r, s) in enumerate(zip(results, shown))]
    anchors = {id(r.record): view.anchor for r, view in zip(results, reports)}
    across = [cross_year_view(s.series, s.shown, lang, f"across-{i + 1}", anchors) for i, s in enumerate(series)]
    words = {k: _t(k, lang) for k in TEXT}
    template = _environment().get_template("audit.html.j2")
    return template.render(reports=reports, across=across, lang=lang, t=words)
