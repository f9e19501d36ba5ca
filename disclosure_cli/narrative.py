"""Numbers the report's prose states about its own tables (「本年新收政府信息公开申请5915件」).

The audit compares them with the tables. Patterns are deliberately narrow: a missed statement costs
nothing, a wrongly read one would be a false finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cells import Cell, Location
from .textnorm import simplify_prose

_N = r"(\d[\d,]*)"
_FILLER = r"(?:政府信息公开|信息公开)?"
# kind -> patterns; the first group is the number
PATTERNS: dict[str, tuple[str, ...]] = {
    "new": (rf"(?:本年(?:度)?|全年)(?:共)?新收(?:到)?{_FILLER}申请(?:共|合计)?{_N}件",),
    "received": (rf"(?:收到|受理|接收){_FILLER}申请(?:共|合计)?{_N}件",),
    "carried_over": (rf"上年(?:度)?结转{_FILLER}(?:申请)?(?:共)?{_N}件",),
    "carried_forward": (rf"(?:结转|转)(?:至|入)?下(?:一)?年度?(?:继续)?(?:办理)?(?:答复)?(?:的)?(?:有|共)?{_N}件",),
    "review": (rf"行政复议(?:案件)?(?:数)?(?:为|共)?{_N}(?:件|起)",),
    "litigation": (rf"行政诉讼(?:案件)?(?:数)?(?:为|共)?{_N}(?:件|起)",),
    # 2021 table 2, 行政规范性文件: read glued cells (「6233440」) where the text states one of them
    "documents_issued": (rf"(?:制发|制定)\S{{0,6}}?规范性文件(?:共)?{_N}件",),
    "documents_repealed": (rf"废止\S{{0,4}}?规范性文件(?:共)?{_N}件",),
    "documents_in_force": (rf"现行有效\S{{0,4}}?规范性文件(?:共)?{_N}件",),
}
_COMPILED = {k: [re.compile(p) for p in ps] for k, ps in PATTERNS.items()}
_SPACE = re.compile(r"[ \t\u3000\xa0]+")


@dataclass(frozen=True, slots=True)
class Statement:
    kind: str
    value: int
    raw: str  # the phrase as matched (Simplified, spaces removed)
    loc: Location

    def as_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "raw": self.raw, "loc": self.loc.as_dict()}


def find_statements(cells: list[Cell]) -> list[Statement]:
    """Every statement in the page's text cells (prose numbers stay inside them), in page order."""
    found: list[Statement] = []
    for cell in cells:
        if cell.kind != "label" or not any(ch in cell.raw for ch in "件起"):
            continue
        compact = _SPACE.sub("", simplify_prose(cell.raw))
        for kind, patterns in _COMPILED.items():
            for pattern in patterns:
                for m in pattern.finditer(compact):
                    found.append(Statement(kind, int(m.group(1).replace(",", "")), m.group(0), cell.loc))
    return found
