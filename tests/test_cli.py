"""The command line: exit codes, stdout for data, stderr for people, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from disclosure_cli.cli import main
from disclosure_cli.output import CSV_FIELDS

from .conftest import SEED


def run(*args: str, input: bytes | None = None, env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False, env=env)


def test_parse_json_is_an_array_of_whole_records():
    result = run("parse", str(SEED))
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 1
    assert records[0]["agency"] == "深圳市人民政府"
    assert records[0]["tables"]["requests"]["new"]["total"] == {
        "value": 5915,
        "raw": "5915",
        "loc": {"line": 91, "column": 1},
    }
    assert result.stderr == ""


def test_parse_csv_is_tidy():
    result = run("parse", str(SEED), "-o", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == 198
    assert {"source", "agency", "year", "format", "table", "row", "column", "value", "raw"} <= set(rows[0])
    first = rows[0]
    assert (first["table"], first["row"], first["column"], first["value"]) == (
        "active",
        "regulations",
        "new_made",
        "15",
    )


def test_parse_jsonl_from_stdin():
    result = run("parse", "-o", "jsonl", input=SEED.read_bytes())
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["source"] == "<stdin>"


def test_bad_inputs_get_one_line_each_and_good_ones_still_parse(tmp_path):
    binary = tmp_path / "program.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    legacy = tmp_path / "old.txt"
    legacy.write_text("某县人民政府2015年政府信息公开工作年度报告\n一、概述\n", encoding="utf-8")
    result = run("parse", str(binary), str(tmp_path / "missing.html"), str(SEED), str(legacy), "-o", "jsonl")
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1
    errors = result.stderr.splitlines()
    assert errors == [
        f"disclosure: error: {binary}: binary file, not a text or HTML report",
        f"disclosure: error: {tmp_path / 'missing.html'}: no such file",
        f"disclosure: error: {legacy}: legacy format (report year 2015), not supported",
    ]
    assert "Traceback" not in result.output


def test_max_size(tmp_path):
    result = run("parse", str(SEED), "--max-size", "0.001")
    assert result.exit_code == 2
    assert "too large" in result.stderr


def test_warnings_go_to_stderr_and_quiet_silences_them():
    page = SEED.read_text(encoding="utf-8").replace("政府集中採購\n", "其他主動公開檔案\n1\n2\n3\n政府集中採購\n")
    loud = run("parse", "-o", "jsonl", input=page.encode())
    assert loud.exit_code == 0
    assert "其他主動公開檔案" in loud.stderr and "extra" in loud.stderr
    quiet = run("parse", "-q", "-o", "jsonl", input=page.encode())
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout)["extra"][0]["label"] == "其他主動公開檔案"


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(main.commands))])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_bad_option_exits_2():
    assert run("parse", "-o", "xml", str(SEED)).exit_code == 2


def test_module_entry_point_and_broken_pipe():
    proc = subprocess.run([sys.executable, "-m", "disclosure_cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "disclosure" in proc.stdout
    # a reader that goes away early (| head) gets no traceback
    proc = subprocess.run(
        f'{sys.executable} -m disclosure_cli parse "{SEED}" -o csv | head -1',
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.startswith("source,agency")
    assert "Traceback" not in proc.stderr


def test_audit_and_trend_read_a_dataset(tmp_path):
    """`batch` writes a dataset; `audit --db` and `trend --db` read the same records back."""
    from disclosure_cli.testing import synth

    paths = []
    for s in synth.random_series(12, 2020, 2):
        path = tmp_path / f"r{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        paths.append(str(path))
    db = str(tmp_path / "d.sqlite")
    assert run("batch", *paths, "--db", db, "--jobs", "1").exit_code == 0
    direct = run("audit", *paths, "-o", "jsonl", "--min-severity", "info")
    from_db = run("audit", "--db", db, "-o", "jsonl", "--min-severity", "info")
    assert from_db.exit_code == direct.exit_code == 0
    assert from_db.stdout == direct.stdout
    trend_direct = run("trend", *paths, "-o", "csv")
    trend_db = run("trend", "--db", db, "-o", "csv")
    assert trend_db.stdout == trend_direct.stdout and trend_db.stdout.count("\n") > 100
    one = run("compare", paths[0], paths[1], "--db", db, "-o", "jsonl")
    assert one.exit_code == 0 and one.stdout
    missing = run("audit", "--db", db, "nowhere.html")
    assert missing.exit_code == 2 and "no parsed report" in missing.stderr


def test_urls_are_read_wherever_a_file_is(tmp_path):
    """`disclosure audit http://…` fetches through the cache (a local server; never the internet)."""
    import http.server
    import threading

    body = SEED.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/report.txt"
        result = run("audit", url, "--lang", "en", env={"DISCLOSURE_CACHE": str(tmp_path / "cache")})
        assert result.exit_code == 0, result.stderr
        assert "✓ clean: 深圳市人民政府 2020" in result.stdout
    finally:
        server.shutdown()
        server.server_close()


def test_reading_a_foreign_sqlite_file_changes_nothing(tmp_path):
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    for command in ("audit", "trend"):
        result = run(command, "--db", str(other))
        assert result.exit_code == 2 and "not a disclosure dataset" in result.stderr
    assert other.read_bytes() == before
