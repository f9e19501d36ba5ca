"""Year over year: grouping, carry-over and running totals, comparable values, CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from disclosure_cli.cli import main
from disclosure_cli.parse import parse_bytes
from disclosure_cli.series import (
    compared_keys,
    cross_year,
    group,
    load_mapping,
    matching_agencies,
    normalize_agency,
    select,
    series_changes,
    series_key,
)
from disclosure_cli.testing import synth


def records(reports, shape="html"):
    return [parse_bytes(synth.render(s, shape).encode(), source=f"{s.year}.{shape}") for s in reports]


def set_value(s: synth.Synthetic, key: str, value: int) -> None:
    s.values[key], s.texts[key] = value, str(value)


def bump(s: synth.Synthetic, *keys: str, by: int = 1) -> None:
    for key in keys:
        set_value(s, key, s.values[key] + by)


@pytest.mark.parametrize("seed", range(4))
def test_consistent_series_has_no_cross_year_finding(seed):
    series = group(records(synth.random_series(seed, 2019, 4)))
    assert len(series) == 1 and series[0].years == [2019, 2020, 2021, 2022]
    assert cross_year(series[0]) == []


def test_planted_carry_over_break_is_found_in_the_right_columns():
    reports = synth.random_series(3, 2021, 3)
    bump(reports[2], "requests.carried_over.research", "requests.carried_over.total", by=2)
    found = [f for f in cross_year(group(records(reports))[0]) if f.code == "Y001"]
    assert sorted(f.where for f in found) == ["requests.*.research", "requests.*.total"]
    f = next(f for f in found if f.where == "requests.*.research")
    assert f.difference == 2
    assert {t.source for t in f.terms} == {"2022.html", "2023.html"}
    assert all(t.loc is not None for t in f.terms)


def test_in_force_and_prior_items_drift():
    reports = synth.random_series(5, 2021, 2)
    bump(reports[1], "active.regulations.in_force", by=3)
    assert [f.code for f in cross_year(group(records(reports))[0])] == ["Y002"]
    reports = synth.random_series(5, 2019, 2)
    bump(reports[1], "active.penalties.prior_items", "active.regulations.total_published")
    assert sorted(f.code for f in cross_year(group(records(reports))[0])) == ["Y003", "Y004"]


def test_copied_table_gap_year_and_duplicate():
    first, second, third = synth.random_series(9, 2021, 3)
    copy = synth.Synthetic(second.format, second.agency, second.year, dict(first.values), dict(first.texts))
    recs = records([first, copy, third])
    assert "Y005" in [f.code for f in cross_year(group(recs)[0])]  # 2022 repeats 2021
    gap = cross_year(group([recs[0], recs[2]])[0])
    assert [f.code for f in gap if f.code == "Y006"] == ["Y006"]
    dup = group([recs[0], *records([first], "lines")])[0]
    assert [f.code for f in cross_year(dup)] == ["Y007"]


def test_format_change_compares_only_what_is_comparable():
    r2020, r2021 = records(synth.random_series(2, 2020, 2))
    keys, left_out = compared_keys(r2020, r2021)
    assert "requests.other.total" in keys and "appeals.review.total" in keys
    assert "active.licensing.decisions" in keys
    assert not any(k.startswith("active.regulations") for k in keys)
    assert "active.regulations.issued" in left_out and "active.procurement.amount" in left_out
    assert "requests.other.no_fee.total" in left_out
    changes, not_compared = series_changes(group([r2020, r2021])[0])
    assert set(not_compared) == {2021}
    moved = {c.indicator for c in changes if c.year == 2021 and c.previous_year == 2020}
    assert "requests.other.total" in moved and "active.regulations.issued" not in moved
    other = next(c for c in changes if c.indicator == "requests.other.total" and c.year == 2021)
    parts = ("no_correction", "no_fee", "misc")
    assert other.value == sum(r2021.get("requests", f"other.{k}", "total") for k in parts)


def test_agency_names_normalise():
    assert normalize_agency("平潭综合实验区（管委会）") == normalize_agency("平潭综合实验区")
    assert normalize_agency("深圳市人民政府") == normalize_agency("深圳市政府 ")
    assert normalize_agency("深圳市人民政府") == normalize_agency("深圳市人民政府")


def test_mapping_file_joins_renamed_agencies(tmp_path):
    a, b = synth.random_series(1, 2021, 2)
    b.agency = "北京市交通运输委员会"
    recs = records([a, b])
    assert len(group(recs)) == 2
    mapping = tmp_path / "renames.tsv"
    mapping.write_text(f"{a.agency}\t北京市交通运输委员会\n", encoding="utf-8")
    series = group(recs, mapping=load_mapping(mapping))
    assert len(series) == 1 and series[0].years == [2021, 2022]
    assert group(recs, agency="某机关") == []  # --agency selects a series, it never merges others into it
    assert [s.years for s in group(recs, agency=a.agency)] == [[2021]]
    assert [s.years for s in group(recs, agency=a.agency, mapping=load_mapping(mapping))] == [[2021, 2022]]


def test_small_bases_are_shown_but_not_ranked():
    changes, _ = series_changes(group(records(synth.random_series(4, 2021, 2)))[0])
    assert any(c.change is not None and not c.ranked for c in changes)
    assert all(c.base >= 30 for c in changes if c.ranked)


@pytest.fixture
def series_files(tmp_path):
    reports = synth.random_series(6, 2020, 3)
    # consistent within 2022 (一+二 = 三+四 still holds) but 二 no longer matches 2021's 四
    bump(
        reports[2],
        "requests.carried_over.natural_person",
        "requests.carried_over.total",
        "requests.carried_forward.natural_person",
        "requests.carried_forward.total",
    )
    paths = []
    for s in reports:
        path = tmp_path / f"r{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_trend_cli_long_format_and_exit_codes(series_files):
    runner = CliRunner()
    result = runner.invoke(main, ["trend", *series_files, "-o", "csv"])
    assert result.exit_code == 1  # the planted carry-over break
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"agency", "indicator", "year", "value", "change", "change_pct"} <= set(rows[0])
    assert {r["year"] for r in rows} == {"2020", "2021", "2022"}
    text = runner.invoke(main, ["trend", *series_files, "--lang", "en"])
    assert "Y001" in text.stdout and "not comparable" in text.stdout
    report = json.loads(runner.invoke(main, ["trend", *series_files, "-o", "json"]).stdout)[0]
    assert report["years"] == [2020, 2021, 2022] and report["findings"][0]["code"] == "Y001"
    assert runner.invoke(main, ["trend", *series_files, "--exit-zero"]).exit_code == 0


def test_compare_cli(series_files):
    runner = CliRunner()
    result = runner.invoke(main, ["compare", series_files[1], series_files[2], "-o", "jsonl"])
    assert result.exit_code == 1
    assert {json.loads(x)["year"] for x in result.stdout.splitlines()} == {2021, 2022}
    same = runner.invoke(main, ["compare", series_files[0], series_files[0]])
    assert same.exit_code == 2 and "different years" in same.stderr


def test_audit_runs_cross_year_rules_for_several_years(series_files):
    result = CliRunner().invoke(main, ["audit", *series_files, "-o", "jsonl"])
    assert result.exit_code == 1
    assert [json.loads(x)["code"] for x in result.stdout.splitlines()] == ["Y001", "Y001"]


# --- series by place and department (issue 13, item 2) -------------------------------------


def test_series_group_by_place_and_department():
    reports = synth.random_series(4, 2021, 4)
    for s, name in zip(reports, ("洪泽县人民政府", "洪泽区政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府")):
        s.agency = name
    recs = records(reports)
    (series,) = group(recs)
    assert series.years == [2021, 2022, 2023, 2024] and series.key == "320813/政府"
    assert series.agency == "江苏省淮安市洪泽区人民政府"  # shown under its latest report's name
    assert series_key("洪泽县人民政府") == series_key("淮安市洪泽区人民政府") != series_key("淮安市洪泽区财政局")
    assert series_key("平潭综合实验区管委会") == series_key("平潭综合实验区（管委会）") == series_key("平潭综合实验区")
    assert series_key("平潭综合实验区") != series_key("平潭县人民政府")


def test_names_without_a_place_group_as_before():
    assert series_key("某某委员会 ") == series_key("某某委员会") == normalize_agency("某某委员会")
    assert series_key("朝阳区人民政府") == normalize_agency("朝阳区人民政府")  # two 朝阳区: no place guessed
    assert series_key("北京市朝阳区人民政府") != series_key("长春市朝阳区人民政府")
    reports = synth.random_series(8, 2021, 2)
    recs = records(reports)
    for r in recs:
        r.agency = None
    assert sorted(s.key for s in group(recs)) == ["source:2021.html", "source:2022.html"]  # a path is no place


def test_select_reads_the_agency_as_a_report_name():
    reports = synth.random_series(4, 2021, 2)
    reports[0].agency, reports[1].agency = "洪泽县人民政府", "淮安市洪泽区人民政府"
    recs = records(reports)
    assert select(recs, "洪泽区人民政府") == recs
    assert select(recs, "洪泽区财政局") == [] and select(recs, "淮安市人民政府") == []
    mapping = {"洪泽县政府": "某旧机关"}  # the mapped name decides: the old name is that series now
    assert [r.year for r in select(recs, "洪泽县人民政府", mapping)] == [2021]
    assert [r.year for r in select(recs, "某旧机关", mapping)] == [2021]
    assert [r.year for r in select(recs, "洪泽区人民政府", mapping)] == [2022]


def test_corpus_series_by_place(corpus):
    """The real reports: 洪泽区人民政府 (001) and 淮安市洪泽区人民政府 (002) are one series; 平潭's zone is
    one series whatever its title calls it; each 平潭 bureau is a series of its own."""
    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_path

    from .conftest import corpus_manifest

    recs = []
    for row in corpus_manifest():
        try:
            recs.append(parse_path(str(corpus / row["file"])))
        except ReportError:
            continue
    by_key = {s.key: s for s in group(recs)}
    hongze = by_key["320813/政府"]
    assert hongze.years == [2023, 2024] and {r.agency for r in hongze.records.values()} == {
        "洪泽区人民政府",
        "淮安市洪泽区人民政府",
    }
    zone = by_key["350128/"]
    assert zone.years == list(range(2019, 2026)) and not zone.duplicates
    bureaus = {k: s.years for k, s in by_key.items() if k.startswith("350128/") and k != "350128/"}
    assert bureaus == {
        "350128/财政金融局": list(range(2019, 2026)),
        "350128/公安局": [2019, 2021, 2022, 2024],
        "350128/行政审批局": [2022, 2023, 2024, 2025],
    }
    # the manifest's names select the same series as the names the titles print
    assert select(recs, "平潭综合实验区（管委会）") == select(recs, "平潭综合实验区") == list(zone.records.values())
    assert {r.source for r in select(recs, "淮安市洪泽区人民政府")} == {r.source for r in hongze.records.values()}
    assert matching_agencies({r.agency for r in recs}, "洪泽区人民政府") == ["洪泽区人民政府", "淮安市洪泽区人民政府"]
