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


@main.command()
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True, dir_okay=False))
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
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.001),
    default=20,
    show_default=True,
    help="Refuse inputs larger than this many MB.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print parser warnings on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
def parse(files: tuple[str, ...], fmt: str, bom: bool, max_size: float, quiet: bool, debug: bool) -> None:
    """Rebuild the statistics tables of each report into a structured record.

    FILE may be '-' (or omitted) for standard input. Records go to stdout; warnings (unknown rows,
    inferred rows) and one-line errors go to stderr. Exit 0 when every input parsed, 2 otherwise.
    """
    from .errors import ReportError
    from .output import Writer
    from .parse import parse_path

    console = Console(quiet)
    writer = Writer(fmt, sys.stdout, bom=bom)
    failed = 0
    for path in _inputs(files):
        source = _source_name(path)
        try:
            record = parse_path(path, max_bytes=int(max_size * 1024 * 1024))
        except ReportError as exc:
            console.error(source, exc.message)
            failed += 1
            continue
        except Exception as exc:  # never a traceback for the user, unless asked for
            if debug:
                raise
            console.error(source, f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
            failed += 1
            continue
        if path == "-":
            record.source = source
        for note in record.warnings:
            where = f" ({note.loc.describe()})" if note.loc else ""
            console.warn(source, f"{note.message}{where}")
        writer.write(record)
    writer.close()
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


def run() -> None:
    """Entry point that exits quietly when the reader of stdout goes away (``| head``)."""
    try:
        main(standalone_mode=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
