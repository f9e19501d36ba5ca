"""The bundled seed (Shenzhen 2020, Traditional, one cell per line, two header cells lost)."""

from __future__ import annotations

from disclosure_cli.parse import parse_path

from .conftest import SEED


def test_seed_parses_to_its_198_published_values():
    record = parse_path(str(SEED))
    assert (record.agency, record.year, record.format) == ("深圳市人民政府", 2020, "2019")
    assert record.script == "traditional"
    assert record.shape == "text-lines"
    assert len(record.published()) == 198
    assert all(v.value is not None for v in record.published())
    assert record.warnings == []
    assert record.extra == []


def test_seed_values_sit_under_their_canonical_keys():
    record = parse_path(str(SEED))
    assert record.get("requests", "new", "natural_person") == 5432
    assert record.get("requests", "new", "total") == 5915
    assert record.get("requests", "carried_forward", "total") == 160
    assert record.get("requests", "other", "legal_services") == 8
    assert record.get("active", "licensing", "change") == -98
    assert record.get("active", "licensing", "decisions") == 1339407
    assert record.get("appeals", "review", "total") == 108
    assert record.get("appeals", "litigation_after_review", "pending") == 26


def test_seed_money_and_header_units():
    record = parse_path(str(SEED))
    amount = record.values["active.procurement.amount"]
    assert (amount.value, amount.unit, amount.raw) == (4855733.96, "万元", "4855733.96萬元")
    # 处理决定数量(萬宗): the header's unit is recorded, never applied
    penalties = record.values["active.penalties.decisions"]
    assert (penalties.value, penalties.unit) == (753, "万宗")
    assert record.values["active.licensing.decisions"].unit is None


def test_seed_provenance_points_at_the_line():
    record = parse_path(str(SEED))
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for v in record.published():
        assert lines[v.loc.line - 1].strip() == v.raw, v.key
    assert record.values["requests.new.natural_person"].loc.line == 85
