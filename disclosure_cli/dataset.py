"""The dataset: one SQLite file a researcher can query without a server (schema: docs/dataset.md).

Three tables: ``reports`` (one row per input, parsed or not, with its fetch metadata), ``report_values``
(one row per published value under its canonical key) and ``findings`` (audit findings). The values
table is not called ``values`` because that is an SQL keyword every query would have to quote.

A batch writes a chunk of inputs in one transaction (each input's report row, values and findings,
replacing whatever an earlier run wrote for the same source), so a killed batch leaves whole inputs
or nothing, and a re-run skips what is already there: :meth:`Dataset.already_done` answers by sha256
and tool version.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal, TextIO, TypedDict, cast, overload

import msgspec

from . import __version__
from .sources import no_meta

if TYPE_CHECKING:
    from .auditing.findings import Finding, TermDict
    from .auditing.rules import Severity
    from .fetch import FetchMeta
    from .record import Record

SCHEMA_VERSION = 4  # 2: reports.identities_used; 3: series_pending, cross-year findings; 4: region columns
Status = Literal["parsed", "failed", "duplicate"]
STATUSES: tuple[Status, ...] = ("parsed", "failed", "duplicate")
FindingKind = Literal["audit", "cross-year"]
Number = float | int

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL UNIQUE,   -- the input as given: a path or a URL
    status        TEXT NOT NULL CHECK (status IN ('parsed', 'failed', 'duplicate')),
    reason        TEXT,                   -- failed: stable reason code (http-404, pdf, legacy-format, ...)
    error         TEXT,                   -- failed: one-line message for people
    duplicate_of  TEXT,                   -- duplicate: the source with the same bytes that was parsed
    sha256        TEXT,                   -- of the bytes read; NULL when none could be read
    tool_version  TEXT NOT NULL,
    url           TEXT,                   -- fetch metadata; NULL for files
    final_url     TEXT,
    http_status   INTEGER,
    content_type  TEXT,
    fetched_at    TEXT,
    title         TEXT,
    agency        TEXT,
    region_code   TEXT,                   -- GB/T 2260 code of the agency's place (region.resolve); NULL: unknown
    region_name   TEXT,                   -- its full name: 江苏省淮安市洪泽区
    region_level  TEXT,                   -- province | prefecture | county
    province_code TEXT,
    prefecture_code TEXT,                 -- NULL for a province and for a county not under a prefecture
    department    TEXT,                   -- the agency name without its place: 财政金融局 ('' for the place itself)
    year          INTEGER,
    format        TEXT,                   -- '2019' or '2021'
    script        TEXT,
    shape         TEXT,
    encoding      TEXT,
    value_count   INTEGER,
    errors        INTEGER,                -- findings by severity
    warnings      INTEGER,
    infos         INTEGER,
    notes         TEXT,                   -- JSON: parser warnings (unknown rows, inferred rows, ...)
    extra         TEXT,                   -- JSON: rows the format does not know, with their values
    narrative     TEXT,                   -- JSON: numbers the prose states
    identities_used TEXT,                 -- JSON: identity instances used to read glued cells
    processed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE INDEX IF NOT EXISTS reports_sha256 ON reports (sha256, tool_version);
CREATE INDEX IF NOT EXISTS reports_status ON reports (status, reason);

CREATE TABLE IF NOT EXISTS report_values (
    report_id   INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,            -- table.row.column, e.g. requests.new.total
    table_key   TEXT NOT NULL,            -- active | requests | appeals
    row_key     TEXT NOT NULL,
    column_key  TEXT NOT NULL,
    label       TEXT,                     -- the format's row label
    value       NUMERIC,                  -- NULL for a blank cell
    raw         TEXT,                     -- the text as published
    unit        TEXT,
    location    TEXT,                     -- 'line 85, column 1' or 'table 2, row 4, column 4'
    inferred    TEXT,
    PRIMARY KEY (report_id, key)
);
-- VALUE_INDEX; a batch writing many reports drops it and builds it again at its end (Dataset.defer_value_index)
CREATE INDEX IF NOT EXISTS report_values_key ON report_values (key, value);

CREATE TABLE IF NOT EXISTS findings (
    id               INTEGER PRIMARY KEY,
    report_id        INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL DEFAULT 'audit',   -- audit | cross-year
    code             TEXT NOT NULL,                   -- R001 ...
    name             TEXT NOT NULL,                   -- requests-balance ...
    severity         TEXT NOT NULL,
    where_key        TEXT,
    location         TEXT,                            -- of the first number that has one
    message_en       TEXT,
    message_zh       TEXT,
    equation_en      TEXT,
    equation_zh      TEXT,
    expected         NUMERIC,
    actual           NUMERIC,
    difference       NUMERIC,
    blank_dependent  INTEGER NOT NULL DEFAULT 0,
    terms            TEXT                             -- JSON: every number with its key, raw text, location
);
CREATE INDEX IF NOT EXISTS findings_code ON findings (code, severity);
CREATE INDEX IF NOT EXISTS findings_report ON findings (report_id);

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

-- series (series.series_key: place/department, or a normalised name) whose cross-year findings must be
-- computed again: written in the same transaction as the reports that changed them, emptied as each
-- series is recomputed (resumable)
CREATE TABLE IF NOT EXISTS series_pending (series_key TEXT PRIMARY KEY);
"""
VALUE_INDEX = "CREATE INDEX IF NOT EXISTS report_values_key ON report_values (key, value)"
assert VALUE_INDEX + ";" in SCHEMA
# Not in SCHEMA: a file of an earlier version runs SCHEMA before it has these columns.
REGION_INDEX = "CREATE INDEX IF NOT EXISTS reports_region ON reports (region_code, year)"

# The agency's place (region.Region): columns of ``reports``, filled from ``agency`` when a row is written.
REGION_FIELDS = ("region_code", "region_name", "region_level", "province_code", "prefecture_code", "department")
_REGION_ATTRS = ("code", "name", "level", "province", "prefecture", "department")  # Region's, in that order
REPORT_FIELDS = (
    "source", "status", "reason", "error", "duplicate_of", "sha256", "tool_version",
    "url", "final_url", "http_status", "content_type", "fetched_at",
    "title", "agency", *REGION_FIELDS, "year", "format", "script", "shape", "encoding",
    "value_count", "errors", "warnings", "infos", "notes", "extra", "narrative", "identities_used",
    "processed_at",
)  # fmt: skip
VALUE_FIELDS = ("key", "table_key", "row_key", "column_key", "label", "value", "raw", "unit", "location", "inferred")
FINDING_FIELDS = (
    "kind", "code", "name", "severity", "where_key", "location", "message_en", "message_zh",
    "equation_en", "equation_zh", "expected", "actual", "difference", "blank_dependent", "terms",
)  # fmt: skip
_JSON_REPORT_FIELDS = ("notes", "extra", "narrative", "identities_used")

# A value as a row in VALUE_FIELDS order: key, table, row, column, label, value, raw, unit, location, inferred.
ValueRow = tuple[str, str, str, str, str, Number | None, str | None, str | None, str | None, str | None]
# A finding as a row in FINDING_FIELDS order (``terms``: JSON text).
FindingRow = tuple[
    str, str, str, str, str | None, str | None, str | None, str | None, str | None, str | None,
    Number | None, Number | None, Number | None, int, str,
]  # fmt: skip


class ReportFields(TypedDict, total=False):
    """What a parsed record contributes to its ``reports`` row (JSON columns as JSON text)."""

    title: str | None
    agency: str | None
    year: int | None
    format: str
    script: str
    shape: str
    encoding: str
    value_count: int
    errors: int
    warnings: int
    infos: int
    notes: str
    extra: str
    narrative: str
    identities_used: str


class ReportRow(TypedDict):
    """A ``reports`` row as exported (REPORT_FIELDS)."""

    source: str
    status: Status
    reason: str | None
    error: str | None
    duplicate_of: str | None
    sha256: str | None
    tool_version: str
    url: str | None
    final_url: str | None
    http_status: int | None
    content_type: str | None
    fetched_at: str | None
    title: str | None
    agency: str | None
    region_code: str | None
    region_name: str | None
    region_level: str | None
    province_code: str | None
    prefecture_code: str | None
    department: str | None
    year: int | None
    format: str | None
    script: str | None
    shape: str | None
    encoding: str | None
    value_count: int | None
    errors: int | None
    warnings: int | None
    infos: int | None
    notes: str | None
    extra: str | None
    narrative: str | None
    identities_used: str | None
    processed_at: str


class ValueExportRow(TypedDict):
    """A value as exported (VALUE_EXPORT_FIELDS): the columns of ``disclosure parse -o csv``, then key and sha256."""

    source: str
    agency: str | None
    region_code: str | None
    region_name: str | None
    region_level: str | None
    year: int | None
    format: str | None
    table: str
    row: str
    column: str
    label: str | None
    value: Number | None
    raw: str | None
    unit: str | None
    location: str | None
    inferred: str | None
    key: str
    sha256: str | None


class FindingExportRow(TypedDict):
    """A finding as exported (FINDING_EXPORT_FIELDS), in one language (``locations``: JSON text)."""

    source: str
    agency: str | None
    region_code: str | None
    region_name: str | None
    region_level: str | None
    year: int | None
    kind: FindingKind
    code: str
    name: str
    severity: Severity
    where: str | None
    location: str | None
    message: str | None
    equation: str | None
    expected: Number | None
    actual: Number | None
    difference: Number | None
    blank_dependent: int
    locations: str | None


ExportRow = ReportRow | ValueExportRow | FindingExportRow


def _no_report() -> ReportFields:
    return {}


class Outcome(msgspec.Struct):
    """Everything one input contributes to the dataset, as plain data (it crosses process boundaries)."""

    source: str
    status: Status
    reason: str | None = None
    error: str | None = None
    sha256: str | None = None
    duplicate_of: str | None = None
    meta: FetchMeta = msgspec.field(default_factory=no_meta)  # sources.load's metadata
    report: ReportFields = msgspec.field(default_factory=_no_report)  # title, agency, year, ... of a parsed record
    values: list[ValueRow] = msgspec.field(default_factory=list)
    findings: list[FindingRow] = msgspec.field(default_factory=list)
    processed_at: str | None = None  # kept when a row is copied from another dataset (merge); else now

    def finding_codes(self) -> list[str]:
        return [f[1] for f in self.findings]


class RowFilter(msgspec.Struct, frozen=True):
    """Which rows an export keeps (every field empty or None: all of them).

    ``agencies``: report agency names as written (``series.matching_agencies`` turns one ``--agency``
    into them); ``years``; ``keys``: canonical key prefixes (``requests``, ``requests.new``) of values,
    or of the ``where`` of findings; ``codes``: finding code prefixes (``R0``, ``Y005``), which for
    ``reports`` and ``values`` keep the reports that have such a finding; ``regions``: GB/T 2260 code
    prefixes (``region.area(...).prefix``: ``32`` 江苏省, ``3208`` 淮安市, ``320813`` 洪泽区), keeping
    the reports whose region lies inside one of them.
    """

    agencies: tuple[str, ...] | None = None
    years: tuple[int, ...] = ()
    keys: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def sql(self, table: str, region_code: str = "r.region_code") -> tuple[str, list[str | int]]:
        """(condition, parameters) over ``reports r`` and, per table, ``report_values v`` / ``findings f``
        (``region_code``: the expression for a report's region code)."""
        conds: list[str] = ["1"]
        params: list[str | int] = []

        def any_of(column: str, values: Sequence[str | int], prefix: bool = False) -> None:
            if prefix:
                conds.append("(" + " OR ".join(f"{column} = ? OR {column} LIKE ? ESCAPE '\\'" for _ in values) + ")")
                for v in map(str, values):  # key prefixes
                    params.extend((v, v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"))
            else:
                conds.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)

        if self.agencies is not None:
            any_of("r.agency", self.agencies)
        if self.years:
            any_of("r.year", self.years)
        if self.regions:
            if not all(p.isascii() and p.isdigit() for p in self.regions):
                raise ValueError(f"a region is a GB/T 2260 code prefix: {self.regions!r}")
            conds.append("(" + " OR ".join(f"{region_code} GLOB ?" for _ in self.regions) + ")")
            params.extend(p + "*" for p in self.regions)
        if self.keys and table in ("values", "findings"):
            any_of("v.key" if table == "values" else "f.where_key", self.keys, prefix=True)
        if self.codes:
            like = " OR ".join("code LIKE ?" for _ in self.codes)
            params += [c.upper().replace("%", "").replace("_", "") + "%" for c in self.codes]
            if table == "findings":
                conds.append(f"({like.replace('code', 'f.code')})")
            else:
                conds.append(f"r.id IN (SELECT report_id FROM findings WHERE {like})")
        return " AND ".join(conds), params


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _insert(table: str, fields: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} (report_id, {', '.join(fields)}) VALUES (?{', ?' * len(fields)})"


_REGION_KEY = re.compile(r"[0-9]{6}/.*", re.S)  # a series key by place (series.series_key): 320813/政府


def region_columns(agency: str | None) -> dict[str, str | None]:
    """The ``reports`` region columns (REGION_FIELDS) of an agency name: its place as
    ``region.resolve`` reads it, or every column NULL when it names no place the resolver is sure of."""
    from .region import resolve

    region = resolve(agency) if agency else None
    return {f: None if region is None else getattr(region, a) for f, a in zip(REGION_FIELDS, _REGION_ATTRS)}


def _region_of(agency: str | None, attr: str) -> str | None:
    """SQL function ``disclosure_region(agency, attr)``: a region column of a file written before them."""
    from .region import resolve

    region = resolve(agency) if agency else None
    value = getattr(region, attr, None) if region is not None and attr in _REGION_ATTRS else None
    return value if isinstance(value, str) else None


def _fill_regions(conn: sqlite3.Connection) -> None:
    """Read every parsed report's region columns again from its agency (a file written before them,
    or with other region data) and mark every series pending: series follow the regions."""
    from .region import data_version
    from .series import series_key

    query = "SELECT DISTINCT agency FROM reports WHERE status = 'parsed' AND agency IS NOT NULL"
    agencies = [a for (a,) in conn.execute(query)]
    unset = ", ".join(f"{f} = NULL" for f in REGION_FIELDS)
    conn.execute(f"UPDATE reports SET {unset} WHERE status != 'parsed' OR agency IS NULL")
    sets = ", ".join(f"{f} = ?" for f in REGION_FIELDS)
    conn.executemany(
        f"UPDATE reports SET {sets} WHERE agency = ? AND status = 'parsed'",
        [(*region_columns(a).values(), a) for a in agencies],
    )
    conn.execute("DELETE FROM series_pending")
    conn.executemany(
        "INSERT OR IGNORE INTO series_pending VALUES (?)", [(k,) for k in {series_key(a) for a in agencies}]
    )
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('region_data', ?)", (data_version(),))


def finding_row(f: Finding, kind: FindingKind = "audit") -> FindingRow:
    """A finding as a row in FINDING_FIELDS order (``kind``: audit or cross-year)."""
    en, zh = f.as_dict("en"), f.as_dict("zh")
    terms: list[TermDict] = en.get("locations", [])
    location = next((t.get("location") for t in terms if t.get("location")), None)
    return (
        kind, en["code"], en.get("name", ""), en["severity"], en.get("where"), location,
        en.get("message"), zh.get("message"), en.get("equation"), zh.get("equation"),
        en.get("expected"), en.get("actual"), en.get("difference"), int(bool(en.get("blank_dependent"))),
        _json(terms),
    )  # fmt: skip


def parsed_outcome(record: Record, findings: list[Finding], meta: FetchMeta | None = None) -> Outcome:
    """Rows for a parsed record and its audit findings."""
    from collections import Counter

    severities = Counter(f.severity for f in findings)
    report: ReportFields = {
        "title": record.title,
        "agency": record.agency,
        "year": record.year,
        "format": record.format,
        "script": record.script,
        "shape": record.shape,
        "encoding": record.encoding,
        "value_count": len(record.published()),
        "errors": severities.get("error", 0),
        "warnings": severities.get("warning", 0),
        "infos": severities.get("info", 0),
        "notes": _json([w.as_dict() for w in record.warnings]),
        "extra": _json(record.extra),
        "narrative": _json([s.as_dict() for s in record.statements]),
        "identities_used": _json(sorted(record.inferred_identities)),
    }
    values: list[ValueRow] = [
        (
            v.key,
            v.table,
            v.row,
            v.column,
            v.label,
            v.value,
            v.raw,
            v.unit,
            v.loc.describe() if v.loc else None,
            v.inferred,
        )
        for v in record.published()
    ]
    rows = [finding_row(f) for f in findings]
    return Outcome(
        source=record.source,
        status="parsed",
        sha256=record.sha256,
        meta=_copy(meta),
        report=report,
        values=values,
        findings=rows,
    )


def failed_outcome(
    source: str, reason: str, message: str, sha256: str | None = None, meta: FetchMeta | None = None
) -> Outcome:
    return Outcome(source=source, status="failed", reason=reason, error=message, sha256=sha256, meta=_copy(meta))


def _copy(meta: FetchMeta | None) -> FetchMeta:
    """A copy of the fetch metadata, so an Outcome never shares it with the page it came from."""
    return meta.copy() if meta else no_meta()


class Dataset:
    """A dataset file, opened for reading and writing. One writer at a time (the batch's parent)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        conn.create_function("disclosure_region", 2, _region_of, deterministic=True)
        have = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
        # a file written before the region columns (read-only, so not migrated) reads them from agency
        self._region_sql = {
            f: f"r.{f}" if f in have else f"disclosure_region(r.agency, '{a}')"
            for f, a in zip(REGION_FIELDS, _REGION_ATTRS)
        }

    # -- questions a batch asks ----------------------------------------------------------------

    def already_done(self, sha256: str, tool_version: str = __version__) -> bool:
        """True when these bytes were parsed (or refused) by this tool version, from any source."""
        return self.first_source(sha256, tool_version) is not None

    def first_source(self, sha256: str, tool_version: str = __version__) -> str | None:
        row = self.conn.execute(
            "SELECT source FROM reports WHERE sha256 = ? AND tool_version = ? AND status != 'duplicate'"
            " ORDER BY id LIMIT 1",
            (sha256, tool_version),
        ).fetchone()
        return row[0] if row else None

    def status_of(self, source: str, sha256: str, tool_version: str = __version__) -> str | None:
        """The status of ``source`` when it was recorded with these bytes by this version, else None."""
        row = self.conn.execute(
            "SELECT status FROM reports WHERE source = ? AND sha256 = ? AND tool_version = ?",
            (source, sha256, tool_version),
        ).fetchone()
        return row[0] if row else None

    # -- writing ---------------------------------------------------------------------------------

    def defer_value_index(self, reports: int) -> bool:
        """Drop the (key, value) index of ``report_values`` before writing ``reports`` reports when
        the dataset holds no more than that already; returns whether it did. Kept up row by row, the
        index is half the cost of a write (each value goes to its own place in it): 0.45 of 0.95 s
        for 400 reports, where building it again in one sort takes 0.09 s. The caller builds it with
        :meth:`build_value_index` when done; a run killed before that leaves it to ``open_db``,
        whose schema creates it. Meanwhile only the questions by key are slower."""
        held = self.conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        if reports < max(held, 1):
            return False
        with self.conn:
            self.conn.execute("DROP INDEX IF EXISTS report_values_key")
        return True

    def build_value_index(self) -> None:
        with self.conn:
            self.conn.execute(VALUE_INDEX)

    def write(self, outcome: Outcome, tool_version: str = __version__) -> int:
        """Record one input in one transaction, replacing what an earlier run wrote for its source."""
        return self.write_many([outcome], tool_version)[0]

    def write_many(self, outcomes: list[Outcome], tool_version: str = __version__) -> list[int]:
        """Record several inputs in one transaction (a batch writes a chunk at a time): all of them or,
        when killed, none; each replaces what an earlier run wrote for its source."""
        with self.conn:
            return [self._write(o, tool_version) for o in outcomes]

    def _write(self, outcome: Outcome, tool_version: str) -> int:
        meta = outcome.meta
        row: dict[str, object] = {
            **{k: None for k in REPORT_FIELDS},
            **outcome.report,
            "source": outcome.source,
            "status": outcome.status,
            "reason": outcome.reason,
            "error": outcome.error,
            "duplicate_of": outcome.duplicate_of,
            "sha256": outcome.sha256 or meta.get("sha256"),
            "tool_version": tool_version,
            "url": meta.get("url"),
            "final_url": meta.get("final_url"),
            "http_status": meta.get("status"),
            "content_type": meta.get("content_type"),
            "fetched_at": meta.get("fetched_at"),
            "processed_at": outcome.processed_at or _now(),
        }
        row.update(region_columns(outcome.report.get("agency") if outcome.status == "parsed" else None))
        before = self.conn.execute("SELECT agency FROM reports WHERE source = ?", (outcome.source,)).fetchone()
        self._mark(before[0] if before else None, outcome.report.get("agency") if outcome.status == "parsed" else None)
        self.conn.execute("DELETE FROM reports WHERE source = ?", (outcome.source,))
        cur = self.conn.execute(
            f"INSERT INTO reports ({', '.join(REPORT_FIELDS)}) VALUES ({', '.join('?' * len(REPORT_FIELDS))})",
            [row[k] for k in REPORT_FIELDS],
        )
        rid = cur.lastrowid
        assert rid is not None
        self.conn.executemany(_insert("report_values", VALUE_FIELDS), [(rid, *v) for v in outcome.values])
        self.conn.executemany(_insert("findings", FINDING_FIELDS), [(rid, *f) for f in outcome.findings])
        return rid

    def _mark(self, *agencies: str | None) -> None:
        from .series import series_key

        keys = {series_key(a) for a in agencies if a}
        self.conn.executemany("INSERT OR IGNORE INTO series_pending VALUES (?)", [(k,) for k in keys])

    # -- cross-year findings -----------------------------------------------------------------------

    def pending_series(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT series_key FROM series_pending ORDER BY series_key")]

    def refresh_series(self, should_stop: Callable[[], bool] | None = None) -> int:
        """Compute the cross-year findings (Y codes) of every series marked pending and store them on
        their reports (``kind = 'cross-year'``), one transaction per series, replacing the earlier
        ones; returns the findings stored. Stops between two series when ``should_stop()`` says so:
        what is left stays pending for the next run."""
        from .series import attributed_cross_year, group

        stored = 0
        for key in self.pending_series():
            if should_stop is not None and should_stop():
                break
            agencies = self.series_agencies(key)
            marks = ", ".join("?" * len(agencies))
            ids = dict(self.conn.execute(
                f"SELECT source, id FROM reports WHERE status = 'parsed' AND agency IN ({marks})", agencies
            ).fetchall())  # fmt: skip
            # a lone report has no other year to compare with: not read back (most of a first batch)
            rows = [
                (ids[record.source], *finding_row(finding, "cross-year"))
                for series in (group(self.records(agencies=agencies)) if len(ids) > 1 else [])
                for record, finding in attributed_cross_year(series)
            ]
            with self.conn:
                self.conn.execute(
                    "DELETE FROM findings WHERE kind = 'cross-year' AND report_id IN"
                    f" (SELECT id FROM reports WHERE agency IN ({marks}))",
                    agencies,
                )
                self.conn.executemany(_insert("findings", FINDING_FIELDS), rows)
                self.conn.execute("DELETE FROM series_pending WHERE series_key = ?", (key,))
            stored += len(rows)
        return stored

    def write_record(self, record: Record, findings: list[Finding], meta: FetchMeta | None = None) -> int:
        """A parsed record and its audit findings, atomically."""
        return self.write(parsed_outcome(record, findings, meta))

    def write_failure(
        self, source: str, reason: str, message: str, sha256: str | None = None, meta: FetchMeta | None = None
    ) -> int:
        """An input that could not be fetched, read or parsed, with its reason, atomically."""
        return self.write(failed_outcome(source, reason, message, sha256, meta))

    # -- reading ---------------------------------------------------------------------------------

    @overload
    def rows(
        self, table: Literal["reports"], lang: str = ..., where: RowFilter | None = ...
    ) -> Iterator[ReportRow]: ...
    @overload
    def rows(
        self, table: Literal["values"], lang: str = ..., where: RowFilter | None = ...
    ) -> Iterator[ValueExportRow]: ...
    @overload
    def rows(
        self, table: Literal["findings"], lang: str = ..., where: RowFilter | None = ...
    ) -> Iterator[FindingExportRow]: ...
    @overload
    def rows(self, table: str, lang: str = ..., where: RowFilter | None = ...) -> Iterator[ExportRow]: ...
    def rows(self, table: str, lang: str = "en", where: RowFilter | None = None) -> Iterator[ExportRow]:
        """Export rows of ``reports``, ``values`` or ``findings``, each with the report's identity;
        ``where`` keeps only some agencies, years, keys or finding codes."""
        region = self._region_sql
        cond, params = (where or RowFilter()).sql(table, region["region_code"])
        place = f"{region['region_code']}, {region['region_name']}, {region['region_level']}"
        if table == "reports":
            columns = ", ".join(region.get(f, "r." + f) for f in REPORT_FIELDS)
            cur = self.conn.execute(
                f"SELECT {columns} FROM reports r WHERE {cond} ORDER BY r.source",
                params,
            )
            for r in cur:
                yield cast(ReportRow, dict(zip(REPORT_FIELDS, r)))
        elif table == "values":
            cur = self.conn.execute(
                f"SELECT r.source, r.agency, {place}, r.year, r.format, v.table_key, v.row_key, v.column_key, v.label,"
                " v.value, v.raw, v.unit, v.location, v.inferred, v.key, r.sha256 FROM report_values v"
                f" JOIN reports r ON r.id = v.report_id WHERE {cond} ORDER BY r.source, v.rowid",
                params,
            )
            names = VALUE_EXPORT_FIELDS
            for r in cur:
                yield cast(ValueExportRow, dict(zip(names, r)))
        elif table == "findings":
            msg, eq = ("message_zh", "equation_zh") if lang == "zh" else ("message_en", "equation_en")
            cur = self.conn.execute(
                f"SELECT r.source, r.agency, {place}, r.year, f.kind, f.code, f.name, f.severity, f.where_key,"
                f" f.location, f.{msg}, f.{eq}, f.expected, f.actual, f.difference, f.blank_dependent, f.terms"
                f" FROM findings f JOIN reports r ON r.id = f.report_id WHERE {cond} ORDER BY r.source, f.id",
                params,
            )
            for r in cur:
                yield cast(FindingExportRow, dict(zip(FINDING_EXPORT_FIELDS, r)))
        else:
            raise ValueError(f"no table {table!r} (reports, values, findings)")

    def agencies(self) -> list[str]:
        """Every agency name of a parsed report, as written."""
        query = "SELECT DISTINCT agency FROM reports WHERE status = 'parsed' AND agency IS NOT NULL ORDER BY agency"
        return [row[0] for row in self.conn.execute(query)]

    def series_agencies(self, key: str, mapping: dict[str, str] | None = None) -> list[str]:
        """The agency names (as written) of the series ``key`` (``series.series_key``, after ``mapping``):
        what ``series.matching_agencies`` finds among :meth:`agencies`, looking only at the names of
        that key's place (the region columns; names without a place for a key without one) and, with
        a mapping, at the mapped names: a national dataset's other names are not read again."""
        from .series import normalize_agency, series_key

        code = key.split("/", 1)[0] if _REGION_KEY.fullmatch(key) else None
        query = (
            "SELECT DISTINCT r.agency FROM reports r WHERE r.status = 'parsed' AND r.agency IS NOT NULL"
            f" AND {self._region_sql['region_code']} IS ?"
        )
        names = {a for (a,) in self.conn.execute(query, (code,))}
        if mapping:
            names |= {a for a in self.agencies() if normalize_agency(a) in mapping}
        elif code is None:  # no place in these names: their key is the normalised name
            return sorted(a for a in names if normalize_agency(a) == key)
        return sorted(a for a in names if series_key(a, mapping) == key)

    def records(self, sources: tuple[str, ...] = (), agencies: list[str] | None = None) -> list[Record]:
        """The parsed reports as records again (for ``audit``, ``trend`` and ``compare --db``);
        ``agencies``: only reports of these names (``series.matching_agencies`` finds them)."""
        from .cells import Location
        from .narrative import Statement
        from .record import Note, Record, Value

        query = (
            "SELECT id, source, sha256, format, encoding, shape, script, title, agency, year, notes, extra,"
            " narrative, identities_used FROM reports WHERE status = 'parsed'"
        )
        params: list[str] = list(sources)
        if sources:
            query += f" AND source IN ({', '.join('?' * len(sources))})"
        if agencies is not None:
            query += f" AND agency IN ({', '.join('?' * len(agencies))})"
            params += agencies
        out: list[Record] = []
        # a national dataset repeats a few hundred location texts millions of times; Location is frozen
        locations: dict[str | None, Location | None] = {}
        slots: dict[str, list[tuple[str, str, str, str, str]]] = {}  # per format: key, table, row, column, label
        for row in self.conn.execute(query + " ORDER BY source", params).fetchall():
            rid, source, sha, fmt, enc, shape, script, title, agency, year, notes, extra, narrative, used = row
            record = Record(source, sha, fmt, enc, shape, script, title, agency, year)
            if fmt not in slots:
                spec = record.spec
                slots[fmt] = [(f"{t}.{r}.{c}", t, r, c, spec.table(t).row(r).label) for t, r, c in spec.value_keys()]
            stored = {
                key: (value, raw, unit, location, inferred)
                for key, value, raw, unit, location, inferred in self.conn.execute(
                    "SELECT key, value, raw, unit, location, inferred FROM report_values WHERE report_id = ?", (rid,)
                )
            }
            for key, t, r, c, label in slots[fmt]:
                got = stored.pop(key, None)
                if got is None:
                    record.values[key] = Value(t, r, c, label)
                    continue
                value, raw, unit, location, inferred = got
                if location not in locations:
                    locations[location] = Location.parse(location)
                record.values[key] = Value(t, r, c, label, value, raw, unit, locations[location], inferred)
            if stored:  # a key the format does not have: not a dataset this version wrote
                raise KeyError(next(iter(stored)))
            record.warnings = [
                Note.from_dict(n)  # with its Chinese text, its cells and its data (a series settles from them)
                for n in json.loads(notes or "[]")
            ]
            record.extra = json.loads(extra or "[]")
            record.statements = [
                Statement(st["kind"], st["value"], st["raw"], Location(**st["loc"]))
                for st in json.loads(narrative or "[]")
            ]
            record.inferred_identities = {(code, where) for code, where in json.loads(used or "[]")}
            out.append(record)
        return out

    def counts(self) -> dict[str, int]:
        return {
            "reports": self.conn.execute("SELECT count(*) FROM reports").fetchone()[0],
            "values": self.conn.execute("SELECT count(*) FROM report_values").fetchone()[0],
            "findings": self.conn.execute("SELECT count(*) FROM findings").fetchone()[0],
        }

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Export columns: values match `disclosure parse -o csv` (then key and sha256), so either loads the same way.
VALUE_EXPORT_FIELDS = (
    "source", "agency", "region_code", "region_name", "region_level", "year", "format", "table", "row", "column",
    "label", "value", "raw", "unit", "location", "inferred", "key", "sha256",
)  # fmt: skip
FINDING_EXPORT_FIELDS = (
    "source", "agency", "region_code", "region_name", "region_level", "year", "kind", "code", "name", "severity",
    "where", "location", "message", "equation", "expected", "actual", "difference", "blank_dependent", "locations",
)  # fmt: skip
EXPORT_FIELDS = {
    "reports": REPORT_FIELDS,
    "values": VALUE_EXPORT_FIELDS,
    "findings": FINDING_EXPORT_FIELDS,
}


def open_db(path: str) -> Dataset:
    """Open (creating if needed) a dataset file. WAL lets readers query while a batch writes."""
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    migrated = False  # an earlier version's file: its regions are read and every series is pending
    if version == 1:  # written before identities_used existed: add it
        with conn:
            conn.execute("ALTER TABLE reports ADD COLUMN identities_used TEXT")
            conn.execute("PRAGMA user_version = 2")
        version = 2
    if version == 2:  # written before cross-year findings were stored: every series is pending (version 4 does it)
        with conn:
            conn.executescript(SCHEMA)
            conn.execute("PRAGMA user_version = 3")
        version = 3
    if version == 3:  # written before the region columns: added, then filled from agency (below)
        with conn:
            have = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
            for name in REGION_FIELDS:
                if name not in have:
                    conn.execute(f"ALTER TABLE reports ADD COLUMN {name} TEXT")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        version, migrated = SCHEMA_VERSION, True
    if version not in (0, SCHEMA_VERSION):
        conn.close()
        raise ValueError(f"{path}: dataset schema version {version}, this tool reads version {SCHEMA_VERSION}")
    from .region import data_version

    with conn:
        conn.executescript(SCHEMA)
        conn.execute(REGION_INDEX)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('created_by', ?)", (f"disclosure-cli {__version__}",))
        stored = conn.execute("SELECT value FROM meta WHERE key = 'region_data'").fetchone()
        if migrated or stored is None or stored[0] != data_version():  # new, migrated, other region data
            _fill_regions(conn)
    return Dataset(conn, path)


def open_readonly(path: str) -> Dataset:
    """Open an existing dataset for reading only: a reading command never creates or changes a file."""
    from pathlib import Path

    if not Path(path).is_file():
        raise ValueError("no such dataset")
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ValueError(f"not a disclosure dataset (not a SQLite file: {exc})") from None
    if "reports" not in tables or "report_values" not in tables:
        conn.close()
        raise ValueError("not a disclosure dataset (no reports table)")
    return Dataset(conn, path)


def export(
    ds: Dataset, table: str, fmt: str, out: TextIO, lang: str = "en", bom: bool = False, where: RowFilter | None = None
) -> int:
    """Write one table (``where``: some of its rows) as tidy CSV or JSON Lines; returns the rows written."""
    from .output import csv_writer

    fields = EXPORT_FIELDS[table]
    n = 0
    if fmt == "csv":
        writer = csv_writer(out, fields, bom=bom)
        for exported in ds.rows(table, lang, where):
            writer.writerow({k: "" if v is None else v for k, v in exported.items()})
            n += 1
    elif fmt == "jsonl":
        for exported in ds.rows(table, lang, where):
            row: dict[str, object] = dict(exported)
            for k in (*_JSON_REPORT_FIELDS, "locations"):
                text = row.get(k)
                if isinstance(text, str):  # JSON columns are written as JSON, not as a string of it
                    row[k] = json.loads(text)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    else:
        raise ValueError(f"no export format {fmt!r} (csv, jsonl)")
    out.flush()
    return n


# -- merging shards ------------------------------------------------------------------------------------


class MergeSummaryDict(TypedDict):
    db: str
    extended: bool
    added: int
    replaced: int
    kept: int
    duplicates: int
    per_input: dict[str, int]


class MergeSummary(msgspec.Struct):
    """What ``merge`` did, per input dataset and in all."""

    db: str
    extended: bool = False  # OUT existed and was extended (else it was created)
    added: int = 0  # sources new to OUT
    replaced: int = 0  # sources OUT had, replaced by a later processing of them
    kept: int = 0  # sources OUT had with the same bytes and version, or processed later: left as they were
    duplicates: int = 0  # the same bytes under another source: recorded as a duplicate of the first
    per_input: dict[str, int] = msgspec.field(default_factory=dict)  # reports read from each input

    def as_dict(self) -> MergeSummaryDict:
        return {
            "db": self.db,
            "extended": self.extended,
            "added": self.added,
            "replaced": self.replaced,
            "kept": self.kept,
            "duplicates": self.duplicates,
            "per_input": self.per_input,
        }


def _outcomes(ds: Dataset) -> Iterator[tuple[Outcome, str]]:
    """Every report of a dataset as the Outcome that wrote it (and its tool version), in write order."""
    have = {row[1] for row in ds.conn.execute("PRAGMA table_info(reports)")}
    cols = ["id", *(f if f in have else f"NULL AS {f}" for f in REPORT_FIELDS)]
    for row in ds.conn.execute(f"SELECT {', '.join(cols)} FROM reports ORDER BY id").fetchall():
        rid, r = row[0], dict(zip(REPORT_FIELDS, row[1:]))
        meta = cast(
            "FetchMeta", {k: r[k] for k in ("url", "final_url", "content_type", "fetched_at") if r[k] is not None}
        )
        if r["http_status"] is not None:
            meta["status"] = r["http_status"]
        report_keys = ("title", "agency", "year", "format", "script", "shape", "encoding", "value_count", "errors",
                       "warnings", "infos", "notes", "extra", "narrative", "identities_used")  # fmt: skip
        values = ds.conn.execute(
            f"SELECT {', '.join(VALUE_FIELDS)} FROM report_values WHERE report_id = ? ORDER BY rowid", (rid,)
        ).fetchall()
        findings = ds.conn.execute(
            f"SELECT {', '.join(FINDING_FIELDS)} FROM findings WHERE report_id = ? AND kind != 'cross-year'"
            " ORDER BY id",
            (rid,),
        ).fetchall()
        yield (
            Outcome(
                r["source"], r["status"], r["reason"], r["error"], r["sha256"], r["duplicate_of"], meta,
                cast(ReportFields, {k: r[k] for k in report_keys if r[k] is not None}), list(values), list(findings),
                r["processed_at"],
            ),
            r["tool_version"],
        )  # fmt: skip


def _better(new: Outcome, old: tuple[str, str | None]) -> bool:
    """Whether a shard's row replaces the one OUT has for its source: a parsed report beats a failure
    or a duplicate; otherwise the later processing wins (as a re-run of ``batch`` replaces)."""
    old_status, old_at = old
    rank = {"parsed": 2, "duplicate": 1, "failed": 0}
    if rank.get(new.status, 0) != rank.get(old_status, 0):
        return rank.get(new.status, 0) > rank.get(old_status, 0)
    return (new.processed_at or "") > (old_at or "")


def merge(inputs: list[str], out: str) -> MergeSummary:
    """Merge datasets (shards batched on several machines) into ``out``, atomically.

    Duplicates are resolved as ``batch`` resolves them: one row per source (a parsed report beats a
    failure, else the later processing wins; the same bytes and version are kept as they are), and
    the same bytes under another source become a ``duplicate`` of the first source that has them.
    A new ``out`` is built beside it and renamed into place; an existing dataset ``out`` is extended
    in one transaction. Cross-year findings are not copied: they are computed again for every series
    the merge touched (as ``batch`` does; resumable through ``series_pending``). Anything else at
    ``out`` is refused (ValueError), and so is an input that is not a dataset: nothing is written then.
    """
    import os
    from pathlib import Path

    target = Path(out)
    extended = target.exists()
    if extended:
        open_readonly(out).close()  # ValueError when it is not a dataset: never overwritten
    shards: list[tuple[str, Dataset]] = []
    try:
        for path in inputs:
            if extended and Path(path).resolve() == target.resolve():
                continue  # OUT given as an input too: it is the base already
            shards.append((path, open_readonly(path)))
        build = out if extended else f"{out}.merging-{os.getpid()}"
        for sfx in ("", "-wal", "-shm"):
            if not extended and os.path.exists(build + sfx):
                os.remove(build + sfx)
        ds = open_db(build)
        summary = MergeSummary(out, extended=extended)
        try:
            incoming = sum(shard.conn.execute("SELECT count(*) FROM reports").fetchone()[0] for _, shard in shards)
            deferred = ds.defer_value_index(incoming)  # committed apart: a failed merge leaves it to open_db
            with ds.conn:
                for path, shard in shards:
                    summary.per_input[path] = 0
                    for outcome, version in _outcomes(shard):
                        summary.per_input[path] += 1
                        _merge_one(ds, outcome, version, summary)
            if deferred:
                ds.build_value_index()
        except BaseException:
            ds.close()
            if not extended:
                for sfx in ("", "-wal", "-shm"):
                    if os.path.exists(build + sfx):
                        os.remove(build + sfx)
            raise
        ds.refresh_series()  # the shards' series are now longer: their cross-year findings are computed again
        ds.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ds.close()
        if not extended:
            for sfx in ("-wal", "-shm"):
                if os.path.exists(build + sfx):
                    os.remove(build + sfx)
            if target.exists():  # appeared while we worked: do not overwrite it
                os.remove(build)
                raise ValueError(f"{out} appeared while merging; not overwritten")
            os.replace(build, out)
        return summary
    finally:
        for _, shard in shards:
            shard.close()


def _merge_one(ds: Dataset, outcome: Outcome, version: str, summary: MergeSummary) -> None:
    conn = ds.conn
    have = conn.execute(
        "SELECT status, processed_at, sha256, tool_version FROM reports WHERE source = ?", (outcome.source,)
    ).fetchone()
    if have is not None:
        same = have[2] == outcome.sha256 and have[3] == version and have[0] == outcome.status
        if same or not _better(outcome, (have[0], have[1])):
            summary.kept += 1
            return
    if outcome.sha256 and outcome.status != "failed":
        first = conn.execute(
            "SELECT source FROM reports WHERE sha256 = ? AND tool_version = ? AND status != 'duplicate'"
            " AND source != ? ORDER BY id LIMIT 1",
            (outcome.sha256, version, outcome.source),
        ).fetchone()
        if first is not None:
            outcome = Outcome(outcome.source, "duplicate", sha256=outcome.sha256, duplicate_of=first[0],
                              meta=outcome.meta, processed_at=outcome.processed_at)  # fmt: skip
            summary.duplicates += 1
        elif outcome.status == "duplicate":
            pass  # its original is not in OUT (it was replaced): kept as the shard recorded it
    if have is None:
        summary.added += 1
    else:
        summary.replaced += 1
    ds._write(outcome, version)
