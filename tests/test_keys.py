"""`disclosure keys` and docs/keys.md: every canonical key, from the format declarations."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from disclosure_cli.cli import main
from disclosure_cli.formats import FORMATS
from disclosure_cli.keys import canonical_keys, keys_markdown

from .conftest import ROOT


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_docs_keys_md_is_generated_from_the_declarations():
    text = (ROOT / "docs" / "keys.md").read_text(encoding="utf-8")
    assert text == keys_markdown(), "regenerate: python -m disclosure_cli.keys"


def test_every_value_of_every_format_is_listed_once():
    keys = [k.key for k in canonical_keys()]
    assert len(keys) == len(set(keys))
    for name, spec in FORMATS.items():
        declared = {f"{t}.{r}.{c}" for t, r, c in spec.value_keys()}
        listed = {k.key for k in canonical_keys(name)}
        assert listed == declared and {k.key for k in canonical_keys() if name in k.formats} == declared
    assert len(canonical_keys("2019")) == 22 + 161 + 15 and len(canonical_keys("2021")) == 10 + 175 + 15


def test_keys_command_outputs():
    text = run("keys")
    assert text.exit_code == 0 and "requests.new.total" in text.stdout and "本年新收政府信息公开申请数量" in text.stdout
    rows = list(csv.DictReader(io.StringIO(run("keys", "-o", "csv", "--table", "appeals").stdout)))
    assert len(rows) == 15 and rows[0]["key"] == "appeals.review.upheld" and rows[0]["formats"] == "2019 2021"
    fees = {k["key"]: k for k in json.loads(run("keys", "-o", "json", "--format", "2021").stdout)}["active.fees.amount"]
    assert (fees["kind"], fees["unit"], fees["formats"]) == ("money", "万元", ["2021"])
    assert run("keys", "-o", "markdown").stdout == keys_markdown()
    decisions = next(k for k in canonical_keys() if k.key == "active.licensing.decisions")
    assert decisions.formats == ("2019", "2021") and "处理决定数量" in decisions.zh


def test_keys_help():
    assert run("keys", "--help").exit_code == 0
