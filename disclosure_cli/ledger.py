"""Conservation of numbers: every number printed inside a statistics table is accounted for once.

A number is accounted for when a value holds it (its location is the value's), when it is kept
under ``extra`` (a row the format does not know), or when a warning names it (a row left unread,
stray numbers, prose inside a table). A number accounted for nowhere was lost silently; one
accounted for twice was read twice. The tests assert both lists are empty on every page they have.
"""

from __future__ import annotations

from collections import Counter

import msgspec

from .cells import Cell, Location
from .decode import MAX_BYTES
from .parse import read_report
from .record import Record


class Ledger(msgspec.Struct):
    checked: int = 0  # numbers printed inside the statistics tables
    mapped: int = 0  # held by a value
    extra: int = 0  # kept under `extra`
    named: int = 0  # named by a warning
    lost: list[Cell] = msgspec.field(default_factory=list)
    twice: list[Cell] = msgspec.field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.lost and not self.twice


def ledger(data: bytes, max_bytes: int = MAX_BYTES) -> tuple[Record, Ledger]:
    """Parse ``data`` and account for every number inside the spans of runs its tables were read from."""
    record, mapped = read_report(data, max_bytes=max_bytes)
    values = Counter(v.loc for v in record.values.values() if v.raw is not None and v.value is not None)
    extra = Counter(
        Location(**cell["loc"]) for row in record.extra for cell in row["values"] if cell["value"] is not None
    )
    named = Counter(loc for note in record.warnings for loc in note.cells)
    out = Ledger()
    for begin, end in mapped.spans:
        for run in mapped.runs[begin:end]:
            for cell in run.values:
                if cell.kind != "value":
                    continue
                out.checked += 1
                counts = (values[cell.loc], extra[cell.loc], named[cell.loc])
                out.mapped += counts[0] > 0
                out.extra += counts[1] > 0
                out.named += counts[2] > 0
                if sum(counts) == 0:
                    out.lost.append(cell)
                elif sum(counts) > 1:
                    out.twice.append(cell)
    return record, out
