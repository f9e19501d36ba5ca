"""disclosure-cli: read, rebuild and audit Chinese Open Government Information annual reports.

The library is the product; every command is one call of it (README, "As a library")::

    from disclosure_cli import audit, parse_path, read_sources
    record = parse_path("report.html")
    record.get("requests", "new", "total")
    report = audit(r for r in read_sources(["reports/"]) if not isinstance(r, Failure))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import AuditReport, Comparison, ReportAudit, SeriesAudit, SeriesTrend, Trend, audit, compare, trend
    from .errors import ReportError
    from .parse import parse_bytes, parse_path
    from .record import Record
    from .settling import settle
    from .sources import Failure, FetchOptions, read_dataset, read_sources

# Lazy exports: `disclosure --help` must not import lxml, opencc or the parser.
_EXPORTS = {
    "parse_bytes": "parse",
    "parse_path": "parse",
    "read_sources": "sources",
    "read_dataset": "sources",
    "Failure": "sources",
    "FetchOptions": "sources",
    "audit": "api",
    "trend": "api",
    "compare": "api",
    "AuditReport": "api",
    "ReportAudit": "api",
    "SeriesAudit": "api",
    "Trend": "api",
    "SeriesTrend": "api",
    "Comparison": "api",
    "ReportError": "errors",
    "Record": "record",
    "settle": "settling",
}
__all__ = [
    "AuditReport",
    "Comparison",
    "Failure",
    "FetchOptions",
    "Record",
    "ReportAudit",
    "ReportError",
    "SeriesAudit",
    "SeriesTrend",
    "Trend",
    "__version__",
    "audit",
    "compare",
    "parse_bytes",
    "parse_path",
    "read_dataset",
    "read_sources",
    "settle",
    "trend",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
