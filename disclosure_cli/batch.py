"""Parse and audit many inputs in parallel into a dataset, resumably.

Why it works this way:

- Inputs are read (or fetched, a few ahead in threads) in the parent, in input order; the parent
  hashes the bytes and asks the dataset whether this tool version has seen them. Only new bytes go
  to a worker process, so a re-run costs a hash per input (and a conditional request per URL).
- Workers return plain rows; only the parent writes, one transaction per chunk of inputs (``chunk``
  inputs or ``CHUNK_SECONDS``, whichever comes first: one commit per input cost 43% of batch time).
  The first chunks are smaller (``FIRST_CHUNK``, doubling up to ``chunk``), so a short batch is not
  left with all its writing to do after its last input is parsed.
  A thread with its own connection writes each chunk (``_ChunkWriter``) while the parent hands the
  next input to the worker that answered: with ``--jobs 1`` the worker no longer waits for writes.
  Ctrl-C writes the chunk held and waits for the one being written; a kill loses at most those two
  chunks and the inputs in flight; the next run finishes the rest and ends with the same data.
- Cross-year findings (Y codes) are computed per series (agency) once the inputs are written, for
  every series that gained or changed a year; the series to do are kept in the dataset
  (``series_pending``, written with the reports), so a killed run's are done by the next one.
- Before a series' cross-year findings are computed, its glued table-2 rows that the neighbouring
  years settle (``settling.py``) are read and stored: the values, the note that replaces the
  ``row-ambiguous`` one, and the report's audit findings computed again on the settled record. The
  Y008 findings (no reading agrees with the neighbours) are stored with the other cross-year ones.
- The same bytes under two names are parsed once: the later one is recorded as a duplicate of the
  earlier (in input order, so an interrupted run and an uninterrupted one agree).
- One bad input is one ``failed`` row with a reason; nothing an input does stops the batch. Each
  input runs in a worker process with a wall-time limit (the parent kills a worker that overruns and
  starts another) and an address-space limit (``RLIMIT_AS``); the input that broke a worker is
  recorded as ``time-limit`` or ``memory-limit`` and the batch goes on. Workers die with the parent
  (``PR_SET_PDEATHSIG`` on Linux, and a thread that watches the parent everywhere).

No click or rich here: progress goes through a :class:`Reporter` the command line supplies.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from . import __version__
from .dataset import (
    FINDING_FIELDS,
    VALUE_FIELDS,
    Dataset,
    Outcome,
    failed_outcome,
    finding_row,
    open_db,
    parsed_outcome,
)
from .decode import MAX_BYTES
from .errors import ReportError, human_size
from .record import Note
from .sources import Loaded, expand_inputs, is_url, load, parse_loaded

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext

    from .auditing.findings import Finding
    from .fetch import Fetcher, FetchMeta
    from .series import Series

DEFAULT_TIMEOUT = 60.0  # seconds of wall time
DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024  # bytes of address space
CHUNK = 64  # inputs written per transaction
FIRST_CHUNK = 8  # the first chunk's size; each next one doubles, up to CHUNK
CHUNK_SECONDS = 2.0  # ... or fewer, so a slow batch still saves (and shows in the dataset) as it goes


class Reporter(Protocol):
    """Progress callbacks (the command line shows a rich bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, source: str, status: str, reason: str | None = None) -> None: ...

    def finish(self) -> None: ...


class Silent:
    """The default :class:`Reporter`: says nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, source: str, status: str, reason: str | None = None) -> None:
        pass

    def finish(self) -> None:
        pass


class Item(msgspec.Struct):
    """One input after expansion: a path or a URL; ``error`` when expansion itself failed (an index page)."""

    source: str
    error: ReportError | None = None


class Summary(msgspec.Struct):
    """What a batch did, for the closing lines and for ``-o json``."""

    inputs: int = 0
    parsed: int = 0
    failed: Counter[str] = msgspec.field(default_factory=Counter)  # reason -> count
    duplicates: int = 0
    skipped: int = 0  # already in the dataset for this tool version: not parsed again
    stale: int = 0  # fetch failed for a moment; the cached copy was used
    processed: int = 0  # parsed or refused by a worker in this run
    series: int = 0  # series whose cross-year findings were computed (again) in this run
    findings: Counter[str] = msgspec.field(default_factory=Counter)  # code -> count, over the run's inputs
    elapsed: float = 0.0
    interrupted: bool = False
    db: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "inputs": self.inputs,
            "parsed": self.parsed,
            "failed": sum(self.failed.values()),
            "failed_by_reason": dict(sorted(self.failed.items())),
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "stale": self.stale,
            "processed": self.processed,
            "series_refreshed": self.series,
            "findings_by_code": dict(sorted(self.findings.items())),
            "elapsed_s": round(self.elapsed, 3),
            "interrupted": self.interrupted,
        }


# -- expanding inputs --------------------------------------------------------------------------------


def discover_all(sources: list[str], fetcher: Fetcher, max_pages: int) -> list[Item]:
    """Replace each URL (an index page) with the report links found on it and the pages after it."""
    items: list[Item] = []
    for src in sources:
        if not is_url(src):
            items.append(Item(src))
            continue
        found = fetcher.discover(src, max_pages)
        items += [Item(link) for link in found.links]
        for url, exc in found.errors:
            items.append(Item(url, exc))
        if not found.links and not found.errors:
            items.append(Item(src, ReportError("no-report-links", "no links that look like annual reports")))
    first: dict[str, Item] = {}
    for i in items:
        first.setdefault(i.source, i)  # each source once, where it first came
    return list(first.values())


# -- the work ---------------------------------------------------------------------------------------


def process(source: str, data: bytes, meta: FetchMeta, blank: str = "zero", max_bytes: int = MAX_BYTES) -> Outcome:
    """Parse and audit one input's bytes into dataset rows. Runs in a worker; never raises."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        from .auditing import audit

        try:
            record = parse_loaded(Loaded(source, data, meta), max_bytes)
        except ReportError as exc:
            return failed_outcome(source, exc.reason, exc.message, sha, meta)
        result = audit(record, blank=blank)
        return parsed_outcome(record, result.findings, meta)
    except MemoryError:  # the worker's --max-memory (or the machine) ran out; the worker is replaced
        return failed_outcome(source, "memory-limit", "ran out of memory while parsing (--max-memory)", sha, meta)
    except Exception as exc:  # one bad input must not stop the batch; the reason says it was us
        return failed_outcome(source, "internal-error", f"{type(exc).__name__}: {exc}", sha, meta)


# -- workers ------------------------------------------------------------------------------------------


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _die_with_parent(batch_pid: int) -> None:
    """A killed batch leaves no worker behind.

    Under forkserver a worker's parent is the fork server, which stays up while any process it forked
    holds its "alive" pipe: every worker does, so a SIGKILLed batch left its workers and the server
    keeping each other alive for good. The worker closes that pipe (the server then exits with the
    batch), asks the kernel to kill it when its parent goes (Linux ``PR_SET_PDEATHSIG``), and runs a
    thread that checks every second that both its parent and the batch are still there."""
    import signal
    import threading

    parent = os.getppid()
    try:
        from multiprocessing import forkserver

        server: Any = forkserver._forkserver  # private: the fd that keeps the fork server alive
        if getattr(server, "_forkserver_alive_fd", None) is not None:
            os.close(server._forkserver_alive_fd)
            server._forkserver_alive_fd = None
    except (ImportError, AttributeError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent and _running(batch_pid):
            time.sleep(1.0)
        os._exit(1)

    if os.getppid() != parent or not _running(batch_pid):  # gone before the signal was armed
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(
    conn: Connection, batch_pid: int, max_memory: int | None, work: Callable[..., Outcome] = process
) -> None:
    """A worker: one task at a time from ``conn`` (None or EOF ends it), one Outcome back for each."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops and keeps what is written
    _die_with_parent(batch_pid)
    if max_memory:
        try:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        except (ImportError, ValueError, OSError):  # no resource module (Windows): the time limit still holds
            pass
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            outcome = work(*task)
        except MemoryError:  # process() catches its own; this is for anything else a worker runs
            outcome = failed_outcome(task[0], "memory-limit", "ran out of memory (--max-memory)", meta=task[2])
        except Exception as exc:
            outcome = failed_outcome(task[0], "internal-error", f"{type(exc).__name__}: {exc}", meta=task[2])
        try:
            conn.send(outcome)
        except (OSError, MemoryError):
            return
        if outcome.reason == "memory-limit":
            return  # after a MemoryError the interpreter may be short of memory: the parent starts a fresh worker


def _context() -> BaseContext:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # forkserver/spawn, never fork: the parent runs fetch threads, and forking a threaded process can deadlock.
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["disclosure_cli.batch", "disclosure_cli.parse", "disclosure_cli.auditing"])
    return ctx


class _Task(msgspec.Struct):
    """One input handed to a worker, kept whole until it answers: a task queued behind one that
    kills its worker is handed to another."""

    source: str
    sha256: str
    meta: FetchMeta
    started: float  # when the worker began it (for the one it is parsing), else when it was queued
    data: bytes
    blank: str
    max_bytes: int

    def message(self) -> tuple[str, bytes, FetchMeta, str, int]:
        return (self.source, self.data, self.meta, self.blank, self.max_bytes)


class _Worker:
    def __init__(self, ctx: Any, max_memory: int | None, work: Callable[..., Outcome]):
        self.conn, child = ctx.Pipe()
        args = (child, os.getpid(), max_memory, work)
        self.proc = ctx.Process(target=_worker_main, args=args, daemon=True, name="disclosure-worker")
        self.proc.start()
        child.close()
        self.tasks: deque[_Task] = deque()  # the first is being parsed, the rest wait in the pipe

    @property
    def task(self) -> _Task | None:
        """The input the worker is parsing now."""
        return self.tasks[0] if self.tasks else None

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError, AttributeError):
            pass
        self.proc.join(timeout=None if kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class Workers:
    """``jobs`` worker processes, each input under a wall-time limit (``timeout`` seconds; the worker
    is killed and replaced) and an address-space limit (``max_memory`` bytes, ``RLIMIT_AS`` in the
    worker). ``collect`` turns every way a worker can fail (overrun, out of memory, killed, crashed)
    into a ``failed`` Outcome for the input it was parsing.

    Each worker holds up to ``DEPTH`` inputs: the next one waits in its pipe, so the worker starts it
    the moment it answers instead of waiting for the parent to read the answer and send more (about
    a millisecond an input, an eighth of a small page's parse). A queued input's clock starts when the
    answer before it arrives; the inputs queued behind one that kills its worker go to another worker.
    ``work`` is what a worker runs per input (:func:`process`; tests give a misbehaving one)."""

    DEPTH = 2

    def __init__(
        self,
        jobs: int,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_memory: int | None = DEFAULT_MAX_MEMORY,
        work: Callable[..., Outcome] = process,
    ):
        self.jobs, self.timeout, self.max_memory, self.work = jobs, timeout, max_memory, work
        self.ctx = _context()
        if self.ctx.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            # the fork server imports the parser (a quarter of a second) while the batch opens its
            # dataset and reads its first inputs, not after: the first worker is then a fork away
            forkserver.ensure_running()
        self.workers: list[_Worker] = []
        self.replaced = 0  # workers killed or lost and started again (tests and benches read it)
        self.unplaced: list[Outcome] = []  # inputs no worker could be started for: the next collect's

    @property
    def busy(self) -> int:
        """Inputs handed out and not answered yet."""
        return len(self.unplaced) + sum(len(w.tasks) for w in self.workers)

    def full(self) -> bool:
        return self.busy >= self.jobs * self.DEPTH

    def submit(self, source: str, data: bytes, meta: FetchMeta, sha256: str, blank: str, max_bytes: int) -> None:
        """Hand one input to the least busy worker (starting one while fewer than ``jobs`` run and
        none is idle); call only when not ``full()``. When no worker can be started (out of
        processes) the input's outcome is ``internal-error``, and the next run tries it again."""
        self._place(_Task(source, sha256, meta, time.monotonic(), data, blank, max_bytes))

    def _place(self, task: _Task) -> None:
        try:
            self._hand(task)
        except OSError as exc:
            error = f"no worker process: {exc}"
            self.unplaced.append(failed_outcome(task.source, "internal-error", error, task.sha256, task.meta))

    def _hand(self, task: _Task) -> None:
        broken: list[_Worker] = []  # died with inputs of its own: collect() accounts for them
        for attempt in range(2):
            worker = min((w for w in self.workers if w not in broken), key=lambda w: len(w.tasks), default=None)
            if worker is None or (worker.tasks and len(self.workers) < self.jobs):
                worker = _Worker(self.ctx, self.max_memory, self.work)
                self.workers.append(worker)
            try:
                worker.conn.send(task.message())
            except OSError:  # it died: try once more elsewhere
                if worker.tasks:
                    broken.append(worker)
                else:
                    self._drop(worker, kill=True)
                if attempt:
                    raise
                continue
            if not worker.tasks:
                task.started = time.monotonic()
            worker.tasks.append(task)
            return

    def collect(self) -> list[Outcome]:
        """Wait until at least one busy worker answers, fails or overruns its time; their outcomes."""
        from multiprocessing.connection import wait

        out, self.unplaced = self.unplaced, []
        while not out and self.busy:
            busy = [w for w in self.workers if w.task is not None]
            wait_for = None
            if self.timeout:
                first = min(w.task.started for w in busy if w.task)
                wait_for = max(0.0, first + self.timeout - time.monotonic())
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for w in busy:
                task = w.task
                assert task is not None
                if w.conn.poll():
                    try:
                        outcome = w.conn.recv()
                    except (EOFError, OSError):
                        outcome = self._died(w, task)
                    else:
                        w.tasks.popleft()
                        if w.tasks:
                            w.tasks[0].started = now  # the worker has begun the next one
                        if outcome.reason == "memory-limit":
                            if self.max_memory:
                                limit = human_size(self.max_memory)
                                outcome.error = f"needed more than {limit} of memory (--max-memory); stopped"
                            self._drop(w)  # it leaves after saying so: what it had queued goes elsewhere
                elif not w.proc.is_alive():
                    outcome = self._died(w, task)
                elif self.timeout and now - task.started >= self.timeout:
                    outcome = failed_outcome(
                        task.source,
                        "time-limit",
                        f"still running after {self.timeout:g} s (--timeout-per-input); stopped",
                        task.sha256,
                        task.meta,
                    )
                    w.tasks.popleft()
                    self._drop(w, kill=True)
                else:
                    continue
                out.append(outcome)
        return out

    def _died(self, w: _Worker, task: _Task) -> Outcome:
        import signal

        w.proc.join(timeout=5)
        code = w.proc.exitcode
        w.tasks.popleft()  # ``task``: the one it died with
        self._drop(w, kill=True)
        if code is not None and code < 0:
            try:
                how = signal.Signals(-code).name
            except ValueError:
                how = f"signal {-code}"
        else:
            how = f"exit code {code}"
        if code == -signal.SIGKILL or code == -signal.SIGSEGV:
            how += ", perhaps out of memory"
        return failed_outcome(task.source, "internal-error", f"worker process died ({how})", task.sha256, task.meta)

    def _drop(self, w: _Worker, kill: bool = False) -> None:
        """Stop ``w``; the inputs it still holds go to the other workers (or a new one). The caller
        takes the one it accounts for (answered, overran, died with) off ``w.tasks`` first."""
        queued = list(w.tasks)
        w.tasks.clear()
        if w in self.workers:
            self.workers.remove(w)
            self.replaced += 1
        w.stop(kill=kill)
        for task in queued:
            self._place(task)

    def close(self, kill: bool = False) -> None:
        """Stop every worker: idle ones are asked to leave, busy ones (an interrupt) are killed."""
        for w in list(self.workers):
            w.stop(kill=kill or bool(w.tasks))
        self.workers.clear()


class _ChunkWriter:
    """Writes a batch's chunks (``Dataset.write_many``, one transaction each) in a thread on its own
    connection, one chunk at a time and in order, while the parent goes on feeding the workers: with
    ``--jobs 1`` the worker no longer waits while the parent writes. SQLite runs without the GIL, and
    WAL lets the parent's connection read meanwhile (``status_of``; a chunk not yet committed is in
    the parent's ``claimed``). A dataset that cannot be opened twice (``:memory:``) is written in the
    parent. The exception a chunk raised is raised by the next call.

    A run of at least as many inputs as the dataset holds reports writes without the values' key
    index (``Dataset.defer_value_index``), from its first chunk, and builds it when it closes."""

    def __init__(self, ds: Dataset, tool_version: str, inputs: int) -> None:
        self.ds, self.tool_version, self.inputs = ds, tool_version, inputs
        self.thread = None if ds.path in ("", ":memory:") else ThreadPoolExecutor(1, thread_name_prefix="write")
        self.own: Dataset | None = None  # the writer's connection, opened and closed in its thread
        self.last: Future[None] | None = None
        self.deferred: bool | None = None  # the key index dropped at the first chunk; None: none written yet

    def write(self, outcomes: list[Outcome]) -> None:
        """Write ``outcomes`` (the writer keeps the list) after the chunks handed over before them."""
        if self.thread is None:
            self._write_on(self.ds, outcomes)
            return
        self.wait()
        self.last = self.thread.submit(self._write, outcomes)

    def _write(self, outcomes: list[Outcome]) -> None:
        if self.own is None:
            self.own = open_db(self.ds.path)  # after its schema has run: it creates the key index
        self._write_on(self.own, outcomes)

    def _write_on(self, ds: Dataset, outcomes: list[Outcome]) -> None:
        if self.deferred is None:
            self.deferred = ds.defer_value_index(self.inputs)
        ds.write_many(outcomes, self.tool_version)

    def _finish(self, ds: Dataset) -> None:
        if self.deferred:
            ds.build_value_index()
            self.deferred = False

    def wait(self) -> None:
        """Until the last chunk is committed."""
        last, self.last = self.last, None
        if last is not None:
            last.result()

    def close(self) -> None:
        """Wait for the last chunk, build the key index if it was dropped, close the writer's connection."""
        if self.thread is None:
            self._finish(self.ds)
            return
        try:
            self.wait()
        finally:
            own = self.own
            try:
                if own is not None:
                    self.thread.submit(self._finish, own).result()
            finally:
                if own is not None:
                    self.thread.submit(own.close).result()
                self.thread.shutdown()


def _load(item: Item, fetcher: Fetcher | None, max_bytes: int) -> Loaded:
    if item.error is not None:
        return Loaded(item.source, meta={"url": item.source} if is_url(item.source) else {}, error=item.error)
    return load(item.source, fetcher, max_bytes)


def _ahead(fn: Callable[[Item], Loaded], items: list[Item], threads: int, window: int) -> Iterator[Loaded]:
    """fn over items in threads, yielding in input order, at most ``window`` loaded bodies held at once."""
    if threads <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load") as ex:
        queue: deque[Future[Loaded]] = deque()
        it = iter(items)
        try:
            for item in it:
                queue.append(ex.submit(fn, item))
                if len(queue) >= window:
                    break
            while queue:
                yield queue.popleft().result()
                nxt = next(it, None)
                if nxt is not None:
                    queue.append(ex.submit(fn, nxt))
        finally:
            for f in queue:
                f.cancel()


class _Run:
    """What one batch run holds between its inputs: the sources it claimed for each sha256, the
    outcomes waiting for the next chunk's transaction, the answers of workers not yet recorded, and
    the counts of its summary."""

    def __init__(self, ds: Dataset, summary: Summary, progress: Reporter, tool_version: str, chunk: int) -> None:
        self.ds, self.summary, self.progress, self.tool_version, self.chunk = ds, summary, progress, tool_version, chunk
        self.claimed: dict[str, str] = {}  # sha256 -> first source in this run
        self.pending: list[Outcome] = []  # written at the next flush, in one transaction
        self.next_chunk = min(chunk, FIRST_CHUNK)  # doubles at each flush, up to ``chunk``
        self.answered: list[Outcome] = []  # collected from the workers, recorded once they have work again
        self.writer = _ChunkWriter(ds, tool_version, summary.inputs)
        self.last_flush = time.monotonic()

    def screen(self, loaded: Loaded) -> str | None:
        """The sha256 of an input to parse; None when it is recorded (unreadable, a duplicate) or
        skipped (this tool version has these bytes under this source) without parsing."""
        if loaded.error is not None or loaded.data is None:
            err = loaded.error or ReportError("unreadable", "nothing read")
            self.record(failed_outcome(loaded.source, err.reason, err.message, meta=loaded.meta))
            return None
        sha = hashlib.sha256(loaded.data).hexdigest()
        self.summary.stale += bool(loaded.meta.get("stale"))
        if self.ds.status_of(loaded.source, sha, self.tool_version) is not None:
            self.summary.skipped += 1
            self.progress.advance(loaded.source, "skipped")
            return None
        first = self.claimed.get(sha) or self.ds.first_source(sha, self.tool_version)
        if first is not None and first != loaded.source:
            self.record(Outcome(loaded.source, "duplicate", sha256=sha, duplicate_of=first, meta=loaded.meta))
            return None
        self.claimed[sha] = loaded.source
        return sha

    def processed(self, outcome: Outcome) -> None:
        self.summary.processed += 1
        self.record(outcome)

    def record_answered(self) -> None:
        """Record the workers' answers: called once the worker that answered has its next input, so
        it parses while this writes."""
        while self.answered:
            self.processed(self.answered.pop(0))

    def record(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= self.next_chunk or time.monotonic() - self.last_flush >= CHUNK_SECONDS:
            self.flush()
        self.progress.advance(outcome.source, outcome.status, outcome.reason)

    def flush(self) -> None:
        if self.pending:
            self.writer.write(self.pending.copy())
            self.pending.clear()
            self.next_chunk = min(self.chunk, 2 * self.next_chunk)
        self.last_flush = time.monotonic()

    def save(self) -> None:
        """Write what is held and wait until every chunk is committed."""
        try:
            self.flush()
        finally:
            self.writer.close()


def _feed(
    run: _Run, pool: Workers | None, items: list[Item], fetcher: Fetcher | None, blank: str, max_bytes: int, jobs: int
) -> None:
    """Every input read, screened and parsed (by the pool, or here without one), its outcome recorded."""
    # URLs are fetched ahead in threads; files are read in this thread: a reading thread only takes
    # the GIL from the one that feeds the workers and writes (a 7 KB page reads in microseconds)
    threads = 8 if any(is_url(i.source) for i in items) else 1
    for loaded in _ahead(lambda i: _load(i, fetcher, max_bytes), items, threads, window=max(8, 4 * jobs)):
        sha = run.screen(loaded)
        if sha is None:
            continue
        data = loaded.data or b""  # screen() recorded an input without bytes
        if pool is None:
            run.processed(process(loaded.source, data, loaded.meta, blank, max_bytes))
            continue
        while pool.full():
            run.answered += pool.collect()
        pool.submit(loaded.source, data, loaded.meta, sha, blank, max_bytes)
        run.record_answered()
    while pool is not None and pool.busy:
        run.answered += pool.collect()
        run.record_answered()


def run_batch(
    inputs: Iterable[str],
    db: str | Dataset,
    *,
    jobs: int = 1,
    fetcher: Fetcher | None = None,
    make_fetcher: Callable[[], Fetcher] | None = None,
    urls_file: str | None = None,
    follow: bool = False,
    max_pages: int = 10,
    blank: str = "zero",
    max_bytes: int = MAX_BYTES,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    reporter: Reporter | None = None,
    tool_version: str = __version__,
    chunk: int = CHUNK,
) -> Summary:
    """Parse and audit every input into the dataset ``db``; see the module docstring for the rules.

    ``timeout`` (seconds of wall time) and ``max_memory`` (bytes) bound each input in its worker;
    with both None and ``jobs`` 1 the inputs are parsed in this process, unbounded. Without a
    ``fetcher``, one is made (``make_fetcher``, else a default one) only when an input is a URL, and
    closed at the end: a batch of files loads no network code.
    """
    started = time.monotonic()
    progress: Reporter = reporter or Silent()
    # The resume key is (source, bytes, settings): a dataset audited with blanks read as 0 is not
    # "already done" for --blank skip (whose findings differ), so the settings are part of the version.
    if blank != "zero":
        tool_version = f"{tool_version}+blank={blank}"
    in_process = jobs <= 1 and not timeout and not max_memory
    pool = None if in_process else Workers(jobs, timeout, max_memory)  # first: its fork server starts now
    ds = db if isinstance(db, Dataset) else open_db(db)
    sources = expand_inputs(inputs, urls_file)
    own_fetcher = fetcher is None and any(is_url(s) for s in sources)
    if own_fetcher:
        if make_fetcher is None:
            from .fetch import Fetcher

            fetcher = Fetcher(max_bytes=max_bytes)
        else:
            fetcher = make_fetcher()
    items = discover_all(sources, fetcher, max_pages) if follow and fetcher is not None else [Item(s) for s in sources]
    summary = Summary(inputs=len(items), db=ds.path)
    progress.start(len(items))
    run = _Run(ds, summary, progress, tool_version, chunk)
    interrupted = False
    try:
        _feed(run, pool, items, fetcher, blank, max_bytes, jobs)
    except KeyboardInterrupt:
        summary.interrupted = interrupted = True
    finally:
        try:
            run.save()  # what was done is kept, interrupted or not
        except KeyboardInterrupt:  # a second Ctrl-C while writing: the chunk held is lost, the rest is saved
            summary.interrupted = interrupted = True
        if pool is not None:
            pool.close(kill=interrupted)
        progress.finish()
        if own_fetcher and fetcher is not None:
            fetcher.close()
    if not interrupted:
        # cross-year findings of every series that gained or changed a year (pending ones of an
        # interrupted or killed run too): resumable, each series in its own transaction
        summary.series = len(ds.pending_series())
        unsettled = settle_pending(ds, blank)
        ds.refresh_series()
        store_unsettled(ds, unsettled)
    _tally(ds, [i.source for i in items], summary)
    summary.elapsed = time.monotonic() - started
    if not isinstance(db, Dataset):
        ds.close()
    return summary


def _tally(ds: Dataset, sources: list[str], summary: Summary) -> None:
    """Counts over this run's inputs as the dataset now holds them (skipped inputs included)."""
    conn = ds.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_sources (source TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM run_sources")
    conn.executemany("INSERT OR IGNORE INTO run_sources VALUES (?)", [(s,) for s in sources])
    for status, reason, n in conn.execute(
        "SELECT status, reason, count(*) FROM reports JOIN run_sources USING (source) GROUP BY status, reason"
    ):
        if status == "parsed":
            summary.parsed += n
        elif status == "duplicate":
            summary.duplicates += n
        else:
            summary.failed[reason or "unknown"] += n
    for code, n in conn.execute(
        "SELECT f.code, count(*) FROM findings f JOIN reports r ON r.id = f.report_id"
        " JOIN run_sources USING (source) GROUP BY f.code"
    ):
        summary.findings[code] = n
    conn.execute("DROP TABLE run_sources")
    conn.commit()


# -- series: settling glued rows with the neighbouring years ----------------------------------------


def _series_of(ds: Dataset, keys: list[str]) -> Iterator[tuple[dict[str, int], Series]]:
    """The series of each pending key (``series.series_key``) that has a glued row left unread, as
    the dataset holds them, with the report ids of their sources; each record's notes read back whole
    (with the places of their numbers, which settling needs to recompute a glued row's readings). A
    series without such a row is not loaded: there is nothing to settle in it."""
    from .series import group, series_key

    names: dict[str, list[str]] = {}  # as Dataset.refresh_series finds a series' reports
    for name in ds.agencies():
        names.setdefault(series_key(name), []).append(name)
    for key in keys:
        agencies = names.get(key, [])
        if not agencies:
            continue
        marks = ", ".join("?" * len(agencies))
        rows = ds.conn.execute(
            f"SELECT source, id, notes FROM reports WHERE status = 'parsed' AND agency IN ({marks})", agencies
        ).fetchall()
        if len(rows) < 2 or not any('"row-ambiguous"' in (text or "") for _, _, text in rows):
            continue  # settling needs a neighbouring year
        ids = {source: rid for source, rid, _ in rows}
        notes = {source: json.loads(text or "[]") for source, _, text in rows}
        records = ds.records(agencies=agencies)
        for record in records:
            record.warnings = [Note.from_dict(n) for n in notes.get(record.source, [])]
        for series in group(records):
            yield ids, series


_REPLACE_VALUE = (
    f"INSERT OR REPLACE INTO report_values (report_id, {', '.join(VALUE_FIELDS)}) VALUES (?{', ?' * len(VALUE_FIELDS)})"
)
_INSERT_FINDING = (
    f"INSERT INTO findings (report_id, {', '.join(FINDING_FIELDS)}) VALUES (?{', ?' * len(FINDING_FIELDS)})"
)


def settle_pending(ds: Dataset, blank: str = "zero") -> list[tuple[int, Finding]]:
    """Settle the glued table-2 rows of every series marked pending (``settling.settle_series``) and
    store each settled report: its values, its notes, and its audit findings and their counts computed
    again on the settled record, one transaction per report. Returns the Y008 findings of those
    series by report id, for :func:`store_unsettled` once ``Dataset.refresh_series`` has replaced
    their cross-year findings."""
    from msgspec.structs import replace

    from .auditing import audit
    from .settling import SETTLED, settle_series, unsettled

    found: list[tuple[int, Finding]] = []
    for ids, series in _series_of(ds, ds.pending_series()):
        settled = settle_series(series)
        for record in settled.values():
            rid = ids[record.source]
            findings = audit(record, blank=blank).findings
            severities = Counter(f.severity for f in findings)
            values = [
                (rid, v.key, v.table, v.row, v.column, v.label, v.value, v.raw, v.unit,
                 v.loc.describe() if v.loc else None, v.inferred)
                for v in record.published()
                if v.inferred is not None and SETTLED in v.inferred
            ]  # fmt: skip
            with ds.conn:
                ds.conn.executemany(_REPLACE_VALUE, values)
                ds.conn.execute("DELETE FROM findings WHERE report_id = ? AND kind = 'audit'", (rid,))
                ds.conn.executemany(_INSERT_FINDING, [(rid, *finding_row(f)) for f in findings])
                ds.conn.execute(
                    "UPDATE reports SET value_count = ?, errors = ?, warnings = ?, infos = ?, notes = ? WHERE id = ?",
                    (
                        len(record.published()),
                        severities.get("error", 0),
                        severities.get("warning", 0),
                        severities.get("info", 0),
                        json.dumps([w.as_dict() for w in record.warnings], ensure_ascii=False),
                        rid,
                    ),
                )
        now = replace(series, records={year: settled.get(year, r) for year, r in series.records.items()})
        found += [(ids[record.source], f) for record, f in unsettled(now)]
    return found


def store_unsettled(ds: Dataset, found: list[tuple[int, Finding]]) -> int:
    """Store the Y008 findings :func:`settle_pending` returned (a glued row no reading of which agrees
    with the neighbouring years) as cross-year findings of the report with the row; run after
    ``Dataset.refresh_series``, which replaces a series' cross-year findings without them."""
    with ds.conn:
        ds.conn.executemany(_INSERT_FINDING, [(rid, *finding_row(f, "cross-year")) for rid, f in found])
    return len(found)
