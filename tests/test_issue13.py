"""Issue 13: the right series (--agency selects everywhere), different agencies in compare, small
agencies' moves, and export filters. One small dataset of three agencies, built once."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

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


# --- item 2: places with region codes ----------------------------------------------------------

HONGZE = ("洪泽县人民政府", "洪泽区人民政府", "淮安市洪泽区人民政府")  # 2021, 2022, 2023: one place, renamed


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """One county government under three names (2021-2023), a bureau of it, a city of another
    province and an agency no place can be read from; batched into one dataset."""
    tmp = tmp_path_factory.mktemp("places")
    paths = {}
    for s, name in zip(synth.random_series(11, 2021, 3), HONGZE):
        s.agency = name
        paths[(name, s.year)] = _write(tmp, s, f"hongze_{s.year}.html")
    for agency, seed in (("洪泽区财政局", 12), ("深圳市人民政府", 13), ("某某委员会", 14)):
        s = synth.random_series(seed, 2022, 1)[0]
        s.agency = agency
        paths[(agency, 2022)] = _write(tmp, s, f"{seed}.html")
    db = str(tmp / "places.sqlite")
    assert run("batch", *paths.values(), "--db", db, "--jobs", "1").exit_code == 0
    return paths, db


def test_issue13_a_record_carries_its_region(places):
    paths, _ = places
    record = json.loads(run("parse", paths[(HONGZE[0], 2021)], "-o", "json").stdout)[0]
    assert record["agency"] == "洪泽县人民政府"  # as printed; the region is today's place
    assert record["region"] == {
        "code": "320813",
        "name": "江苏省淮安市洪泽区",
        "level": "county",
        "province": "320000",
        "prefecture": "320800",
        "department": "人民政府",
    }
    unknown = json.loads(run("parse", paths[("某某委员会", 2022)], "-o", "jsonl").stdout)
    assert unknown["agency"] == "某某委员会" and unknown["region"] is None
    rows = list(csv.DictReader(io.StringIO(run("parse", paths[("深圳市人民政府", 2022)], "-o", "csv").stdout)))
    assert {(r["region_code"], r["region_name"], r["region_level"]) for r in rows} == {
        ("440300", "广东省深圳市", "prefecture")
    }
    rows = list(csv.DictReader(io.StringIO(run("parse", paths[("某某委员会", 2022)], "-o", "csv").stdout)))
    assert rows and {(r["region_code"], r["region_name"], r["region_level"]) for r in rows} == {("", "", "")}


def test_issue13_one_place_is_one_series_whatever_its_title_calls_it(places):
    paths, db = places
    hongze = [paths[(name, year)] for name, year in zip(HONGZE, (2021, 2022, 2023))]
    result = run("trend", *hongze, "-o", "json")
    assert result.exit_code in (0, 1), result.stderr
    (series,) = json.loads(result.stdout)
    assert series["years"] == [2021, 2022, 2023] and series["agency"] == "淮安市洪泽区人民政府"  # the latest name
    from_db = json.loads(run("trend", "--db", db, "--agency", "洪泽县人民政府", "-o", "json").stdout)
    assert [(s["agency"], s["years"]) for s in from_db] == [("淮安市洪泽区人民政府", [2021, 2022, 2023])]
    bureau = json.loads(run("trend", "--db", db, "--agency", "淮安市洪泽区财政局", "-o", "json").stdout)
    assert [s["years"] for s in bureau] == [[2022]]  # the department is its own series
    compare = run("compare", hongze[0], hongze[2], "-o", "json")
    assert "two different agencies" not in compare.stderr


def test_issue13_the_agency_map_overrides_the_place(places):
    paths, _ = places
    hongze = [paths[(name, year)] for name, year in zip(HONGZE, (2021, 2022, 2023))]
    records = [parse_bytes(Path(p).read_bytes(), source=p) for p in hongze]
    mapping = {"洪泽县政府": "洪泽区财政局"}  # as load_mapping keys it: normalised old name → current name
    by_years = sorted((s.agency, s.years) for s in group(records, mapping=mapping))
    assert by_years == [("洪泽区财政局", [2021]), ("淮安市洪泽区人民政府", [2022, 2023])]
    assert [s.years for s in group(records, agency="洪泽区财政局", mapping=mapping)] == [[2021]]
    assert matching_agencies(HONGZE, "洪泽区人民政府") == sorted(HONGZE)
    assert matching_agencies(HONGZE, "洪泽区人民政府", mapping) == sorted(HONGZE[1:])


def test_issue13_the_dataset_and_its_exports_carry_regions(places):
    _, db = places
    import sqlite3

    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT agency, region_code || ' ' || department FROM reports").fetchall())
    assert rows["洪泽县人民政府"] == rows["淮安市洪泽区人民政府"] == "320813 人民政府"
    assert rows["洪泽区财政局"] == "320813 财政局" and rows["深圳市人民政府"] == "440300 人民政府"
    assert "某某委员会" in rows and rows["某某委员会"] is None
    conn.close()
    reports = list(csv.DictReader(io.StringIO(run("export", "--db", db, "--table", "reports").stdout)))
    by_agency = {r["agency"]: r for r in reports}
    assert {k: by_agency["洪泽区财政局"][k] for k in ("region_code", "region_name", "region_level")} == {
        "region_code": "320813",
        "region_name": "江苏省淮安市洪泽区",
        "region_level": "county",
    }
    assert (by_agency["洪泽区财政局"]["province_code"], by_agency["洪泽区财政局"]["prefecture_code"]) == (
        "320000",
        "320800",
    )
    for table in ("values", "findings"):
        header = run("export", "--db", db, "--table", table).stdout.splitlines()[0]
        assert header.startswith("source,agency,region_code,region_name,region_level,year,"), table


@pytest.mark.parametrize(
    ("region", "agencies"),
    [
        ("江苏省", {*HONGZE, "洪泽区财政局"}),
        ("32", {*HONGZE, "洪泽区财政局"}),
        ("淮安市", {*HONGZE, "洪泽区财政局"}),
        ("3208", {*HONGZE, "洪泽区财政局"}),
        ("洪泽县", {*HONGZE, "洪泽区财政局"}),  # a former name: today's place
        ("320813", {*HONGZE, "洪泽区财政局"}),
        ("广东", {"深圳市人民政府"}),
        ("440300", {"深圳市人民政府"}),
        ("北京市", set()),
    ],
)
def test_issue13_export_region(places, region, agencies):
    _, db = places
    result = run("export", "--db", db, "--table", "reports", "--region", region)
    assert result.exit_code == 0, result.stderr
    assert {r["agency"] for r in csv.DictReader(io.StringIO(result.stdout))} == agencies


def test_issue13_export_region_combines_and_refuses_what_is_no_place(places):
    _, db = places
    both = run("export", "--db", db, "--table", "reports", "--region", "320813", "--region", "深圳市", "--year", "2022")
    assert {r["agency"] for r in csv.DictReader(io.StringIO(both.stdout))} == {
        "洪泽区人民政府",
        "洪泽区财政局",
        "深圳市人民政府",
    }
    values = run("export", "--db", db, "--table", "requests", "--region", "广东省")
    rows = list(csv.DictReader(io.StringIO(values.stdout)))
    assert rows and {(r["agency"], r["region_code"]) for r in rows} == {("深圳市人民政府", "440300")}
    for bad in ("深圳市财政局", "朝阳区", "99", "3208a", "火星"):
        result = run("export", "--db", db, "--region", bad)
        assert result.exit_code == 2 and "names no place" in result.stderr and not result.stdout, bad


def test_issue13_batch_checks_a_renamed_place_across_years(tmp_path):
    """Cross-year findings follow the place: 洪泽县's 2021 and 淮安市洪泽区's 2022 are compared."""
    first, second = synth.random_series(15, 2021, 2)
    first.agency, second.agency = "洪泽县人民政府", "淮安市洪泽区人民政府"
    for key in ("requests.carried_over.natural_person", "requests.carried_over.total",
                "requests.carried_forward.natural_person", "requests.carried_forward.total"):  # fmt: skip
        second.values[key] += 2
        second.texts[key] = str(second.values[key])
    paths = [_write(tmp_path, s, f"{s.year}.html") for s in (first, second)]
    db = str(tmp_path / "d.sqlite")
    assert run("batch", *paths, "--db", db, "--jobs", "1").exit_code == 0
    found = [json.loads(line) for line in run("export", "--db", db, "--table", "findings", "--code", "Y001",
                                                  "-o", "jsonl").stdout.splitlines()]  # fmt: skip
    assert found and {(f["agency"], f["region_code"]) for f in found} == {("淮安市洪泽区人民政府", "320813")}


def test_issue13_series_agencies_of_a_dataset_are_matching_agencies(places):
    """The dataset finds a series' names through its region columns: the same names as
    matching_agencies over every name, with and without a mapping."""
    from disclosure_cli.dataset import open_readonly
    from disclosure_cli.series import series_key

    _, db = places
    mappings = [None, {"洪泽县政府": "洪泽区财政局"}, {"某某委员会": "深圳市人民政府"}]
    with open_readonly(db) as ds:
        names = ds.agencies()
        for mapping in mappings:
            for name in [*names, "淮安市洪泽区财政局", "江苏省淮安市洪泽区人民政府", "某某委员会 ", "无此机关"]:
                want = matching_agencies(names, name, mapping)
                assert ds.series_agencies(series_key(name, mapping), mapping) == want, (name, mapping)
        assert ds.series_agencies(series_key("洪泽区人民政府")) == sorted(HONGZE)
