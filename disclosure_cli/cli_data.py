"""Commands for research-scale work: ``fetch`` pages into the cache, ``batch`` them into a dataset,
``export`` the dataset. Thin: options in, library calls, rendering out (``main.add_command`` adds them).

stdout carries data (fetch metadata, the JSON summary, exported rows); progress, errors and the
closing summary go to stderr. Exit 0 when every input went through, 2 when any failed (after all
of them were tried), 130 when interrupted (what was written stays written).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from .cli_common import (
    Console,
    ExitCode,
    agency_options,
    blank_option,
    bom_option,
    default_lang,
    fetching,
    follow_options,
    lang_option,
    load_agency_map,
    urls_option,
)

if TYPE_CHECKING:
    from rich.progress import Task, TaskID

    from .batch import Summary
    from .errors import ReportError
    from .fetch import FetchMeta
    from .sources import FetchOptions


def _stdout(line: str) -> None:
    """One listing line for people on stdout, control characters escaped."""
    from .output import printable

    click.echo(printable(line))


@click.command()
@click.argument("urls", nargs=-1)
@urls_option
@fetching
@follow_options
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: one line per page; jsonl: the fetch metadata of each page (errors included).",
)
def fetch(
    urls: tuple[str, ...], urls_file: str | None, options: FetchOptions, follow: bool, max_pages: int, fmt: str
) -> None:
    """Fetch report pages into the local cache, politely (robots.txt, one request at a time per host).

    A re-run asks the server only whether each page changed (ETag / Last-Modified) and downloads
    what did; --offline uses the cache alone. With --follow each URL is an agency's index page: the
    links whose text looks like an annual report title are fetched, over up to --max-pages pages, and
    a report page without tables is followed to its attachments (.pdf, .docx, .doc), each listed with
    the page it came from.
    Exit 0 when every page was fetched, 2 otherwise.
    """
    from .errors import ReportError
    from .fetch import attachment_links, classify_page
    from .sources import read_url_list

    targets = list(urls) + (read_url_list(urls_file) if urls_file else [])
    if not targets:
        raise click.UsageError("give URLs or --urls FILE")
    console = Console()
    failed = 0
    with options.fetcher() as fetcher:
        pages: list[str] = []
        for url in targets:
            if not follow:
                pages.append(url)
                continue
            found = fetcher.discover(url, max_pages)
            console.say(f"disclosure: {url}: {len(found.links)} report links on {len(found.pages)} page(s)")
            for bad, exc in found.errors:
                failed += 1
                _report_failure(console, fmt, bad, exc)
            if not found.links and not found.errors:
                failed += 1
                exc = ReportError("no-report-links", "no links that look like annual reports")
                _report_failure(console, fmt, url, exc)
            pages += [p for p in found.links if p not in pages]
        for url in pages:
            try:
                page = fetcher.get(url)
                attached = attachment_links(page.data, page.url) if follow else []
                problem = None if attached else classify_page(page.data, page.url)
                if problem is not None:
                    raise problem
            except ReportError as exc:
                failed += 1
                _report_failure(console, fmt, url, exc)
                continue
            if not attached:
                _fetched(fmt, url, page.data, page.meta)
                continue
            # a report page without tables: its attachments are the report (--follow)
            console.say(f"disclosure: {url}: no tables on the page; following {len(attached)} attachment(s)")
            for link in attached:
                try:
                    got = fetcher.get_attachment(link)
                except ReportError as exc:
                    failed += 1
                    _report_failure(console, fmt, link, exc)
                    continue
                _fetched(fmt, link, got.data, {**got.meta, "from_page": url})
    sys.exit(ExitCode.ERROR if failed else ExitCode.OK)


def _fetched(fmt: str, url: str, data: bytes, meta: FetchMeta) -> None:
    """One fetched page (or attachment: with the page it came from) on stdout."""
    from .errors import human_size

    if fmt == "jsonl":
        click.echo(json.dumps({**meta, "size": len(data)}, ensure_ascii=False))
        return
    how = "cached " if meta["from_cache"] else "fetched"
    moved = f" -> {meta['final_url']}" if meta["final_url"] != url else ""
    came = f"  (from {meta['from_page']})" if "from_page" in meta else ""
    _stdout(f"{how}  {human_size(len(data)):>9}  {meta['sha256'][:12]}  {url}{moved}{came}")


def _report_failure(console: Console, fmt: str, url: str, exc: ReportError) -> None:
    console.error(url, exc.message)
    if fmt == "jsonl":
        click.echo(json.dumps({"url": url, "error": exc.reason, "message": exc.message}, ensure_ascii=False))


class _Bar:
    """A rich progress bar on stderr (count, rate, ETA, failures); nothing at all when stderr is not a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Task) -> Text:
                return Text(f"{task.speed:.1f}/s" if task.speed else "–/s")

        console = Console(stderr=True, no_color="NO_COLOR" in os.environ or None)
        self.progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            Rate(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]} failed"),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None
        self.failed = 0

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("batch", total=total, failed=0)

    def advance(self, source: str, status: str, reason: str | None = None) -> None:
        if status == "failed":
            self.failed += 1
        if self.task is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)

    def finish(self) -> None:
        self.progress.stop()


def summary_lines(s: Summary) -> list[str]:
    """The closing summary for people: counts, failures by reason, findings by code."""
    failed = sum(s.failed.values())
    rate = f", {s.processed / s.elapsed:.1f} parsed/s" if s.processed and s.elapsed else ""
    lines = [
        f"{s.inputs} inputs: {s.parsed} parsed, {failed} failed, {s.duplicates} duplicates"
        f" ({s.skipped} already in the dataset, {s.processed} processed now) in {s.elapsed:.1f} s{rate} → {s.db}"
    ]
    if s.stale:
        lines.append(f"{s.stale} pages could not be refetched just now; their cached copies were used")
    if failed:
        lines.append("failed: " + ", ".join(f"{r} {n}" for r, n in s.failed.most_common()))
    if s.findings:
        lines.append("findings: " + ", ".join(f"{c} {n}" for c, n in sorted(s.findings.items())))
    if s.interrupted:
        lines.append("interrupted: everything above is saved; run the same command again to finish the rest")
    return lines


@click.command()
@click.argument("inputs", nargs=-1)
@urls_option
@click.option(
    "--db",
    default="dataset.sqlite",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The SQLite dataset to add to (created when absent).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: the number of CPUs]."
)
@fetching
@follow_options
@blank_option
@click.option(
    "--timeout-per-input",
    "timeout_per_input",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    help="Seconds one input may take in its worker; one that takes longer is recorded as time-limit (0: no limit).",
)
@click.option(
    "--max-memory",
    type=click.FloatRange(min=0),
    default=1024,
    show_default=True,
    help="MB of memory one worker may use; an input that needs more is recorded as memory-limit (0: no limit).",
)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The summary: text on stderr, or json on stdout.",
)
def batch(
    inputs: tuple[str, ...], urls_file: str | None, db: str, jobs: int | None, options: FetchOptions, follow: bool,
    max_pages: int, blank: str, timeout_per_input: float, max_memory: float, fmt: str,
) -> None:  # fmt: skip
    """Parse and audit many reports in parallel into a SQLite dataset (see: disclosure export).

    INPUT: files, folders (their .html/.htm/.txt/.md/.pdf files, recursively), globs, URLs, or a file
    listing URLs. Resumable: bytes already in the dataset for this tool version are skipped, so after
    Ctrl-C the same command finishes the rest. Every input is recorded, failures with their reason;
    an input that overruns --timeout-per-input or --max-memory is stopped and the batch goes on.
    Exit 0 when every input parsed, 2 when any failed, 130 when interrupted.
    """
    import sqlite3

    from .batch import run_batch

    if not inputs and not urls_file:
        raise click.UsageError("give files, folders, globs, URLs or --urls FILE")
    bar = _Bar()
    try:
        summary = run_batch(
            inputs,
            db,
            jobs=jobs or os.cpu_count() or 1,
            make_fetcher=options.fetcher,  # called only when an input is a URL
            urls_file=urls_file,
            follow=follow,
            max_pages=max_pages,
            blank=blank,
            max_bytes=options.max_bytes,
            timeout=timeout_per_input or None,
            max_memory=int(max_memory * 1024 * 1024) or None,
            reporter=bar,
        )
    except (OSError, ValueError, sqlite3.Error) as exc:  # the dataset file itself (locked, not SQLite, newer)
        Console().error(db, str(exc))
        sys.exit(ExitCode.ERROR)
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        console = Console()
        for line in summary_lines(summary):
            console.say(f"disclosure: {line}")
    if summary.interrupted:
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(ExitCode.ERROR if summary.failed else ExitCode.OK)


@click.command()
@click.option(
    "--db",
    default="dataset.sqlite",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The dataset to read.",
)
@click.option("-o", "--output", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "--table",
    type=click.Choice(["values", "reports", "findings", "active", "requests", "appeals"]),
    default="values",
    show_default=True,
    help="values: one row per value (as parse -o csv); reports: one per input; findings: one each; "
    "active / requests / appeals: the values of that report table (table 2, 3, 4).",
)
@lang_option
@bom_option
@agency_options
@click.option(
    "--region", "regions", multiple=True, metavar="CODE_OR_NAME",
    help="Only reports of agencies inside this place: a GB/T 2260 code or prefix (32, 3208, 320813) "
    "or a place name (江苏省, 淮安市, 洪泽县) (repeatable).",
)  # fmt: skip
@click.option(
    "--year", "years", type=click.IntRange(1990, 2100), multiple=True, help="Only this report year (repeatable)."
)
@click.option(
    "--key", "keys", multiple=True, metavar="PREFIX",
    help="Only values (or findings) under this canonical key: requests, requests.new, requests.new.total (repeatable).",
)  # fmt: skip
@click.option(
    "--code", "codes", multiple=True, metavar="CODE",
    help="findings: only these codes or prefixes (R001, Y0); reports/values: only reports with such a finding.",
)  # fmt: skip
def export(
    db: str, fmt: str, table: str, lang: str | None, bom: bool, agency: str | None, agency_map: str | None,
    regions: tuple[str, ...], years: tuple[int, ...], keys: tuple[str, ...], codes: tuple[str, ...],
) -> None:  # fmt: skip
    """Write one table of a dataset as tidy CSV or JSON Lines on stdout, all of it or the rows
    of one agency, places, years, keys or finding codes. Exit 2 when --agency names no agency of the dataset."""
    import sqlite3

    from .dataset import RowFilter, open_readonly
    from .dataset import export as write_table
    from .output import printable
    from .region import area

    prefixes: list[str] = []
    for text in regions:
        place = area(text)
        if place is None:
            raise click.BadParameter(
                f"'{printable(text)}' names no place (a GB/T 2260 code or prefix such as 32, 3208, 320813,"
                " or a place name such as 江苏省, 淮安市, 洪泽县)",
                param_hint="--region",
            )
        prefixes.append(place.prefix)

    if table in ("active", "requests", "appeals"):
        table, keys = "values", (*keys, table) if not keys else tuple(k for k in keys if k.split(".")[0] == table)
        if not keys:
            raise click.BadParameter("--key names another table than --table", param_hint="--key")
    try:
        ds = open_readonly(db)
    except (sqlite3.DatabaseError, ValueError) as exc:
        Console().error(db, str(exc))
        sys.exit(ExitCode.ERROR)
    with ds:
        agencies = None
        if agency is not None:
            from .series import series_key

            mapping = load_agency_map(agency_map)
            agencies = tuple(ds.series_agencies(series_key(agency, mapping), mapping))
            if not agencies:
                Console().error(db, f"no report of agency {agency!r}")
                sys.exit(ExitCode.ERROR)
        where = RowFilter(agencies, tuple(years), tuple(keys), tuple(codes), tuple(prefixes))
        write_table(ds, table, fmt, sys.stdout, lang=lang or default_lang(), bom=bom, where=where)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--db",
    required=True,
    type=click.Path(dir_okay=False),
    help="The dataset to write: created, or extended when it is already a dataset (anything else is refused).",
)
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="The summary: text on stderr, or json on stdout.",
)  # fmt: skip
def merge(inputs: tuple[str, ...], db: str, fmt: str) -> None:
    """Merge datasets (shards batched on several machines) into one: disclosure merge A.sqlite B.sqlite --db OUT.sqlite.

    Duplicates are resolved as in `batch`: one row per source (a parsed report beats a failure, else
    the later processing wins), and the same bytes under another source are recorded as a duplicate
    of the first. Atomic: a new dataset is built beside --db and renamed into place; an existing
    dataset --db is extended in one transaction; any other existing file is never overwritten.
    Exit 0 when merged, 2 when an input or --db is not a dataset (nothing written).
    """
    import sqlite3

    from .dataset import merge as merge_datasets

    try:
        summary = merge_datasets(list(inputs), db)
    except (OSError, ValueError, sqlite3.Error) as exc:
        Console().error(db, f"{exc}; nothing written")
        sys.exit(ExitCode.ERROR)
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        how = "extended" if summary.extended else "created"
        read = ", ".join(f"{p} {n}" for p, n in summary.per_input.items())
        Console().say(
            f"disclosure: {db} {how}: {summary.added} added, {summary.replaced} replaced, {summary.kept} kept"
            f" ({summary.duplicates} recorded as duplicates of another source); reports read: {read}",
        )
    sys.exit(ExitCode.OK)
