"""The command line: parse options, call the library, render. Nothing domain-specific lives here.

Exit codes (like ruff): 0 everything worked, 1 findings (audit), 2 something could not run
(bad option, unreadable input, not a report). A batch finishes every input before exiting 2.
Data goes to stdout; messages, warnings and errors go to stderr.
"""

from __future__ import annotations

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
        prefix = click.style("error", fg="red", bold=True) if self.colour else "error"
        click.echo(f"disclosure: {prefix}: {source}: {message}", err=True)

    def warn(self, source: str, message: str) -> None:
        if not self.quiet:
            prefix = click.style("warning", fg="yellow") if self.colour else "warning"
            click.echo(f"disclosure: {prefix}: {source}: {message}", err=True)


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
    """Reads each input into a record; a bad input is one error line and the batch goes on."""

    def __init__(self, files: tuple[str, ...], max_size: float, console: Console, debug: bool):
        self.paths = _inputs(files)
        self.max_bytes = int(max_size * 1024 * 1024)
        self.console = console
        self.debug = debug
        self.failed = 0

    def __iter__(self):
        from .errors import ReportError
        from .parse import parse_path

        for path in self.paths:
            source = _source_name(path)
            try:
                record = parse_path(path, max_bytes=self.max_bytes)
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


def input_options(f):
    """The options every command that reads reports shares."""
    f = click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")(f)
    f = click.option(
        "--max-size",
        type=click.FloatRange(min=0.001),
        default=20,
        show_default=True,
        help="Refuse inputs larger than this many MB.",
    )(f)
    return click.argument("files", nargs=-1, type=click.Path(allow_dash=True, dir_okay=False))(f)


@main.command()
@input_options
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["json", "jsonl", "csv"]),
    default="json",
    show_default=True,
    help="json: an array of whole records; jsonl: one record per line; csv: tidy, one row per value.",
)
@click.option("--bom", is_flag=True, help="Start CSV output with a byte-order mark (for Excel).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print parser warnings on stderr.")
def parse(files: tuple[str, ...], fmt: str, bom: bool, max_size: float, quiet: bool, debug: bool) -> None:
    """Rebuild the statistics tables of each report into a structured record.

    FILE may be '-' (or omitted) for standard input. Records go to stdout; warnings (unknown rows,
    inferred rows) and one-line errors go to stderr. Exit 0 when every input parsed, 2 otherwise.
    """
    from .output import Writer

    console = Console(quiet)
    writer = Writer(fmt, sys.stdout, bom=bom)
    inputs = Inputs(files, max_size, console, debug)
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
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "jsonl", "csv"]),
    default="text",
    show_default=True,
    help="text: a table per report and a verdict; json: one object per report; "
    "jsonl / csv: one finding per line / row.",
)
@click.option("--select", multiple=True, metavar="CODE", help="Only these rules (code, prefix or name; repeatable).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Leave out these rules (code, prefix or name).")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Report (and fail on) findings at or above this severity.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of messages [default: from the locale]."
)
@click.option(
    "--blank",
    type=click.Choice(["zero", "skip"]),
    default="zero",
    show_default=True,
    help="Blank cells: read as 0, or leave every sum that uses one unchecked.",
)
def audit(files, fmt, select, ignore, min_severity, exit_zero, lang, blank, max_size, debug) -> None:
    """Check every arithmetic identity of each report and explain what does not add up.

    Each finding shows the equation with the published numbers and where each number sits on the
    page. Exit 0 clean, 1 findings at or above --min-severity, 2 an input could not be read (after
    every other input has been audited).
    """
    from .audit import audit as run_audit
    from .audit.rules import BY_CODE, BY_NAME, at_least, selected

    for pattern in (*select, *ignore):
        if not any(code.startswith(pattern.upper()) for code in BY_CODE) and pattern not in BY_NAME:
            raise click.BadParameter(f"no rule matches {pattern!r} (see: disclosure rules)")
    lang = lang or _default_lang()
    console = Console()
    writer = None
    screen = None
    if fmt == "text" and sys.stdout.isatty():
        from rich.console import Console as RichConsole

        screen = RichConsole(no_color="NO_COLOR" in os.environ or None, highlight=False)
    elif fmt != "text":
        from .render import FindingWriter

        writer = FindingWriter(fmt, sys.stdout, lang)
    inputs = Inputs(files, max_size, console, debug)
    found = 0
    for record in inputs:
        result = run_audit(record, blank=blank)
        shown = [f for f in result.findings if selected(f.code, select, ignore) and at_least(f.severity, min_severity)]
        found += len(shown)
        if writer is not None:
            writer.write(result, shown)
        elif screen is not None:
            from .render import print_report

            print_report(screen, result, shown, lang)
        else:
            from .render import print_plain

            print_plain(sys.stdout, result, shown, lang)
    if writer is not None:
        writer.close()
    if inputs.failed:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_OK)


@main.command()
@click.argument("code", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the summaries.")
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
    click.echo(explain_rule(found))


def run() -> None:
    """Entry point that exits quietly when the reader of stdout goes away (``| head``)."""
    try:
        main(standalone_mode=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
