"""What every command shares, declared once: the exit codes, the one printer of errors and warnings,
the options, and the reading of inputs into records (through :mod:`disclosure_cli.sources`).

Exit codes (like ruff): 0 everything worked, 1 findings (audit, trend, compare), 2 something could not
run (bad option, unreadable input, not a report; a batch finishes every input first), 130 interrupted.
Data goes to stdout; messages, warnings and errors go to stderr.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

import click
import msgspec

if TYPE_CHECKING:
    from .record import Record
    from .sources import Failure, FetchOptions

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    ERROR = 2
    INTERRUPTED = 130


class Console:
    """stderr for people: one line per message (control characters escaped), colour only on a terminal
    without NO_COLOR; ``quiet`` drops warnings, never errors."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ

    def _line(self, kind: str, source: str, message: str) -> None:
        from .output import printable

        prefix = kind
        if self.colour:
            prefix = click.style(kind, fg="red" if kind == "error" else "yellow", bold=kind == "error")
        click.echo(f"disclosure: {prefix}: {printable(f'{source}: {message}')}", err=True)

    def error(self, source: str, message: str) -> None:
        self._line("error", source, message)

    def warn(self, source: str, message: str) -> None:
        if not self.quiet:
            self._line("warning", source, message)

    def say(self, line: str) -> None:
        """A line for people on stderr (progress, summaries)."""
        from .output import printable

        click.echo(printable(line), err=True)


def default_lang() -> str:
    """zh when the locale is Chinese, else en."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _apply(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click decorators as one."""

    def apply(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


# -- options, each declared once --------------------------------------------------------------------

files_argument = click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
# No dir_okay/readable checks on FILES: a folder is read for its reports, an unreadable file is that
# input's error, and the other inputs are still read.

max_size_option = click.option(
    "--max-size", type=click.FloatRange(min=0.001, max=100_000), default=20, show_default=True,
    help="Refuse inputs (files, pages) larger than this many MB.",
)  # fmt: skip
_fetch_options = (
    click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
                 help="Cache folder for fetched pages [default: $DISCLOSURE_CACHE or ~/.cache/disclosure-cli]."),
    click.option("--offline", is_flag=True, help="Read URLs from the cache only; never touch the network."),
    click.option("--ignore-robots", is_flag=True, help="Fetch even what robots.txt disallows."),
    click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
                 help="Seconds between two requests to the same host."),
    click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
                 help="Seconds to wait for a response."),
    click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                 help="Retries after a timeout, 429 or 5xx (with exponential backoff)."),
    click.option("--max-age", type=click.FloatRange(min=0), default=3600, show_default=True,
                 help="Seconds a cached page is reused without asking the server whether it changed."),
    max_size_option,
)  # fmt: skip
debug_option = click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
follow_options = _apply(
    click.option("--follow", is_flag=True,
                 help="Treat URLs as index pages: collect links that look like annual reports, page by page."),
    click.option("--max-pages", type=click.IntRange(min=1), default=10, show_default=True,
                 help="Index pages to read per URL with --follow (following 下一页 links)."),
)  # fmt: skip
urls_option = click.option(
    "--urls", "urls_file", type=click.Path(exists=True, allow_dash=True, dir_okay=False),
    help="File of URLs, one a line ('-': standard input).",
)  # fmt: skip


def fetching(f: F) -> F:
    """The fetch options (cache, politeness, limits), handed to the command as one ``options: FetchOptions``."""

    @functools.wraps(f)
    def command(
        *args: Any,
        cache_dir: str | None,
        offline: bool,
        ignore_robots: bool,
        delay: float,
        timeout: float,
        retries: int,
        max_age: float,
        max_size: float,
        **kwargs: Any,
    ) -> Any:
        from .sources import FetchOptions

        options = FetchOptions(
            cache_dir, offline, ignore_robots, delay, timeout, retries, max_age, int(max_size * 1024 * 1024)
        )
        return f(*args, options=options, **kwargs)

    return _apply(*_fetch_options)(command)  # type: ignore[return-value]  # the options replace one parameter


def reading(f: F) -> F:
    """FILES (files, folders, globs, '-', URLs), the fetch options and --debug, for the reading commands."""
    return _apply(files_argument, fetching, debug_option)(f)


lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of messages [default: from the locale]."
)
bom_option = click.option("--bom", is_flag=True, help="Start CSV output with a byte-order mark (for Excel).")
blank_option = click.option(
    "--blank", type=click.Choice(["zero", "skip"]), default="zero", show_default=True,
    help="Blank cells: read as 0, or leave every sum that uses one unchecked.",
)  # fmt: skip
exit_zero_option = click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
agency_options = _apply(
    click.option("--agency", default=None,
                 help="Only this agency's reports (names normalised; with --agency-map, the renamed agencies too)."),
    click.option("--agency-map", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="CSV/TSV/JSON of old name → current name: renamed agencies form one series."),
)  # fmt: skip
db_read_option = click.option(
    "--db", type=click.Path(dir_okay=False), default=None,
    help="Read the reports from a dataset made by `disclosure batch` (FILEs then name sources in it).",
)  # fmt: skip
top_option = click.option(
    "--top", type=click.IntRange(1), default=12, show_default=True, help="How many of the biggest moves to show."
)


def output_option(help: str, choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    return click.option("-o", "--output", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help=help)  # fmt: skip


def min_severity_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--min-severity",
        type=click.Choice(["info", "warning", "error"]),
        default="warning",
        show_default=True,
        help=f"Report (and fail on) {what} at or above this severity.",
    )


def load_agency_map(path: str | None) -> dict[str, str] | None:
    """The --agency-map file, or a usage error naming what is wrong with it."""
    if not path:
        return None
    from .series import load_mapping

    try:
        return load_mapping(path)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--agency-map") from None


# -- inputs → records --------------------------------------------------------------------------------


class Inputs(msgspec.Struct):
    """The records of a command's inputs (files, folders, '-', URLs; or sources in a dataset with ``db``),
    ``agency``'s only when given. Each input that gives no record is one error line and counted in
    ``failed``; the others are still read."""

    files: tuple[str, ...]
    options: FetchOptions
    console: Console
    debug: bool = False
    db: str | None = None
    agency: str | None = None
    mapping: dict[str, str] | None = None
    expand: bool = True  # folders, globs and URL lists name several inputs (not for compare)
    failed: int = 0
    selected: int = 0
    agencies: set[str] = msgspec.field(default_factory=set)  # every agency read, for "no such agency"

    def __iter__(self) -> Iterator[Record]:
        from .sources import Failure

        for item in self._items():
            if isinstance(item, Failure):
                self.failure(item)
                continue
            self.agencies.add(item.agency or item.source)
            if self.agency is None or self._selected(item):
                self.selected += 1
                yield item

    def _selected(self, record: Record) -> bool:
        from .series import select

        return bool(select([record], self.agency, self.mapping))

    def failure(self, failure: Failure) -> None:
        message = failure.message
        if failure.reason == "internal-error":
            message = f"internal error: {message} (--debug shows more)"
        self.console.error(failure.source, message)
        self.failed += 1

    def _items(self) -> Iterator[Record | Failure]:
        from .sources import read_dataset, read_sources

        if self.db is not None:
            records = list(read_dataset(self.db, self.files, agency=self.agency, mapping=self.mapping))
            if not records and not self.files and self.agency is None:
                self.console.warn(self.db, "no parsed reports in this dataset")
            yield from records
            return
        files = self.files
        if not files:
            if sys.stdin.isatty():
                self.console.say("disclosure: waiting for standard input (Ctrl-D to end; --help for usage)")
            files = ("-",)
        yield from read_sources(files, options=self.options, expand=self.expand, raise_unexpected=self.debug)

    def no_such_agency(self) -> bool:
        """With --agency and no record of it: one error naming the agencies that were read."""
        if self.agency is None or self.selected:
            return False
        if self.db is not None:
            from .sources import dataset_agencies

            self.agencies.update(dataset_agencies(self.db))
        known = sorted(self.agencies)
        listed = "、".join(known[:12]) + (f" … ({len(known)} in all)" if len(known) > 12 else "")
        self.console.error(
            self.db or "--agency", f"no report of agency {self.agency!r}" + (f"; read: {listed}" if known else "")
        )
        return True
