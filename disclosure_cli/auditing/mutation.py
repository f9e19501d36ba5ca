"""Self-test of the audit: change one published number, the audit must name its row or column.

Used by the test suite (every consistent report must score 100%) and by ``bench/bench_audit.py``
(which reports the detection and false-positive rates).
"""

from __future__ import annotations

import msgspec

from ..record import Record
from .checks import audit
from .findings import Finding
from .rules import BY_IDENTITY

IDENTITY_CODES = frozenset(r.code for r in BY_IDENTITY.values())  # R001, R002, R003, A001


class MutationScore(msgspec.Struct):
    mutated: int = 0
    detected: int = 0
    missed: list[str] = msgspec.field(default_factory=list)  # keys whose change went unnoticed

    @property
    def rate(self) -> float:
        return self.detected / self.mutated if self.mutated else 1.0


def identity_findings(record: Record) -> list[Finding]:
    return [f for f in audit(record).findings if f.code in IDENTITY_CODES]


def names_cell(where: str, table: str, row: str, column: str) -> bool:
    return where in (f"{table}.{row}", f"{table}.*.{column}")


def mutation_score(record: Record, tables: tuple[str, ...] = ("requests", "appeals")) -> MutationScore:
    """Change each published number of ``tables`` (off by one, an extra digit) and audit each mutant."""
    score = MutationScore()
    used = record.inferred_identities
    for key, value in record.values.items():
        if value.table not in tables or value.value is None:
            continue
        by_row = any(where == f"{value.table}.{value.row}" for _, where in used)
        by_column = any(where == f"{value.table}.*.{value.column}" for _, where in used)
        if by_row and (by_column or value.table == "appeals"):
            continue  # read from glued cells by every identity that could check it: undetectable by design
        original = value.value
        for changed in (original + 1, original * 10 + 7):  # off by one; an extra digit typed
            value.value = changed  # mutated in place and restored: a deep copy per mutant is slow
            try:
                found = identity_findings(record)
            finally:
                value.value = original
            score.mutated += 1
            if any(names_cell(f.where, value.table, value.row, value.column) for f in found):
                score.detected += 1
            else:
                score.missed.append(f"{key}={changed}")
    return score
