"""The structured record of one report: every value under its canonical key, with provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import msgspec

from .cells import Location
from .formats import FORMATS, Format
from .narrative import Statement
from .textnorm import Script

if TYPE_CHECKING:
    from .region import Region

# How the page printed the tables (Record.shape): the reader and, for text, the layout. "text" is only
# the default of a Record made by hand; a parsed record always names its shape.
ReportShape = Literal[
    "html-table",
    "html-text",
    "markdown-table",
    "pdf-table",
    "pdf-text",
    "docx-table",
    "docx-text",
    "image-table",
    "image-text",
    "scan-table",
    "scan-text",
    "text-lines",  # one cell per line
    "text-flattened",  # whole tables on one line
    "text-tabs",  # tables copied from a browser or a spreadsheet: a row a line, its cells between tabs
    "text",
]
# How the audit reads a blank cell: as 0, or by leaving out the sums that use it.
BlankConvention = Literal["zero", "skip"]
# What a template cell holds on the page: see Value.state.
ValueState = Literal["number", "blank", "absent"]


# A value read from a picture below this recognition confidence is doubtful: correct single digits
# score 0.85-0.93, wrong reads lower (readers/ocr.py, S013, H002).
LOW_CONFIDENCE = 0.8


class Value(msgspec.Struct):
    table: str
    row: str
    column: str
    label: str  # the template's row label, for people
    value: float | int | None = None
    raw: str | None = None  # text as published; None when the row is absent from the page
    unit: str | None = None
    loc: Location | None = None
    inferred: str | None = None  # why the value's place was inferred rather than read from a label
    ocr: float | None = None  # recognition confidence (0-1) when the value was read from a picture
    context: str | None = None  # flattened text only: the page text around the number, to search for

    @property
    def key(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"

    @property
    def state(self) -> ValueState:
        """ "number": the cell holds a number (``value``); "blank": the row is on the page but the cell
        prints no number (empty, 「/」, 「—」, 「无」: ``raw`` is that text, ``value`` None); "absent": the
        row is not on the page, or was left unread (``raw`` and ``value`` None).

        Derived from ``value`` and ``raw``, so it is not stored or serialised: in JSON a blank is
        ``"value": null`` with a ``raw`` string, an absent row ``"value": null, "raw": null``."""
        if self.value is not None:
            return "number"
        return "absent" if self.raw is None else "blank"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "raw": self.raw}
        if self.unit:
            out["unit"] = self.unit
        if self.loc is not None:
            out["loc"] = self.loc.as_dict()
        if self.inferred:
            out["inferred"] = self.inferred
        if self.ocr is not None:
            out["ocr"] = round(self.ocr, 3)
        return out


class Note(msgspec.Struct):
    """A warning about the page: an unknown row, a missing row, a value placed by inference."""

    code: str
    message: str
    loc: Location | None = None
    rows: tuple[str, ...] = ()  # the rows it is about (table.row), when it is about rows
    # the printed numbers it accounts for that no value holds (a row left unread, stray numbers)
    cells: tuple[Location, ...] = ()
    message_zh: str | None = None  # the same text in Chinese (notes made by ``auditing.notes.note``)
    # what a program needs of the note, as data (``row-ambiguous``: the printed ``text`` and its
    # candidate ``readings``, which let a series settle the row: settling.py)
    data: dict[str, Any] = msgspec.field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The note in ``lang``; English where it has no Chinese text (a note stored by an older version)."""
        return self.message_zh if lang == "zh" and self.message_zh else self.message

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_zh:
            out["message_zh"] = self.message_zh
        if self.loc is not None:
            out["loc"] = self.loc.as_dict()
        if self.rows:
            out["rows"] = list(self.rows)
        if self.cells:
            out["cells"] = [c.as_dict() for c in self.cells]
        if self.data:
            out["data"] = self.data
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Note:
        """A note as :meth:`as_dict` wrote it (a dataset, a JSON record)."""
        return cls(
            d["code"],
            d["message"],
            Location(**d["loc"]) if d.get("loc") else None,
            tuple(d.get("rows", ())),
            tuple(Location(**c) for c in d.get("cells", ())),
            d.get("message_zh"),
            dict(d.get("data", {})),
        )


class Record(msgspec.Struct):
    source: str
    sha256: str
    format: str
    encoding: str = "utf-8"
    shape: ReportShape = "text"
    script: Script = "simplified"
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    values: dict[str, Value] = msgspec.field(default_factory=dict)
    extra: list[dict[str, Any]] = msgspec.field(default_factory=list)
    warnings: list[Note] = msgspec.field(default_factory=list)
    statements: list[Statement] = msgspec.field(default_factory=list)  # numbers the prose states
    # identity instances (code, where) used to read glued cells: not independent confirmation
    inferred_identities: set[tuple[str, str]] = msgspec.field(default_factory=set)

    @property
    def spec(self) -> Format:
        return FORMATS[self.format]

    @property
    def region(self) -> Region | None:
        """The GB/T 2260 place and the department of ``agency`` (``region.resolve``), or ``None`` when
        the name names no place it can be sure of. Read from ``agency`` when asked (resolve caches
        names), so it always agrees with it and a parse that never asks pays nothing."""
        from .region import resolve

        return resolve(self.agency)

    def region_dict(self) -> dict[str, str | None] | None:
        """``region`` as JSON carries it: code, name, level, province, prefecture, department."""
        region = self.region
        if region is None:
            return None
        return {k: v for k, v in region.as_dict().items() if k != "matched"}

    def get(self, table: str, row: str, column: str) -> float | int | None:
        v = self.values.get(f"{table}.{row}.{column}")
        return None if v is None else v.value

    def published(self) -> list[Value]:
        """Values that are on the page (a blank cell counts; an absent row does not)."""
        return [v for v in self.values.values() if v.raw is not None]

    def numbers(self) -> dict[str, float | int | None]:
        """Flat ``table.row.column -> value`` map, in format order."""
        return {k: v.value for k, v in self.values.items()}

    def as_dict(self) -> dict[str, Any]:
        tables: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for v in self.values.values():
            tables.setdefault(v.table, {}).setdefault(v.row, {})[v.column] = v.as_dict()
        return {
            "source": self.source,
            "sha256": self.sha256,
            "title": self.title,
            "agency": self.agency,
            "region": self.region_dict(),
            "year": self.year,
            "format": self.format,
            "script": self.script,
            "shape": self.shape,
            "encoding": self.encoding,
            "value_count": len(self.published()),
            "tables": tables,
            "extra": self.extra,
            "warnings": [w.as_dict() for w in self.warnings],
            "narrative": [s.as_dict() for s in self.statements],
            "identities_used_to_read": sorted(f"{code} {where}" for code, where in self.inferred_identities),
        }
