"""The README's example outputs are real runs: each ```console block is run again and compared."""

from __future__ import annotations

import re

from click.testing import CliRunner

from disclosure_cli.cli import main

from .conftest import FIXTURES, ROOT

BLOCK = re.compile(r"```console\n\$ (.*?)\n(.*?)```", re.S)


def blocks() -> dict[str, str]:
    return dict(BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")))


def test_the_readme_has_its_examples():
    assert len(blocks()) == 2


def test_audit_example_is_a_real_run():
    command = "sed 's/^147$/148/' fixtures/seed_shenzhen_2020.txt | disclosure audit - --lang zh"
    page = (FIXTURES / "seed_shenzhen_2020.txt").read_text(encoding="utf-8").replace("\n147\n", "\n148\n")
    result = CliRunner().invoke(main, ["audit", "-", "--lang", "zh"], input=page.encode())
    assert result.exit_code == 1
    assert result.stdout == blocks()[command]


def test_trend_example_is_a_real_run():
    command = "disclosure trend fixtures/synthetic_series_*.html --lang en --top 5"
    files = sorted(str(p) for p in FIXTURES.glob("synthetic_series_*.html"))
    result = CliRunner().invoke(main, ["trend", *files, "--lang", "en", "--top", "5"])
    assert result.exit_code == 0
    assert result.stdout == blocks()[command]
