"""One rule, one place: every check the audit runs is reached through a rule declaration."""

from __future__ import annotations

import re

import pytest

from disclosure_cli.auditing import rules
from disclosure_cli.auditing.checks import SENTENCE_CHECKS
from disclosure_cli.auditing.mutation import IDENTITY_CODES
from disclosure_cli.auditing.notes import templates
from disclosure_cli.formats import FORMATS
from disclosure_cli.series import RUNNING_TOTALS


def test_every_identity_and_bound_of_every_format_has_its_rule():
    for fmt in FORMATS.values():
        for ident in fmt.identities:
            declared = rules.BY_IDENTITY[ident.code].identity
            assert declared is not None and declared.identity == ident.code
        for bound in fmt.bounds:
            assert rules.BY_BOUND[bound.code].bound == bound.code


def test_identity_rules_are_the_mutation_codes():
    assert frozenset({"R001", "R002", "R003", "A001"}) == IDENTITY_CODES


def test_every_parser_note_a_rule_reports_has_its_templates_there():
    declared = {key.split("/", 1)[0] for key in templates()}
    for note, rule in rules.BY_NOTE.items():
        assert note in declared, f"{rule.code}: no message template for parser note {note!r}"
    for r in rules.RULES:
        for key, words in r.messages:
            assert key.split("/", 1)[0] in r.notes, f"{r.code}: template {key!r} for a note it does not report"
            fields = lambda text: sorted(re.findall(r"{(\w+)}", text))  # noqa: E731
            assert fields(words.zh) == fields(words.en), f"{r.code} {key}: zh and en fill different fields"
            assert re.search(r"[\u4e00-\u9fff]", words.zh), f"{r.code} {key}: no Chinese text"


def test_every_statement_rule_has_a_check():
    for kind, rule in rules.BY_STATEMENT.items():
        assert (rule.stated_total is not None) != (rule.code in SENTENCE_CHECKS), (kind, rule.code)
    assert set(SENTENCE_CHECKS) <= {r.code for r in rules.BY_STATEMENT.values()}


def test_running_totals_come_from_the_cross_year_rules():
    assert [code for code, _ in RUNNING_TOTALS] == ["Y002", "Y003", "Y004"]
    assert all(code in {r.code for r in rules.CROSS_YEAR_RULES} for code, _ in RUNNING_TOTALS)


def test_a_rule_declares_at_most_one_thing_it_reads():
    for r in rules.RULES:
        reads = [bool(r.notes), r.identity is not None, r.bound is not None, r.statement is not None,
                 r.running_total is not None]  # fmt: skip
        assert sum(reads) <= 1, r.code
        assert r.stated_total is None or r.statement is not None, r.code


def test_every_rule_explains_itself_in_both_languages():
    for r in rules.RULES:
        assert r.explanation and r.explanation_zh, r.code
        assert r.severity in rules.SEVERITIES, r.code
        assert r.example.startswith(f"{r.code} {r.name}"), r.code


def test_a_key_two_rules_claim_is_refused():
    a, b = rules.BY_CODE["S001"], rules.BY_CODE["S002"]
    with pytest.raises(ValueError, match="declared by both S001 and S002"):
        rules._index([("table-missing", a), ("table-missing", b)], "parser note")
