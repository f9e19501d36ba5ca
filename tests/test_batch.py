"""Batches: every input recorded with the outcome a user expects, in parallel, resumably.

URL cases run against tests/httpserver.py on 127.0.0.1; the kill-and-resume test runs over a copy
of ../shared/corpus (skipped when it is absent).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from disclosure_cli.batch import expand_inputs, run_batch
from disclosure_cli.cli_data import batch, export, fetch
from disclosure_cli.dataset import Dataset, open_db
from disclosure_cli.fetch import Fetcher
from disclosure_cli.testing import synth

from .conftest import ROOT, SEED
from .httpserver import JS_PAGE, PDF_ONLY, Site, big5_page, gbk_page, index_page, report, utf8_page

LIMIT = 200_000  # bytes; every report page is smaller, /huge.html is not


def fast_fetcher(cache: Path, **kw) -> Fetcher:
    return Fetcher(cache, **{"delay": 0.0, "timeout": 0.3, "retries": 1, "backoff": 0.01, "max_bytes": LIMIT, **kw})


def snapshot(db: str | Path) -> dict:
    """The dataset's content without row ids and processing times: what must match between runs."""
    conn = sqlite3.connect(db)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(reports)") if r[1] not in ("id", "processed_at")]
    reports = conn.execute(f"SELECT {', '.join(cols)} FROM reports ORDER BY source").fetchall()
    values = conn.execute(
        "SELECT r.source, v.key, v.value, v.raw, v.unit, v.location, v.inferred FROM report_values v"
        " JOIN reports r ON r.id = v.report_id ORDER BY r.source, v.key"
    ).fetchall()
    findings = sorted(
        conn.execute(
            "SELECT r.source, f.code, f.where_key, f.message_en, f.expected, f.actual, f.terms FROM findings f"
            " JOIN reports r ON r.id = f.report_id"
        ).fetchall(),
        key=repr,
    )
    conn.close()
    return {"reports": reports, "values": values, "findings": findings}


def rows_by_source(db: str | Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = {r["source"]: dict(r) for r in conn.execute("SELECT * FROM reports")}
    conn.close()
    return out


# -- URLs: the misbehaving site ----------------------------------------------------------------------------

# path -> (status, reason) a user expects to find in the dataset
EXPECTED = {
    "/gbk.html": ("parsed", None),  # GBK bytes, header and <meta> both claim UTF-8
    "/big5.html": ("parsed", None),  # Traditional Big5, header and <meta> claim GBK
    "/moved": ("parsed", None),  # 301 to /r/2021.html
    "/flaky.html": ("parsed", None),  # 500 once, then fine
    "/copy.html": ("duplicate", None),  # the same bytes as /gbk.html
    "/missing.html": ("failed", "http-404"),
    "/slow.html": ("failed", "timeout"),
    "/huge.html": ("failed", "too-large"),
    "/private/report.html": ("failed", "robots-disallowed"),
    "/pdf-only.html": ("failed", "pdf-only-page"),
    "/app.html": ("failed", "javascript-page"),
    "/to-ftp": ("failed", "not-http"),
    "/not-a-report.html": ("failed", "not-a-report"),
}


def build_site(site: Site) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    site.add("/gbk.html", gbk_page(), headers={"Content-Type": "text/html; charset=utf-8"})
    site.add("/copy.html", gbk_page())
    site.add("/big5.html", big5_page(), headers={"Content-Type": "text/html; charset=gbk"})
    site.add("/moved", status=301, headers={"Location": "/r/2021.html"})
    site.add("/r/2021.html", utf8_page(11, "2021"))
    site.add("/flaky.html", utf8_page(3), fail_first=1)
    site.add("/slow.html", utf8_page(4), delay=0.7)
    site.add("/huge.html", utf8_page(5) + b"<!-- padding -->" * (LIMIT // 16))
    site.add("/private/report.html", utf8_page(6))
    site.add("/pdf-only.html", PDF_ONLY)
    site.add("/app.html", JS_PAGE)
    site.add("/to-ftp", status=302, headers={"Location": "ftp://127.0.0.1/report.html"})
    site.add("/not-a-report.html", "<html><body><h1>天气预报</h1><p>晴，25度</p></body></html>")


@pytest.fixture(scope="module")
def url_batch(tmp_path_factory):
    """One batch (two workers) over a URL list naming every case; the dataset and the site's request log."""
    tmp = tmp_path_factory.mktemp("urls")
    with Site() as site:
        build_site(site)
        url_list = tmp / "urls.txt"
        url_list.write_text("# the cases\n" + "\n".join(site.url(p) for p in EXPECTED) + "\n", encoding="utf-8")
        with fast_fetcher(tmp / "cache") as f:
            summary = run_batch([str(url_list)], str(tmp / "d.sqlite"), jobs=2, fetcher=f, max_bytes=LIMIT)
        yield site, tmp, summary, rows_by_source(tmp / "d.sqlite")


@pytest.mark.parametrize("path", list(EXPECTED))
def test_each_url_case_is_recorded_as_expected(url_batch, path):
    site, _, _, rows = url_batch
    row = rows[site.url(path)]
    assert (row["status"], row["reason"]) == EXPECTED[path], row["error"]
    if row["status"] == "failed":
        assert row["error"] and "\n" not in row["error"]
    if row["status"] != "failed" or row["reason"] in ("pdf-only-page", "javascript-page", "not-a-report"):
        assert row["sha256"] and row["http_status"] == 200 and row["fetched_at"]  # fetch metadata kept


def test_pages_with_lying_charsets_give_back_their_numbers(url_batch):
    site, tmp, _, rows = url_batch
    conn = sqlite3.connect(tmp / "d.sqlite")
    for path, seed, script in (("/gbk.html", 1, "simplified"), ("/big5.html", 2, "traditional")):
        row = rows[site.url(path)]
        assert (row["agency"], row["year"], row["script"]) == (report(seed).agency, report(seed).year, script)
        got = dict(conn.execute("SELECT key, value FROM report_values WHERE report_id = ?", (row["id"],)))
        assert got == pytest.approx({k: v for k, v in report(seed).values.items() if v is not None})
    conn.close()


def test_redirect_and_duplicate_rows_say_where(url_batch):
    site, _, _, rows = url_batch
    assert rows[site.url("/moved")]["final_url"] == site.url("/r/2021.html")
    assert rows[site.url("/moved")]["format"] == "2021"
    assert rows[site.url("/copy.html")]["duplicate_of"] == site.url("/gbk.html")


def test_summary_counts_every_input(url_batch):
    _, _, summary, rows = url_batch
    assert summary.inputs == len(EXPECTED) == len(rows)
    assert summary.parsed == 4 and summary.duplicates == 1
    assert summary.failed == {r: 1 for s, r in EXPECTED.values() if s == "failed"}
    assert not summary.interrupted


def test_a_rerun_costs_only_what_is_new_or_changed(tmp_path):
    with Site() as site:
        build_site(site)
        good = [site.url(p) for p in ("/gbk.html", "/big5.html", "/moved")]
        with fast_fetcher(tmp_path / "cache", max_age=0) as f:
            run_batch(good, str(tmp_path / "d.sqlite"), fetcher=f)
        first = snapshot(tmp_path / "d.sqlite")
        served = len(site.hits)
        # Unchanged pages: validators exist for none of them, so max_age decides. Within it: no request at all.
        with fast_fetcher(tmp_path / "cache") as f:
            summary = run_batch(good, str(tmp_path / "d.sqlite"), fetcher=f)
        assert len(site.hits) == served and summary.skipped == 3 and summary.processed == 0
        with fast_fetcher(tmp_path / "cache", offline=True) as f:
            assert run_batch(good, str(tmp_path / "d.sqlite"), fetcher=f).skipped == 3
        # A page that changed is fetched and parsed again; the rest are skipped.
        site.add("/big5.html", big5_page(12))
        with fast_fetcher(tmp_path / "cache", max_age=0) as f:
            summary = run_batch(good, str(tmp_path / "d.sqlite"), fetcher=f)
        assert (summary.skipped, summary.processed) == (2, 1)
    assert snapshot(tmp_path / "d.sqlite")["reports"] != first["reports"]


def test_follow_an_index_page(tmp_path):
    with Site() as site:
        build_site(site)
        site.add(
            "/list/index.html",
            index_page(
                [
                    ("/r/2021.html", "2021年政府信息公开工作年度报告", ""),
                    ("/private/report.html", "2020年政府信息公开工作年度报告", ""),
                    ("/r/gone.html", "2019年政府信息公开工作年度报告", ""),
                ],
                "index_1.html",
            ),
        )
        site.add("/list/index_1.html", index_page([("/gbk.html", "2018年年报", "")], None))
        site.add("/empty/index.html", index_page([], None))
        with fast_fetcher(tmp_path / "cache") as f:
            summary = run_batch(
                [site.url("/list/index.html"), site.url("/empty/index.html")],
                str(tmp_path / "d.sqlite"),
                fetcher=f,
                follow=True,
            )
        rows = {k: (v["status"], v["reason"]) for k, v in rows_by_source(tmp_path / "d.sqlite").items()}
        assert rows == {
            site.url("/r/2021.html"): ("parsed", None),
            site.url("/private/report.html"): ("failed", "robots-disallowed"),
            site.url("/r/gone.html"): ("failed", "http-404"),
            site.url("/gbk.html"): ("parsed", None),
            site.url("/empty/index.html"): ("failed", "no-report-links"),
        }
        assert summary.inputs == 5


# -- files ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Saved pages in every shape, a copy, a PDF, a binary file, a non-report and a URL list."""
    root = tmp_path_factory.mktemp("pages")
    (root / "sub").mkdir()
    for i, shape in enumerate(synth.SHAPES):
        s = synth.random_report(100 + i, "2021" if i % 2 else "2019", blanks=0.1)
        ext = "html" if shape.startswith("html") else "md" if shape == "markdown" else "txt"
        (root / ("sub" if i % 3 == 0 else ".") / f"{i:02d}_{shape}.{ext}").write_text(synth.render(s, shape), "utf-8")
    (root / "seed.txt").write_bytes(SEED.read_bytes())
    (root / "seed_copy.txt").write_bytes(SEED.read_bytes())
    (root / "scan.pdf").write_bytes(b"%PDF-1.4\n...")
    (root / "blob.html").write_bytes(bytes(range(256)) * 8)
    (root / "notes.md").write_text("# 会议纪要\n\n今天开会。\n", "utf-8")
    (root / "ignored.tsv").write_text("a\tb\n", "utf-8")
    return root


def test_expand_inputs(folder, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("http://gov.test/a.html\n# comment\n\nhttps://gov.test/b.html\n", "utf-8")
    got = expand_inputs([str(folder), str(folder / "*.txt"), str(listing), "http://gov.test/c.html", "absent.txt"])
    names = [Path(g).name if not g.startswith("http") else g for g in got]
    assert "ignored.tsv" not in names and names.count("seed.txt") == 1  # folder and glob overlap once
    assert names[-4:] == ["http://gov.test/a.html", "https://gov.test/b.html", "http://gov.test/c.html", "absent.txt"]
    assert "00_html.html" in names  # sub-folders too


@pytest.mark.parametrize("jobs", [1, 2])
def test_folder_batch_records_every_file(folder, tmp_path, jobs):
    summary = run_batch([str(folder), str(tmp_path / "absent.html")], str(tmp_path / "d.sqlite"), jobs=jobs)
    rows = {Path(k).name: (v["status"], v["reason"]) for k, v in rows_by_source(tmp_path / "d.sqlite").items()}
    assert rows["seed.txt"] == ("parsed", None)
    assert rows["seed_copy.txt"] == ("duplicate", None)
    assert rows["scan.pdf"][0] == "failed"  # a broken PDF: refused ('pdf', or 'unreadable' once PDFs are read)
    assert rows["blob.html"] == ("failed", "binary")
    assert rows["notes.md"] == ("failed", "not-a-report")
    assert rows["absent.html"] == ("failed", "unreadable")
    assert sum(1 for s, _ in rows.values() if s == "parsed") == 1 + len(synth.SHAPES)
    assert summary.inputs == len(rows) == len(synth.SHAPES) + 6


def test_jobs_do_not_change_the_dataset(folder, tmp_path):
    run_batch([str(folder)], str(tmp_path / "one.sqlite"), jobs=1)
    run_batch([str(folder)], str(tmp_path / "two.sqlite"), jobs=2)
    assert snapshot(tmp_path / "one.sqlite") == snapshot(tmp_path / "two.sqlite")


@pytest.mark.parametrize(("jobs", "after"), [(1, 3), (2, 5)])
def test_ctrl_c_keeps_what_was_written_and_a_rerun_finishes(folder, tmp_path, monkeypatch, jobs, after):
    """Ctrl-C after ``after`` inputs were recorded: the chunk held is written, then the batch stops."""
    from disclosure_cli.batch import Reporter

    clean = tmp_path / "clean.sqlite"
    run_batch([str(folder)], str(clean), jobs=jobs)

    class CtrlC(Reporter):
        seen = 0

        def advance(self, source, status, reason=None):
            self.seen += 1
            if self.seen == after:
                raise KeyboardInterrupt

    summary = run_batch([str(folder)], str(tmp_path / "d.sqlite"), jobs=jobs, reporter=CtrlC())
    assert summary.interrupted
    assert len(rows_by_source(tmp_path / "d.sqlite")) == after
    again = run_batch([str(folder)], str(tmp_path / "d.sqlite"), jobs=jobs)
    assert again.skipped == after and not again.interrupted
    assert snapshot(tmp_path / "d.sqlite") == snapshot(clean)


def test_a_new_tool_version_parses_again(folder, tmp_path):
    db = str(tmp_path / "d.sqlite")
    run_batch([str(folder / "seed.txt")], db)
    assert run_batch([str(folder / "seed.txt")], db).skipped == 1
    assert run_batch([str(folder / "seed.txt")], db, tool_version="9.9.9").processed == 1
    with open_db(db) as ds:
        assert ds.conn.execute("SELECT tool_version FROM reports").fetchall() == [("9.9.9",)]


# -- the command ---------------------------------------------------------------------------------------


def cli():
    return click.Group(commands=[batch, export, fetch])


def test_batch_command_fetches_urls_with_the_cache_it_is_given(tmp_path):
    """The command makes its fetcher only for URLs (a batch of files loads no network code), with
    the fetch options of the command line: here --cache, which must then hold the page."""
    cache = tmp_path / "cache"
    with Site() as site:
        site.add("/r.html", utf8_page(3))
        db = str(tmp_path / "d.sqlite")
        args = ["batch", site.url("/r.html"), "--db", db, "-j", "1", "--cache", str(cache), "--delay", "0"]
        result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output
    assert rows_by_source(tmp_path / "d.sqlite")[site.url("/r.html")]["status"] == "parsed"
    assert any(p.is_file() for p in cache.rglob("*"))  # fetched through the cache named


def test_batch_command_summary_and_exit_codes(folder, tmp_path):
    db = str(tmp_path / "d.sqlite")
    result = CliRunner().invoke(cli(), ["batch", str(folder / "seed.txt"), "--db", db, "-j", "1"])
    assert result.exit_code == 0 and result.stdout == ""
    # stderr is not a terminal here: no progress bar, only the summary lines
    assert result.stderr.startswith("disclosure: 1 inputs: 1 parsed, 0 failed") and "\x1b" not in result.stderr
    result = CliRunner().invoke(cli(), ["batch", str(folder), "--db", db, "-j", "2", "-o", "json"])
    assert result.exit_code == 2
    summary = __import__("json").loads(result.stdout)
    assert summary["skipped"] == 1 and summary["failed_by_reason"]["binary"] == 1
    result = CliRunner().invoke(cli(), ["batch", "--db", db])
    assert result.exit_code == 2 and "give files" in result.stderr


def test_batch_command_reports_an_interrupt(folder, tmp_path, monkeypatch):
    def interrupted(self, outcomes, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(Dataset, "write_many", interrupted)
    result = CliRunner().invoke(cli(), ["batch", str(folder), "--db", str(tmp_path / "d.sqlite"), "-j", "1"])
    assert result.exit_code == 130
    assert "interrupted: everything above is saved" in result.stderr


def test_a_broken_dataset_file_is_one_error_line(folder, tmp_path):
    (tmp_path / "junk.sqlite").write_bytes(b"junk" * 1000)
    result = CliRunner().invoke(cli(), ["batch", str(folder), "--db", str(tmp_path / "junk.sqlite")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr and "junk.sqlite" in result.stderr


# -- the corpus, killed part-way -----------------------------------------------------------------------

SLOW_BATCH = textwrap.dedent(
    """
    import sys, time
    import disclosure_cli.batch as b

    real = b.process
    def slow(*args, **kw):  # slow enough to be killed in the middle
        time.sleep(0.05)
        return real(*args, **kw)
    b.process = slow
    # in this process, committing every 4 inputs (a kill loses at most the chunk held)
    b.run_batch([sys.argv[1]], sys.argv[2], jobs=1, timeout=None, max_memory=None, chunk=4)
    """
)


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_corpus_batch_killed_part_way_then_rerun_equals_an_uninterrupted_run(corpus, tmp_path):
    pages = tmp_path / "corpus"
    shutil.copytree(corpus, pages)
    clean, killed = tmp_path / "clean.sqlite", tmp_path / "killed.sqlite"
    total = run_batch([str(pages)], str(clean), jobs=2).inputs

    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BATCH, str(pages), str(killed)], cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while _count(killed) < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = _count(killed)
    assert 8 <= committed < total, "the batch was not killed part-way"

    again = run_batch([str(pages)], str(killed), jobs=2)
    assert again.skipped == committed and again.processed + again.duplicates == total - committed
    assert snapshot(killed) == snapshot(clean)


def test_a_glob_matching_nothing_is_recorded(tmp_path):
    summary = run_batch([str(tmp_path / "nothing-*.html")], str(tmp_path / "d.sqlite"))
    assert summary.failed == {"unreadable": 1}


# -- the values' key index: dropped for a bulk run, built again at its end ---------------------------------


def _has_key_index(conn: sqlite3.Connection) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'report_values_key'"
    return conn.execute(query).fetchone() is not None


def _spy_writes(monkeypatch) -> list[bool]:
    """Whether the key index was there at each chunk written."""
    seen: list[bool] = []
    write_many = Dataset.write_many

    def spy(self, outcomes, *args, **kwargs):
        seen.append(_has_key_index(self.conn))
        return write_many(self, outcomes, *args, **kwargs)

    monkeypatch.setattr(Dataset, "write_many", spy)
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bulk_batch_writes_without_the_key_index_and_builds_it_at_the_end(folder, tmp_path, monkeypatch, jobs):
    seen = _spy_writes(monkeypatch)
    db = tmp_path / "d.sqlite"
    run_batch([str(folder)], str(db), jobs=jobs, chunk=2)
    assert len(seen) > 2 and not any(seen)
    conn = sqlite3.connect(db)
    assert _has_key_index(conn)
    plan = " ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN SELECT value FROM report_values WHERE key = 'x'"))
    assert "report_values_key" in plan
    total = "SELECT count(*), sum(value) FROM report_values {} WHERE key = 'requests.new.total'"
    by_index = conn.execute(total.format("")).fetchone()
    by_scan = conn.execute(total.format("NOT INDEXED")).fetchone()
    conn.close()
    assert by_index == by_scan and by_index[0] == 1 + len(synth.SHAPES)


def test_a_small_batch_into_a_larger_dataset_keeps_the_key_index(folder, tmp_path, monkeypatch):
    db = tmp_path / "d.sqlite"
    run_batch([str(folder)], str(db))
    seen = _spy_writes(monkeypatch)
    new = tmp_path / "new.html"
    new.write_text(synth.render(synth.random_report(7, "2021"), "html"), "utf-8")
    assert run_batch([str(new)], str(db)).processed == 1
    assert seen == [True]


def test_a_run_killed_without_its_key_index_gets_it_back_at_the_next_open(folder, tmp_path):
    db = tmp_path / "d.sqlite"
    run_batch([str(folder)], str(db))
    with open_db(str(db)) as ds:
        assert ds.defer_value_index(10**6) and not _has_key_index(ds.conn)  # as a killed bulk run leaves it
    with open_db(str(db)) as ds:
        assert _has_key_index(ds.conn)


def test_the_first_chunks_are_small_so_a_short_batch_writes_as_it_parses(tmp_path, monkeypatch):
    """Chunks of FIRST_CHUNK inputs, doubling up to ``chunk``: a batch of 40 is not left with all 40
    to write after its last parse, and a long one still commits ``chunk`` at a time."""
    from disclosure_cli import batch as batch_module

    sizes: list[int] = []
    write_many = Dataset.write_many

    def spy(self, outcomes, *args, **kwargs):
        sizes.append(len(outcomes))
        return write_many(self, outcomes, *args, **kwargs)

    monkeypatch.setattr(Dataset, "write_many", spy)
    monkeypatch.setattr(batch_module, "CHUNK_SECONDS", 1e9)  # sizes only, however slow the machine
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(40):
        (pages / f"{i:02d}.txt").write_text(synth.render(synth.random_report(i, "2021"), "lines"), "utf-8")
    summary = run_batch([str(pages)], str(tmp_path / "d.sqlite"), jobs=1, chunk=16)
    assert summary.parsed == 40
    assert batch_module.FIRST_CHUNK == 8 and sizes == [8, 16, 16]
    sizes.clear()
    run_batch([str(pages)], str(tmp_path / "again.sqlite"), jobs=1, chunk=4)
    assert sizes == [4] * 10
