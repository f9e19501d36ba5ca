"""The command line: parse options, call the library, render (render.py, output.py).

Exit codes (like ruff): 0 everything worked, 1 findings (audit), 2 something could not run
(bad option, unreadable input, not a report). A batch finishes every input before exiting 2.
Data goes to stdout; messages, warnings and errors go to stderr.
"""

from __future__ import annotations

import errno
import os
import sys

import click

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Console:
    """stderr for people: one line per message, colour only on a terminal without NO_COLOR."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ

    def error(self, source: str, message: str) -> None:
        from .output import printable

        prefix = click.style("error", fg="red", bold=True) if self.colour else "error"
        click.echo(f"disclosure: {prefix}: {printable(f'{source}: {message}')}", err=True)

    def warn(self, source: str, message: str) -> None:
        if not self.quiet:
            from .output import printable

            prefix = click.style("warning", fg="yellow") if self.colour else "warning"
            click.echo(f"disclosure: {prefix}: {printable(f'{source}: {message}')}", err=True)


def _inputs(files: tuple[str, ...]) -> list[str]:
    if not files:
        if sys.stdin.isatty():
            click.echo("disclosure: waiting for standard input (Ctrl-D to end; --help for usage)", err=True)
        return ["-"]
    return list(files)


def _source_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure")
def main() -> None:
    """Read, rebuild and audit Chinese Open Government Information annual reports
    (政府信息公开工作年度报告).

    Every command reads report pages (HTML, text, Markdown; UTF-8, GBK or Big5; Simplified or
    Traditional) from files or standard input.
    """


class Inputs:
    """Reads each input (file, '-', URL, or a dataset with ``db``) into a record; a bad input is one
    error line and the batch goes on."""

    def __init__(
        self,
        files: tuple[str, ...],
        max_size: float,
        console: Console,
        debug: bool,
        db: str | None = None,
        offline: bool = False,
        agency: str | None = None,
        mapping: dict[str, str] | None = None,
    ):
        self.db = db
        self.agency, self.mapping = agency, mapping
        self.selected = 0  # records of --agency's series read (all records without --agency)
        self.agencies: set[str] = set()  # every agency name read, for the "no such agency" message
        self.paths = list(files) if db else _inputs(files)
        self.max_bytes = int(max_size * 1024 * 1024)
        self.console = console
        self.debug = debug
        self.offline = offline
        self.failed = 0

    def __iter__(self):
        from .series import select

        for record in self._all():
            self.agencies.add(record.agency or record.source)
            if select([record], self.agency, self.mapping):
                self.selected += 1
                yield record

    def no_such_agency(self, console: Console) -> bool:
        """With --agency and no record of it: one error naming the agencies that were read."""
        if self.agency is None or self.selected:
            return False
        known = sorted(self.agencies)
        listed = "、".join(known[:12]) + (f" … ({len(known)} in all)" if len(known) > 12 else "")
        console.error(
            self.db or "--agency", f"no report of agency {self.agency!r}" + (f"; read: {listed}" if known else "")
        )
        return True

    def _all(self):
        if self.db:
            yield from self._from_db()
            return
        from .errors import ReportError
        from .fetch import load_input
        from .parse import parse_bytes

        for path in self.paths:
            source = _source_name(path)
            try:
                data, _meta = load_input(path, self.max_bytes, offline=self.offline)
                record = parse_bytes(data, source=path, max_bytes=self.max_bytes)
            except ReportError as exc:
                self.console.error(source, exc.message)
                self.failed += 1
                continue
            except Exception as exc:  # never a traceback for the user, unless asked for
                if self.debug:
                    raise
                self.console.error(source, f"internal error: {type(exc).__name__}: {exc} (--debug shows more)")
                self.failed += 1
                continue
            record.source = source
            yield record

    def _from_db(self):
        import sqlite3

        from .dataset import open_readonly

        try:
            with open_readonly(self.db) as ds:
                if self.agency is not None:  # read only that series' reports (and every name, for messages)
                    from .series import matching_agencies

                    names = ds.agencies()
                    self.agencies.update(n for n in names if n)
                    records = ds.records(tuple(self.paths), matching_agencies(names, self.agency, self.mapping))
                else:
                    records = ds.records(tuple(self.paths))
        except (ValueError, sqlite3.Error) as exc:
            self.console.error(self.db, str(exc))
            self.failed += 1
            return
        if not records and not self.paths and self.agency is None:
            self.console.warn(self.db, "no parsed reports in this dataset")
        found = {r.source for r in records}
        for path in self.paths:
            if path not in found:
                self.console.error(self.db, f"no parsed report with source {path!r}")
                self.failed += 1
        yield from records


def _options(*decorators):
    """Several click options as one decorator, so commands share them instead of repeating them."""

    def apply(f):
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


reading_options = _options(
    click.option("--max-size", type=click.FloatRange(min=0.001, max=100_000), default=20, show_default=True,
                 help="Refuse inputs larger than this many MB."),
    click.option("--offline", is_flag=True, help="Read URLs from the fetch cache only."),
    click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors."),
)  # fmt: skip
input_options = _options(
    # No dir_okay/readable checks here: a directory or an unreadable file is one input's error (Inputs),
    # and the other inputs are still read.
    click.argument("files", nargs=-1, type=click.Path(allow_dash=True)),
    reading_options,
)
db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read the reports from a dataset made by `disclosure batch` (FILEs then name sources in it).",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of messages [default: from the locale]."
)
exit_zero_option = click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")


def output_option(help: str, choices=("text", "json", "jsonl", "csv"), default: str = "text"):
    return click.option("-o", "--output", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help=help)  # fmt: skip


def min_severity_option(what: str):
    return click.option(
        "--min-severity",
        type=click.Choice(["info", "warning", "error"]),
        default="warning",
        show_default=True,
        help=f"Report (and fail on) {what} at or above this severity.",
    )


@main.command()
@input_options
@output_option(
    "json: an array of whole records; jsonl: one record per line; csv: tidy, one row per value.",
    choices=("json", "jsonl", "csv"),
    default="json",
)
@click.option("--bom", is_flag=True, help="Start CSV output with a byte-order mark (for Excel).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print parser warnings on stderr.")
def parse(
    files: tuple[str, ...], fmt: str, bom: bool, max_size: float, quiet: bool, debug: bool, offline: bool
) -> None:
    """Rebuild the statistics tables of each report into a structured record.

    FILE may be '-' (or omitted) for standard input. Records go to stdout; warnings (unknown rows,
    inferred rows) and one-line errors go to stderr. Exit 0 when every input parsed, 2 otherwise.
    """
    from .output import Writer

    console = Console(quiet)
    writer = Writer(fmt, sys.stdout, bom=bom)
    inputs = Inputs(files, max_size, console, debug, offline=offline)
    for record in inputs:
        for note in record.warnings:
            where = f" ({note.loc.describe()})" if note.loc else ""
            console.warn(record.source, f"{note.message}{where}")
        writer.write(record)
    writer.close()
    sys.exit(EXIT_ERROR if inputs.failed else EXIT_OK)


def _default_lang() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@main.command()
@input_options
@output_option(
    "text: a table per report and a verdict; json: one object per report; jsonl / csv: one finding per line / row; "
    "html: one self-contained page (tables rebuilt, findings marked on their cells).",
    choices=("text", "json", "jsonl", "csv", "html"),
)
@click.option("--select", multiple=True, metavar="CODE", help="Only these rules (code, prefix or name; repeatable).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Leave out these rules (code, prefix or name).")
@min_severity_option("findings")
@exit_zero_option
@lang_option
@click.option(
    "--blank",
    type=click.Choice(["zero", "skip"]),
    default="zero",
    show_default=True,
    help="Blank cells: read as 0, or leave every sum that uses one unchecked.",
)
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
@db_option
@click.option("--agency", default=None, help="Only this agency's reports (names normalised; see --agency-map).")
@click.option("--agency-map", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV/TSV/JSON of old name → current name: renamed agencies form one series.")  # fmt: skip
def audit(
    files, fmt, select, ignore, min_severity, exit_zero, lang, blank, locations, baseline, write_baseline, max_size,
    debug, offline, db, agency, agency_map,
) -> None:  # fmt: skip
    """Check every arithmetic identity of each report and explain what does not add up.

    Each finding shows the equation with the published numbers and where each number sits on the
    page. Exit 0 clean, 1 findings at or above --min-severity, 2 an input could not be read (after
    every other input has been audited).
    """
    from .audit import audit as run_audit
    from .audit import baseline as baselines
    from .audit.rules import BY_CODE, BY_NAME
    from .audit.rules import shown as keep

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
    recorded = baselines.Baseline(dict(reviewed.entries))
    hidden = 0
    lang = lang or _default_lang()
    console = Console()
    writer = None
    screen = None
    pages: list | None = [] if fmt == "html" else None  # (result, shown) per report, written as one page at the end
    if fmt == "text" and sys.stdout.isatty():
        from rich.console import Console as RichConsole

        screen = RichConsole(no_color="NO_COLOR" in os.environ or None, highlight=False)
    elif fmt not in ("text", "html"):
        from .render import FindingWriter

        writer = FindingWriter(fmt, sys.stdout, lang)
    mapping = _mapping(agency_map)
    inputs = Inputs(files, max_size, console, debug, db=db, offline=offline, agency=agency, mapping=mapping)
    found = 0
    records = []
    for record in inputs:
        records.append(record)
        result = run_audit(record, blank=blank)
        shown = keep(result.findings, select, ignore, min_severity)
        for f in shown:
            recorded.add(f, record.agency, record.year, lang)
        shown, n_hidden = reviewed.hide(shown, record.agency, record.year)
        hidden += n_hidden
        found += len(shown)
        if pages is not None:
            pages.append((result, shown))
        elif writer is not None:
            writer.write(result, shown)
        elif screen is not None:
            from .render import print_report

            print_report(screen, result, shown, lang, locations)
        else:
            from .render import print_plain

            print_plain(sys.stdout, result, shown, lang, locations)
    if pages is not None:
        from .report_html import render_audit_html

        sys.stdout.write(render_audit_html([r for r, _ in pages], lang, shown=[s for _, s in pages]))
        sys.stdout.flush()
    else:
        found += _audit_across_years(
            records, writer, screen, lang, blank, select, ignore, min_severity, (reviewed, recorded), mapping
        )
    if writer is not None:
        writer.close()
    if hidden:
        console.warn("baseline", f"{hidden} finding(s) already reviewed in {baseline} not shown")
    if write_baseline is not None:
        try:
            baselines.write(recorded, write_baseline)
        except (baselines.BaselineError, OSError) as exc:
            console.error(write_baseline, str(exc))
            sys.exit(EXIT_ERROR)
    if inputs.failed or inputs.no_such_agency(console):
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_OK)


def _audit_across_years(
    records, writer, screen, lang, blank, select, ignore, min_severity, baselines, mapping=None
) -> int:
    """Cross-year rules for every agency given in several years; returns the findings shown."""
    from .audit.rules import shown
    from .render import cross_year_lines
    from .series import cross_year, several_years

    reviewed, recorded = baselines
    total = 0
    for series in several_years(records, mapping):
        kept = shown(cross_year(series), select, ignore, min_severity)
        year = series.years[-1]
        for f in kept:
            recorded.add(f, series.agency, year, lang)
        kept, _ = reviewed.hide(kept, series.agency, year)
        total += len(kept)
        if writer is not None:
            writer.write_cross_year(series, kept)
        elif screen is not None:
            screen.print("\n".join(cross_year_lines(series, kept, lang)), highlight=False, markup=False)
        else:
            sys.stdout.write("\n".join(cross_year_lines(series, kept, lang)) + "\n")
    return total


def _series_options(f):
    f = click.option(
        "--agency",
        default=None,
        help="Only this agency's series (names normalised; with --agency-map, the renamed agencies merged into it).",
    )(f)
    f = click.option(
        "--agency-map",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="CSV/TSV/JSON of old name → current name: the old names join the current name's series.",
    )(f)
    f = output_option(
        "text for people; json per series; jsonl/csv: one change per line in long format "
        "(agency, indicator, year, value, change, change_pct)."
    )(f)
    f = lang_option(f)
    f = min_severity_option("cross-year findings")(f)
    f = exit_zero_option(f)
    return click.option(
        "--top", type=click.IntRange(1), default=12, show_default=True, help="How many of the biggest moves to show."
    )(f)


def _mapping(path: str | None) -> dict[str, str] | None:
    """The --agency-map file, or a usage error naming what is wrong with it."""
    if not path:
        return None
    from .series import load_mapping

    try:
        return load_mapping(path)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--agency-map") from None


def _run_series(series_list, fmt, lang, min_severity, top) -> int:
    from .audit.rules import shown
    from .render import CHANGE_FIELDS, print_trend, print_trend_plain, trend_report
    from .series import cross_year, series_changes

    lang = lang or _default_lang()
    found = 0
    out_csv = None
    if fmt == "csv":
        from .output import csv_writer

        out_csv = csv_writer(sys.stdout, CHANGE_FIELDS)
    reports = []
    screen = None
    if fmt == "text" and sys.stdout.isatty():
        from rich.console import Console as RichConsole

        screen = RichConsole(no_color="NO_COLOR" in os.environ or None, highlight=False)
    import json

    for series in series_list:
        changes, not_compared = series_changes(series)
        findings = shown(cross_year(series), minimum=min_severity)
        found += len(findings)
        if fmt == "text":
            if screen is not None:
                print_trend(screen, series, changes, not_compared, findings, lang, top)
            else:
                print_trend_plain(sys.stdout, series, changes, not_compared, findings, lang, top)
        elif fmt == "json":
            reports.append(trend_report(series, changes, not_compared, findings, lang))
        elif fmt == "jsonl":
            for c in changes:
                sys.stdout.write(json.dumps(c.as_dict(), ensure_ascii=False) + "\n")
        else:
            out_csv.writerows(c.as_dict() for c in changes)
    if fmt == "json":
        sys.stdout.write(json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
    return found


@main.command()
@input_options
@_series_options
@db_option
def trend(files, agency, agency_map, fmt, lang, min_severity, exit_zero, top, max_size, debug, offline, db) -> None:
    """Compare each agency's reports across years: changes, indicators and carry-over checks.

    Reports are grouped by agency (names normalised; --agency or --agency-map to steer) and ordered
    by year. Exit 0, 1 when there are cross-year findings, 2 when an input could not be read.
    """
    from .series import group

    console = Console()
    mapping = _mapping(agency_map)
    inputs = Inputs(files, max_size, console, debug, db=db, offline=offline, agency=agency, mapping=mapping)
    records = list(inputs)
    series_list, undated = group(records, agency, mapping, with_undated=True)
    for record in undated:
        console.warn(record.source, "no report year found: left out of the series")
    for series in series_list:
        for year, used, ignored in series.duplicates:
            console.warn(ignored.source, f"{series.agency} {year}: a second report; {used.source} is used (Y007)")
    found = _run_series(series_list, fmt, lang, min_severity, top)
    if inputs.failed or inputs.no_such_agency(console):
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_OK)


@main.command()
@click.argument("before", type=click.Path(allow_dash=True))
@click.argument("after", type=click.Path(allow_dash=True))
@_series_options
@reading_options
@db_option
def compare(
    before, after, agency, agency_map, fmt, lang, min_severity, exit_zero, top, max_size, debug, offline, db
) -> None:
    """Compare two reports (usually one agency, two years): what changed, and do they agree?

    With --db and --agency, BEFORE and AFTER may be years of that agency's series
    (`compare --db d.sqlite --agency 某局 2023 2024`). Two reports of different agencies are compared
    with a warning naming both, unless --agency (or --agency-map) says they are one agency.
    """
    from .series import Series, series_key, series_name

    console = Console()
    mapping = _mapping(agency_map) or {}
    by_year = db is not None and agency is not None and all(_is_year(x) for x in (before, after))
    if by_year:
        inputs = Inputs((), max_size, console, debug, db=db, offline=offline, agency=agency, mapping=mapping)
        wanted = {int(before), int(after)}
        found_records = [r for r in inputs if r.year in wanted]
        if inputs.no_such_agency(console):
            sys.exit(EXIT_ERROR)
        records = [min((r for r in found_records if r.year == y), key=lambda r: -len(r.published()), default=None)
                   for y in sorted(wanted)]  # fmt: skip
        missing = [y for y, r in zip(sorted(wanted), records, strict=True) if r is None]
        if missing:
            console.error(db, f"no report of {agency} for {', '.join(map(str, missing))}")
            sys.exit(EXIT_ERROR)
    else:
        inputs = Inputs((before, after), max_size, console, debug, db=db, offline=offline)
        records = list(inputs)
    if inputs.failed:
        sys.exit(EXIT_ERROR)
    if len(records) != 2 or None in (records[0].year, records[1].year) or records[0].year == records[1].year:
        console.error(f"{before}, {after}", "compare needs two reports of different years")
        sys.exit(EXIT_ERROR)
    a, b = sorted(records, key=lambda r: r.year)
    name_a, name_b = series_name(a, mapping), series_name(b, mapping)
    if agency is None and series_key(name_a) != series_key(name_b):
        console.warn(
            "compare",
            f"two different agencies: {name_a} ({a.year}) and {name_b} ({b.year}); "
            "--agency NAME (or --agency-map) if they are one",
        )
    series = Series(agency or name_b, {a.year: a, b.year: b})
    found = _run_series([series], fmt, lang, min_severity, top)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_OK)


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1990 <= int(text) <= 2100


@main.command()
@click.argument("code", required=False)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the summaries and explanations."
)
def rules(code: str | None, lang: str | None) -> None:
    """List the audit rules, or explain one: disclosure rules R001 (or a name: requests-balance)."""
    from .audit.rules import BY_CODE, BY_NAME
    from .render import explain_rule, print_rules

    if code is None:
        from rich.console import Console as RichConsole

        print_rules(RichConsole(highlight=False), lang or _default_lang())
        return
    found = BY_CODE.get(code.upper()) or BY_NAME.get(code)
    if found is None:
        raise click.BadParameter(f"no rule {code!r} (see: disclosure rules)", param_hint="CODE")
    click.echo(explain_rule(found, lang or _default_lang()))


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


def _register_data_commands() -> None:
    from .cli_data import batch, export, fetch, merge

    for command in (fetch, batch, export, merge):
        main.add_command(command)


_register_data_commands()


def run() -> None:
    """Entry point with stable exit codes: usage errors 2, Ctrl-C 130, and a quiet 0 when the reader
    of stdout goes away (``| head``). Click's own handling would exit 1, the findings code."""
    try:
        code = main(standalone_mode=False) or EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_ERROR
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):  # click: the reader of stdout left
            code = EXIT_OK
    except click.exceptions.Abort:
        click.echo("disclosure: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = EXIT_ERROR
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        code = EXIT_OK
    try:
        sys.stdout.flush()
    except OSError:  # the reader went away: nothing left to tell it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)
