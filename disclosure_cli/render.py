"""Rendering audit results and rules for people (rich) and machines (JSON, JSON Lines, CSV).

One report object feeds every renderer; the machine formats are never coloured.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .auditing import AuditResult, Finding, rules
from .auditing.rules import Rule
from .output import JsonArray, csv_writer, printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as RichTable

    from .record import Record
    from .series import Change, Series

# How FindingWriter writes findings: one JSON object per report, one finding a line, one a CSV row.
FindingFormat = Literal["json", "jsonl", "csv"]

FINDING_FIELDS = (
    "source",
    "agency",
    "year",
    "format",
    "code",
    "name",
    "severity",
    "where",
    "location",
    "message",
    "equation",
    "expected",
    "actual",
    "difference",
    "blank_dependent",
    "numbers",
    "suspect",
    "candidates",
)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def severity_label(severity: str, lang: str) -> str:
    """「错误」「警告」「提示」 under ``--lang zh``; the severity's own name otherwise."""
    return SEVERITY_ZH[severity] if lang == "zh" else severity


def wrap_name(name: str, width: int) -> str:
    """A kebab-case rule name broken only after a hyphen, each line at most ``width`` where it can be:
    ``requests-outcome-total`` → ``requests-\noutcome-total`` (never ``requests-outco\nme-total``)."""
    lines: list[str] = []
    for part in name.split("-"):
        if lines and len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += "-" + part
        else:
            if lines:
                lines[-1] += "-"
            lines.append(part)
    return "\n".join(lines)


def finding_row(record: Record, f: Finding, lang: str, agency: str | None = None) -> dict[str, Any]:
    """One finding as a flat row, with the report it belongs to (for a cross-year finding: the later
    report of the pair, under the series' agency name)."""
    d = f.as_dict(lang)
    identity = {"source": record.source, "agency": agency or record.agency, "year": record.year,
                "format": record.format}  # fmt: skip
    return {**identity, **{k: d.get(k) for k in FINDING_FIELDS if k not in identity},
            "location": f.location(lang), "numbers": d["locations"]}  # fmt: skip


def verdict(result: AuditResult, shown: list[Finding], lang: str) -> str:
    """One line a journalist can read: what was checked and what did not add up."""
    r = result.record
    blanks = sum(1 for v in r.published() if v.value is None)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in ("error", "warning", "info")}
    if lang == "zh":
        what = f"{printable(r.agency or r.source)} {r.year or ''}年报（{r.format}年格式）"
        if not shown:
            head = f"✓ 未发现问题：{what}，核对等式 {result.evaluated} 处"
        else:
            head = (
                f"✗ {what}：{counts['error']} 个错误，{counts['warning']} 个警告，{counts['info']} 条提示；"
                f"核对等式 {result.evaluated} 处"
            )
        if blanks:
            head += f"；空白单元格 {blanks} 个，{'按 0 计' if result.blank == 'zero' else '相关等式未核对'}"
        if result.used_for_reading:
            head += f"；{result.used_for_reading} 处等式用于还原粘连单元格，不计为核对"
        return head
    what = f"{printable(r.agency or r.source)} {r.year or ''} ({r.format} format)"
    if not shown:
        head = f"✓ clean: {what}, {result.evaluated} sums checked"
    else:
        head = (
            f"✗ {what}: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s); "
            f"{result.evaluated} sums checked"
        )
    if blanks:
        head += f"; {blanks} blank cells {'read as 0' if result.blank == 'zero' else 'left out of the sums'}"
    if result.used_for_reading:
        head += f"; {result.used_for_reading} sums were used to read glued cells and are not counted as checks"
    return head


def print_report(
    console: Console, result: AuditResult, shown: list[Finding], lang: str, locations: bool = False
) -> None:
    from rich.table import Table
    from rich.text import Text

    r = result.record
    console.print(Text(printable(r.source), style="bold"))
    if shown:
        table = Table(show_lines=True, expand=False)
        # on a narrow terminal rule names break after a hyphen, never inside a word
        name_width = 14 if console.width < 120 else max(len(f.rule.name) for f in shown)
        names = ("代码", "严重性", "位置", "发现") if lang == "zh" else ("code", "severity", "where", "finding")
        table.add_column(names[0], no_wrap=True)
        table.add_column(names[1], no_wrap=True)
        table.add_column(names[2], overflow="fold", max_width=22 if console.width < 120 else None)
        table.add_column(names[3], overflow="fold")
        for f in shown:
            body = Text(f.message(lang))
            if f.equation(lang):
                body.append("\n" + f.equation(lang), style="dim")
            if f.suspect_text(lang):
                body.append("\n" + f.suspect_text(lang), style="bold")
            if locations:
                for line in f.locations(lang):
                    body.append("\n@ " + line, style="dim")
            table.add_row(
                f"{f.code}\n{wrap_name(f.rule.name, name_width)}",
                Text(severity_label(f.severity, lang), style=SEVERITY_STYLE[f.severity]),
                f.location(lang),
                body,
            )
        console.print(table)
    style = "green" if not shown else ("red" if any(f.severity == "error" for f in shown) else "yellow")
    console.print(Text(verdict(result, shown, lang), style=style))
    console.print()


def print_plain(out: TextIO, result: AuditResult, shown: list[Finding], lang: str, locations: bool = False) -> None:
    """The text output when stdout is not a terminal: one finding per line, then its equation."""
    for f in shown:
        where = f":{f.location(lang)}" if f.location(lang) else ""
        severity = severity_label(f.severity, lang)
        line = f"{result.record.source}{where}: {f.code} [{severity}] {f.rule.name}: {f.message(lang)}"
        out.write(printable(line) + "\n")
        if f.equation(lang):
            out.write(f"    {f.equation(lang)}\n")
        if f.suspect_text(lang):
            out.write(f"    {printable(f.suspect_text(lang))}\n")
        if locations:
            for place in f.locations(lang):
                out.write(f"    @ {printable(place)}\n")
    out.write(verdict(result, shown, lang) + "\n")
    out.flush()


class FindingWriter:
    """Machine output: json (one object per report), jsonl (one finding per line), csv (one per row)."""

    def __init__(self, fmt: FindingFormat, out: TextIO, lang: str):
        self.fmt, self.out, self.lang = fmt, out, lang
        self._json = JsonArray(out)
        if fmt == "csv":
            self._csv = csv_writer(out, FINDING_FIELDS)

    def write(self, result: AuditResult, shown: list[Finding]) -> None:
        rows = [finding_row(result.record, f, self.lang) for f in shown]
        if self.fmt == "json":
            r = result.record
            report = {
                "source": r.source,
                "agency": r.agency,
                "year": r.year,
                "format": r.format,
                "sha256": r.sha256,
                "blank_convention": result.blank,
                "sums_checked": result.evaluated,
                "sums_skipped": result.skipped,
                "verdict": verdict(result, shown, self.lang),
                "findings": rows,
            }
            self._json.write(report)
        else:
            self._rows(rows)
        self.out.flush()

    def write_cross_year(self, series: Series, shown: list[Finding]) -> None:
        """The cross-year findings of one agency: its own JSON object, or rows like any finding."""
        latest = series.records[series.years[-1]]
        rows = [finding_row(latest, f, self.lang, series.agency) for f in shown]
        if self.fmt == "json":
            self._json.write(
                {
                    "kind": "cross-year",
                    "agency": series.agency,
                    "years": series.years,
                    "sources": {y: r.source for y, r in series.records.items()},
                    "findings": rows,
                }
            )
        else:
            self._rows(rows)
        self.out.flush()

    def _rows(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt == "jsonl":
            for row in rows:
                self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            for row in rows:
                self._csv.writerow(
                    {
                        **row,
                        "numbers": "; ".join(
                            f"{n['label']} {n['raw']} @ {n.get('location', '')}" for n in row["numbers"]
                        ),
                        "suspect": f"{row['suspect']['key']}={row['suspect']['implied']}" if row["suspect"] else "",
                        "candidates": " ".join(f"{c['key']}={c['implied']}" for c in row["candidates"] or ()),
                    }
                )

    def close(self) -> None:
        if self.fmt == "json":
            self._json.close()
        self.out.flush()


def cross_year_lines(series: Series, shown: list[Finding], lang: str) -> list[str]:
    """The text view of one agency's cross-year findings (the audit prints it after the reports)."""
    title = f"{printable(series.agency)} {series.years[0]}–{series.years[-1]}"
    lines = [f"跨年度核对：{title}" if lang == "zh" else f"across years: {title}"]
    lines += [f"  {f.code} [{severity_label(f.severity, lang)}] {f.rule.name}: {f.message(lang)}" for f in shown]
    if not shown:
        lines.append("  ✓ " + ("结转与累计数一致" if lang == "zh" else "carry-over and running totals agree"))
    return lines


def print_rules(console: Console, lang: str) -> None:
    """The rule list: a table where the terminal is wide enough, else a rule a paragraph (a table in
    80 columns squeezes the summaries until words break)."""
    from rich.table import Table

    if console.width < 100:
        for r in rules.RULES:
            console.print(f"{r.code} {r.name} · {severity_label(r.severity, lang)}", style="bold", soft_wrap=True)
            for line in wrap_cells(r.summary_zh if lang == "zh" else r.summary, console.width - 5):
                console.print(f"     {line}", soft_wrap=True)
        return
    table = Table()
    names = ("代码", "名称", "严重性", "核对内容") if lang == "zh" else ("code", "name", "severity", "checks")
    for name in names:
        table.add_column(name, no_wrap=name in ("code", "代码"))
    for r in rules.RULES:
        table.add_row(r.code, r.name, severity_label(r.severity, lang), r.summary_zh if lang == "zh" else r.summary)
    console.print(table)


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (a CJK character takes two), broken at
    spaces, or between CJK characters, never inside a Latin word or a number."""
    from rich.cells import cell_len

    tokens = re.findall(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if cell_len(line + token) > width and line.strip():
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def explain_rule(r: Rule, lang: str = "en") -> str:
    zh = lang == "zh"
    return "\n".join(
        [
            f"{r.code} {r.name}（{severity_label(r.severity, lang)}）" if zh else f"{r.code} {r.name} ({r.severity})",
            "",
            f"{r.summary_zh} — {r.summary}" if zh else f"{r.summary} — {r.summary_zh}",
            "",
            r.explain(lang),
            "",
            "示例：" if zh else "Example:",
            f"  {r.example}",
        ]
    )


# --- year over year --------------------------------------------------------------------------

SPARKS = "▁▂▃▄▅▆▇█"
CHANGE_FIELDS = (
    "agency", "indicator", "label", "label_en", "year", "value", "previous_year", "change", "change_pct", "ranked",
    "small",
)  # fmt: skip
SMALL_NOTE = {"zh": "小数目：不足30件", "en": "small numbers: under 30 cases"}


def _pct(c: Change) -> str:
    """The relative change of a move, and the small-number mark when it is built on few cases."""
    pct = "—" if c.change_pct is None else f"{c.change_pct:+.1f}%"
    return pct


def _move_note(c: Change, lang: str) -> str:
    pct = _pct(c)
    return f"{pct}, {SMALL_NOTE[lang]}" if c.small else pct


def sparkline(values: list[float | int | None]) -> str:
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = hi - lo or 1
    return "".join(" " if v is None else SPARKS[int((v - lo) / span * (len(SPARKS) - 1))] for v in values)


def _num(v: float | int | None, percent: bool = False) -> str:
    if v is None:
        return "—"
    if percent:
        return f"{100 * v:.1f}%"
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def _arrow(change: float | int | None) -> str:
    return "→" if not change else ("↑" if change > 0 else "↓")


def trend_report(
    series: Series, changes: list[Change], not_compared: dict[int, list[str]], findings: list[Finding], lang: str
) -> dict[str, Any]:
    """One object per series for JSON: the changes in long format, what was not compared, findings."""
    return {
        "agency": series.agency,
        "years": series.years,
        "sources": {y: r.source for y, r in series.records.items()},
        "changes": [c.as_dict() for c in changes],
        "not_compared": {y: keys for y, keys in not_compared.items()},
        "findings": [f.as_dict(lang) for f in findings],
    }


def print_trend(
    console: Console,
    series: Series,
    changes: list[Change],
    not_compared: dict[int, list[str]],
    findings: list[Finding],
    lang: str,
    top: int = 12,
) -> None:
    """A terminal view: indicators by year with a sparkline, the biggest moves, cross-year findings."""
    from rich.text import Text

    from .series import moves as listed_moves

    years = series.years
    console.print(Text(f"{printable(series.agency)}  {years[0]}–{years[-1]}", style="bold"))
    console.print(_indicator_table(years, changes, lang))
    moves = listed_moves(changes, top)
    if moves:
        console.print(_moves_table(moves, lang))
    for year, keys in not_compared.items():
        console.print(Text(_not_compared(year, len(keys), lang), style="dim"))
    if not findings:
        console.print(
            Text("✓ " + ("跨年度核对未发现问题" if lang == "zh" else "no cross-year findings"), style="green")
        )
    for f in findings:
        console.print(
            Text(
                f"{f.code} [{severity_label(f.severity, lang)}] {f.rule.name}: {f.message(lang)}",
                style=SEVERITY_STYLE[f.severity],
            )
        )
    console.print()


def _indicator_table(years: list[int], changes: list[Change], lang: str) -> RichTable:
    """Every indicator a row, every year a column, moves arrowed, shares of fewer than 30 cases dimmed."""
    from rich.table import Table
    from rich.text import Text

    from .series import INDICATORS

    zh = lang == "zh"
    table = Table(title="指标" if zh else "indicators", title_justify="left")
    table.add_column("指标" if zh else "indicator")
    for y in years:
        table.add_column(str(y), justify="right")
    table.add_column("走势" if zh else "trend")
    for ind in INDICATORS:
        row = {c.year: c for c in changes if c.indicator == ind.key}
        cells = []
        for y in years:
            c = row.get(y)
            text = Text(_num(c.value if c else None, ind.percent))
            if c is not None and c.change:
                text.append(f" {_arrow(c.change)}", style="green" if c.change > 0 else "red")
            if c is not None and c.base is not None and c.base < 30 and ind.percent:
                text.stylize("dim")
            cells.append(text)
        table.add_row(ind.zh if zh else ind.en, *cells, sparkline([row[y].value if y in row else None for y in years]))
    return table


def _moves_table(moves: list[Change], lang: str) -> RichTable:
    """The biggest moves, small numbers dimmed."""
    from rich.table import Table
    from rich.text import Text

    zh = lang == "zh"
    m = Table(title="变化最大" if zh else "biggest moves", title_justify="left")
    for name in (
        ("项目", "年份", "原值", "现值", "变化", "变化率")
        if zh
        else ("what", "years", "from", "to", "change", "change %")
    ):
        m.add_column(name, justify="right" if name not in ("项目", "what") else "left")
    for c in moves:
        change = c.change
        assert change is not None  # moves() lists only values that moved
        style = "green" if change > 0 else "red"
        m.add_row(
            c.name(lang),
            f"{c.previous_year}→{c.year}",
            _num(c.previous, c.percent),
            _num(c.value, c.percent),
            Text(f"{_arrow(c.change)} {_num(c.change, c.percent)}", style=style),
            Text(_move_note(c, lang), style=f"{style} dim" if c.small else style),
        )
    return m


def _not_compared(year: int, count: int, lang: str) -> str:
    if lang == "zh":
        return f"{year}年：与上一份报告格式不同，{count} 个数值不可比，未比较"
    return f"{year}: {count} values not comparable across the format change, not compared"


def print_trend_plain(
    out: TextIO,
    series: Series,
    changes: list[Change],
    not_compared: dict[int, list[str]],
    findings: list[Finding],
    lang: str,
    top: int = 12,
) -> None:
    """The text view when stdout is not a terminal: one line per indicator, move and finding."""
    from .series import INDICATORS
    from .series import moves as listed_moves

    zh = lang == "zh"
    out.write(f"{printable(series.agency)} {series.years[0]}-{series.years[-1]}\n")
    for ind in INDICATORS:
        row = {c.year: c for c in changes if c.indicator == ind.key}
        values = [row[y].value if y in row else None for y in series.years]
        series_text = "  ".join(f"{y}: {_num(row[y].value if y in row else None, ind.percent)}" for y in series.years)
        out.write(f"  {ind.zh if zh else ind.en}: {series_text}  {sparkline(values)}\n")
    for c in listed_moves(changes, top):
        out.write(
            f"  {_arrow(c.change)} {c.name(lang)} {c.previous_year}→{c.year}: "
            f"{_num(c.previous, c.percent)} → {_num(c.value, c.percent)} ({_move_note(c, lang)})\n"
        )
    for year, keys in not_compared.items():
        out.write(f"  {_not_compared(year, len(keys), lang)}\n")
    if not findings:
        out.write("  ✓ " + ("跨年度核对未发现问题" if zh else "no cross-year findings") + "\n")
    for f in findings:
        out.write(f"  {f.code} [{severity_label(f.severity, lang)}] {f.rule.name}: {f.message(lang)}\n")
        if f.equation(lang):
            out.write(f"      {f.equation(lang)}\n")
    out.flush()
