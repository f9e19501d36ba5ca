"""Machine output formats, one registry: every reading command writes records through it.

JSON keeps Chinese readable (``ensure_ascii=False``); CSV is tidy (one row per value) so a
researcher can load it straight into a data frame.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from .record import Record

CSV_FIELDS = (
    "source",
    "agency",
    "year",
    "format",
    "table",
    "row",
    "column",
    "label",
    "value",
    "raw",
    "unit",
    "location",
    "inferred",
)


def tidy_rows(record: Record) -> Iterator[dict]:
    """One dict per value on the page (absent rows are not values and are not written)."""
    for v in record.published():
        yield {
            "source": record.source,
            "agency": record.agency,
            "year": record.year,
            "format": record.format,
            "table": v.table,
            "row": v.row,
            "column": v.column,
            "label": v.label,
            "value": "" if v.value is None else v.value,
            "raw": v.raw,
            "unit": v.unit or "",
            "location": v.loc.describe() if v.loc else "",
            "inferred": v.inferred or "",
        }


class JsonArray:
    """A JSON array written one element at a time (records stream out as they are parsed)."""

    def __init__(self, out: TextIO):
        self.out, self.count = out, 0

    def write(self, obj) -> None:
        self.out.write(("[\n" if self.count == 0 else ",\n") + json.dumps(obj, ensure_ascii=False, indent=2))
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")


class Writer:
    """Streams records to a text handle in one format; ``close`` finishes the document."""

    def __init__(self, fmt: str, out: TextIO, bom: bool = False):
        self.fmt, self.out = fmt, out
        self._csv = None
        self._json = JsonArray(out)
        if fmt == "csv":
            if bom:
                out.write("\ufeff")
            self._csv = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
            self._csv.writeheader()

    def write(self, record: Record) -> None:
        if self.fmt == "json":
            self._json.write(record.as_dict())
        elif self.fmt == "jsonl":
            self.out.write(json.dumps(record.as_dict(), ensure_ascii=False) + "\n")
        else:
            self._csv.writerows(tidy_rows(record))
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self._json.close()
        self.out.flush()
