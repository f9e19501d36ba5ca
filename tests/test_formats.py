"""The format declarations: sizes from DOMAIN.md, and every label finds its own row."""

from __future__ import annotations

import pytest

from disclosure_cli.cells import Location, classify
from disclosure_cli.formats import FORMATS
from disclosure_cli.mapper import Run, match_row
from disclosure_cli.testing.synth import to_traditional


def test_value_counts():
    assert FORMATS["2019"].value_count == 22 + 161 + 15
    assert FORMATS["2021"].value_count == 10 + 175 + 15


@pytest.mark.parametrize("name", FORMATS)
def test_keys_are_unique_ascii(name):
    keys = [".".join(k) for k in FORMATS[name].value_keys()]
    assert len(keys) == len(set(keys))
    assert all(k.isascii() for k in keys)


CASES = [(name, t.key, r.key, r.label) for name, f in FORMATS.items() for t in f.tables for r in t.rows]


@pytest.mark.parametrize(("name", "table", "row", "label"), CASES)
@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_every_row_label_matches_its_row(name, table, row, label, script):
    text = to_traditional(label) if script == "traditional" else label
    run = Run(labels=[classify(text, Location(line=1))])
    assert match_row(FORMATS[name].table(table), run).key == row


def test_group_label_before_row_label_does_not_win():
    requests = FORMATS["2021"].table("requests")
    run = Run(labels=[classify("（六）其他处理", Location(line=1)), classify("3.其他", Location(line=2))])
    assert match_row(requests, run).key == "other.misc"
    run = Run(labels=[classify("三、本年度办理结果（三）不予公开 1.属于国家秘密", Location(line=1))])
    assert match_row(requests, run).key == "withheld.state_secret"
