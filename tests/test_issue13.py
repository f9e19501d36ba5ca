"""Issue 13: the right series (--agency selects everywhere), different agencies in compare, small
agencies' moves, and export filters. One small dataset of three agencies, built once."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from disclosure_cli.cli import main
from disclosure_cli.parse import parse_bytes
from disclosure_cli.series import group, matching_agencies, moves, series_changes
from disclosure_cli.testing import synth

ZONE, BUREAU, OLD_NAME = "平潭综合实验区", "平潭综合实验区财政金融局", "平潭综合实验区财政局"


def run(*args):
    return CliRunner().invoke(main, list(args))


def _write(tmp, s, name):
    path = tmp / name
    path.write_text(synth.render_html(s), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The zone 2021-2023, the bureau 2021-2023 (its 2021 report under its old name) and a second
    bureau 2022 report with other bytes; batched into one dataset."""
    tmp = tmp_path_factory.mktemp("issue13")
    paths = {}
    for agency, seed in ((ZONE, 1), (BUREAU, 2)):
        for s in synth.random_series(seed, 2021, 3):
            s.agency = OLD_NAME if agency == BUREAU and s.year == 2021 else agency
            paths[(agency, s.year)] = _write(tmp, s, f"{seed}_{s.year}.html")
    again = synth.random_series(3, 2022, 1)[0]
    again.agency = BUREAU
    paths[("dup", 2022)] = _write(tmp, again, "dup_2022.html")
    renames = tmp / "renames.tsv"
    renames.write_text(f"{OLD_NAME}\t{BUREAU}\n", encoding="utf-8")
    db = str(tmp / "d.sqlite")
    assert run("batch", *paths.values(), "--db", db, "--jobs", "1").exit_code == 0
    return paths, db, str(renames)


def test_issue13_agency_selects_its_series_from_a_dataset(corpus):
    """`trend --db … --agency X` used to merge every agency into one series, dropping duplicate years."""
    _paths, db, renames = corpus
    result = run("trend", "--db", db, "--agency", BUREAU, "-o", "json")
    assert result.exit_code in (0, 1), result.stderr
    (series,) = json.loads(result.stdout)
    assert series["agency"] == BUREAU and series["years"] == [2022, 2023]  # 2021 is under the old name
    assert "a second report" in result.stderr and "Y007" in result.stderr  # the duplicate 2022 is said
    merged = json.loads(run("trend", "--db", db, "--agency", BUREAU, "--agency-map", renames, "-o", "json").stdout)
    assert [s["years"] for s in merged] == [[2021, 2022, 2023]]
    by_old_name = json.loads(
        run("trend", "--db", db, "--agency", OLD_NAME, "--agency-map", renames, "-o", "json").stdout
    )
    assert by_old_name == merged
    zone = json.loads(run("trend", "--db", db, "--agency", "平潭综合实验区（管委会）", "-o", "json").stdout)
    assert [(s["agency"], s["years"]) for s in zone] == [(ZONE, [2021, 2022, 2023])]


def test_agency_selects_from_files_too(corpus):
    paths, _, _ = corpus
    files = [paths[(ZONE, y)] for y in (2021, 2022)] + [paths[(BUREAU, 2022)]]
    result = run("trend", *files, "--agency", ZONE, "-o", "json")
    assert [s["agency"] for s in json.loads(result.stdout)] == [ZONE]


def test_an_unknown_agency_is_an_error_naming_those_read(corpus):
    _, db, _ = corpus
    for command in ("trend", "audit"):
        result = run(command, "--db", db, "--agency", "某某局")
        assert result.exit_code == 2 and not result.stdout
        assert "no report of agency '某某局'" in result.stderr and ZONE in result.stderr
    result = run("export", "--db", db, "--agency", "某某局")
    assert result.exit_code == 2 and "no report of agency" in result.stderr


def test_audit_db_agency_audits_that_series_only(corpus):
    _, db, renames = corpus
    result = run("audit", "--db", db, "--agency", BUREAU, "--agency-map", renames, "-o", "json", "--exit-zero")
    assert result.exit_code == 0, result.stderr
    reports = json.loads(result.stdout)
    agencies = {r["agency"] for r in reports if "agency" in r}
    assert agencies <= {BUREAU, OLD_NAME} and len([r for r in reports if r.get("year")]) == 4


def test_export_filters(corpus):
    _, db, renames = corpus

    def rows(*args):
        result = run("export", "--db", db, *args)
        assert result.exit_code == 0, result.stderr
        return list(csv.DictReader(io.StringIO(result.stdout)))

    everything = rows()
    bureau = rows("--agency", BUREAU, "--agency-map", renames)
    assert {r["agency"] for r in bureau} == {BUREAU, OLD_NAME} and len(bureau) < len(everything)
    assert {r["year"] for r in rows("--year", "2022", "--year", "2023")} == {"2022", "2023"}
    assert {r["table"] for r in rows("--table", "appeals")} == {"appeals"}
    assert {r["key"] for r in rows("--key", "requests.new.total")} == {"requests.new.total"}
    assert {r["key"] for r in rows("--key", "requests.new")} == {f"requests.new.{c}" for c in (
        "natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")}  # fmt: skip
    reports = rows("--table", "reports", "--agency", ZONE, "--year", "2023")
    assert [(r["agency"], r["year"]) for r in reports] == [(ZONE, "2023")]
    findings = rows("--table", "findings", "--code", "R")
    assert all(f["code"].startswith("R") for f in findings)
    assert run("export", "--db", db, "--table", "appeals", "--key", "requests.new").exit_code == 2


def test_compare_of_two_agencies_warns_naming_both(corpus):
    paths, _, _ = corpus
    result = run("compare", paths[(ZONE, 2021)], paths[(BUREAU, 2022)], "-o", "json")
    warning = [line for line in result.stderr.splitlines() if "two different agencies" in line]
    assert len(warning) == 1 and ZONE in warning[0] and BUREAU in warning[0]
    said_one = run("compare", paths[(ZONE, 2021)], paths[(BUREAU, 2022)], "--agency", ZONE, "-o", "json")
    assert "two different agencies" not in said_one.stderr
    same = run("compare", paths[(ZONE, 2021)], paths[(ZONE, 2022)], "-o", "json")
    assert "two different agencies" not in same.stderr


def test_compare_years_of_one_agency_from_a_dataset(corpus):
    paths, db, _ = corpus
    by_year = run("compare", "--db", db, "--agency", ZONE, "2021", "2023", "-o", "json")
    assert by_year.exit_code in (0, 1), by_year.stderr
    (series,) = json.loads(by_year.stdout)
    assert series["years"] == [2021, 2023] and series["sources"]["2021"] == paths[(ZONE, 2021)]
    missing = run("compare", "--db", db, "--agency", ZONE, "2021", "2030")
    assert missing.exit_code == 2 and "2030" in missing.stderr


def test_matching_agencies_follows_the_mapping():
    names = [ZONE, BUREAU, OLD_NAME, "平潭综合实验区 财政金融局"]
    assert set(matching_agencies(names, BUREAU)) == {BUREAU, "平潭综合实验区 财政金融局"}
    assert set(matching_agencies(names, BUREAU, {OLD_NAME: BUREAU})) == {BUREAU, OLD_NAME, "平潭综合实验区 财政金融局"}


def _small_series():
    reports = synth.random_series(5, 2021, 2)
    for s in reports:
        for key in list(s.values):
            if s.values[key] and key.startswith(("requests.", "appeals.")):
                s.values[key], s.texts[key] = 0, "0"
    small = reports[1]
    for key, value in (("requests.new.natural_person", 3), ("requests.new.total", 3),
                       ("requests.granted.natural_person", 3), ("requests.granted.total", 3)):  # fmt: skip
        small.values[key], small.texts[key] = value, str(value)
    first = reports[0]
    for key, value in (("requests.new.natural_person", 1), ("requests.new.total", 1),
                       ("requests.granted.natural_person", 1), ("requests.granted.total", 1)):  # fmt: skip
        first.values[key], first.texts[key] = value, str(value)
    return [parse_bytes(synth.render_html(s).encode(), source=f"{s.year}.html") for s in reports]


def test_small_agencies_moves_are_listed_marked_small():
    (series,) = group(_small_series())
    changes, _ = series_changes(series)
    listed = moves(changes, 50)
    small = [c for c in listed if c.small]
    assert small and all(not c.ranked for c in small)
    assert any(c.indicator == "new_requests" and (c.previous, c.value) == (1, 3) for c in small)
    assert listed.index(small[0]) == len(listed) - len(small)  # ranked moves first, then the small ones


def test_small_moves_in_the_trend_output():
    from disclosure_cli.render import print_trend_plain

    (series,) = group(_small_series())
    changes, nc = series_changes(series)
    out = io.StringIO()
    print_trend_plain(out, series, changes, nc, [], "en", top=40)
    assert "small numbers: under 30 cases" in out.getvalue()
    rows = [c.as_dict() for c in changes]
    assert any(r["small"] for r in rows) and not any(r["small"] and r["ranked"] for r in rows)
