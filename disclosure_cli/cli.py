"""The command line: options in, one library call, the report out (``show.py`` picks the renderer).

Every command is a thin skin over the library (:mod:`disclosure_cli.api`, :mod:`disclosure_cli.sources`);
the options, the exit codes and the error printer are declared once, in ``cli_common.py``.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import click

from . import __version__
from .cli_common import (
    Console,
    ExitCode,
    Inputs,
    agency_options,
    blank_option,
    bom_option,
    db_read_option,
    debug_option,
    default_lang,
    exit_zero_option,
    fetching,
    lang_option,
    load_agency_map,
    min_severity_option,
    output_option,
    reading,
    top_option,
)

if TYPE_CHECKING:
    from .api import SeriesTrend
    from .auditing.rules import Severity
    from .record import Record
    from .sources import FetchOptions


class _Commands(click.Group):
    """The research commands (``cli_data.py``) are imported only when one of them runs (or --help lists
    them): ``disclosure audit`` does not pay for the batch and fetch machinery."""

    LAZY = ("fetch", "batch", "export", "merge")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            from . import cli_data

            command = getattr(cli_data, cmd_name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure")
def main() -> None:
    """Read, rebuild and audit Chinese Open Government Information annual reports
    (政府信息公开工作年度报告).

    Every command reads report pages (HTML, text, Markdown, PDF, Word, pictures with the ocr extra;
    UTF-8, GBK or Big5; Simplified or Traditional) from files, folders, standard input or URLs.
    """


@main.command()
@reading
@output_option(
    "json: an array of whole records; jsonl: one record per line; csv: tidy, one row per value.",
    choices=("json", "jsonl", "csv"),
    default="json",
)
@bom_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print parser warnings on stderr.")
def parse(files: tuple[str, ...], fmt: str, bom: bool, quiet: bool, debug: bool, options: FetchOptions) -> None:
    """Rebuild the statistics tables of each report into a structured record.

    FILE may be '-' (or omitted) for standard input. Records go to stdout; warnings (unknown rows,
    inferred rows) and one-line errors go to stderr. Exit 0 when every input parsed, 2 otherwise.
    """
    from .show import write_records

    console = Console(quiet)
    inputs = Inputs(files, options, console, debug)

    def warned() -> Iterator[Record]:
        for record in inputs:
            for note in record.warnings:
                where = f" ({note.loc.describe()})" if note.loc else ""
                console.warn(record.source, f"{note.message}{where}")
            yield record

    write_records(warned(), fmt, sys.stdout, bom=bom)  # type: ignore[arg-type]
    sys.exit(ExitCode.ERROR if inputs.failed else ExitCode.OK)


@main.command()
@reading
@output_option(
    "text: a table per report and a verdict; json: one object per report; jsonl / csv: one finding per line / row; "
    "html: one self-contained page (tables rebuilt, findings marked on their cells).",
    choices=("text", "json", "jsonl", "csv", "html"),
    default="text",
)
@click.option("--select", multiple=True, metavar="CODE", help="Only these rules (code, prefix or name; repeatable).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Leave out these rules (code, prefix or name).")
@min_severity_option("findings")
@exit_zero_option
@lang_option
@blank_option
@click.option("--locations", is_flag=True, help="Text output: list every number of a finding with its place.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Leave out the findings recorded in FILE (reviewed; see --write-baseline).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Record the findings shown (and those of --baseline) in FILE as reviewed.",
)
@db_read_option
@agency_options
def audit(
    files: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...], min_severity: str,
    exit_zero: bool, lang: str | None, blank: str, locations: bool, baseline: str | None,
    write_baseline: str | None, debug: bool, options: FetchOptions, db: str | None, agency: str | None,
    agency_map: str | None,
) -> None:  # fmt: skip
    """Check every arithmetic identity of each report and explain what does not add up.

    Each finding shows the equation with the published numbers and where each number sits on the
    page. Exit 0 clean, 1 findings at or above --min-severity, 2 an input could not be read (after
    every other input has been audited).
    """
    from . import api
    from .auditing import baseline as baselines
    from .auditing.rules import BY_CODE, BY_NAME
    from .show import show_audit

    for pattern in (*select, *ignore):
        if not any(code.startswith(pattern.upper()) for code in BY_CODE) and pattern not in BY_NAME:
            raise click.BadParameter(f"no rule matches {pattern!r} (see: disclosure rules)")
    reviewed = baselines.Baseline()
    if baseline is not None:
        try:
            reviewed = baselines.load(baseline)
        except baselines.BaselineError as exc:
            raise click.BadParameter(str(exc), param_hint="--baseline") from None
    if write_baseline is not None and os.path.exists(write_baseline):
        try:
            baselines.load(write_baseline)
        except baselines.BaselineError as exc:
            raise click.BadParameter(f"{exc}; not overwritten", param_hint="--write-baseline") from None
    lang = lang or default_lang()
    console = Console()
    mapping = load_agency_map(agency_map)
    inputs = Inputs(files, options, console, debug, db=db, agency=agency, mapping=mapping)
    report = api.audit(
        inputs,
        blank=blank,
        select=select,
        ignore=ignore,
        min_severity=cast("Severity", min_severity),
        baseline=reviewed,
        lang=lang,
        across_years=True,
        mapping=mapping,
    )
    show_audit(report, fmt, sys.stdout, lang, locations=locations)  # type: ignore[arg-type]
    if report.hidden:
        console.warn("baseline", f"{report.hidden} finding(s) already reviewed in {baseline} not shown")
    if write_baseline is not None and report.recorded is not None:
        try:
            baselines.write(report.recorded, write_baseline)
        except (baselines.BaselineError, OSError) as exc:
            console.error(write_baseline, str(exc))
            sys.exit(ExitCode.ERROR)
    if inputs.failed or inputs.no_such_agency():
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.FINDINGS if report.found and not exit_zero else ExitCode.OK)


series_output_option = output_option(
    "text for people; json per series; jsonl/csv: one change per line in long format "
    "(agency, indicator, year, value, change, change_pct); html: one self-contained page with a chart "
    "per indicator.",
    choices=("text", "json", "jsonl", "csv", "html"),
    default="text",
)


def _show_series(trends: list[SeriesTrend], fmt: str, lang: str | None, top: int) -> int:
    from .show import show_trend

    show_trend(trends, fmt, sys.stdout, lang or default_lang(), top=top)  # type: ignore[arg-type]
    return sum(len(t.findings) for t in trends)


@main.command()
@reading
@agency_options
@series_output_option
@lang_option
@min_severity_option("cross-year findings")
@exit_zero_option
@top_option
@db_read_option
def trend(
    files: tuple[str, ...], agency: str | None, agency_map: str | None, fmt: str, lang: str | None,
    min_severity: str, exit_zero: bool, top: int, debug: bool, options: FetchOptions, db: str | None,
) -> None:  # fmt: skip
    """Compare each agency's reports across years: changes, indicators and carry-over checks.

    Reports are grouped by agency (names normalised; --agency or --agency-map to steer) and ordered
    by year. Exit 0, 1 when there are cross-year findings, 2 when an input could not be read.
    """
    from . import api

    console = Console()
    mapping = load_agency_map(agency_map)
    inputs = Inputs(files, options, console, debug, db=db, agency=agency, mapping=mapping)
    result = api.trend(inputs, agency=agency, mapping=mapping, min_severity=cast("Severity", min_severity))
    for record in result.undated:
        console.warn(record.source, "no report year found: left out of the series")
    for t in result.series:
        for year, used, ignored in t.series.duplicates:
            console.warn(ignored.source, f"{t.series.agency} {year}: a second report; {used.source} is used (Y007)")
    found = _show_series(result.series, fmt, lang, top)
    if inputs.failed or inputs.no_such_agency():
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.FINDINGS if found and not exit_zero else ExitCode.OK)


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdecimal() and 1990 <= int(text) <= 2100


@main.command()
@click.argument("before", type=click.Path(allow_dash=True))
@click.argument("after", type=click.Path(allow_dash=True))
@agency_options
@series_output_option
@lang_option
@min_severity_option("cross-year findings")
@exit_zero_option
@top_option
@fetching
@debug_option
@db_read_option
def compare(
    before: str, after: str, agency: str | None, agency_map: str | None, fmt: str, lang: str | None,
    min_severity: str, exit_zero: bool, top: int, options: FetchOptions, debug: bool, db: str | None,
) -> None:  # fmt: skip
    """Compare two reports (usually one agency, two years): what changed, and do they agree?

    With --db and --agency, BEFORE and AFTER may be years of that agency's series
    (`compare --db d.sqlite --agency 某局 2023 2024`). Two reports of different agencies are compared
    with a warning naming both, unless --agency (or --agency-map) says they are one agency.
    """
    from . import api

    console = Console()
    mapping = load_agency_map(agency_map) or {}
    by_year = db is not None and agency is not None and all(_is_year(x) for x in (before, after))
    records: list[Record | None]
    if by_year:
        inputs = Inputs((), options, console, debug, db=db, agency=agency, mapping=mapping)
        wanted = sorted({int(before), int(after)})
        found_records = [r for r in inputs if r.year in wanted]
        if inputs.no_such_agency():
            sys.exit(ExitCode.ERROR)
        records = [min((r for r in found_records if r.year == y), key=lambda r: -len(r.published()), default=None)
                   for y in wanted]  # fmt: skip
        missing = [y for y, r in zip(wanted, records, strict=True) if r is None]
        if missing:
            console.error(str(db), f"no report of {agency} for {', '.join(map(str, missing))}")
            sys.exit(ExitCode.ERROR)
    else:
        inputs = Inputs((before, after), options, console, debug, db=db, expand=False)
        records = list(inputs)
    if inputs.failed:
        sys.exit(ExitCode.ERROR)
    try:
        if len(records) != 2:
            raise ValueError("compare needs two reports of different years")
        a, b = records
        assert a is not None and b is not None
        comparison = api.compare(a, b, agency=agency, mapping=mapping, min_severity=cast("Severity", min_severity))
    except ValueError as exc:
        console.error(f"{before}, {after}", str(exc))
        sys.exit(ExitCode.ERROR)
    if comparison.agencies is not None:
        (name_a, name_b), (year_a, year_b) = comparison.agencies, comparison.trend.series.years
        console.warn(
            "compare",
            f"two different agencies: {name_a} ({year_a}) and {name_b} ({year_b}); "
            "--agency NAME (or --agency-map) if they are one",
        )
    found = _show_series([comparison.trend], fmt, lang, top)
    sys.exit(ExitCode.FINDINGS if found and not exit_zero else ExitCode.OK)


@main.command()
@click.argument("code", required=False)
@lang_option
def rules(code: str | None, lang: str | None) -> None:
    """List the audit rules, or explain one: disclosure rules R001 (or a name: requests-balance)."""
    from .auditing.rules import BY_CODE, BY_NAME
    from .render import explain_rule, print_rules

    if code is None:
        from rich.console import Console as RichConsole

        print_rules(RichConsole(highlight=False), lang or default_lang())
        return
    found = BY_CODE.get(code.upper()) or BY_NAME.get(code)
    if found is None:
        raise click.BadParameter(f"no rule {code!r} (see: disclosure rules)", param_hint="CODE")
    click.echo(explain_rule(found, lang or default_lang()))


@main.command()
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json", "csv", "markdown"]), default="text",
              show_default=True,
              help="text: one key a line; json: an array; csv: one row per key; markdown: docs/keys.md.")  # fmt: skip
@click.option("--format", "report_format", type=click.Choice(["2019", "2021"]), default=None,
              help="Only the keys of this report format.")  # fmt: skip
@click.option("--table", type=click.Choice(["active", "requests", "appeals"]), default=None,
              help="Only the keys of this table (2, 3, 4).")  # fmt: skip
def keys(fmt: str, report_format: str | None, table: str | None) -> None:
    """List every canonical key (table.row.column) with its Chinese and English label, format(s),
    kind and unit, from the format declarations (docs/keys.md is the same list)."""
    import json

    from .keys import canonical_keys, keys_markdown
    from .output import printable

    if fmt == "markdown":
        if report_format or table:
            raise click.UsageError("-o markdown is the whole list (docs/keys.md): no --format or --table")
        sys.stdout.write(keys_markdown())
        return
    found = canonical_keys(report_format, table)
    if fmt == "json":
        sys.stdout.write(json.dumps([k.as_dict() for k in found], ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        from .output import csv_writer

        rows = [{**k.as_dict(), "formats": " ".join(k.formats)} for k in found]
        writer = csv_writer(sys.stdout, tuple(rows[0]) if rows else ("key",))
        writer.writerows(rows)
    else:
        width = max(len(k.key) for k in found)
        for k in found:
            sys.stdout.write(
                printable(f"{k.key:<{width}}  {','.join(k.formats):<9}  {k.kind:<6}  {k.unit:<2}  {k.zh}  ({k.en})")
                + "\n"
            )
    sys.stdout.flush()


def run() -> None:
    """Entry point with stable exit codes: usage errors 2, Ctrl-C 130, and a quiet 0 when the reader
    of stdout goes away (``| head``). Click's own handling would exit 1, the findings code."""
    try:
        code = main(standalone_mode=False) or ExitCode.OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else ExitCode.ERROR
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):  # click: the reader of stdout left
            code = ExitCode.OK
    except click.exceptions.Abort:
        click.echo("disclosure: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.ERROR
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        code = ExitCode.OK
    try:
        sys.stdout.flush()
    except OSError:  # the reader went away: nothing left to tell it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)
