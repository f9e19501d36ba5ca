"""Reviewed findings: a baseline file of fingerprints the audit leaves out.

A journalist who has checked a finding (and asked the agency about it) records it with
``disclosure audit … --write-baseline reviewed.json``; later runs with ``--baseline reviewed.json``
show only what is new. A fingerprint (:meth:`Finding.fingerprint`) is made of the rule's code, the
values the finding names, the agency and the year, never of line numbers, so it survives a page
re-published with another layout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import msgspec

if TYPE_CHECKING:
    from .findings import Finding

KIND = "disclosure-audit-baseline"
VERSION = 1


class BaselineError(ValueError):
    """A file that cannot be read as a baseline, or must not be overwritten by one."""


class EntryDict(TypedDict):
    """One reviewed finding as the baseline file stores it."""

    fingerprint: str
    code: str
    agency: str | None
    year: int | None
    where: str
    message: str


class BaselineDict(TypedDict):
    """A baseline file's content."""

    kind: str
    version: int
    findings: list[EntryDict]


class Entry(msgspec.Struct):
    fingerprint: str
    code: str
    agency: str | None
    year: int | None
    where: str
    message: str

    def as_dict(self) -> EntryDict:
        return {
            "fingerprint": self.fingerprint,
            "code": self.code,
            "agency": self.agency,
            "year": self.year,
            "where": self.where,
            "message": self.message,
        }


class Baseline(msgspec.Struct):
    entries: dict[str, Entry] = msgspec.field(default_factory=dict)

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.entries

    def add(self, finding: Finding, agency: str | None, year: int | None, lang: str = "en") -> None:
        fp = finding.fingerprint(agency, year)
        self.entries.setdefault(fp, Entry(fp, finding.code, agency, year, finding.where, finding.message(lang)))

    def hide(self, findings: list[Finding], agency: str | None, year: int | None) -> tuple[list[Finding], int]:
        """The findings not yet reviewed, and how many were hidden."""
        kept = [f for f in findings if f.fingerprint(agency, year) not in self]
        return kept, len(findings) - len(kept)

    def as_dict(self) -> BaselineDict:
        return {
            "kind": KIND,
            "version": VERSION,
            "findings": [e.as_dict() for e in sorted(self.entries.values(), key=lambda e: (e.code, e.fingerprint))],
        }


def _is_baseline(data: object) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND and isinstance(data.get("findings"), list)


def load(path: str | Path) -> Baseline:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a readable baseline ({exc})") from None
    if not _is_baseline(data):
        raise BaselineError(f"{path}: not a baseline written by `disclosure audit --write-baseline`")
    out = Baseline()
    for item in data["findings"]:
        if isinstance(item, dict) and isinstance(item.get("fingerprint"), str):
            fp = item["fingerprint"]
            out.entries[fp] = Entry(fp, str(item.get("code", "")), item.get("agency"), item.get("year"),
                                    str(item.get("where", "")), str(item.get("message", "")))  # fmt: skip
    return out


def write(baseline: Baseline, path: str | Path) -> None:
    """Write atomically (a temporary file in the same folder, then renamed); refuse to replace a file that
    is not a baseline, so a slip of the shell cannot destroy a report or a dataset."""
    target = Path(path)
    if target.exists():
        try:
            existing = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            existing = None
        if not _is_baseline(existing):
            raise BaselineError(f"{path}: exists and is not a baseline; not overwritten")
    import tempfile  # only here: `audit` without --write-baseline does not pay for it

    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(baseline.as_dict(), out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
