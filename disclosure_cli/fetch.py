"""Fetching report pages politely, through a cache that only asks the network about what may have changed.

Why it looks like this:

- Government sites are small and slow; a research crawl must not hammer them. One request at a
  time per host with a delay between requests (robots.txt ``Crawl-delay`` raises it), robots.txt
  obeyed unless told otherwise, and a User-Agent that names the tool and its version.
- A nightly pipeline re-runs over thousands of URLs. The cache keeps each URL's validators (ETag,
  Last-Modified) so a re-run sends conditional requests and unchanged pages cost a 304, not a body;
  ``offline`` never touches the network. Bodies are stored by sha256 and every write is a temp file
  (in the cache's ``tmp/``, named after the writing process) renamed into place, so a killed run never
  leaves a half-written entry; the temp files of writers that are gone are swept when a cache opens.
- Only a whole, plausible body is kept: ``--timeout`` is one deadline for each request (connect to
  last byte: a server dripping a byte a second cannot hold a crawl), a body shorter than its
  Content-Length is ``truncated``, an empty or binary 200 is ``empty`` / ``binary``. None of them is
  cached, and none replaces a good cached copy (that copy is served, marked stale, instead).
- Every failure is a :class:`ReportError` with a stable reason (``http-404``, ``timeout``,
  ``too-large``, ``robots-disallowed``, ``not-http``, ``pdf-only-page``, ``javascript-page`` ...) and
  a one-line message, so a batch can record it and go on.

httpx and lxml are imported inside functions: ``disclosure --help`` must not pay for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import msgspec

from . import __version__
from .errors import ReportError, too_large
from .sources import SCHEME as _SCHEME

if TYPE_CHECKING:
    import socket

    import httpx
    from lxml.html import HtmlElement

MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = f"disclosure-cli/{__version__} (open government information annual report research; python-httpx)"
ROBOTS_AGENT = "disclosure-cli"  # the product token robots.txt groups are matched against
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer gets a failure instead of a stuck crawl
# Link texts that name an annual report (Simplified and Traditional); the title attribute counts too,
# since list pages often truncate the visible text.
REPORT_LINK = re.compile(r"年度报告|年度報告|年报|年報")
_NEXT_TEXTS = frozenset({"下一页", "下页", "下一頁", "下頁", "后页", "後頁", "next", "nextpage", "›", "»", ">"})
# TRS-style list pages build their pager in JavaScript: createPageHTML(total, current, "index", "html").
_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
# Words that only a page carrying the statistics tables has (2019/2021 formats and the legacy one).
_TABLE_MARKERS = (
    "本年新收",
    "予以公开",
    "予以公開",
    "结转",
    "結轉",
    "依申请公开",
    "依申請公開",
    "行政复议",
    "行政復議",
)
_REPORT_WORDS = re.compile(r"信息公开|資訊公開|信息公開|政府信息|年度报告|年度報告|年报|年報")


class FetchMeta(TypedDict, total=False):
    """The fetch metadata of one input, as the dataset keeps it with each page.

    A fetched page has every key but ``stale``; a file or ``-`` has none (``{}``); a dataset row read
    back has those it stored (``url``, ``final_url``, ``status``, ``content_type``, ``fetched_at``).
    """

    url: str  # the URL as given
    final_url: str  # after redirects
    status: int  # HTTP status of the response the body came from
    content_type: str | None
    fetched_at: str | None  # ISO 8601, UTC
    sha256: str  # of the body
    from_cache: bool
    stale: str  # served from the cache after this failure (a site down tonight)
    from_page: str  # an attachment (`fetch --follow`): the report page that links it


class CacheEntry(TypedDict, total=False):
    """One URL's entry in the cache (``urls/…/{sha256 of the URL}.json``)."""

    url: str
    sha256: str  # of the body, stored under bodies/
    final_url: str
    status: int
    content_type: str | None
    fetched_at: str | None
    validated_at: str  # last 304: the cached body is still current
    etag: str | None
    last_modified: str | None


def default_cache_dir() -> str:
    """$DISCLOSURE_CACHE, else the user cache folder (XDG): pages outlive one run and one project."""
    if os.environ.get("DISCLOSURE_CACHE"):
        return os.environ["DISCLOSURE_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "disclosure-cli")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


TMP_DIR = "tmp"  # under the cache root: every temp file of a write, named {pid}-{thread}-{n}.part
_TMP_NAME = re.compile(r"^(\d+)-\d+-\d+\.part$")
STALE_TMP_AGE = 3600.0  # seconds; a temp file this old is a leftover even if its pid was reused
_tmp_counter = iter(range(1 << 62))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def sweep_temp_files(root: str | os.PathLike[str], max_age: float = STALE_TMP_AGE) -> int:
    """Remove the temp files of cache writes whose process is gone (a kill mid-write) or that are older
    than ``max_age``; returns how many. A live writer's file is left alone."""
    folder = Path(root) / TMP_DIR
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    now = time.time()
    for name in names:
        m = _TMP_NAME.match(name)
        if not m:
            continue
        path = folder / name
        try:
            old = now - path.stat().st_mtime > max_age
            if old or (int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1)))):
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def _atomic_write(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write then rename: readers (and a re-run after a kill) see the old file or the new one. The temp
    file sits in ``root/tmp`` (same file system) under a name that says which process wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = (root / TMP_DIR) if root is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{os.getpid()}-{threading.get_ident()}-{next(_tmp_counter)}.part"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class Cache:
    """URL → one JSON entry (validators and fetch metadata); bodies stored once each under their sha256."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.swept = sweep_temp_files(self.root)  # what killed runs left behind

    def _entry_path(self, url: str) -> Path:
        h = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / "urls" / h[:2] / f"{h}.json"

    def _body_path(self, sha256: str) -> Path:
        return self.root / "bodies" / sha256[:2] / sha256

    def lookup(self, url: str) -> CacheEntry | None:
        try:
            entry = json.loads(self._entry_path(url).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cast(CacheEntry, entry) if isinstance(entry, dict) and entry.get("url") == url else None

    def body(self, entry: CacheEntry) -> bytes | None:
        """The stored body, or None when it is missing or does not match its hash (then refetch)."""
        try:
            data = self._body_path(entry["sha256"]).read_bytes()
        except (OSError, KeyError):
            return None
        return data if hashlib.sha256(data).hexdigest() == entry["sha256"] else None

    def store(self, url: str, data: bytes, entry: CacheEntry) -> CacheEntry:
        entry = {**entry, "url": url, "sha256": hashlib.sha256(data).hexdigest()}
        body = self._body_path(entry["sha256"])
        if not body.exists():
            _atomic_write(body, data, self.root)
        self.put(url, entry)
        return entry

    def put(self, url: str, entry: CacheEntry) -> None:
        data = json.dumps({**entry, "url": url}, ensure_ascii=False).encode("utf-8")
        _atomic_write(self._entry_path(url), data, self.root)


class Page(msgspec.Struct):
    """A fetched body and its fetch metadata (what the dataset keeps with each page)."""

    data: bytes
    meta: FetchMeta

    @property
    def url(self) -> str:
        return self.meta["final_url"]


class Discovery(msgspec.Struct):
    """What ``--follow`` found on an index page and the pages after it."""

    links: list[str] = msgspec.field(default_factory=list)
    pages: list[str] = msgspec.field(default_factory=list)
    errors: list[tuple[str, ReportError]] = msgspec.field(default_factory=list)


def _meta(entry: CacheEntry, url: str, from_cache: bool) -> FetchMeta:
    return {
        "url": url,
        "final_url": entry.get("final_url", url),
        "status": entry.get("status", 200),
        "content_type": entry.get("content_type"),
        "fetched_at": entry.get("fetched_at"),
        "sha256": entry["sha256"],
        "from_cache": from_cache,
    }


def _age(entry: CacheEntry) -> float:
    """Seconds since the cached page was last fetched or confirmed unchanged."""
    stamps = [entry.get("validated_at"), entry.get("fetched_at")]
    try:
        latest = max(datetime.fromisoformat(s) for s in stamps if s)
    except ValueError:
        return float("inf")
    return (datetime.now(timezone.utc) - latest).total_seconds()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


class _Expired(Exception):
    """The request's deadline passed (raised while reading; reported as ``timeout``)."""


class _Truncated(Exception):
    def __init__(self, got: int, expected: int) -> None:
        super().__init__(f"truncated response: {got} of {expected} bytes (Content-Length)")


class _Deadline:
    """One wall-clock deadline for a whole request, connect to last byte. httpx's timeouts bound each
    read, so a server that drips a byte every few seconds never trips them; here a timer shuts the
    request's socket down when the time is up, and the body loop checks the clock between chunks."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def finish(self) -> None:
        """The response is complete: from now on the timer must not touch the (pooled) connection."""
        with self._lock:
            self._done = True
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: catch the socket of a new connection as soon as it is connected."""
        if event == "connection.connect_tcp.complete":
            self.watch(info.get("return_value"))

    def watch(self, stream: Any) -> None:  # an httpcore network stream (untyped extension), or None
        try:
            sock = stream.get_extra_info("socket") if stream is not None else None
        except Exception:
            sock = None
        with self._lock:
            self._sock = sock or self._sock
            if self.expired and not self._done:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        import socket

        if self._sock is not None:
            with suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    def check(self) -> None:
        if self.expired or time.monotonic() >= self.end:
            self.expired = True
            raise _Expired


class Fetcher:
    """One polite HTTP client: per-host turn-taking, robots.txt, retries, size cap, the validator cache.

    Thread-safe: different hosts may be fetched from different threads; requests to one host still
    go one at a time with ``delay`` seconds between them.
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        offline: bool = False,
        delay: float = 1.0,
        ignore_robots: bool = False,
        timeout: float = 30.0,
        connect_timeout: float | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 10,
        max_age: float = 3600.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.cache = Cache(cache_dir or default_cache_dir())
        self.offline = offline
        self.delay = delay
        self.ignore_robots = ignore_robots
        self.timeout = timeout
        self.connect_timeout = min(timeout, 10.0) if connect_timeout is None else connect_timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_age = max_age  # seconds a cached page is used without asking (a resumed run costs nothing)
        self.user_agent = user_agent
        self.requests = 0  # network requests made, robots.txt included (tests and the summary read it)
        self._client: httpx.Client | None = None
        self._guard = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._crawl_delay: dict[str, float] = {}

    # -- plumbing ---------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        with self._guard:
            if self._client is None:
                import httpx

                timeout = httpx.Timeout(self.timeout, connect=self.connect_timeout)
                self._client = httpx.Client(
                    timeout=timeout,
                    follow_redirects=False,  # followed by hand: scheme check and robots.txt on every hop
                    headers={"User-Agent": self.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _turn(self, host: str) -> Iterator[None]:
        """Hold the host for one request, waiting out the delay since its previous request ended."""
        with self._guard:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            delay = max(self.delay, self._crawl_delay.get(host, 0.0))
            wait = self._last.get(host, -1e9) + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()

    def _request(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes | None]:
        """GET with retries on timeouts, connection errors, short bodies, 429 and 5xx; the body only for
        2xx, size-capped, whole (Content-Length), within one deadline of ``timeout`` seconds per attempt."""
        import httpx

        host = urlsplit(url).netloc.lower()
        client = self._http()
        attempt = 0
        while True:
            pause = self.backoff * 2**attempt
            with self._turn(host):
                deadline = _Deadline(self.timeout)
                try:
                    with self._guard:
                        self.requests += 1
                    with (
                        deadline,
                        client.stream("GET", url, headers=headers, extensions={"trace": deadline.trace}) as resp,
                    ):
                        deadline.watch(resp.extensions.get("network_stream"))
                        status = resp.status_code
                        if status in RETRY_STATUSES and attempt < self.retries:
                            asked = _retry_after(resp.headers.get("retry-after"))
                            if asked is not None and asked > MAX_RETRY_AFTER:
                                raise ReportError(
                                    f"http-{status}",
                                    f"HTTP {status}; server asks to retry in {asked:.0f} s"
                                    f" (more than the {MAX_RETRY_AFTER:g} s this tool waits)",
                                )
                            pause = max(pause, asked or 0.0)
                        else:
                            body = self._read_capped(resp, deadline) if 200 <= status < 300 else None
                            deadline.finish()
                            return status, dict(resp.headers), body
                except (httpx.TimeoutException, _Expired):
                    if attempt >= self.retries:
                        raise self._timed_out(attempt) from None
                except _Truncated as exc:
                    if attempt >= self.retries:
                        raise ReportError("truncated", f"{exc} after {attempt + 1} attempts") from None
                except ReportError:
                    raise
                except Exception as exc:
                    if deadline.expired:  # the timer shut the socket: whatever httpx made of it, it is a timeout
                        if attempt >= self.retries:
                            raise self._timed_out(attempt) from None
                    else:
                        self._transport_failure(exc, url, attempt)
                time.sleep(pause)  # still holding the host: a struggling server gets a real pause
            attempt += 1

    def _timed_out(self, attempt: int) -> ReportError:
        tries = "1 attempt" if attempt == 0 else f"{attempt + 1} attempts"
        return ReportError("timeout", f"timed out ({self.timeout:g} s for the whole response) after {tries}")

    def _transport_failure(self, exc: Exception, url: str, attempt: int) -> None:
        """Raise the ReportError for a failed attempt, or return when it is worth another try."""
        import httpx

        try:
            raise exc
        except httpx.UnsupportedProtocol:
            raise ReportError("not-http", f"not an http(s) URL: {url}") from None
        except httpx.ConnectError as exc:  # refused, no route, no such host: another try won't help
            raise ReportError("fetch-failed", f"cannot connect: {exc}".rstrip(": ")) from None
        except httpx.RemoteProtocolError as exc:  # closed before the end of the body: a short body
            if attempt >= self.retries:
                reason = "truncated" if "incomplete" in str(exc) or "complete message" in str(exc) else "fetch-failed"
                raise ReportError(reason, f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        except httpx.TransportError as exc:  # connection refused or reset, DNS: worth another try
            if attempt >= self.retries:
                raise ReportError("fetch-failed", f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # undecodable body, bad URL: final
            raise ReportError("fetch-failed", f"{type(exc).__name__}: {exc}".rstrip(": ")) from None

    def _read_capped(self, resp: httpx.Response, deadline: _Deadline | None = None) -> bytes:
        length = resp.headers.get("content-length")
        expected = int(length) if length and length.isascii() and length.isdigit() else None
        if expected is not None and expected > self.max_bytes:
            raise too_large(expected, self.max_bytes, "response")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise too_large(None, self.max_bytes, "response")
            chunks.append(chunk)
            if deadline is not None:
                deadline.check()
        encoded = resp.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
        if expected is not None and not encoded and size != expected:  # h11 checks this too; never trust one check
            raise _Truncated(size, expected)
        return b"".join(chunks)

    # -- robots.txt -------------------------------------------------------------------------------

    def _robots_for(self, url: str) -> _Robots:
        """The host's robots rules, fetched once per run (through the cache, so re-runs revalidate)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._guard:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:  # threads asking about the same host wait for one fetch of its robots.txt
            rp = self._robots.get(key)
            if rp is None:
                rp = self._read_robots(key, parts.netloc.lower())
        return rp

    def _read_robots(self, key: str, host: str) -> _Robots:
        rp = _Robots(key + "/robots.txt")
        try:
            try:
                page = self._get(key + "/robots.txt", check_robots=False, max_redirects=5, check_body=False)
            except ReportError as exc:
                page = self._stale(key + "/robots.txt", exc)  # yesterday's rules beat none
            rp.parse(page.data.decode("utf-8", errors="replace").splitlines())
        except ReportError as exc:
            code = exc.reason[5:] if exc.reason.startswith("http-") else ""
            if code.isdecimal() and 400 <= int(code) < 500:
                rp.allow_all = True  # no robots.txt: everything is allowed (RFC 9309 §2.3.1.3)
            else:
                rp.disallow_all = True  # unreachable robots.txt: assume complete disallow (§2.3.1.4)
                rp.unreachable = exc
        delay = rp.crawl_delay(ROBOTS_AGENT)
        with self._guard:
            if delay:
                self._crawl_delay[host] = min(float(delay), MAX_RETRY_AFTER)
            self._robots[key] = rp
        return rp

    def allowed(self, url: str) -> None:
        """Raise ``robots-disallowed`` when the host's robots.txt keeps us out of ``url``."""
        if self.ignore_robots:
            return
        rp = self._robots_for(url)
        if not rp.can_fetch(ROBOTS_AGENT, url):
            why = rp.unreachable
            if why is not None and why.reason == "fetch-failed":
                raise ReportError("fetch-failed", why.message)  # the host itself is unreachable: say so
            path = urlsplit(url).path or "/"
            message = (
                f"robots.txt could not be read ({why}); not fetching (--ignore-robots overrides)"
                if why
                else f"robots.txt of {urlsplit(url).netloc} disallows {path} (--ignore-robots overrides)"
            )
            raise ReportError("robots-disallowed", message)

    # -- fetching ---------------------------------------------------------------------------------

    def get(self, url: str) -> Page:
        """The page at ``url``: from the cache when it is unchanged (or ``offline``), else from the network."""
        m = _SCHEME.match(url)
        if not m or m.group(1).lower() not in ("http", "https"):
            raise ReportError("not-http", f"only http and https URLs can be fetched: {url}")
        url = urldefrag(url).url
        try:
            return self._get(url, check_robots=True, max_redirects=self.max_redirects)
        except Exception as exc:
            if not isinstance(exc, ReportError):  # errors as results: a batch records it and goes on
                exc = ReportError("fetch-failed", f"{type(exc).__name__}: {exc}")
            return self._stale(url, exc)

    def get_picture(self, url: str) -> Page:
        """The picture at ``url`` (an ``<img>`` of a report page whose tables are pictures), fetched like a
        page (robots.txt, turn-taking, cache, size cap) but kept only when it is a PNG, JPEG or TIFF."""
        return self._fetch(url, "picture")

    def get_attachment(self, url: str) -> Page:
        """The attachment at ``url`` (a report page's linked .pdf, .docx or .doc), fetched like a page but
        kept only when it is a PDF or a Word file."""
        return self._fetch(url, "attachment")

    def _fetch(self, url: str, kind: BodyKind) -> Page:
        m = _SCHEME.match(url)
        if not m or m.group(1).lower() not in ("http", "https"):
            raise ReportError("not-http", f"only http and https URLs can be fetched: {url}")
        url = urldefrag(url).url
        try:
            return self._get(url, check_robots=True, max_redirects=self.max_redirects, kind=kind)
        except Exception as exc:
            if not isinstance(exc, ReportError):
                exc = ReportError("fetch-failed", f"{type(exc).__name__}: {exc}")
            return self._stale(url, exc)

    def _stale(self, url: str, exc: ReportError) -> Page:
        """After a transient failure, the cached copy (marked ``stale``): a site that is down tonight must
        not wipe last night's data. A page that is gone (404) or forbidden is reported, never papered over."""
        transient = exc.reason in _WORSE or re.fullmatch(r"http-5\d\d", exc.reason)
        entry = self.cache.lookup(url) if transient else None
        data = self.cache.body(entry) if entry else None
        if entry is None or data is None:
            raise exc
        return Page(data, {**_meta(entry, url, True), "stale": exc.message})

    def _get(
        self, url: str, *, check_robots: bool, max_redirects: int, check_body: bool = True, kind: BodyKind = "page"
    ) -> Page:
        first = self.cache.lookup(url)
        if self.offline:
            if first is not None and (data := self.cache.body(first)) is not None:
                return Page(data, _meta(first, url, True))
            raise ReportError("not-cached", "not in the cache (--offline)")
        if first is not None and _age(first) < self.max_age and (data := self.cache.body(first)) is not None:
            return Page(data, _meta(first, url, True))
        current = url
        for _ in range(max_redirects + 1):
            if check_robots:
                self.allowed(current)
            entry = self.cache.lookup(current)
            headers = {"Accept": _ACCEPT[kind]}
            cached_body = self.cache.body(entry) if entry else None
            if entry and cached_body is not None:
                if etag := entry.get("etag"):
                    headers["If-None-Match"] = etag
                if last_modified := entry.get("last_modified"):
                    headers["If-Modified-Since"] = last_modified
            status, resp_headers, body = self._request(current, headers)
            lower = {k.lower(): v for k, v in resp_headers.items()}
            if status in (301, 302, 303, 307, 308) and lower.get("location"):
                target = urldefrag(urljoin(current, lower["location"].strip())).url
                scheme = urlsplit(target).scheme.lower()
                if scheme not in ("http", "https"):
                    raise ReportError("not-http", f"redirected to a non-http URL: {target}")
                current = target
                continue
            if status == 304 and entry and cached_body is not None:
                entry = {**entry, "validated_at": _now()}
                self.cache.put(current, entry)
                if current != url:
                    self.cache.put(url, {**entry, "final_url": current})
                return Page(cached_body, _meta({**entry, "final_url": current}, url, True))
            if 200 <= status < 300 and body is not None:
                if kind == "picture":
                    problem = picture_problem(body)
                elif kind == "attachment":
                    problem = attachment_problem(body)
                else:
                    problem = body_problem(body, lower.get("content-type")) if check_body else None
                if problem is not None:
                    raise problem  # never cached: a good copy from an earlier run stays (and is served, stale)
                new: CacheEntry = {
                    "final_url": current,
                    "status": status,
                    "content_type": lower.get("content-type"),
                    "fetched_at": _now(),
                    "etag": lower.get("etag"),
                    "last_modified": lower.get("last-modified"),
                }
                stored = self.cache.store(current, body, new)
                if current != url:
                    self.cache.store(url, body, new)
                return Page(body, _meta(stored, url, False))
            raise _status_error(status)
        raise ReportError("fetch-failed", f"too many redirects (over {max_redirects})")

    def discover(self, index_url: str, max_pages: int = 10) -> Discovery:
        """Report links on an index page and the pages its "next page" links lead to, in page order."""
        found = Discovery()
        seen_links: set[str] = set()
        url: str | None = index_url
        while url is not None and len(found.pages) < max_pages:
            found.pages.append(url)
            try:
                page = self.get(url)
            except ReportError as exc:
                found.errors.append((url, exc))
                break
            links, url = find_links(page.data, page.url)
            if url in found.pages:
                url = None
            for link in links:
                if link not in seen_links and link != index_url:
                    seen_links.add(link)
                    found.links.append(link)
        return found


class _Robots(RobotFileParser):
    """A host's robots.txt rules, and the failure that kept them from being read (then all is disallowed)."""

    allow_all: bool  # set by RobotFileParser (typeshed does not declare them)
    disallow_all: bool
    unreachable: ReportError | None = None


# Failures after which the cached copy, if any, is served (marked stale): a site that is down or
# answers badly tonight (nothing, half a page, an error page in binary) must not wipe last night's data.
_WORSE = ("timeout", "fetch-failed", "http-429", "truncated", "empty", "binary")
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an Office document (.doc/.xls)"),
    (b"\x1f\x8b", "gzip data"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


BodyKind = Literal["page", "picture", "attachment"]  # what a fetch is for: what its body must be
_ACCEPT: dict[BodyKind, str] = {
    "page": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
    "picture": "image/png,image/jpeg,image/tiff;q=0.9,image/*;q=0.5",
    "attachment": "application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/msword;q=0.9,*/*;q=0.5",
}
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc")  # what `fetch --follow` takes from a page without tables


def attachment_problem(body: bytes) -> ReportError | None:
    """Why a 200 body fetched for an attachment link is not kept: not a PDF or a Word file; else None."""
    if body[:1024].lstrip().startswith(b"%PDF-") or body.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    what = next((name for magic, name in _MAGIC if body.startswith(magic)), None)
    if what is None:
        what = "an HTML page" if _html_tree(body) is not None else "not a document"
    return ReportError("not-an-attachment", f"the link gave {what}, not a PDF or Word file")


def picture_problem(body: bytes) -> ReportError | None:
    """Why a 200 body fetched for an ``<img>`` is not kept: not a PNG, JPEG or TIFF picture; else None."""
    from .readers import is_image

    if is_image(body):
        return None
    what = next((name for magic, name in _MAGIC if body.startswith(magic)), None) or "not a picture"
    return ReportError("not-a-picture", f"the <img> is {what}, not a PNG, JPEG or TIFF picture")


def body_problem(body: bytes, content_type: str | None = None) -> ReportError | None:
    """Why a 200 body is not worth keeping: ``empty``, or ``binary`` (neither text nor a PDF); else None."""
    if not body.strip():
        return ReportError("empty", "empty response (HTTP 200 with no content)")
    head = body[:8192]
    if head[:1024].lstrip().startswith(b"%PDF-") or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    what = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if what is None and _looks_binary(head):
        what = content_type.split(";")[0].strip() if content_type else "unknown content"
    if what is None:
        return None
    return ReportError("binary", f"binary response ({what}), not a text page or a PDF")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes (unless the bytes read as UTF-16 text without a byte-order mark) or many control bytes."""
    if 0 in head:
        return not _utf16_text(head)
    controls = sum(1 for b in head if b < 32 and b not in b"\r\n\t\f\x1b")
    return controls > 0.05 * len(head)


# What report text is made of: ASCII, general punctuation, CJK punctuation and ideographs, full-width forms.
_TEXT_RANGES = ((0x20, 0x7E), (0x2000, 0x206F), (0x3000, 0x9FFF), (0xFF00, 0xFFEF))


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return ch in "\r\n\t\f" or any(lo <= o <= hi for lo, hi in _TEXT_RANGES)


def _utf16_text(head: bytes) -> bool:
    """Mostly ASCII, CJK and CJK punctuation when read as UTF-16 (LE or BE): text, not binary."""
    even = head[: len(head) // 2 * 2]
    for codec in ("utf-16-le", "utf-16-be"):
        text = even.decode(codec, errors="replace")
        if text and sum(map(_plausible, text)) >= 0.9 * len(text):
            return True
    return False


def _status_error(status: int) -> ReportError:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unexpected status"
    return ReportError(f"http-{status}", f"HTTP {status} {phrase}")


# -- looking at pages -----------------------------------------------------------------------------


def _html_tree(data: bytes) -> HtmlElement | None:
    """The lxml tree of an HTML page decoded our way (the charset a page declares often lies), or None."""
    head = data[:65536].lower()
    if not any(tag in head for tag in (b"<html", b"<body", b"<a ", b"<div", b"<script", b"<table", b"<p")):
        return None
    from lxml import etree, html

    from .decode import decode

    try:
        text, _ = decode(data, max_bytes=max(len(data), 1))
        return html.fromstring(text)
    except (ReportError, etree.ParserError, ValueError):
        return None


def page_base(tree: HtmlElement, base_url: str) -> str:
    """What a page's relative links are relative to: its <base href>, else its own URL."""
    for b in tree.iter("base"):
        href = b.get("href")
        if href:
            return urljoin(base_url, str(href))
    return base_url


def find_links(data: bytes, base_url: str) -> tuple[list[str], str | None]:
    """(links whose text looks like an annual report title, the "next page" URL or None)."""
    tree = _html_tree(data)
    if tree is None:
        return [], None
    base = page_base(tree, base_url)
    links: list[str] = []
    following: str | None = None
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urldefrag(urljoin(base, href)).url
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = "".join(a.text_content().split())
        if REPORT_LINK.search(text) or REPORT_LINK.search(a.get("title") or ""):
            if url not in links:
                links.append(url)
        elif following is None and (text.lower() in _NEXT_TEXTS or "next" in (a.get("rel") or "").lower().split()):
            following = url
    if following is None:
        m = _TRS_PAGER.search(html_text(tree))
        if m:
            total, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            if current + 1 < total:
                following = urljoin(base, f"{stem}_{current + 1}.{ext}")
    return links, following


def html_text(tree: HtmlElement) -> str:
    from lxml import html

    return cast(str, html.tostring(tree, encoding="unicode"))


def attachment_links(data: bytes, base_url: str) -> list[str]:
    """The attachments (.pdf, .docx, .doc links, embeds and frames) of a page that has no statistics tables,
    in page order; [] when the page has table wording (its tables are in the page) or is not HTML."""
    tree = _html_tree(data)
    if tree is None:
        return []
    for el in tree.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    body = tree.find("body")
    visible = "".join((body if body is not None else tree).text_content().split())
    if any(m in visible for m in _TABLE_MARKERS):
        return []
    base = page_base(tree, base_url)
    out: list[str] = []
    for ref in tree.xpath("//a/@href|//iframe/@src|//embed/@src|//object/@data"):
        ref = str(ref).strip()
        if not ref or ref.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urldefrag(urljoin(base, ref)).url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.path.lower().endswith(ATTACHMENT_SUFFIXES) and url not in out:
            out.append(url)
    return out


def classify_page(data: bytes, url: str = "") -> ReportError | None:
    """Say why an HTML page cannot hold a report's tables: it only links a PDF, or JavaScript builds it.

    Conservative on purpose: a page with any statistics-table wording is left to the parser, so a
    real report that also links its PDF attachment is never refused here.
    """
    tree = _html_tree(data)
    if tree is None:
        return None
    scripts = len(tree.xpath("//script"))
    for el in tree.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    body = tree.find("body")
    visible = "".join((body if body is not None else tree).text_content().split())
    if any(m in visible for m in _TABLE_MARKERS):
        return None
    pdfs = [
        urljoin(url, ref)
        for ref in tree.xpath("//a/@href|//iframe/@src|//embed/@src|//object/@data")
        if ".pdf" in ref.lower().split("?")[0]
    ]
    title = "".join((tree.findtext(".//title") or "").split())
    if pdfs and _REPORT_WORDS.search(visible + title) and len(re.findall(r"\d+", visible)) < 100:
        return ReportError("pdf-only-page", f"the page only links a PDF ({pdfs[0]}); the tables are not in the page")
    if scripts and len(visible) < 200:
        return ReportError(
            "javascript-page",
            "the page is built by JavaScript (no report text in the HTML); save it from a browser instead",
        )
    return None
