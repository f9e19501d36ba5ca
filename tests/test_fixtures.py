"""fixtures/ holds what the renderer makes; they must stay in sync with it and parse back."""

from __future__ import annotations

import pytest

from disclosure_cli.parse import parse_path
from disclosure_cli.testing import synth

from .conftest import FIXTURES


def test_synthetic_fixtures_are_what_the_renderer_writes(tmp_path):
    fresh = synth.write_fixtures(tmp_path)
    for path in fresh:
        bundled = FIXTURES / path.name
        assert bundled.exists(), f"run: python -m disclosure_cli.testing.synth fixtures ({path.name} missing)"
        assert bundled.read_bytes() == path.read_bytes(), (
            f"{path.name} is stale: python -m disclosure_cli.testing.synth fixtures"
        )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("synthetic_20*")), ids=lambda p: p.name)
def test_synthetic_fixture_parses(path):
    record = parse_path(str(path))
    fmt = "2019" if "_2019_" in path.name else "2021"
    expected = synth.random_report(2019 + int(fmt), fmt)
    got = record.numbers()
    assert {k for k, v in expected.values.items() if abs(got[k] - v) > 1e-6} == set()
