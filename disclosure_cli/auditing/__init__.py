"""Auditing a record: the rule catalogue, findings as values, and the checks.

from disclosure_cli import parse_path
from disclosure_cli.auditing import audit
result = audit(parse_path("report.html"))
[f.as_dict("en") for f in result.findings]
[f.suspect for f in result.findings if f.suspect]  # the one value that alone makes the sums hold
"""

from __future__ import annotations

from .checks import AuditResult, audit
from .findings import Finding, Term
from .rules import RULES, Rule, rule, selected
from .suspect import Check, Suspect

__all__ = ["RULES", "AuditResult", "Check", "Finding", "Rule", "Suspect", "Term", "audit", "rule", "selected"]
