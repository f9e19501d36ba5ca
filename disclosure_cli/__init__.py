"""disclosure-cli: read, rebuild and audit Chinese Open Government Information annual reports.

The library is the product; the command line is a thin skin over it::

    from disclosure_cli import parse_path
    record = parse_path("report.html")
    record.get("requests", "new", "total")
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Record", "ReportError", "__version__", "parse_bytes", "parse_path"]


def __getattr__(name: str):
    # Lazy exports: `disclosure --help` must not import lxml, opencc or the parser.
    if name in ("parse_bytes", "parse_path"):
        from . import parse

        return getattr(parse, name)
    if name == "ReportError":
        from .errors import ReportError

        return ReportError
    if name == "Record":
        from .record import Record

        return Record
    raise AttributeError(name)
