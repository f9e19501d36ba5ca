"""Auditing a record: the rule catalogue, findings as values, and the checks.

from disclosure_cli import parse_path
from disclosure_cli.auditing import audit
result = audit(parse_path("report.html"))
[f.as_dict("en") for f in result.findings]
[f.suspect for f in result.findings if f.suspect]  # the one value that alone makes the sums hold

The exports are lazy: the parser reads its notes' message templates from ``rules`` without importing
the checks.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checks import AuditResult, audit
    from .findings import Finding, Term
    from .rules import RULES, Rule, rule, selected
    from .suspect import Check, Suspect

_EXPORTS = {
    "AuditResult": "checks",
    "audit": "checks",
    "Finding": "findings",
    "Term": "findings",
    "RULES": "rules",
    "Rule": "rules",
    "rule": "rules",
    "selected": "rules",
    "Check": "suspect",
    "Suspect": "suspect",
}

__all__ = ["RULES", "AuditResult", "Check", "Finding", "Rule", "Suspect", "Term", "audit", "rule", "selected"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
