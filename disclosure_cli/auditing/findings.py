"""Findings are values: a rule, a message in two languages, the equation with its numbers, and
the place of every number in it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TypedDict

import msgspec

from ..cells import Location
from .rules import BY_CODE, Rule, Severity
from .suspect import Suspect, SuspectDict


class _TermFields(TypedDict):
    key: str | None
    label: str
    value: float | int | None
    raw: str | None


class TermDict(_TermFields, total=False):
    """A number of a finding as JSON output carries it (``locations`` of a finding)."""

    source: str
    loc: Mapping[str, int]
    location: str
    context: str
    blank: bool


class _FindingFields(TypedDict):
    code: str
    name: str
    severity: Severity
    where: str
    message: str
    equation: str
    expected: float | int | None
    actual: float | int | None
    difference: float | int | None
    blank_dependent: bool
    locations: list[TermDict]


class FindingDict(_FindingFields, total=False):
    """A finding as JSON output carries it, in one language."""

    suspect: SuspectDict
    candidates: list[SuspectDict]


class Term(msgspec.Struct, frozen=True):
    """One number in a finding, with where it sits on the page."""

    name_zh: str
    name_en: str
    value: float | int | None
    raw: str | None = None
    loc: Location | None = None
    key: str | None = None  # canonical key; None for a number stated in the prose
    blank: bool = False  # a blank cell, read under the blank-cell convention
    source: str | None = None  # the report it comes from, when a finding spans several
    table_number: int | None = None  # the report's number of the table the value is in (2, 3, 4)
    context: str | None = None  # flattened text: the page text around the number

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def location(self, lang: str = "en") -> str:
        """Where a person finds the number: 「第4页表四第4行第5列」, "line 85", with the text around it
        on a flattened page."""
        if self.loc is None:
            return ""
        where = self.loc.describe(lang, self.table_number)
        if self.context:
            where += f"（「{self.context}」）" if lang == "zh" else f" ('{self.context}')"
        return where

    def as_dict(self, lang: str = "en") -> TermDict:
        out: TermDict = {
            "key": self.key,
            "label": self.name(lang) or self.name_zh,
            "value": self.value,
            "raw": self.raw,
        }
        if self.source is not None:
            out["source"] = self.source
        if self.loc is not None:
            out["loc"] = self.loc.as_dict()
            out["location"] = self.location(lang)
        if self.context:
            out["context"] = self.context
        if self.blank:
            out["blank"] = True
        return out


class Finding(msgspec.Struct):
    code: str
    message_zh: str
    message_en: str
    equation_zh: str = ""
    equation_en: str = ""
    expected: float | int | None = None
    actual: float | int | None = None
    terms: list[Term] = msgspec.field(default_factory=list)
    blank_dependent: bool = False
    where: str = ""  # table.row or table.column key the finding names
    # the one value whose change alone makes the sums hold (see suspect.py), or the several that could
    suspect: Suspect | None = None
    candidates: tuple[Suspect, ...] = ()

    @property
    def rule(self) -> Rule:
        return BY_CODE[self.code]

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def difference(self) -> float | int | None:
        if self.expected is None or self.actual is None:
            return None
        return _tidy(self.actual - self.expected)

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def equation(self, lang: str) -> str:
        return self.equation_zh if lang == "zh" else self.equation_en

    def suspect_text(self, lang: str) -> str:
        """「最可能出错：结转下年度·自然人 148（按恒等式应为147），第265行」; empty with no suspect."""
        if self.suspect is not None:
            head = "最可能出错：" if lang == "zh" else "most likely wrong: "
            return head + self.suspect.describe(lang)
        if self.candidates:
            head = "可能出错（其中之一）：" if lang == "zh" else "one of these is probably wrong: "
            return head + ("；" if lang == "zh" else "; ").join(c.describe(lang) for c in self.candidates)
        return ""

    def location(self, lang: str = "en") -> str:
        """What a person looks at first: the suspect's place, else that of the first number that has one."""
        if self.suspect is not None and self.suspect.loc is not None:
            return self.suspect.location(lang, context=False)
        for t in self.terms:
            if t.loc is not None:
                return Term(t.name_zh, t.name_en, t.value, loc=t.loc, table_number=t.table_number).location(lang)
        return ""

    def locations(self, lang: str) -> list[str]:
        """Every number of the finding with its place (``--locations``): 「结转下年度 148：第265行」."""
        sep = "：" if lang == "zh" else ": "
        out: list[str] = []
        for t in self.terms:
            if t.loc is None:
                continue
            shown = t.raw if t.raw is not None else ("空" if t.value is None else str(_tidy(t.value)))
            name = t.name(lang) or (t.key or "")
            if not name and t.raw is None:  # the place of a parser note: nothing to name
                out.append(t.location(lang))
                continue
            out.append(f"{name} {shown}{sep}{t.location(lang)}".strip())
        return out

    def fingerprint(self, agency: str | None, year: int | None) -> str:
        """A stable id for a reviewed finding: its code, the values it names, the agency and year; never
        line numbers or numbers that a re-published page may shift."""
        keys = sorted({t.key for t in self.terms if t.key} | ({self.suspect.key} if self.suspect else set()))
        what = self.where or ",".join(keys) or _unplaced(self.message_en)
        text = "\x1f".join((self.code, what, ",".join(keys), _agency(agency), str(year or "")))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def as_dict(self, lang: str = "en") -> FindingDict:
        out: FindingDict = {
            "code": self.code,
            "name": self.rule.name,
            "severity": self.severity,
            "where": self.where,
            "message": self.message(lang),
            "equation": self.equation(lang),
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "blank_dependent": self.blank_dependent,
            "locations": [t.as_dict(lang) for t in self.terms],
        }
        if self.suspect is not None:
            out["suspect"] = self.suspect.as_dict(lang)
        if self.candidates:
            out["candidates"] = [c.as_dict(lang) for c in self.candidates]
        return out


_PLACE = re.compile(r"\((?:page|line|table) [^)]*\)|(?:page|line|column|table|row) \d+")


def _unplaced(message: str) -> str:
    """A message without its places (for a finding that names no value, such as a parse note)."""
    return re.sub(r"\s+", " ", _PLACE.sub("", message)).strip()


def _agency(name: str | None) -> str:
    from ..series import normalize_agency

    return normalize_agency(name) if name else ""


def _tidy(x: float | int) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 6)
