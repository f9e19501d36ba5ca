"""The one exception the library raises for input it cannot turn into a record."""

from __future__ import annotations


def human_size(n: float) -> str:
    """Bytes for people, in binary units (the --max-size option counts MB of 1024 × 1024 bytes)."""
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} MB"  # pragma: no cover


def too_large(size: int | None, limit: int, what: str = "file") -> ReportError:
    """The one refusal for inputs over the size limit (``size`` None: not known, only that it is over)."""
    got = f"{human_size(size)}; " if size is not None else "over "
    return ReportError("too-large", f"{what} too large ({got}limit {human_size(limit)})")


def too_complex(detail: str) -> ReportError:
    """The one refusal for inputs that would take unbounded work (spans, cells, PDF content)."""
    return ReportError("too-complex", f"input too complex to read ({detail})")


class ReportError(Exception):
    """An input that is not a parseable report. ``reason`` is a stable code for datasets and tests.

    Codes: too-large, empty, binary, undecodable, not-a-report, legacy-format, no-table-text,
    truncated-table, unreadable, no-text-layer (a scanned PDF), too-complex (over a cell, span or
    PDF content budget: more work than any real report needs); fetching adds its own (fetch.py).
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
