"""Findings are values: a rule, a message in two languages, the equation with its numbers, and
the place of every number in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..cells import Location
from .rules import BY_CODE, Rule
from .suspect import Suspect


@dataclass(frozen=True, slots=True)
class Term:
    """One number in a finding, with where it sits on the page."""

    name_zh: str
    name_en: str
    value: float | int | None
    raw: str | None = None
    loc: Location | None = None
    key: str | None = None  # canonical key; None for a number stated in the prose
    blank: bool = False  # a blank cell, read under the blank-cell convention
    source: str | None = None  # the report it comes from, when a finding spans several

    def as_dict(self) -> dict:
        out = {"key": self.key, "label": self.name_zh, "value": self.value, "raw": self.raw}
        if self.source is not None:
            out["source"] = self.source
        if self.loc is not None:
            out["loc"] = self.loc.as_dict()
            out["location"] = self.loc.describe()
        if self.blank:
            out["blank"] = True
        return out


@dataclass
class Finding:
    code: str
    message_zh: str
    message_en: str
    equation_zh: str = ""
    equation_en: str = ""
    expected: float | int | None = None
    actual: float | int | None = None
    terms: list[Term] = field(default_factory=list)
    blank_dependent: bool = False
    where: str = ""  # table.row or table.column key the finding names
    # the one value whose change alone makes the sums hold (see suspect.py), or the several that could
    suspect: Suspect | None = None
    candidates: tuple[Suspect, ...] = ()

    @property
    def rule(self) -> Rule:
        return BY_CODE[self.code]

    @property
    def severity(self) -> str:
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

    def location(self) -> str:
        """What a person looks at first: the suspect's place, else that of the first number that has one."""
        if self.suspect is not None and self.suspect.loc is not None:
            return self.suspect.loc.describe()
        for t in self.terms:
            if t.loc is not None:
                return t.loc.describe()
        return ""

    def as_dict(self, lang: str = "en") -> dict:
        out = {
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
            "locations": [t.as_dict() for t in self.terms],
        }
        if self.suspect is not None:
            out["suspect"] = self.suspect.as_dict(lang)
        if self.candidates:
            out["candidates"] = [c.as_dict(lang) for c in self.candidates]
        return out


def _tidy(x: float | int) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 6)
