"""Issue 11, points 5-9: no input can hang or exhaust a batch, a fetch is bounded and keeps only whole
bodies, no CSV cell is a live formula, a bad argument is one input's error, no message can forge a line.

URLs are served by tests/httpserver.py on 127.0.0.1. No assertion here is about elapsed time: waits
are bounded loops, and the assertions are about outcomes.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclosure_cli import batch as batch_module
from disclosure_cli.batch import Workers, process, run_batch
from disclosure_cli.cli import main
from disclosure_cli.fetch import TMP_DIR, Cache, Fetcher, body_problem, sweep_temp_files
from disclosure_cli.output import csv_safe, printable
from disclosure_cli.testing import synth

from .conftest import ROOT, SEED
from .httpserver import Site, utf8_page


def rows(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    out = {Path(s).name: (status, reason, error) for s, status, reason, error in conn.execute(
        "SELECT source, status, reason, error FROM reports")}  # fmt: skip
    conn.close()
    return out


def misbehave(source, data, meta, blank, max_bytes):
    """What a worker runs in these tests: the real work, unless the file name asks for trouble."""
    name = os.path.basename(source)
    if name.startswith("hang"):
        time.sleep(3600)  # an input that never finishes (a PDF bomb, a span explosion)
    if name.startswith("hog"):
        bytearray(8 * 1024 * 1024 * 1024)  # asks for 8 GiB at once
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return process(source, data, meta, blank, max_bytes)


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("a.txt", "hang.txt", "b.txt", "hog.txt", "crash.txt", "c.txt"):
        shutil.copy(SEED, folder / name)
    # distinct bytes, so none is a duplicate of another
    for i, path in enumerate(sorted(folder.iterdir())):
        path.write_bytes(path.read_bytes() + f"\n<!-- {i} -->\n".encode())
    return folder


# -- 5. batch ----------------------------------------------------------------------------------------


def test_a_hanging_a_hungry_and_a_crashing_input_are_recorded_and_the_batch_goes_on(pages, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "Workers", functools.partial(Workers, work=misbehave))
    db = tmp_path / "d.sqlite"
    summary = run_batch([str(pages)], str(db), jobs=2, timeout=2.0, max_memory=512 * 1024 * 1024)
    got = rows(db)
    assert {n: got[n][:2] for n in ("a.txt", "b.txt", "c.txt")} == dict.fromkeys(
        ("a.txt", "b.txt", "c.txt"), ("parsed", None)
    )
    assert got["hang.txt"][:2] == ("failed", "time-limit")
    assert "--timeout-per-input" in got["hang.txt"][2]
    assert got["hog.txt"][:2] == ("failed", "memory-limit")
    assert "512 MB" in got["hog.txt"][2]
    assert got["crash.txt"][:2] == ("failed", "internal-error")
    assert "SIGSEGV" in got["crash.txt"][2]
    assert summary.parsed == 3 and summary.failed == {"time-limit": 1, "memory-limit": 1, "internal-error": 1}


def test_workers_replace_the_one_that_broke_and_keep_the_others():
    pool = Workers(1, timeout=1.0, max_memory=None, work=misbehave)
    data = SEED.read_bytes()
    try:
        pool.submit("hang.txt", data, {}, "sha-hang", "zero", 1 << 24)
        first = pool.workers[0].proc.pid
        (outcome,) = pool.collect()
        assert outcome.reason == "time-limit" and pool.replaced == 1 and not pool.workers
        pool.submit("fine.txt", data, {}, "sha-fine", "zero", 1 << 24)
        assert pool.workers[0].proc.pid != first
        (outcome,) = pool.collect()
        assert outcome.status == "parsed", outcome.error
    finally:
        pool.close()


@pytest.mark.parametrize("trouble", ["hang.txt", "crash.txt", "hog.txt"])
def test_the_inputs_queued_behind_one_that_breaks_its_worker_are_parsed_by_another(trouble):
    """A worker holds a second input in its pipe while it parses the first: when the first kills it
    (overrun, crash, out of memory), the queued one is handed to a new worker, not lost or failed."""
    pool = Workers(1, timeout=1.0, max_memory=512 * 1024 * 1024, work=misbehave)
    data = SEED.read_bytes()
    try:
        pool.submit(trouble, data, {}, "sha-trouble", "zero", 1 << 24)
        pool.submit("fine.txt", data, {}, "sha-fine", "zero", 1 << 24)
        assert len(pool.workers) == 1 and pool.busy == 2 and pool.full()  # both wait on the one worker
        outcomes = pool.collect()
        while pool.busy:
            outcomes += pool.collect()
        by_source = {o.source: o for o in outcomes}
        assert set(by_source) == {trouble, "fine.txt"} and len(outcomes) == 2
        assert by_source[trouble].status == "failed"
        assert by_source["fine.txt"].status == "parsed", by_source["fine.txt"].error
        assert pool.replaced == 1
    finally:
        pool.close()


def test_an_input_no_worker_can_be_started_for_is_recorded_and_the_batch_goes_on(monkeypatch):
    """Out of processes: the input queued behind one that overran, which needs a new worker, and
    every later input are ``internal-error`` outcomes (tried again next run), never an exception."""
    pool = Workers(1, timeout=1.0, max_memory=None, work=misbehave)
    data = SEED.read_bytes()
    try:
        pool.submit("hang.txt", data, {}, "sha-hang", "zero", 1 << 24)
        pool.submit("queued.txt", data, {}, "sha-queued", "zero", 1 << 24)

        def no_process(*args, **kwargs):
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(batch_module, "_Worker", no_process)
        outcomes = pool.collect()
        pool.submit("later.txt", data, {}, "sha-later", "zero", 1 << 24)
        while pool.busy:
            outcomes += pool.collect()
        got = {o.source: (o.status, o.reason) for o in outcomes}
        assert got == {
            "hang.txt": ("failed", "time-limit"),
            "queued.txt": ("failed", "internal-error"),
            "later.txt": ("failed", "internal-error"),
        }
        assert all("no worker process" in (o.error or "") for o in outcomes if o.source != "hang.txt")
    finally:
        pool.close()


def test_named_pipes_and_devices_are_refused_before_they_are_opened(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    os.mkfifo(folder / "pipe.html")  # nobody will ever write to it: opening it would block for good
    done = {}

    def go():
        done["summary"] = run_batch([str(folder), "/dev/zero"], str(tmp_path / "d.sqlite"), jobs=1)

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the batch is stuck on the named pipe"
    got = rows(tmp_path / "d.sqlite")
    assert got["good.txt"][:2] == ("parsed", None)
    assert got["pipe.html"] == ("failed", "unreadable", "not a regular file (a named pipe); not opened")
    assert got["zero"] == ("failed", "unreadable", "not a regular file (a device); not opened")


KILLED_BATCH = textwrap.dedent(
    """
    import functools, sys
    import disclosure_cli.batch as b
    from tests.test_safety import misbehave

    b.Workers = functools.partial(b.Workers, work=misbehave)
    b.run_batch([sys.argv[1]], sys.argv[2], jobs=2, timeout=None)
    """
)


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("hang1.txt", "hang2.txt", "hang3.txt"):
        (folder / name).write_text(name)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BATCH, str(folder), str(tmp_path / "d.sqlite")],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        workers: set[int] = set()
        for _ in range(600):  # until the forkserver and both workers are up (bounded)
            workers = _children(proc.pid)
            if len(workers) >= 3:
                break
            time.sleep(0.05)
        assert len(workers) >= 3, "the batch did not start its workers"
        os.kill(proc.pid, signal.SIGKILL)  # the batch alone, not its process group
        proc.wait()
        for _ in range(300):
            if not any(_alive(p) for p in workers):
                break
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], "workers outlived the batch"
    finally:
        for p in _children(proc.pid) | {proc.pid}:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)


KILLED_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    from disclosure_cli.fetch import Cache

    os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed between write and rename
    Cache(sys.argv[1]).store("http://example.org/r.html", b"<html>report</html>", {})
    """
)


def test_a_kill_during_a_cache_write_leaves_nothing_for_good(tmp_path):
    cache = tmp_path / "cache"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(cache)], cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    left = os.listdir(cache / TMP_DIR)
    assert len(left) == 1  # the temp file of the killed write, under a name saying whose it is
    Cache(cache)  # the next run's cache sweeps it
    assert os.listdir(cache / TMP_DIR) == []
    assert Cache(cache).lookup("http://example.org/r.html") is None


def test_the_sweep_keeps_live_writers_files_and_foreign_names(tmp_path):
    folder = tmp_path / TMP_DIR
    folder.mkdir()
    dead = 4_000_000  # above pid_max: no such process
    (folder / f"{dead}-1-0.part").write_bytes(b"x")
    (folder / f"{os.getpid()}-1-0.part").write_bytes(b"being written")
    old = folder / f"{os.getpid()}-1-1.part"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (folder / "notes.txt").write_bytes(b"not ours")
    assert sweep_temp_files(tmp_path) == 2
    assert sorted(os.listdir(folder)) == sorted([f"{os.getpid()}-1-0.part", "notes.txt"])


def test_batch_command_has_the_limits(tmp_path):
    result = CliRunner().invoke(main, ["batch", "--help"])
    assert "--timeout-per-input" in result.stdout and "--max-memory" in result.stdout
    db = tmp_path / "d.sqlite"
    result = CliRunner().invoke(
        main, ["batch", str(SEED), "--db", str(db), "-j", "1", "--timeout-per-input", "30", "--max-memory", "900"]
    )
    assert result.exit_code == 0, result.stderr


# -- 6. fetch ----------------------------------------------------------------------------------------


def fetcher(cache: Path, **kw) -> Fetcher:
    return Fetcher(cache, **{"delay": 0.0, "timeout": 1.0, "retries": 0, "backoff": 0.01, "max_age": 0, **kw})


@pytest.fixture
def site():
    with Site() as s:
        s.add("/robots.txt", "")
        yield s


def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(site, tmp_path):
    url = site.add("/drip.html", utf8_page(1)[:400], drip=0.3)  # 400 bytes, 2 minutes at this pace
    with fetcher(tmp_path, timeout=1.0, retries=1) as f, pytest.raises(Exception) as info:
        f.get(url)
    assert info.value.reason == "timeout" and "whole response" in info.value.message
    assert site.count("/drip.html") == 2  # one try and one retry, each cut at its deadline
    assert Cache(tmp_path).lookup(url) is None


def test_a_body_shorter_than_its_content_length_is_a_failure_never_cached(site, tmp_path):
    url = site.add("/short.html", utf8_page(2), cut=300)
    with fetcher(tmp_path, retries=1) as f, pytest.raises(Exception) as info:
        f.get(url)
    assert info.value.reason == "truncated"
    assert site.count("/short.html") == 2
    assert Cache(tmp_path).lookup(url) is None


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"cut": 300}, "truncated"),
        ({"body": b""}, "empty"),
        ({"body": b"   \n"}, "empty"),
        ({"body": b"\x89PNG\r\n\x1a\n" + bytes(range(256))}, "binary"),
        ({"body": bytes(range(256)) * 4}, "binary"),
    ],
)
def test_a_good_cached_copy_is_never_replaced_by_a_worse_response(site, tmp_path, route, reason):
    good = utf8_page(3)
    url = site.add("/r.html", good)
    with fetcher(tmp_path) as f:
        assert f.get(url).data == good
        entry = Cache(tmp_path).lookup(url)
        site.add("/r.html", **{"body": good, **route})
        page = f.get(url)  # the worse response fails; the good copy is served, marked stale
        assert page.data == good and page.meta["from_cache"] and page.meta["stale"]
        assert Cache(tmp_path).lookup(url) == entry
    with fetcher(tmp_path / "fresh") as f:  # no cached copy: the failure itself, one line
        with pytest.raises(Exception) as info:
            f.get(url)
        assert info.value.reason == reason and "\n" not in info.value.message


def test_empty_and_binary_200s_fail_the_fetch_command(site, tmp_path):
    empty = site.add("/empty.html", b"")
    png = site.add("/logo.html", b"\x89PNG\r\n\x1a\n" + bytes(256), headers={"Content-Type": "image/png"})
    fine = site.add("/fine.html", utf8_page(4))
    result = CliRunner().invoke(main, ["fetch", empty, png, fine, "--cache", str(tmp_path), "--delay", "0"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"disclosure: error: {empty}: empty response (HTTP 200 with no content)",
        f"disclosure: error: {png}: binary response (a PNG image), not a text page or a PDF",
    ]
    assert result.stdout.count("\n") == 1 and fine in result.stdout


def test_body_problem_keeps_text_pdf_and_utf16():
    assert body_problem(b"%PDF-1.7\n" + bytes(300)) is None
    assert body_problem(utf8_page(5)) is None
    assert body_problem("<p>政府信息公开</p>".encode("gb18030")) is None
    assert body_problem("政府信息公开工作年度报告 2023".encode("utf-16-le")) is None  # no BOM: not binary here
    assert body_problem(b"\x00\x01\x02\x03" * 100).reason == "binary"


def test_retry_after_is_honoured_within_a_bound(site, tmp_path):
    soon = site.add("/busy.html", utf8_page(6), fail_first=1, fail_status=503, fail_headers={"Retry-After": "1"})
    never = site.add("/later.html", utf8_page(7), fail_first=5, fail_status=503, fail_headers={"Retry-After": "86400"})
    with fetcher(tmp_path, retries=2) as f:
        assert f.get(soon).data == utf8_page(6)
        gap = [h.at for h in site.hits if h.path == "/busy.html"]
        assert len(gap) == 2 and gap[1] - gap[0] >= 0.9  # waited as asked (an outcome: the server's log)
        with pytest.raises(Exception) as info:
            f.get(never)
    assert info.value.reason == "http-503" and "86400 s" in info.value.message
    assert site.count("/later.html") == 1  # no day-long wait, no hammering either


# -- 7. CSV formula injection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","x")', '\'=HYPERLINK("http://x","x")'),
        ("+86 10 1234", "'+86 10 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("+4.5", "+4.5"),
        ("-1e3", "-1e3"),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
        ("深圳市人民政府", "深圳市人民政府"),
        ("a=b", "a=b"),
    ],
)
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


def test_no_csv_the_tool_writes_starts_a_cell_with_a_formula(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the name as given is the source: a cell of its own
    evil = '=HYPERLINK("http:__x","x").txt'
    Path(evil).write_text(SEED.read_text(encoding="utf-8").replace("5432", "5433", 1), encoding="utf-8")  # a finding
    outputs = {
        "parse": CliRunner().invoke(main, ["parse", evil, "-o", "csv"]).stdout,
        "audit": CliRunner().invoke(main, ["audit", evil, "-o", "csv", "--min-severity", "info"]).stdout,
    }
    db = tmp_path / "d.sqlite"
    run_batch([evil], str(db), jobs=1, timeout=None, max_memory=None)
    for table in ("values", "reports", "findings"):
        outputs[f"export {table}"] = CliRunner().invoke(main, ["export", "--db", str(db), "--table", table]).stdout
    for what, text in outputs.items():
        parsed = list(csv.DictReader(io.StringIO(text)))
        assert parsed, what
        cells = [v for row in parsed for v in row.values() if v]
        assert any(v.startswith("'=HYPERLINK") for v in cells), what
        assert not [v for v in cells if v[0] in "=+@\t\r" or (v[0] == "-" and not _number(v))], what


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_trend_csv_is_neutralised_too(tmp_path):
    paths = []
    for s in synth.random_series(1, 2020, 2):
        path = tmp_path / f"r{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        paths.append(str(path))
    renames = tmp_path / "renames.json"  # the series takes the mapped name: a formula, to be neutralised
    renames.write_text(json.dumps({s.agency: "=cmd|' /C calc'!A0" for s in synth.random_series(1, 2020, 2)}))
    result = CliRunner().invoke(main, ["trend", *paths, "--agency-map", str(renames), "-o", "csv"])
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert parsed and {r["agency"] for r in parsed} == {"'=cmd|' /C calc'!A0"}
    assert any(r["change"].startswith("-") for r in parsed) or all(r["change"] for r in parsed)  # numbers stay


# -- 8. a bad argument is one input's error ------------------------------------------------------------


@pytest.mark.parametrize("command", ["parse", "audit", "trend"])
def test_a_folder_without_reports_among_the_inputs_is_one_error_and_the_rest_is_read(command, tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # pictures are read when named, not from a folder
    os.mkfifo(tmp_path / "pipe.txt")
    result = CliRunner().invoke(main, [command, str(folder), str(SEED), str(tmp_path / "pipe.txt"), "-o", "json"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"disclosure: error: {folder}: is a directory with no report files (.html .htm .shtml .xhtml .txt .md .markdown"
        " .pdf .docx .doc .wps)",
        f"disclosure: error: {tmp_path / 'pipe.txt'}: not a regular file (a named pipe); not opened",
    ]
    assert "深圳市人民政府" in result.stdout  # the seed was still read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_one_error(tmp_path):
    locked = tmp_path / "locked.txt"
    shutil.copy(SEED, locked)
    locked.chmod(0)
    result = CliRunner().invoke(main, ["parse", str(locked), str(SEED), "-o", "jsonl"])
    assert result.exit_code == 2 and len(result.stdout.splitlines()) == 1
    assert result.stderr == f"disclosure: error: {locked}: permission denied\n"


def test_compare_with_a_directory_is_one_error(tmp_path):
    shutil.copy(SEED, tmp_path / "seed.txt")  # compare reads two reports, never a folder's
    result = CliRunner().invoke(main, ["compare", str(tmp_path), str(SEED)])
    assert result.exit_code == 2 and result.stderr == f"disclosure: error: {tmp_path}: is a directory\n"


@pytest.mark.parametrize("command", ["parse", "audit"])
def test_a_folder_is_read_for_its_reports(command, tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(SEED, tmp_path / "sub" / "seed.txt")
    (tmp_path / "notes.bin").write_bytes(b"\0\1")  # not a report file: not collected
    result = CliRunner().invoke(main, [command, str(tmp_path), "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("深圳市人民政府") >= 1 and result.stderr == ""


# -- 9. messages cannot forge a line or drive a terminal --------------------------------------------------


def test_printable():
    raw = "a\nb\rc\td\x1b[2Je\x07f\x9bg\u202eh\u2028i"
    assert printable(raw) == "a\\nb\\rc\\td\\x1b[2Je\\x07f\\x9bg\\u202eh\\u2028i"
    assert printable("深圳市 report.html") == "深圳市 report.html"


def test_a_file_name_with_a_newline_and_escape_codes_stays_on_one_line(tmp_path):
    name = tmp_path / "x.txt\ndisclosure: everything parsed\x1b[2J"
    name.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(64))
    result = CliRunner().invoke(main, ["parse", str(name), "-o", "jsonl"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"disclosure: error: {tmp_path}/x.txt\\ndisclosure: everything parsed\\x1b[2J: "
        "binary file, not a text or HTML report\n"
    )
    missing = CliRunner().invoke(main, ["audit", "gone\x1b]0;pwned\x07.html"])
    assert missing.stderr == "disclosure: error: gone\\x1b]0;pwned\\x07.html: no such file\n"


def test_batch_and_fetch_messages_are_escaped(tmp_path):
    result = CliRunner().invoke(main, ["fetch", "ftp://host/\x1b[31mred\nline", "--cache", str(tmp_path)])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "\x1b" not in result.stderr
    db = tmp_path / "d\nb.sqlite"
    result = CliRunner().invoke(main, ["batch", str(SEED), "--db", str(db), "-j", "1"])
    assert result.exit_code == 0 and "d\\nb.sqlite" in result.stderr and len(result.stderr.splitlines()) == 1
    assert json.loads(CliRunner().invoke(main, ["batch", str(SEED), "--db", str(db), "-o", "json"]).stdout)["db"]
