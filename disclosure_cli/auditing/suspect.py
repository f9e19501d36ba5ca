"""The suspect: the one published value whose change alone would make the sums hold.

Every evaluated identity instance (one column of 一+二 = 三(七)+四, one row of the 总计 column, ...)
is kept as a :class:`Check`. A value is a *candidate* for a failing check when changing it alone,
to one number, makes every evaluated check it takes part in hold: each check it is in fails, they
all imply the same number for it, and that number is possible (a count is a whole number ≥ 0).
A failing check with exactly one candidate names it as its finding's ``suspect``; with several,
its finding lists them as ``candidates``; with none it says nothing.

An inner cell of table 3 sits in its row's 总计 identity and in its column's outcome total and/or
balance: when it alone is wrong, the two or three checks that fail agree on it and on no other cell.
A cell of table 4 sits in one identity only: a wrong one leaves several candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict

import msgspec

from ..cells import Location
from ..formats import Format, Identity

if TYPE_CHECKING:
    from ..record import Value
    from .findings import Finding, Term


class _SuspectFields(TypedDict):
    key: str
    label: str
    value: float | int | None
    raw: str | None
    implied: float | int


class SuspectDict(_SuspectFields, total=False):
    """A suspect as JSON output carries it, in one language."""

    loc: Mapping[str, int]
    location: str
    context: str


class Suspect(msgspec.Struct, frozen=True):
    """A value a finding names as probably wrong, with the number the identities imply for it."""

    key: str
    label_zh: str  # 「结转下年度·自然人」
    label_en: str  # "carried forward · natural persons"
    value: float | int | None  # as published (None: a blank cell)
    raw: str | None
    implied: float | int
    loc: Location | None = None
    table_number: int | None = None  # the report's number of its table (2, 3, 4)
    context: str | None = None  # flattened text: the page text around the number

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def location(self, lang: str = "en", context: bool = True) -> str:
        where = describe_location(self.loc, lang, self.table_number)
        if where and context and self.context:
            where += f"（「{self.context}」）" if lang == "zh" else f" ('{self.context}')"
        return where

    def describe(self, lang: str) -> str:
        """「结转下年度·自然人 148（按恒等式应为147），第265行」 / "carried forward · ... 148 (... 147), line 265"."""
        shown = self.raw if self.value is None and self.raw else _num(self.value)
        where = self.location(lang)
        if lang == "zh":
            return f"{self.label_zh} {shown}（按恒等式应为{_num(self.implied)}）" + (f"，{where}" if where else "")
        return f"{self.label_en} {shown} (the identities imply {_num(self.implied)})" + (f", {where}" if where else "")

    def as_dict(self, lang: str = "en") -> SuspectDict:
        out: SuspectDict = {
            "key": self.key,
            "label": self.label(lang),
            "value": self.value,
            "raw": self.raw,
            "implied": self.implied,
        }
        if self.loc is not None:
            out["loc"] = self.loc.as_dict()
            out["location"] = self.location(lang, context=False)
        if self.context:
            out["context"] = self.context
        return out


class Check(msgspec.Struct):
    """One evaluated identity instance: its two sides as terms, and its finding when it fails."""

    identity: Identity
    where: str  # "requests.*.natural_person" (a column) or "requests.new" (a row)
    where_zh: str  # 「自然人列」
    where_en: str  # "natural persons column"
    left: list[Term]
    right: list[Term]
    finding: Finding | None = None

    @property
    def gap(self) -> float | int:
        """Left side minus right side: 0 when the identity holds."""
        return sum(t.value or 0 for t in self.left) - sum(t.value or 0 for t in self.right)

    @property
    def holds(self) -> bool:
        return self.gap == 0

    @property
    def keys(self) -> list[str]:
        return [t.key for t in (*self.left, *self.right) if t.key is not None]

    def implied(self, key: str) -> float | int | None:
        """The value ``key`` would need for this identity to hold, the others unchanged."""
        for t in self.left:
            if t.key == key:
                return _tidy((t.value or 0) - self.gap)
        for t in self.right:
            if t.key == key:
                return _tidy((t.value or 0) + self.gap)
        return None

    def equation(self, lang: str, keep: set[str] | frozenset[str] = frozenset()) -> str:
        """The identity with its numbers, zero terms left out (those of ``keep`` shown all the same):
        「自然人列：本年新收 5432 + 上年结转 83（5515）≠ 办理结果总计 5368 + 结转下年度 148（5516）」."""
        zh = lang == "zh"

        def side(terms: list[Term]) -> str:
            shown = [t for t in terms if t.value or t.key in keep] if len(terms) > 1 else terms
            if not shown:
                return "0"
            body = " + ".join(f"{t.name_zh if zh else t.name_en} {_num(t.value)}" for t in shown)
            if len(shown) == 1:
                return body
            total = _num(sum(t.value or 0 for t in terms))
            return f"{body}（{total}）" if zh else f"{body} ({total})"

        left_out = [t for s in (self.left, self.right) if len(s) > 1 for t in s if not t.value and t.key not in keep]
        rest = ("（其余各项为0）" if zh else " (other terms 0)") if left_out else ""
        sign = "=" if self.holds else "≠"
        where = f"{self.where_zh}：" if zh else f"{self.where_en}: "
        return f"{where}{side(self.left)} {sign} {side(self.right)}{rest}"


def label(fmt: Format, key: str) -> tuple[str, str]:
    """How a suspect names a value: 「结转下年度·自然人」, "carried forward · natural persons"."""
    table_key, rest = key.split(".", 1)
    row_key, col_key = rest.rsplit(".", 1)
    row = fmt.table(table_key).row(row_key)
    col = next(c for c in row.columns if c.key == col_key)
    return f"{row.name}·{col.short}", f"{row.en or row.key} · {col.en or col.key}"


def _possible(fmt: Format, key: str, x: float | int) -> bool:
    table_key, rest = key.split(".", 1)
    row_key, col_key = rest.rsplit(".", 1)
    kind = next(c.kind for c in fmt.table(table_key).row(row_key).columns if c.key == col_key)
    if kind == "money":
        return x >= 0
    return float(x).is_integer() and (kind == "signed" or x >= 0)


def implied_values(checks: list[Check], fmt: Format) -> dict[str, float | int]:
    """Every value whose change alone would make every check it is in hold, with the number it needs."""
    by_key: dict[str, list[Check]] = {}
    for check in checks:
        for key in check.keys:
            by_key.setdefault(key, []).append(check)
    out: dict[str, float | int] = {}
    for key, uses in by_key.items():
        if any(c.holds for c in uses):
            continue  # changing it would break a sum that holds now
        implied = {c.implied(key) for c in uses}
        if len(implied) != 1:
            continue
        x = implied.pop()
        if x is not None and _possible(fmt, key, x):
            out[key] = x
    return out


def attach(checks: list[Check], fmt: Format, values: Mapping[str, Value]) -> None:
    """Name the suspect (or the candidates) on the finding of every failing check."""
    fixes = implied_values(checks, fmt)
    for check in checks:
        if check.finding is None or check.holds:
            continue
        found: list[Suspect] = []
        for key in dict.fromkeys(check.keys):
            if key in fixes:
                v = values[key]
                zh, en = label(fmt, key)
                number = fmt.table(v.table).number
                found.append(Suspect(key, zh, en, v.value, v.raw, fixes[key], v.loc, number, v.context))
        if len(found) == 1:
            check.finding.suspect = found[0]
        elif found:
            check.finding.candidates = tuple(found)


def describe_location(loc: Location | None, lang: str = "en", table: int | None = None) -> str:
    """A place a person can find: 「第265行」「第10行第5013列」「第4页表四第4行第5列」 / "line 265"
    (:meth:`Location.describe` with a language; ``table`` the report's own number of the table)."""
    return "" if loc is None else loc.describe(lang, table)


def _tidy(x: float | int) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 6)


def _num(x: float | int | None) -> str:
    return "空" if x is None else str(_tidy(x))
