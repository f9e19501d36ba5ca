"""Mapping cells onto the format: unknown rows kept, glued or truncated tables refused."""

from __future__ import annotations

from msgspec.structs import replace

from disclosure_cli.cells import Cell, Location
from disclosure_cli.formats import FORMATS
from disclosure_cli.mapper import Mapper, MapResult, Run, build_runs, match_row, row_matcher
from disclosure_cli.parse import detect_format, parse_bytes
from disclosure_cli.readers import read_cells
from disclosure_cli.testing import synth


def lines_page(fmt: str = "2019", seed: int = 3) -> tuple[synth.Synthetic, list[str]]:
    s = synth.random_report(seed, fmt)
    return s, synth.render_lines(s).splitlines()


def parse_lines(lines: list[str]):
    return parse_bytes("\n".join(lines).encode(), source="test")


def test_unknown_table2_row_is_kept_under_extra_with_a_warning():
    s, lines = lines_page()
    at = lines.index("政府集中采购")
    lines[at:at] = ["其他主动公开文件", "12", "3", "40"]
    record = parse_lines(lines)
    assert record.extra == [
        {
            "table": "active",
            "label": "其他主动公开文件",
            "values": [
                {"value": n, "raw": str(n), "loc": {"line": at + 2 + i, "column": 1}} for i, n in enumerate((12, 3, 40))
            ],
        }
    ]
    assert [w.code for w in record.warnings] == ["unknown-row"]
    assert record.numbers() == s.values


def test_a_lost_cell_is_never_guessed_wrong():
    s, lines = lines_page()
    at = lines.index("（一）予以公开")
    del lines[at + 3]  # one of the seven cells vanished
    record = parse_lines(lines)
    for col in ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"):
        v = record.values[f"requests.granted.{col}"]
        original = s.values[f"requests.granted.{col}"]
        assert v.value == original or (v.value is None and original == 0) or v.raw is None


def test_glued_cells_are_read_back_and_marked_inferred():
    s, lines = lines_page()
    at = lines.index("（一）予以公开")
    glued = "".join(lines[at + 1 : at + 8])
    lines[at + 1 : at + 8] = [glued]
    record = parse_lines(lines)
    row = {c: record.values[f"requests.granted.{c}"] for c in ("natural_person", "total")}
    assert row["total"].value == s.values["requests.granted.total"]
    assert row["natural_person"].value == s.values["requests.granted.natural_person"]
    assert glued in row["total"].inferred
    assert [w.code for w in record.warnings] == ["row-recovered"]


def test_truncated_table4_in_a_real_table_is_left_unread_and_the_rest_read():
    s = synth.random_report(3, "2019")
    md = synth.render_markdown(s).splitlines()
    last = max(i for i, line in enumerate(md) if line.startswith("| ") and line.count("|") == 16)
    md[last] = "|" + "|".join(md[last].split("|")[1:13]) + "|"
    record = parse_bytes("\n".join(md).encode())
    found = [w for w in record.warnings if w.code == "row-wrong-width"]
    assert len(found) == 1 and "has 12 cells in its data row, expected 15" in found[0].message
    assert set(found[0].rows) == {"appeals.review", "appeals.litigation_direct", "appeals.litigation_after_review"}
    assert len(found[0].cells) == 12  # every number of the damaged row is named
    assert all(v.raw is None for v in record.values.values() if v.table == "appeals")
    assert {k: v.value for k, v in record.values.items() if v.table != "appeals"} == {
        k: v for k, v in s.values.items() if not k.startswith("appeals.")
    }


def test_a_short_row_of_a_real_table_is_unread_alone():
    s = synth.random_report(4, "2021")
    md = synth.render_markdown(s).splitlines()
    at = next(i for i, line in enumerate(md) if "（一）予以公开" in line)
    md[at] = "|".join(md[at].split("|")[:-2]) + "|"  # the 总计 cell lost
    record = parse_bytes("\n".join(md).encode())
    found = [w for w in record.warnings if w.code == "row-wrong-width"]
    assert [w.rows for w in found] == [("requests.granted",)]
    assert "has 6 cells, expected 7" in found[0].message
    got = record.numbers()
    assert all(record.values[k].raw is None for k in got if k.startswith("requests.granted."))
    assert {k: v for k, v in got.items() if not k.startswith("requests.granted.")} == {
        k: v for k, v in s.values.items() if not k.startswith("requests.granted.")
    }


def test_truncated_table4_in_flattened_text_is_never_guessed():
    s, lines = lines_page()
    at = lines.index("五、存在的主要问题及改进情况")
    del lines[at - 3 : at]
    record = parse_lines(lines)
    for v in record.values.values():
        if v.table == "appeals" and v.raw is not None:
            assert v.value == s.values[v.key] or (v.value is None and s.values[v.key] == 0)


def test_missing_table2_is_a_warning_and_its_values_absent():
    _, lines = lines_page("2021")
    start = lines.index("二、主动公开政府信息情况")
    end = lines.index("三、收到和处理政府信息公开申请情况")
    # keep a 2021 marker in the text so the format is still recognisable
    lines[start:end] = ["（六）其他处理"]
    record = parse_lines(lines)
    assert "table-missing" in [w.code for w in record.warnings]
    assert record.values["active.regulations.issued"].raw is None
    assert len(record.published()) == 175 + 15


def test_unlabelled_rows_fill_the_gap_only_when_counts_agree():
    s = synth.random_report(8, "2021")
    md = synth.render_markdown(s).splitlines()
    rows = [i for i, line in enumerate(md) if "2.没有现成信息" in line or "3.补正后申请" in line]
    for i in rows:  # the labels of two consecutive rows lost, as PDF exports lose them
        md[i] = "|" + md[i].split("|", 2)[2]
    record = parse_bytes("\n".join(md).encode())
    assert (
        record.numbers() == s.values
        or {k for k, v in s.values.items() if abs((record.numbers()[k] or 0) - (v or 0)) > 1e-6} == set()
    )
    inferred = [v.key for v in record.values.values() if v.inferred]
    assert {k.rsplit(".", 1)[0] for k in inferred} == {
        "requests.unavailable.needs_creation",
        "requests.unavailable.unclear",
    }
    del md[rows[1]]  # now one unlabelled row for two missing rows: nothing is guessed
    record = parse_bytes("\n".join(md).encode())
    assert record.values["requests.unavailable.needs_creation.total"].raw is None
    assert "stray-values" in [w.code for w in record.warnings]


def test_run_returns_what_it_made():
    s, lines = lines_page()
    cells = read_cells("\n".join(lines), "text")
    fmt = detect_format(cells)
    assert fmt is not None
    mapper = Mapper(build_runs(cells), fmt)
    result = mapper.run()
    assert isinstance(result, MapResult)
    assert {k: v.value for k, v in result.values.items()} == s.values
    assert result.values is mapper.values and result.notes is mapper.notes  # the attributes stay for callers
    assert [t for t, _ in result.matched.items()] == ["active", "requests"]
    assert result.rows_in_order("requests") == len(fmt.table("requests").rows)
    assert len(result.spans) == 3 and result.runs[result.spans[0][0]].labels


def test_row_patterns_are_cached_by_what_they_match_not_by_the_object():
    table = FORMATS["2021"].table("requests")
    twin = replace(table, label="a copy")  # another object, the same rows
    assert twin is not table and row_matcher(twin) is row_matcher(table)
    other = replace(table, rows=table.rows[:3])
    assert row_matcher(other) is not row_matcher(table)
    run = Run(labels=[Cell("（七）总计", "label", Location(line=1, column=1))])
    assert match_row(twin, run) is twin.row("total") and match_row(other, run) is None
