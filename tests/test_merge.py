"""Issue 13, point 6: chunked writes and `disclosure merge` of shards batched on several machines."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from disclosure_cli.batch import run_batch
from disclosure_cli.cli import main
from disclosure_cli.dataset import Outcome, merge, open_db
from disclosure_cli.testing import synth


def snapshot(db) -> list:
    """Reports (without processing times and ids) with their values and findings, by source."""
    conn = sqlite3.connect(db)
    out = []
    for rid, source, status, dup, sha in conn.execute(
        "SELECT id, source, status, duplicate_of, sha256 FROM reports ORDER BY source"
    ).fetchall():
        values = conn.execute("SELECT key, value, raw FROM report_values WHERE report_id = ? ORDER BY key", (rid,))
        findings = conn.execute("SELECT code, where_key FROM findings WHERE report_id = ? ORDER BY code, where_key",
                                (rid,))  # fmt: skip
        out.append((source, status, dup, sha, values.fetchall(), findings.fetchall()))
    conn.close()
    return out


def has_key_index(db) -> bool:
    """The values' (key, value) index, which a merge of many reports drops while it writes, is back."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'report_values_key'").fetchone() is not None
    finally:
        conn.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shards")
    paths = []
    for s in synth.random_series(7, 2020, 4):
        path = tmp / f"r{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        paths.append(str(path))
    copy = tmp / "copy_of_2021.html"  # the same bytes under another name
    copy.write_bytes((tmp / "r2021.html").read_bytes())
    (tmp / "junk.txt").write_text("nothing to see", encoding="utf-8")
    return tmp, paths, str(copy), str(tmp / "junk.txt")


def test_chunked_writes_are_all_or_nothing(tmp_path):
    ds = open_db(str(tmp_path / "d.sqlite"))
    good = Outcome("a.txt", "failed", reason="pdf", error="x")
    bad = Outcome("b.txt", "no-such-status")  # the CHECK constraint refuses it
    with pytest.raises(sqlite3.IntegrityError):
        ds.write_many([good, bad])
    assert ds.counts()["reports"] == 0
    assert len(ds.write_many([good, Outcome("c.txt", "failed", reason="pdf")])) == 2
    ds.close()


def test_merge_of_shards_equals_one_batch(pages, tmp_path):
    _tmp, paths, copy, junk = pages
    whole = tmp_path / "whole.sqlite"
    run_batch([*paths, copy, junk], str(whole), jobs=1)
    a, b, out = tmp_path / "a.sqlite", tmp_path / "b.sqlite", tmp_path / "out.sqlite"
    run_batch([*paths[:2], junk], str(a), jobs=1)
    run_batch([*paths[1:], copy], str(b), jobs=1)  # 2021 again, and its copy under another name
    result = CliRunner().invoke(main, ["merge", str(a), str(b), "--db", str(out), "-o", "json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert not summary["extended"] and summary["per_input"] == {str(a): 3, str(b): 4}
    assert summary["kept"] == 1  # r2021.html: the same bytes in both shards
    assert snapshot(out) == snapshot(whole)
    assert not list(tmp_path.glob("out.sqlite.merging-*"))
    assert has_key_index(out)


def test_merge_extends_an_existing_dataset_and_refuses_anything_else(pages, tmp_path):
    _tmp, paths, _copy, _junk = pages
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    run_batch(paths[:2], str(a), jobs=1)
    run_batch(paths[2:], str(b), jobs=1)
    summary = merge([str(a), str(b)], str(a))  # a shard extended in place (a itself is the base)
    assert summary.extended and summary.added == 2 and summary.per_input == {str(b): 2}
    assert len(snapshot(a)) == 4 and has_key_index(a)
    other = tmp_path / "notes.txt"
    other.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["merge", str(b), "--db", str(other)])
    assert result.exit_code == 2 and "nothing written" in result.stderr
    assert other.read_text(encoding="utf-8") == "mine"
    result = CliRunner().invoke(main, ["merge", str(b), str(other), "--db", str(tmp_path / "new.sqlite")])
    assert result.exit_code == 2 and not (tmp_path / "new.sqlite").exists()


def test_a_parsed_report_beats_a_failure_of_the_same_source(tmp_path):
    a, b, out = (str(tmp_path / n) for n in ("a.sqlite", "b.sqlite", "out.sqlite"))
    with open_db(a) as ds:
        ds.write(
            Outcome("http://x/r.html", "failed", reason="http-503", error="busy", processed_at="2026-12-02T10:00:00")
        )
    with open_db(b) as ds:
        report = {"agency": "某局", "year": 2024, "format": "2021"}
        ds.write(Outcome("http://x/r.html", "parsed", sha256="f" * 64, report=report, processed_at="2026-12-01T10:00"))
    assert merge([a, b], out).replaced == 1
    assert [row[1] for row in snapshot(out)] == ["parsed"]


def test_batch_writes_one_transaction_per_chunk(pages, tmp_path, monkeypatch):
    import disclosure_cli.batch as batch_module
    from disclosure_cli.dataset import Dataset

    _tmp, paths, copy, junk = pages
    calls = []
    real = Dataset.write_many
    monkeypatch.setattr(batch_module, "CHUNK_SECONDS", 3600)
    monkeypatch.setattr(
        Dataset, "write_many", lambda self, outcomes, *a: calls.append(len(outcomes)) or real(self, outcomes, *a)
    )
    run_batch([*paths, copy, junk], str(tmp_path / "d.sqlite"), jobs=1, chunk=4)
    assert calls == [4, 2]


def test_merge_joins_one_place_across_shards_and_fills_regions_of_an_older_shard(tmp_path):
    """A county renamed between years (洪泽县 → 淮安市洪泽区), batched on two machines, one of them
    with a version-3 tool (no region columns): the merge carries regions and one series."""
    paths = []
    for s, name in zip(synth.random_series(21, 2021, 2), ("洪泽县人民政府", "淮安市洪泽区人民政府")):
        s.agency = name
        path = tmp_path / f"h{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        paths.append(str(path))
    a, b, out = (str(tmp_path / n) for n in ("a.sqlite", "b.sqlite", "out.sqlite"))
    run_batch(paths[:1], a, jobs=1)
    run_batch(paths[1:], b, jobs=1)
    conn = sqlite3.connect(a)  # as version 3 wrote it
    with conn:
        conn.execute("DROP INDEX reports_region")
        for column in ("region_code", "region_name", "region_level", "province_code", "prefecture_code", "department"):
            conn.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 3")
    conn.close()
    summary = merge([a, b], out)
    assert summary.added == 2
    conn = sqlite3.connect(out)
    rows = conn.execute("SELECT agency, region_code, region_name, department FROM reports ORDER BY year").fetchall()
    assert rows == [
        ("洪泽县人民政府", "320813", "江苏省淮安市洪泽区", "人民政府"),
        ("淮安市洪泽区人民政府", "320813", "江苏省淮安市洪泽区", "人民政府"),
    ]
    assert conn.execute("SELECT count(*) FROM series_pending").fetchone()[0] == 0  # computed by the merge
    conn.close()
    from disclosure_cli.dataset import open_readonly
    from disclosure_cli.series import group

    with open_readonly(out) as ds:
        assert [s.years for s in group(ds.records())] == [[2021, 2022]]
