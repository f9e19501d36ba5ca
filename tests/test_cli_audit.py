"""`disclosure audit` and `disclosure rules`: verdicts, machine output, selection, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from disclosure_cli.auditing.rules import RULES, rules_markdown
from disclosure_cli.cli import main
from disclosure_cli.render import FINDING_FIELDS
from disclosure_cli.testing import synth

from .conftest import ROOT, SEED


def run(*args: str, input: bytes | None = None, env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False, env=env)


@pytest.fixture
def broken(tmp_path):
    """A report whose 自然人 carried-forward cell is off by one (and the row total with it)."""
    s = synth.random_report(4, "2019")
    for key in ("requests.carried_forward.natural_person", "requests.carried_forward.total"):
        s.values[key] += 1
        s.texts[key] = str(s.values[key])
    path = tmp_path / "broken.txt"
    path.write_text(synth.render_lines(s), encoding="utf-8")
    return path


def test_seed_audits_clean_and_exits_0():
    result = run("audit", str(SEED), "--lang", "en")
    assert result.exit_code == 0
    assert "✓ clean: 深圳市人民政府 2020 (2019 format), 40 sums checked" in result.stdout
    assert result.stderr == ""


def test_findings_exit_1_with_the_equation(broken):
    result = run("audit", str(broken), "--lang", "zh")
    assert result.exit_code == 1
    assert "R001" in result.stdout and "requests-balance" in result.stdout
    assert re.search(r"自然人列：本年新收 \d+(?: \+ 上年结转 \d+（\d+）)? ≠ 办理结果总计", result.stdout)
    assert "[错误]" in result.stdout
    assert "✗" in result.stdout


def test_exit_zero_and_select_ignore(broken):
    assert run("audit", str(broken), "--exit-zero").exit_code == 0
    assert run("audit", str(broken), "--ignore", "R").exit_code == 0
    assert run("audit", str(broken), "--select", "A001").exit_code == 0
    assert run("audit", str(broken), "--select", "requests-balance").exit_code == 1
    assert run("audit", str(broken), "--min-severity", "error").exit_code == 1


def test_unknown_rule_in_select_is_a_usage_error(broken):
    result = run("audit", str(broken), "--select", "Z999")
    assert result.exit_code == 2
    assert "no rule matches" in result.stderr


def test_jsonl_one_finding_per_line_with_source_agency_year(broken):
    result = run("audit", str(broken), "-o", "jsonl", "--lang", "en")
    assert result.exit_code == 1
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert {f["code"] for f in findings} == {"R001"}
    f = next(f for f in findings if f["where"] == "requests.*.natural_person")
    assert f["source"] == str(broken) and f["year"] in (2019, 2020) and f["agency"]
    assert f["difference"] == 1
    assert all("line" in n["loc"] for n in f["numbers"])


def test_csv_and_json(broken):
    rows = list(csv.DictReader(io.StringIO(run("audit", str(broken), "-o", "csv").stdout)))
    assert tuple(rows[0]) == FINDING_FIELDS
    assert {r["code"] for r in rows} == {"R001"}
    reports = json.loads(run("audit", str(broken), str(SEED), "-o", "json").stdout)
    assert [len(r["findings"]) for r in reports] == [2, 0]
    assert reports[0]["blank_convention"] == "zero"


def test_language_follows_the_locale(broken):
    zh = run("audit", str(broken), "-o", "jsonl", env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    en = run("audit", str(broken), "-o", "jsonl", env={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert "列" in json.loads(zh.stdout.splitlines()[0])["message"]
    assert "column" in json.loads(en.stdout.splitlines()[0])["message"]


def test_batch_finishes_every_input_before_exiting_2(tmp_path, broken):
    missing = tmp_path / "gone.html"
    result = run("audit", str(missing), str(broken), str(SEED), "-o", "jsonl")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"disclosure: error: {missing}: no such file"
    assert len(result.stdout.splitlines()) == 2


def test_rules_lists_and_explains():
    listing = run("rules", "--lang", "en")
    assert listing.exit_code == 0
    for r in RULES:
        assert r.code in listing.stdout
    explained = run("rules", "R001")
    assert explained.exit_code == 0
    assert "requests-balance (error)" in explained.stdout and "Example:" in explained.stdout
    assert run("rules", "requests-balance").stdout == explained.stdout
    assert run("rules", "X123").exit_code == 2


def test_readme_rule_section_is_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- rules:start -->\n", 1)[1].split("\n<!-- rules:end -->", 1)[0]
    assert section == rules_markdown(), "regenerate: python -m disclosure_cli.auditing.rules"


@pytest.mark.parametrize("command", ["audit", "rules"])
def test_help(command):
    assert run(command, "--help").exit_code == 0


def test_issue_12_baseline_hides_reviewed_findings(broken, tmp_path):
    base = tmp_path / "reviewed.json"
    first = run("audit", str(broken), "--lang", "en", "--write-baseline", str(base))
    assert first.exit_code == 1 and "R001" in first.stdout
    data = json.loads(base.read_text(encoding="utf-8"))
    assert data["kind"] == "disclosure-audit-baseline" and {f["code"] for f in data["findings"]} >= {"R001"}
    again = run("audit", str(broken), "--lang", "en", "--baseline", str(base))
    assert again.exit_code == 0
    assert "R001" not in again.stdout and "already reviewed" in again.stderr
    assert not list(tmp_path.glob(".reviewed.json.*"))  # the temporary file of the atomic write is gone


def test_issue_12_fingerprint_ignores_line_numbers(broken, tmp_path):
    from disclosure_cli.auditing import audit
    from disclosure_cli.parse import parse_bytes

    text = broken.read_text(encoding="utf-8")
    a = audit(parse_bytes(text.encode(), source="a")).findings
    b = audit(parse_bytes(("\n\n" + text).encode(), source="b")).findings  # every line moved down by two
    assert a[0].terms[0].loc != b[0].terms[0].loc
    assert [f.fingerprint("x", 2020) for f in a] == [f.fingerprint("x", 2020) for f in b]
    assert a[0].fingerprint("x", 2020) != a[0].fingerprint("x", 2021)


def test_issue_12_write_baseline_never_overwrites_another_file(broken, tmp_path):
    precious = tmp_path / "report.txt"
    precious.write_text("not a baseline", encoding="utf-8")
    result = run("audit", str(broken), "--write-baseline", str(precious))
    assert result.exit_code == 2 and "not overwritten" in result.stderr
    assert precious.read_text(encoding="utf-8") == "not a baseline"
    assert run("audit", str(broken), "--baseline", str(precious)).exit_code == 2
