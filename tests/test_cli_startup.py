"""Start-up (issue #14): `disclosure audit` of a text page imports only what that command uses.

Counted in modules, not milliseconds: a timed assertion would fail on a loaded machine, a module list
does not. Each forbidden module is a piece of machinery that a text audit never calls."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, SEED

# run the real entry point in a fresh interpreter, then list what it imported
_PROBE = """
import json, runpy, sys
sys.argv = ["disclosure", *sys.argv[1:]]
try:
    runpy.run_module("disclosure_cli", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""

NOT_FOR_A_TEXT_AUDIT = (
    "disclosure_cli.cli_data",
    "disclosure_cli.fetch",
    "disclosure_cli.batch",
    "disclosure_cli.dataset",
    "disclosure_cli.series",
    "disclosure_cli.region",
    "disclosure_cli.report_html",
    "disclosure_cli.trend_html",
    "disclosure_cli.readers.html",
    "disclosure_cli.readers.pdf",
    "httpx",
    "jinja2",
    "lxml",
    "pdfplumber",
    "pypdfium2",
    "rich",
    "sqlite3",
    "socket",
    "email",
)


def imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    modules: list[str] = json.loads(done.stderr.rsplit("\n", 1)[-1])
    return set(modules)


def test_text_audit_imports_only_what_it_uses():
    modules = imported_by("audit", str(SEED))
    assert "disclosure_cli.auditing.checks" in modules  # the probe did run the audit
    assert sorted(modules.intersection(NOT_FOR_A_TEXT_AUDIT)) == []


@pytest.mark.parametrize("args", [("--help",), ("audit", "--help")])
def test_help_imports_no_parser(args):
    """The list of commands needs the research commands' short help (cli_data), not what they run."""
    modules = imported_by(*args)
    assert "click" in modules
    unused = {*NOT_FOR_A_TEXT_AUDIT, "disclosure_cli.parse", "opencc"} - {"disclosure_cli.cli_data"}
    assert sorted(modules.intersection(unused)) == []


def test_a_batch_of_files_loads_no_network_code(tmp_path):
    """The fetcher (and with it urllib's robots parser, email, httpx) is made only for URLs."""
    modules = imported_by("batch", str(SEED), "--db", str(tmp_path / "d.sqlite"), "--jobs", "1")
    assert "disclosure_cli.batch" in modules  # the probe did run the batch
    assert sorted(modules.intersection({"disclosure_cli.fetch", "httpx", "urllib.robotparser", "email"})) == []
