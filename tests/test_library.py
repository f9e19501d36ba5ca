"""The library is the product: every command is one call of it, and renders the object that call returns."""

from __future__ import annotations

import doctest
import io
import re
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

import disclosure_cli
from disclosure_cli import Failure, FetchOptions, audit, compare, read_sources, trend
from disclosure_cli.batch import run_batch
from disclosure_cli.cli import main
from disclosure_cli.show import show_audit, show_trend

from .conftest import FIXTURES, ROOT, SEED
from .httpserver import Site, utf8_page

SERIES = sorted(str(p) for p in FIXTURES.glob("synthetic_series_*.html"))


def test_the_readme_library_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## As a library\n.*?```pycon\n(.*?)```", text, re.S)
    assert block is not None
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README", "README.md", 0)
    assert len(test.examples) >= 8
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0


def test_every_name_exported_is_there():
    for name in disclosure_cli.__all__:
        assert getattr(disclosure_cli, name) is not None, name
    assert callable(disclosure_cli.audit) and callable(disclosure_cli.trend)


def test_read_sources_yields_records_and_failures_in_input_order(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    (folder / "b.html").write_text("<html><body><p>nothing to see</p></body></html>", encoding="utf-8")
    with Site() as site:
        url = site.add("/report.html", utf8_page(7), headers={"Content-Type": "text/html; charset=utf-8"})
        options = FetchOptions(cache_dir=str(tmp_path / "cache"), delay=0, timeout=5, ignore_robots=True)
        items = list(read_sources([str(folder), url, str(tmp_path / "absent.txt")], options=options))
    kinds = [(type(i).__name__, i.source) for i in items]
    assert kinds == [
        ("Record", str(folder / "a.txt")),
        ("Failure", str(folder / "b.html")),
        ("Record", url),
        ("Failure", str(tmp_path / "absent.txt")),
    ]
    assert isinstance(items[3], Failure) and items[3].reason == "unreadable" and items[3].message == "no such file"
    assert items[1].reason in ("not-a-report", "no-table-text")


def test_the_audit_command_renders_what_the_library_returns():
    for fmt in ("json", "jsonl", "csv", "text"):
        cli = CliRunner().invoke(main, ["audit", *SERIES, str(SEED), "-o", fmt, "--lang", "en"])
        out = io.StringIO()
        records = [r for r in read_sources([*SERIES, str(SEED)]) if not isinstance(r, Failure)]
        show_audit(audit(records, min_severity="warning"), fmt, out, "en")
        assert cli.stdout == out.getvalue(), fmt


def test_the_trend_command_renders_what_the_library_returns():
    records = [r for r in read_sources(SERIES) if not isinstance(r, Failure)]
    result = trend(records, min_severity="warning")
    for fmt in ("json", "csv", "text"):
        cli = CliRunner().invoke(main, ["trend", *SERIES, "-o", fmt, "--lang", "en", "--top", "4"])
        out = io.StringIO()
        show_trend(result.series, fmt, out, "en", top=4)
        assert cli.stdout == out.getvalue(), fmt


def test_audit_reports_a_corrupted_year_and_the_cross_year_break():
    pages = [Path(p).read_text(encoding="utf-8") for p in SERIES]
    records = []
    for i, page in enumerate(pages):
        if i == 1:  # the middle year: one published number changed
            page = page.replace(">80<", ">81<", 1)
        records.append(disclosure_cli.parse_bytes(page.encode(), source=f"y{i}.html"))
    report = audit(records)
    assert report.found > 0
    assert [len(r.shown) > 0 for r in report.reports] == [False, True, False]


def test_compare_names_two_agencies_and_refuses_one_year():
    records = [r for r in read_sources([SERIES[1], str(SEED)]) if not isinstance(r, Failure)]
    comparison = compare(*records)
    assert comparison.agencies is not None and "深圳市人民政府" in comparison.agencies
    assert compare(*records, agency="某局").agencies is None
    try:
        compare(records[0], records[0])
    except ValueError as exc:
        assert "different years" in str(exc)
    else:
        raise AssertionError("compare of one year must refuse")


def test_batch_with_another_blank_convention_is_not_skipped(tmp_path):
    """--blank is part of what a dataset row was made with: re-running with --blank skip must audit again."""
    page = (FIXTURES / "synthetic_2019_html.html").read_text(encoding="utf-8")
    cell = re.search(r"<td>(\d+)</td>", page)
    assert cell is not None
    (tmp_path / "blank.html").write_text(page.replace(cell.group(0), "<td></td>", 1), encoding="utf-8")
    db = tmp_path / "d.sqlite"
    first = run_batch([str(tmp_path / "blank.html")], str(db), timeout=None, max_memory=None)
    again = run_batch([str(tmp_path / "blank.html")], str(db), blank="skip", timeout=None, max_memory=None)
    assert (first.processed, again.processed, again.skipped) == (1, 1, 0)
    same = run_batch([str(tmp_path / "blank.html")], str(db), blank="skip", timeout=None, max_memory=None)
    assert (same.processed, same.skipped) == (0, 1)
    conn = sqlite3.connect(db)
    versions = sorted(v for (v,) in conn.execute("SELECT tool_version FROM reports"))
    assert len(versions) == 1 and versions[0].endswith("+blank=skip")  # one row per source: the latest run's
