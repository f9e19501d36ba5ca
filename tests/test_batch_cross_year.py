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


# --- issue 13, item 8: a series settles glued table-2 rows, and batch stores what it settled -----------


def glued_page(s: synth.Synthetic, row_key: str = "normative_documents") -> str:
    """The page one cell per line, with the cells of table-2 row ``row_key`` run together."""
    lines = synth.render_lines(s).splitlines()
    at = lines.index(s.spec.table("active").row(row_key).label, lines.index("二、主动公开政府信息情况"))
    width = len(s.printed("active", row_key))
    lines[at + 1 : at + 1 + width] = ["".join(lines[at + 1 : at + 1 + width])]
    return "\n".join(lines) + "\n"


@pytest.fixture
def glued_series(tmp_path):
    """2022 with 16 in force, then 2023 printing 「行政规范性文件5615」: only 5|6|15 follows from 16."""
    first, second = synth.random_series(13, 2022, 2)
    for s, (issued, repealed, in_force) in ((first, (20, 4, 16)), (second, (5, 6, 15))):
        for col, n in zip(("issued", "repealed", "in_force"), (issued, repealed, in_force)):
            s.values[f"active.normative_documents.{col}"] = n
            s.texts[f"active.normative_documents.{col}"] = str(n)
    before = tmp_path / "r2022.txt"
    before.write_text(synth.render_lines(first), encoding="utf-8")
    glued = tmp_path / "r2023.txt"
    glued.write_text(glued_page(second), encoding="utf-8")
    return first, str(before), str(glued)


def stored(db, source: str) -> tuple[dict, list[str], list[str]]:
    """(normative_documents values by column, note codes about that row, audit finding codes) of a report."""
    import json

    conn = sqlite3.connect(db)
    rid, notes = conn.execute("SELECT id, notes FROM reports WHERE source = ?", (source,)).fetchone()
    values = {
        col: (value, inferred)
        for col, value, inferred in conn.execute(
            "SELECT column_key, value, inferred FROM report_values WHERE report_id = ? AND row_key = ?",
            (rid, "normative_documents"),
        )
    }
    codes = [n["code"] for n in json.loads(notes) if n.get("rows") == ["active.normative_documents"]]
    audit_codes = [
        c for (c,) in conn.execute("SELECT code FROM findings WHERE report_id = ? AND kind = 'audit'", (rid,))
    ]
    conn.close()
    return values, codes, audit_codes


def test_issue13_item8_batch_stores_what_the_arriving_year_settles(tmp_path, glued_series):
    _, before, glued = glued_series
    db = str(tmp_path / "d.sqlite")
    run_batch([glued], db, jobs=1)  # 2023 alone: three readings, left unread
    values, notes, audit_codes = stored(db, glued)
    assert values == {} and notes == ["row-ambiguous"] and "S008" in audit_codes
    summary = run_batch([before, glued], db, jobs=1)  # 2022 arrives: its 16 in force settles 2023
    assert summary.skipped == 1 and summary.series == 1
    values, notes, audit_codes = stored(db, glued)
    assert {col: v for col, (v, _) in values.items()} == {"issued": 5, "repealed": 6, "in_force": 15}
    assert all("settled across years by 2022" in inferred for _, inferred in values.values())
    assert notes == ["row-recovered"] and "S008" not in audit_codes and "S009" in audit_codes
    assert y_findings(db) == []
    with open_db(db) as ds:  # what the dataset gives back is the settled record
        (record,) = [r for r in ds.records() if r.source == glued]
        assert record.get("active", "normative_documents", "in_force") == 15
    run_batch([before, glued], db, jobs=1)  # nothing new: nothing changes
    assert stored(db, glued)[0] == values


def test_issue13_item8_batch_stores_y008_when_no_reading_agrees(tmp_path, glued_series):
    first, before, glued = glued_series
    first.values["active.normative_documents.in_force"], first.texts["active.normative_documents.in_force"] = 90, "90"
    (tmp_path / "r2022.txt").write_text(synth.render_lines(first), encoding="utf-8")
    db = str(tmp_path / "d.sqlite")
    summary = run_batch([before, glued], db, jobs=1)
    assert y_findings(db) == [(glued, "Y008", "active.normative_documents")]
    assert summary.findings["Y008"] == 1
    values, notes, _ = stored(db, glued)
    assert values == {} and notes == ["row-ambiguous"]  # the row stays unread
    run_batch([before, glued], db, jobs=1)
    assert y_findings(db) == [(glued, "Y008", "active.normative_documents")]  # stored once, not twice


def test_a_lone_report_is_not_read_back_and_a_series_of_two_still_is(tmp_path, series, monkeypatch):
    """Cross-year findings need two years: a series of one report is not read back from the dataset
    (most series of a first national batch), and the series of two still gets its findings."""
    from disclosure_cli.dataset import Dataset

    lone = synth.random_report(3, "2021")
    lone.agency = "上海市交通委员会"
    inputs = [write(tmp_path / "r2022.html", series[1]), write(tmp_path / "r2023.html", series[2])]
    inputs.append(write(tmp_path / "lone.html", lone))
    read_back: list[list[str] | None] = []
    records = Dataset.records

    def spy(self, sources=(), agencies=None):
        read_back.append(agencies)
        return records(self, sources, agencies)

    monkeypatch.setattr(Dataset, "records", spy)
    summary = run_batch(inputs, str(tmp_path / "d.sqlite"), jobs=1)
    assert summary.parsed == 3 and summary.series == 2
    assert read_back == [[series[1].agency]]
    assert ("Y005", "appeals") in {(c, w) for s, c, w in y_findings(tmp_path / "d.sqlite") if s == inputs[1]}
