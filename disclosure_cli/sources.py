"""Where reports come from, read one way by every command: files, folders, globs, standard input, URLs
(through the polite, cached fetcher), lists of URLs, and datasets made by ``batch``.

:func:`read_sources` is the library's reader: it yields a :class:`~disclosure_cli.record.Record` for each
report and a :class:`Failure` for each input that could not be read, and never raises for one bad input,
so a caller (a command, a notebook) decides what to do with failures and goes on.

Nothing here imports the network stack until a URL is met: reading local files must start fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import msgspec

from .decode import MAX_BYTES
from .errors import ReportError

if TYPE_CHECKING:
    from .fetch import Fetcher, FetchMeta
    from .record import Record

# Files a folder contributes: pages as saved or exported, PDFs and Word files (so they are accounted for
# even when refused). Pictures are read when named, never collected from a folder: a saved page's folder
# holds its logos and icons.
PAGE_SUFFIXES = (
    ".html", ".htm", ".shtml", ".xhtml", ".txt", ".md", ".markdown", ".pdf", ".docx", ".doc", ".wps",
)  # fmt: skip
# Refusals the page's HTML can explain better (it only links a PDF, JavaScript builds it).
_REFINABLE = ("no-table-text", "not-a-report")


SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")  # any URL scheme; only http(s) is fetched


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def source_name(path: str) -> str:
    """How an input is named in messages and records: standard input is ``<stdin>``."""
    return "<stdin>" if path == "-" else path


class Failure(msgspec.Struct, frozen=True):
    """An input that gave no record: its name, a stable reason (``unreadable``, ``http-404``,
    ``not-a-report`` …) and a one-line message for people."""

    source: str
    reason: str
    message: str

    @classmethod
    def of(cls, source: str, exc: ReportError) -> Failure:
        return cls(source, exc.reason, exc.message)


class FetchOptions(msgspec.Struct, frozen=True):
    """How URLs are fetched and how large an input may be (the command line's reading options)."""

    cache_dir: str | None = None
    offline: bool = False
    ignore_robots: bool = False
    delay: float = 1.0
    timeout: float = 30.0
    retries: int = 3
    max_age: float = 3600.0
    max_bytes: int = MAX_BYTES

    def fetcher(self) -> Fetcher:
        from .fetch import Fetcher

        return Fetcher(
            self.cache_dir,
            offline=self.offline,
            ignore_robots=self.ignore_robots,
            delay=self.delay,
            timeout=self.timeout,
            retries=self.retries,
            max_age=self.max_age,
            max_bytes=self.max_bytes,
        )


# -- naming inputs -----------------------------------------------------------------------------------


def read_url_list(path: str) -> list[str]:
    """URLs one per line; blank lines and # comments ignored ('-' reads standard input)."""
    import sys

    if path == "-":
        text = sys.stdin.read()
    else:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def _is_url_list(path: str) -> bool:
    """A small text file whose every line is an http(s) URL (or a comment) is a list of inputs, not a page."""
    try:
        if os.path.getsize(path) > 4 * 1024 * 1024:
            return False
        with open(path, "rb") as fh:
            head = fh.read(4096)
            first = next((ln.strip() for ln in head.decode("utf-8-sig", "ignore").splitlines()
                          if ln.strip() and not ln.strip().startswith("#")), "")  # fmt: skip
            if not is_url(first.split()[0] if first else ""):
                return False  # a page, not a list: no need to read the rest
            text = (head + fh.read()).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(is_url(ln) and " " not in ln for ln in lines)


def _folder(path: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(PAGE_SUFFIXES)]
    return found


def _glob(pattern: str) -> list[str]:
    import glob  # only for a pattern the shell left unexpanded (glob imports fnmatch and its regexes)

    return sorted(glob.glob(pattern, recursive=True))


def expand_inputs(inputs: Iterable[str], urls_file: str | None = None) -> list[str]:
    """Files, folders (recursively: saved pages, PDFs, Word files), globs, URLs and URL lists → sources,
    in order, each once. A name that matches nothing is kept, to be reported as unreadable."""
    out: list[str] = []
    pending = list(inputs) + (read_url_list(urls_file) if urls_file else [])
    for item in pending:
        if item == "-" or is_url(item):
            out.append(item)
        elif os.path.isdir(item):
            out += _folder(item) or [item]  # a folder without reports: reported, never silently nothing
        elif os.path.isfile(item):
            out += read_url_list(item) if _is_url_list(item) else [item]
        elif any(ch in item for ch in "*?[") and (matches := _glob(item)):
            for match in matches:
                out += _folder(match) if os.path.isdir(match) else [match]
        else:
            out.append(item)  # does not exist (or a glob matching nothing): recorded as a failure
    return list(dict.fromkeys(out))


# -- reading one input -------------------------------------------------------------------------------


def no_meta() -> FetchMeta:
    """The fetch metadata of a file or '-': nothing was fetched."""
    return {}


class Loaded(msgspec.Struct):
    """One input's bytes and fetch metadata (empty for a file), or why they could not be read."""

    source: str
    data: bytes | None = None
    meta: FetchMeta = msgspec.field(default_factory=no_meta)
    error: ReportError | None = None


def load(source: str, fetcher: Fetcher | None, max_bytes: int = MAX_BYTES) -> Loaded:
    """The bytes of one input: a URL through ``fetcher``, '-' from standard input, else a regular file.
    Never raises: a failure is ``Loaded.error``."""
    meta: FetchMeta = {"url": source} if is_url(source) else {}
    try:
        if is_url(source):
            if fetcher is None:
                raise ReportError("fetch-failed", "URLs need a fetcher")
            page = fetcher.get(source)
            return Loaded(source, page.data, page.meta.copy())
        scheme = SCHEME.match(source)
        if scheme:
            raise ReportError("not-http", f"only http and https URLs can be fetched, not {scheme.group(1)}://")
        from .parse import read_input

        if source != "-":
            if os.path.isdir(source):
                empty = "" if _folder(source) else f" with no report files ({' '.join(PAGE_SUFFIXES)})"
                raise ReportError("unreadable", f"is a directory{empty}")
            refuse_special(source)
        return Loaded(source, read_input(source, max_bytes), {})
    except ReportError as exc:
        return Loaded(source, meta=meta, error=exc)
    except Exception as exc:  # an unreadable input is one failure, never a stop
        return Loaded(source, meta=meta, error=ReportError("unreadable", f"{type(exc).__name__}: {exc}"))


def refuse_special(path: str) -> None:
    """Refuse, before opening it, anything that is not a regular file: opening a named pipe blocks until
    a writer comes, and a device (/dev/zero) never ends. Missing or unreadable files are left to the reader."""
    import stat

    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise ReportError("unreadable", "is a directory")
    if stat.S_ISFIFO(st.st_mode):
        kind = "a named pipe"
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        kind = "a device"
    elif stat.S_ISSOCK(st.st_mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    raise ReportError("unreadable", f"not a regular file ({kind}); not opened")


def parse_loaded(loaded: Loaded, max_bytes: int = MAX_BYTES, fetcher: Fetcher | None = None) -> Record:
    """Parse loaded bytes into a record. A fetched page the parser refuses is refused with the reason its
    HTML gives when it gives one (it only links a PDF; JavaScript builds it). ``fetcher``: how a fetched
    page's pictures are fetched (tables published as <img>). Raises :class:`ReportError`."""
    from .parse import parse_bytes

    if loaded.error is not None:
        raise loaded.error
    assert loaded.data is not None
    try:
        record = parse_bytes(loaded.data, source=loaded.source, max_bytes=max_bytes, fetcher=fetcher)
    except ReportError as exc:
        if exc.reason in _REFINABLE:
            from .fetch import classify_page

            raise classify_page(loaded.data, loaded.meta.get("final_url", "")) or exc from None
        raise
    record.source = source_name(loaded.source)
    return record


def read_sources(
    inputs: Iterable[str],
    *,
    options: FetchOptions | None = None,
    fetcher: Fetcher | None = None,
    expand: bool = True,
    raise_unexpected: bool = False,
) -> Iterator[Record | Failure]:
    """Each report of ``inputs`` (files, folders, globs, '-', URLs, URL lists) as a record, each input
    that gave none as a :class:`Failure`, in input order.

    ``options`` say how URLs are fetched (a fetcher is made when the first URL comes, and closed at the
    end); pass ``fetcher`` to share one (and its per-host turn-taking) across calls. An unexpected
    error in the parser is a Failure with reason ``internal-error`` unless ``raise_unexpected``.
    """
    options = options or FetchOptions()
    names = expand_inputs(inputs) if expand else list(inputs)
    own: Fetcher | None = None
    try:
        for name in names:
            if is_url(name) and fetcher is None and own is None:
                own = options.fetcher()
            loaded = load(name, fetcher or own, options.max_bytes)
            try:
                yield parse_loaded(loaded, options.max_bytes, fetcher or own)
            except ReportError as exc:
                yield Failure.of(source_name(name), exc)
            except Exception as exc:
                if raise_unexpected:
                    raise
                yield Failure(source_name(name), "internal-error", f"{type(exc).__name__}: {exc}")
    finally:
        if own is not None:
            own.close()


def read_dataset(
    path: str,
    sources: Iterable[str] = (),
    *,
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[Record | Failure]:
    """The parsed reports of a dataset made by ``batch`` as records again: all of them, those of
    ``sources``, or those of ``agency``'s series (names normalised; ``mapping`` merges renamed agencies).
    A source the dataset does not hold is a Failure (``not-in-dataset``)."""
    import sqlite3

    from .dataset import open_readonly

    wanted = tuple(sources)
    try:
        with open_readonly(path) as ds:
            if agency is not None:
                from .series import series_key

                # the names of that series' place only: a national dataset's other names are not resolved
                records = ds.records(wanted, ds.series_agencies(series_key(agency, mapping), mapping))
            else:
                records = ds.records(wanted)
    except (ValueError, sqlite3.Error) as exc:
        yield Failure(path, "not-a-dataset", str(exc))
        return
    found = {r.source for r in records}
    yield from records
    for source in wanted:
        if source not in found:
            yield Failure(path, "not-in-dataset", f"no parsed report with source {source!r}")


def dataset_agencies(path: str) -> list[str]:
    """Every agency name of a dataset's parsed reports (for "no such agency" messages); [] when unreadable."""
    import sqlite3

    from .dataset import open_readonly

    try:
        with open_readonly(path) as ds:
            return [n for n in ds.agencies() if n]
    except (ValueError, sqlite3.Error):
        return []
