"""Rendering audit results and rules for people (rich) and machines (JSON, JSON Lines, CSV).

One report object feeds every renderer; the machine formats are never coloured.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from .audit import AuditResult, Finding, rules
from .audit.rules import Rule

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
)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def finding_row(result: AuditResult, f: Finding, lang: str) -> dict:
    r = result.record
    d = f.as_dict(lang)
    return {
        "source": r.source,
        "agency": r.agency,
        "year": r.year,
        "format": r.format,
        **{
            k: d[k]
            for k in (
                "code",
                "name",
                "severity",
                "where",
                "message",
                "equation",
                "expected",
                "actual",
                "difference",
                "blank_dependent",
            )
        },
        "location": f.location(),
        "numbers": d["locations"],
    }


def verdict(result: AuditResult, shown: list[Finding], lang: str) -> str:
    """One line a journalist can read: what was checked and what did not add up."""
    r = result.record
    blanks = sum(1 for v in r.published() if v.value is None)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in ("error", "warning", "info")}
    if lang == "zh":
        what = f"{r.agency or r.source} {r.year or ''}年报（{r.format}年格式）"
        if not shown:
            head = f"✓ 未发现问题：{what}，核对等式 {result.evaluated} 处"
        else:
            head = (
                f"✗ {what}：{counts['error']} 个错误，{counts['warning']} 个警告，{counts['info']} 条提示；"
                f"核对等式 {result.evaluated} 处"
            )
        if blanks:
            head += f"；空白单元格 {blanks} 个，{'按 0 计' if result.blank == 'zero' else '相关等式未核对'}"
        return head
    what = f"{r.agency or r.source} {r.year or ''} ({r.format} format)"
    if not shown:
        head = f"✓ clean: {what}, {result.evaluated} sums checked"
    else:
        head = (
            f"✗ {what}: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s); "
            f"{result.evaluated} sums checked"
        )
    if blanks:
        head += f"; {blanks} blank cells {'read as 0' if result.blank == 'zero' else 'left out of the sums'}"
    return head


def print_report(console, result: AuditResult, shown: list[Finding], lang: str) -> None:
    from rich.table import Table
    from rich.text import Text

    r = result.record
    console.print(Text(r.source, style="bold"))
    if shown:
        table = Table(show_lines=True, expand=False)
        for name in ("代码", "严重性", "位置", "发现") if lang == "zh" else ("code", "severity", "where", "finding"):
            table.add_column(name, overflow="fold")
        for f in shown:
            body = Text(f.message(lang))
            if f.equation(lang):
                body.append("\n" + f.equation(lang), style="dim")
            table.add_row(
                f"{f.code}\n{f.rule.name}", Text(f.severity, style=SEVERITY_STYLE[f.severity]), f.location(), body
            )
        console.print(table)
    style = "green" if not shown else ("red" if any(f.severity == "error" for f in shown) else "yellow")
    console.print(Text(verdict(result, shown, lang), style=style))
    console.print()


def print_plain(out: TextIO, result: AuditResult, shown: list[Finding], lang: str) -> None:
    """The text output when stdout is not a terminal: one finding per line, then its equation."""
    for f in shown:
        where = f":{f.location()}" if f.location() else ""
        out.write(f"{result.record.source}{where}: {f.code} [{f.severity}] {f.rule.name}: {f.message(lang)}\n")
        if f.equation(lang):
            out.write(f"    {f.equation(lang)}\n")
    out.write(verdict(result, shown, lang) + "\n")
    out.flush()


class FindingWriter:
    """Machine output: json (one object per report), jsonl (one finding per line), csv (one per row)."""

    def __init__(self, fmt: str, out: TextIO, lang: str):
        self.fmt, self.out, self.lang, self.count = fmt, out, lang, 0
        if fmt == "csv":
            self._csv = csv.DictWriter(out, fieldnames=FINDING_FIELDS, lineterminator="\n")
            self._csv.writeheader()

    def write(self, result: AuditResult, shown: list[Finding]) -> None:
        rows = [finding_row(result, f, self.lang) for f in shown]
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
            self.out.write(("[\n" if self.count == 0 else ",\n") + json.dumps(report, ensure_ascii=False, indent=2))
        elif self.fmt == "jsonl":
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
                    }
                )
        self.count += 1
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


def print_rules(console, lang: str) -> None:
    from rich.table import Table

    table = Table()
    for name in ("code", "name", "severity", "checks"):
        table.add_column(name)
    for r in rules.RULES:
        table.add_row(r.code, r.name, r.severity, r.summary_zh if lang == "zh" else r.summary)
    console.print(table)


def explain_rule(r: Rule) -> str:
    return "\n".join(
        [
            f"{r.code} {r.name} ({r.severity})",
            "",
            f"{r.summary} — {r.summary_zh}",
            "",
            r.explanation,
            "",
            "Example:",
            f"  {r.example}",
        ]
    )
