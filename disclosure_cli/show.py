"""The one place an output format picks its renderer: each command hands its report object here.

Renderers read the report objects of :mod:`disclosure_cli.api` and write to a text stream; the text
views go through rich only when the stream is a terminal (``render.py``), the machine formats are
``render.FindingWriter`` and ``output.Writer``, the HTML pages are ``report_html.py`` (audit) and
``trend_html.py`` (trend).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console as RichConsole

    from .api import AuditReport, SeriesTrend
    from .record import Record

AuditFormat = Literal["text", "json", "jsonl", "csv", "html"]
TrendFormat = Literal["text", "json", "jsonl", "csv", "html"]
RecordFormat = Literal["json", "jsonl", "csv"]


def _screen(out: TextIO) -> RichConsole | None:
    """A rich console for a terminal (colour unless NO_COLOR); None for a pipe or a file."""
    if not out.isatty():
        return None
    from rich.console import Console as RichConsole

    return RichConsole(file=out, no_color="NO_COLOR" in os.environ or None, highlight=False)


def write_records(records: Iterable[Record], fmt: RecordFormat, out: TextIO, *, bom: bool = False) -> None:
    """Records as ``parse`` writes them: a JSON array, one record per line, or tidy CSV (one value a row)."""
    from .output import Writer

    writer = Writer(fmt, out, bom=bom)
    for record in records:
        writer.write(record)
    writer.close()


def show_audit(report: AuditReport, fmt: AuditFormat, out: TextIO, lang: str, *, locations: bool = False) -> None:
    """An audit report in ``fmt``: text (a table per report, then the cross-year findings), json
    (one object per report and per series), jsonl/csv (one finding a line/row), html (one page)."""
    if fmt == "html":
        from .report_html import render_audit_html

        results = [r.result for r in report.reports]
        out.write(render_audit_html(results, lang, shown=[r.shown for r in report.reports], series=report.series))
        out.flush()
        return
    if fmt == "text":
        from .render import cross_year_lines, print_plain, print_report

        screen = _screen(out)
        for r in report.reports:
            if screen is not None:
                print_report(screen, r.result, r.shown, lang, locations)
            else:
                print_plain(out, r.result, r.shown, lang, locations)
        for s in report.series:
            text = "\n".join(cross_year_lines(s.series, s.shown, lang))
            if screen is not None:
                screen.print(text, highlight=False, markup=False)
            else:
                out.write(text + "\n")
        out.flush()
        return
    from .render import FindingWriter

    writer = FindingWriter(fmt, out, lang)
    for r in report.reports:
        writer.write(r.result, r.shown)
    for s in report.series:
        writer.write_cross_year(s.series, s.shown)
    writer.close()


def show_trend(trends: list[SeriesTrend], fmt: TrendFormat, out: TextIO, lang: str, *, top: int = 12) -> None:
    """Series in ``fmt``: text (moves, indicators, findings per agency), json (one object per series),
    jsonl/csv (one change a line/row, long format), html (one page, a chart per indicator)."""
    if fmt == "html":
        from .trend_html import render_trend_html

        out.write(render_trend_html(trends, lang, top=top))
        out.flush()
        return
    from .render import CHANGE_FIELDS, print_trend, print_trend_plain, trend_report

    if fmt == "text":
        screen = _screen(out)
        for t in trends:
            if screen is not None:
                print_trend(screen, t.series, t.changes, t.not_compared, t.findings, lang, top)
            else:
                print_trend_plain(out, t.series, t.changes, t.not_compared, t.findings, lang, top)
    elif fmt == "json":
        reports = [trend_report(t.series, t.changes, t.not_compared, t.findings, lang) for t in trends]
        out.write(json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        for t in trends:
            for c in t.changes:
                out.write(json.dumps(c.as_dict(), ensure_ascii=False) + "\n")
    else:
        from .output import csv_writer

        rows = csv_writer(out, CHANGE_FIELDS)
        for t in trends:
            rows.writerows(c.as_dict() for c in t.changes)
    out.flush()
