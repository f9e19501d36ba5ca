"""The one exception the library raises for input it cannot turn into a record."""

from __future__ import annotations


class ReportError(Exception):
    """An input that is not a parseable report. ``reason`` is a stable code for datasets and tests.

    Codes: too-large, empty, binary, undecodable, not-a-report, legacy-format, no-table-text,
    truncated-table, unreadable, no-text-layer (a scanned PDF); fetching adds its own (fetch.py).
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
