"""Issue 13, point 3: `batch` stores cross-year findings (Y codes) per series, recomputed when a
year arrives or changes, and resumably."""

from __future__ import annotations

import sqlite3

import pytest

from disclosure_cli.batch import run_batch
from disclosure_cli.dataset import open_db
from disclosure_cli.testing import synth


def y_findings(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT r.source, f.code, f.where_key FROM findings f JOIN reports r ON r.id = f.report_id"
        " WHERE f.kind = 'cross-year' ORDER BY r.source, f.code, f.where_key"
    ).fetchall()
    conn.close()
    return rows


def write(path, s):
    path.write_text(synth.render_html(s), encoding="utf-8")
    return str(path)


@pytest.fixture
def series(tmp_path):
    """Three consistent years of one agency; 2022 repeats 2021's table 4 exactly (Y005)."""
    reports = synth.random_series(9, 2021, 3)
    for key in [k for k in reports[1].values if k.startswith("appeals.")]:
        reports[2].values[key], reports[2].texts[key] = reports[1].values[key], reports[1].texts[key]
    return reports


def test_issue13_batch_stores_cross_year_findings_as_years_arrive(tmp_path, series):
    db = str(tmp_path / "d.sqlite")
    first = [write(tmp_path / f"r{s.year}.html", s) for s in series[:2]]
    run_batch(first, db, jobs=1)
    assert y_findings(db) == []  # two consistent years
    third = write(tmp_path / "r2023.html", series[2])
    summary = run_batch([*first, third], db, jobs=1)
    assert summary.skipped == 2 and summary.series == 1
    assert ("Y005", "appeals") in {(c, w) for s, c, w in y_findings(db) if s == third}
    assert summary.findings["Y005"] == 1
    # the 2023 report changes (a corrected page): its series is computed again, Y005 goes away
    fixed = series[2]
    key = "appeals.review.upheld"
    fixed.values[key] = fixed.values[key] + 1
    fixed.values["appeals.review.total"] += 1
    fixed.texts[key], fixed.texts["appeals.review.total"] = (
        str(fixed.values[key]),
        str(fixed.values["appeals.review.total"]),
    )
    write(tmp_path / "r2023.html", fixed)
    run_batch([*first, third], db, jobs=1)
    assert not any(c == "Y005" for _, c, _ in y_findings(db))


def test_cross_year_findings_are_resumable(tmp_path, series, monkeypatch):
    """Killed between writing the inputs and computing their series: the next run computes them."""
    from disclosure_cli.dataset import Dataset

    paths = [write(tmp_path / f"r{s.year}.html", s) for s in series]
    clean = str(tmp_path / "clean.sqlite")
    run_batch(paths, clean, jobs=1)
    killed = str(tmp_path / "killed.sqlite")
    monkeypatch.setattr(Dataset, "refresh_series", lambda self, should_stop=None: 0)
    run_batch(paths, killed, jobs=1)
    with open_db(killed) as ds:
        assert ds.pending_series() and not y_findings(killed)
    monkeypatch.undo()
    again = run_batch(paths, killed, jobs=1)
    assert again.skipped == 3 and again.series == 1
    assert y_findings(killed) == y_findings(clean) and y_findings(clean)
    with open_db(killed) as ds:
        assert ds.pending_series() == []


def test_a_dataset_of_schema_2_computes_every_series_once(tmp_path, series):
    paths = [write(tmp_path / f"r{s.year}.html", s) for s in series]
    db = str(tmp_path / "d.sqlite")
    run_batch(paths, db, jobs=1)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM findings WHERE kind = 'cross-year'")
        conn.execute("DROP TABLE series_pending")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    summary = run_batch(paths, db, jobs=1)
    assert summary.series == 1 and y_findings(db)
