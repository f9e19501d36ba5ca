"""Machine output formats, one registry: every reading command writes records through it.

JSON keeps Chinese readable (``ensure_ascii=False``); CSV is tidy (one row per value) so a
researcher can load it straight into a data frame. Every CSV the tool writes goes through
:func:`csv_writer`, which neutralises text a spreadsheet would run as a formula (OWASP: a leading
``'``); and every message that echoes an input goes through :func:`printable`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypedDict, TypeVar

from .record import Record

RecordFormat = Literal["json", "jsonl", "csv"]  # how records are written (``parse -o``)

CSV_FIELDS = (
    "source",
    "agency",
    "region_code",  # GB/T 2260 code, name and level of the agency's place (region.resolve); empty when unknown
    "region_name",
    "region_level",
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


# -- CSV that a spreadsheet will not execute -----------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what makes a cell a formula
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


_Cell = TypeVar("_Cell")


def csv_safe(value: _Cell) -> _Cell | str:
    """A text cell that starts like a formula gets a leading ``'`` (OWASP); numbers, and text that is
    a plain number such as ``-3``, stay as they are, so a spreadsheet still reads them as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # csv.DictWriter is generic only in the stubs before Python 3.12
    _DictWriter = csv.DictWriter


class SafeDictWriter(_DictWriter):
    """csv.DictWriter whose every row passes through :func:`csv_safe` (the header is ours, left alone)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: csv_safe(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def csv_writer(out: TextIO, fieldnames: Sequence[str], bom: bool = False) -> SafeDictWriter:
    """The one way the tool writes CSV: UTF-8 (optional BOM for Excel), ``\n`` lines, header first."""
    if bom:
        out.write("\ufeff")
    writer = SafeDictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    return writer


# -- messages that cannot forge a line or drive a terminal ---------------------------------------------

# C0 and C1 controls, DEL, and the Unicode characters that break or reorder a line (line/paragraph
# separators, bidi embeddings, overrides and isolates).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(text: object) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``): a file name or a
    page's text echoed in a message stays on one line and cannot send escape codes to a terminal."""
    return _CONTROLS.sub(_escape, str(text))


class TidyRow(TypedDict):
    """One published value as a CSV row (CSV_FIELDS): blanks as empty text, never None where CSV shows ''."""

    source: str
    agency: str | None
    region_code: str
    region_name: str
    region_level: str
    year: int | None
    format: str
    table: str
    row: str
    column: str
    label: str
    value: float | int | Literal[""]
    raw: str | None
    unit: str
    location: str
    inferred: str


def tidy_rows(record: Record) -> Iterator[TidyRow]:
    """One dict per value on the page (absent rows are not values and are not written)."""
    region = record.region
    code, name, level = (region.code, region.name, region.level) if region else ("", "", "")
    for v in record.published():
        yield {
            "source": record.source,
            "agency": record.agency,
            "region_code": code,
            "region_name": name,
            "region_level": level,
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

    def __init__(self, out: TextIO) -> None:
        self.out, self.count = out, 0

    def write(self, obj: object) -> None:
        self.out.write(("[\n" if self.count == 0 else ",\n") + json.dumps(obj, ensure_ascii=False, indent=2))
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")


class Writer:
    """Streams records to a text handle in one format; ``close`` finishes the document."""

    def __init__(self, fmt: RecordFormat, out: TextIO, bom: bool = False) -> None:
        self.fmt, self.out = fmt, out
        self._csv: SafeDictWriter | None = None
        self._json = JsonArray(out)
        if fmt == "csv":
            self._csv = csv_writer(out, CSV_FIELDS, bom=bom)

    def write(self, record: Record) -> None:
        if self.fmt == "json":
            self._json.write(record.as_dict())
        elif self.fmt == "jsonl":
            self.out.write(json.dumps(record.as_dict(), ensure_ascii=False) + "\n")
        elif self._csv is not None:
            self._csv.writerows(tidy_rows(record))
        else:
            raise ValueError(f"no record format {self.fmt!r} (json, jsonl, csv)")
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self._json.close()
        self.out.flush()
