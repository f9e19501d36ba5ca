"""The library every command is a thin skin over: audit, trend and compare records, returning one report
object each, which the renderers (``show.py``) read and which a notebook can read as well.

Records come from :func:`disclosure_cli.sources.read_sources` (files, folders, URLs, standard input) or
:func:`~disclosure_cli.sources.read_dataset`; parsing one input is :func:`disclosure_cli.parse.parse_bytes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from .auditing.baseline import Baseline
    from .auditing.checks import AuditResult
    from .auditing.findings import Finding
    from .auditing.rules import Severity
    from .record import Record
    from .series import Change, Series


class ReportAudit(msgspec.Struct):
    """One report's audit: every finding (``result.findings``) and those shown after selection and baseline."""

    result: AuditResult
    shown: list[Finding]

    @property
    def record(self) -> Record:
        return self.result.record


class SeriesAudit(msgspec.Struct):
    """The cross-year findings of one agency given in several years (Y codes), after selection and baseline."""

    series: Series
    shown: list[Finding]


class AuditReport(msgspec.Struct):
    """What ``disclosure audit`` reports: each report's findings and, for agencies given in several years,
    the cross-year findings. ``hidden`` counts the findings a baseline left out; ``recorded`` is the
    baseline extended with every finding shown (what ``--write-baseline`` writes)."""

    reports: list[ReportAudit] = msgspec.field(default_factory=list)
    series: list[SeriesAudit] = msgspec.field(default_factory=list)
    hidden: int = 0
    recorded: Baseline | None = None

    @property
    def found(self) -> int:
        """Findings shown, in reports and across years: non-zero means the audit failed."""
        return sum(len(r.shown) for r in self.reports) + sum(len(s.shown) for s in self.series)


def audit(
    records: Iterable[Record],
    *,
    blank: str = "zero",
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    min_severity: Severity = "info",
    baseline: Baseline | None = None,
    lang: str = "en",
    across_years: bool = True,
    mapping: dict[str, str] | None = None,
) -> AuditReport:
    """Audit every record, then the years of each agency given more than once (``across_years``).

    ``select``/``ignore`` take rule codes, prefixes or names; ``min_severity`` drops what is below it;
    ``baseline`` hides findings already reviewed (``lang``: the language fingerprints are recorded in);
    ``mapping`` (old agency name → current name) merges renamed agencies into one series. Across years,
    the records are settled first (``settling.settle``: glued table-2 rows the neighbouring years read),
    so each report is audited as settled.
    """
    from .auditing import audit as audit_record
    from .auditing.baseline import Baseline
    from .auditing.rules import shown as keep

    reviewed = baseline or Baseline()
    recorded = Baseline(dict(reviewed.entries))
    report = AuditReport(recorded=recorded)
    records = list(records)
    if across_years and len(records) > 1:  # the neighbouring years settle glued rows one report leaves open
        from .settling import settle

        records = settle(records, mapping)
    kept: list[Record] = []
    for record in records:
        kept.append(record)
        result = audit_record(record, blank=blank)
        shown = keep(result.findings, select, ignore, min_severity)
        for f in shown:
            recorded.add(f, record.agency, record.year, lang)
        shown, hidden = reviewed.hide(shown, record.agency, record.year)
        report.hidden += hidden
        report.reports.append(ReportAudit(result, shown))
    if across_years and len(kept) > 1:
        from .series import several_years

        for series in several_years(kept, mapping):
            found = keep(series_findings(series), select, ignore, min_severity)
            year = series.years[-1]
            for f in found:
                recorded.add(f, series.agency, year, lang)
            found, _ = reviewed.hide(found, series.agency, year)
            report.series.append(SeriesAudit(series, found))
    return report


class SeriesTrend(msgspec.Struct):
    """One agency's years: the value changes between consecutive reports, the keys that could not be
    compared (by year), and the cross-year findings."""

    series: Series
    changes: list[Change]
    not_compared: dict[int, list[str]]
    findings: list[Finding]


class Trend(msgspec.Struct):
    """What ``disclosure trend`` reports: one :class:`SeriesTrend` per agency, and the reports left out
    for want of a year. Second reports of one year are in each series' ``duplicates``."""

    series: list[SeriesTrend] = msgspec.field(default_factory=list)
    undated: list[Record] = msgspec.field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(len(s.findings) for s in self.series)


def series_findings(series: Series) -> list[Finding]:
    """The cross-year findings of one series: the rules of ``series.cross_year``, then Y008 for the
    glued rows no reading of which agrees with the neighbouring years (``settle.unsettled``)."""
    from .series import cross_year
    from .settling import unsettled

    return cross_year(series) + [f for _, f in unsettled(series)]


def series_trend(series: Series, min_severity: Severity = "info") -> SeriesTrend:
    """Changes and cross-year findings of one series."""
    from .auditing.rules import shown
    from .series import series_changes

    changes, not_compared = series_changes(series)
    return SeriesTrend(series, changes, not_compared, shown(series_findings(series), minimum=min_severity))


def trend(
    records: Iterable[Record],
    *,
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
    min_severity: Severity = "info",
) -> Trend:
    """Group the records into series (one per agency, names normalised, ``mapping`` merging renamed
    agencies; ``agency``: that one only) ordered by year, and compare each year with the one before.
    Glued table-2 rows that the neighbouring years settle are read first (``settling.settle``)."""
    from .series import group
    from .settling import settle

    grouped, undated = group(settle(records, mapping), agency, mapping, with_undated=True)
    return Trend([series_trend(s, min_severity) for s in grouped], list(undated))


class Comparison(msgspec.Struct):
    """Two reports compared. ``agencies`` names both when they look like two different agencies and
    nobody said they were one (the caller should say so)."""

    trend: SeriesTrend
    agencies: tuple[str, str] | None = None


def compare(
    a: Record,
    b: Record,
    *,
    agency: str | None = None,
    mapping: dict[str, str] | None = None,
    min_severity: Severity = "info",
) -> Comparison:
    """Compare two reports of different years, as one series named ``agency`` (else the later report's
    agency). Raises ValueError when they lack a year or share one."""
    from .series import Series, series_key, series_name

    if a.year is None or b.year is None or a.year == b.year:
        raise ValueError("compare needs two reports of different years")
    first, second = sorted((a, b), key=lambda r: r.year or 0)
    assert first.year is not None and second.year is not None
    name_a, name_b = series_name(first, mapping), series_name(second, mapping)
    different = agency is None and series_key(name_a) != series_key(name_b)
    series = Series(agency or name_b, {first.year: first, second.year: second})
    return Comparison(series_trend(series, min_severity), (name_a, name_b) if different else None)
