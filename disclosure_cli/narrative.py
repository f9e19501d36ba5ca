"""Numbers the report's prose states about its own tables (「本年新收政府信息公开申请5915件」).

The audit compares them with the tables. Patterns are deliberately narrow: a missed statement costs
nothing, a wrongly read one would be a false finding.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import msgspec

from .cells import Cell, Location
from .textnorm import simplify_prose

# What a statement says: a number the patterns read (PATTERNS), requests answered, every request
# closed, the report's own year, section 五 left empty.
StatementKind = Literal[
    "new",
    "received",
    "carried_over",
    "carried_forward",
    "review",
    "litigation",
    "documents_issued",
    "documents_repealed",
    "documents_in_force",
    "answered",
    "all-closed",
    "self-year",
    "problems-empty",
]

_N = r"(\d[\d,]*)"
_FILLER = r"(?:政府信息公开|信息公开)?"
# kind -> patterns; the first group is the number
PATTERNS: dict[StatementKind, tuple[str, ...]] = {
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
_SPACE = r"[ \t\u3000\xa0]+"
# what _ANSWERED, _ALL_CLOSED and _SELF_YEAR need, looked for in the raw text of either script
_SENTENCE_HINT = r"办结|辦結|答复|答覆|完毕|完畢|本\D{1,4}\d{4}\s*年"

# Statements that need a sentence of their own (what comes before the phrase matters):
# 「共办结148件」「及时规范答复7件」: requests answered; never a part (「其中公开答复1件」) or an appeal.
_ANSWERED = (
    r"(?:^|(?<=[，,。；;：:]))(?P<head>[^，,。；;：:]{0,12}?)(?:办结|答复)(?:依申请公开|依申请|政府信息公开申请|申请)?"
    rf"(?:共|合计)?{_N}件"
)
_NOT_ANSWERED = ("其中", "公开", "予以", "复议", "诉讼", "上年", "结转", "部分", "不予", "咨询", "留言")
# 「申请均已按时办结」: every request closed (the audit sets it against 结转下年度)
_ALL_CLOSED = (
    r"申请[^，,。；;：:]{0,8}?(?:均已|均|全部|已全部|全部已)(?:按时|按期|依法|及时)?(?:办结|答复完毕|办理完毕)"
)
# 「本机关2022年度…」: the report names a year for its own work
_SELF_YEAR = r"本(?:机关|单位|部门|局|委|办|区|县|市|院|厅|署|中心)(\d{4})年度?"
# section 五 (存在的主要问题及改进情况) and what follows it up to section 六
_PROBLEMS = r"五、存在的主要问题(?:及|和)?(?:改进情况|改进措施|明年工作计划)?[:：]?(.{0,40}?)六、其他需要报告的事项"
_EMPTY = frozenset({"", "无", "暂无", "无。", "暂无。", "无问题", "无。。"})


class _Regexes(NamedTuple):
    statements: dict[StatementKind, list[re.Pattern[str]]]
    space: re.Pattern[str]
    sentence_hint: re.Pattern[str]
    answered: re.Pattern[str]
    all_closed: re.Pattern[str]
    self_year: re.Pattern[str]
    problems: re.Pattern[str]
    whitespace: re.Pattern[str]


@lru_cache(maxsize=1)
def _regexes() -> _Regexes:
    """The patterns compiled on first use: importing the module (every command does) compiles nothing."""
    return _Regexes(
        {k: [re.compile(p) for p in ps] for k, ps in PATTERNS.items()},
        re.compile(_SPACE),
        re.compile(_SENTENCE_HINT),
        re.compile(_ANSWERED),
        re.compile(_ALL_CLOSED),
        re.compile(_SELF_YEAR),
        re.compile(_PROBLEMS),
        re.compile(r"\s+"),
    )


class Statement(msgspec.Struct, frozen=True):
    kind: StatementKind
    value: int
    raw: str  # the phrase as matched (Simplified, spaces removed)
    loc: Location

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "raw": self.raw, "loc": self.loc.as_dict()}


def find_statements(cells: list[Cell]) -> list[Statement]:
    """Every statement in the page's text cells (prose numbers stay inside them), in page order."""
    rx = _regexes()
    found: list[Statement] = []
    for cell in cells:
        if cell.kind != "label":
            continue
        raw = cell.raw
        counted = "件" in raw or "起" in raw
        sentence = rx.sentence_hint.search(raw) is not None
        if not (counted or sentence):  # most cells: a quick look at the raw text is enough
            continue
        compact = rx.space.sub("", simplify_prose(cell.raw))
        for kind, patterns in rx.statements.items() if counted else ():
            for pattern in patterns:
                for m in pattern.finditer(compact):
                    found.append(Statement(kind, int(m.group(1).replace(",", "")), m.group(0), cell.loc))
        if sentence:
            found.extend(_sentences(compact, cell.loc, rx))
    found.extend(_problems_section(cells, rx))
    return found


def _sentences(compact: str, loc: Location, rx: _Regexes) -> list[Statement]:
    out = []
    for m in rx.answered.finditer(compact):
        if not any(w in m.group("head") for w in _NOT_ANSWERED):
            raw = m.group(0).lstrip("，,。；;：:")
            out.append(Statement("answered", int(m.groups()[-1].replace(",", "")), raw, loc))
    for m in rx.all_closed.finditer(compact):
        sentence_start = max(compact.rfind(p, 0, m.start()) for p in "，,。；;") + 1
        if not any(w in compact[sentence_start : m.end()] for w in ("上年", "结转", "复议", "诉讼")):
            out.append(Statement("all-closed", 0, m.group(0), loc))
    for m in rx.self_year.finditer(compact):
        if 2000 <= int(m.group(1)) <= 2100:
            out.append(Statement("self-year", int(m.group(1)), m.group(0), loc))
    return out


def _problems_section(cells: list[Cell], rx: _Regexes) -> list[Statement]:
    """「五、存在的主要问题及改进情况 无 六、…」: section 五 left empty (or 「无」)."""
    at = next((i for i, c in enumerate(cells) if c.kind != "value" and "存在的主要问题" in c.raw), None)
    if at is None:
        return []
    heading = cells[at]
    text = "".join(rx.space.sub("", simplify_prose(c.raw)) for c in cells[at : at + 8])
    m = rx.problems.search(rx.whitespace.sub("", text))
    if m is None or m.group(1).strip("。.，, ") not in {e.rstrip("。") for e in _EMPTY}:
        return []
    return [Statement("problems-empty", 0, m.group(0), heading.loc)]
