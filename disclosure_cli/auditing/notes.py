"""The parser's notes in Chinese: one template per note code, read from the note's English text.

The mapper writes its notes (``record.Note``) in English with the page's own labels and numbers in
them. Rather than a second message at each of the places that make a note, each note code has
patterns here that take the note's parts (table, row label, cells, readings) and put them into a
Chinese template. A note no pattern matches keeps its English text (the test suite checks that every
note the corpus and the rule examples produce is translated).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..cells import Location

_TABLES = {"2": "表二", "3": "表三", "4": "表四"}
_PLACE = re.compile(r"(?:page (\d+), )?(?:table (\d+), row (\d+), column (\d+)|line (\d+)(?:, column (\d+))?)")


def _place(text: str) -> str:
    """「line 12, column 2」 → 「第12行第2列」 wherever a place is written in a note."""

    def one(m: re.Match[str]) -> str:
        page, table, row, column, line, line_column = (int(g) if g else None for g in m.groups())
        if table is not None:
            return Location(None, column, table, row, page).describe("zh")
        return Location(line, line_column, None, None, page).describe("zh")

    return _PLACE.sub(one, text)


def _reading(text: str) -> str:
    return text.replace("the only reading the identities allow", "唯一满足等式的读法").replace(
        "the only possible reading", "唯一可能的读法"
    )


def _why(text: str) -> str:
    m = re.fullmatch(r"(\d+) readings fit: (.*)", text)
    if m:
        return f"{m.group(1)} 种读法均符合：{m.group(2)}"
    if text == "no reading satisfies the row's identities":
        return "没有一种读法满足该行等式"
    return text


def _table(t: str) -> str:
    return _TABLES.get(t, f"表{t}")


# note code -> (pattern over the English message, function of the match giving the Chinese message)
Template = Callable[[re.Match[str]], str]
TEMPLATES: dict[str, tuple[tuple[re.Pattern[str], Template], ...]] = {
    "table-missing": (
        (re.compile(r"table (\d) \((.+)\) not found on the page"), lambda m: f"页面上未找到{_table(m[1])}（{m[2]}）"),
    ),
    "row-missing": (
        (re.compile(r"row not on the page: (.+) \(([\w.]+)\)"), lambda m: f"页面上没有此行：{m[1]}（{m[2]}）"),
    ),
    "unknown-row": (
        (
            re.compile(r"table (\d): row not in the (\d{4}) format kept under 'extra': (.+)", re.S),
            lambda m: f"{_table(m[1])}：{m[2]}年格式中没有此行，已保存在 extra 中：{m[3]}",
        ),
    ),
    "row-inferred": (
        (
            re.compile(r"table (\d): unlabelled row '(.*)' read as (.+) \(the only row missing at that place\)", re.S),
            lambda m: f"{_table(m[1])}：无行名的一行「{m[2]}」按位置读作{m[3]}（该处唯一缺少的行）",
        ),
    ),
    "stray-values": (
        (
            re.compile(r"table (\d): text near row (.+) ignored: (.*)", re.S),
            lambda m: f"{_table(m[1])}：{m[2]}行附近的数字未读取：{m[3]}",
        ),
        (
            re.compile(r"table (\d): values without a row label ignored: (.*)", re.S),
            lambda m: f"{_table(m[1])}：没有行名的数字未读取：{m[2]}",
        ),
        (
            re.compile(r"table 4: values after its (\d+) cells ignored: (.*)", re.S),
            lambda m: f"表四：{m[1]}个单元格之后的数字未读取：{m[2]}",
        ),
        (
            re.compile(r"table 4: cells beyond the row's end ignored: (.*)", re.S),
            lambda m: f"表四：超出行尾的单元格未读取：{m[1]}",
        ),
        (
            re.compile(r"table 4: text between its rows ignored: (.*)", re.S),
            lambda m: f"表四：行间文字中的数字未读取：{m[1]}",
        ),
    ),
    "duplicate-row": (
        (
            re.compile(r"table (\d): row (.+) appears again; the first one is used", re.S),
            lambda m: f"{_table(m[1])}：{m[2]}行重复出现，采用第一次出现的数字",
        ),
    ),
    "money-unit-unknown": (
        (
            re.compile(r"(.+): money without a unit \('(.*)'\), kept as written", re.S),
            lambda m: f"{m[1]}：金额未注明单位（「{m[2]}」），按原文保留",
        ),
    ),
    "row-ambiguous": (
        (
            re.compile(r"table (\d) (.+?): cells not separated \('(.*?)'\); left unread, (.*)", re.S),
            lambda m: f"{_table(m[1])} {m[2]}：单元格粘连（「{m[3]}」），未读取；{_why(m[4])}",
        ),
    ),
    "row-recovered": (
        (
            re.compile(r"table (\d) (.+?): cells not separated \('(.*?)'\), read as (\S+) \((.+)\)", re.S),
            lambda m: f"{_table(m[1])} {m[2]}：单元格粘连（「{m[3]}」），读作 {m[4]}（{_reading(m[5])}）",
        ),
        (
            re.compile(
                r"table (\d) (.+?): one cell too many \('(.*?)'\); '(.*?)' read as one number (\S+): "
                r"only then do the row's sums hold",
                re.S,
            ),
            lambda m: (
                f"{_table(m[1])} {m[2]}：多出一个单元格（「{m[3]}」）；"
                f"「{m[4]}」读作一个数 {m[5]}，只有这样该行等式才成立"
            ),
        ),
    ),
    "row-wrong-width": (
        (
            re.compile(r"table (\d) row (.+) \((.*?)\) has (\d+) cells, expected (\d+): '(.*)'; left unread", re.S),
            lambda m: (
                f"{_table(m[1])} {m[2]}行（{_place(m[3])}）有 {m[4]} 个单元格，应为 {m[5]} 个：「{m[6]}」；未读取"
            ),
        ),
        (
            re.compile(
                r"table 4 \((.*?)\) has (\d+) cells in its data row, expected (\d+) \(or (\d+) rows of (\d+)\): "
                r"'(.*)'; left unread",
                re.S,
            ),
            lambda m: (
                f"表四（{_place(m[1])}）数据行有 {m[2]} 个单元格，"
                f"应为 {m[3]} 个（或 {m[4]} 行各 {m[5]} 个）：「{m[6]}」；未读取"
            ),
        ),
    ),
    "bytes-replaced": (
        (
            re.compile(r"(\d+) undecodable byte\(s\) replaced with U\+FFFD \(read as (.+)\)"),
            lambda m: f"{m[1]} 个无法解码的字节已替换为 U+FFFD（按 {m[2]} 读取）",
        ),
    ),
    "ocr-doubtful": (
        (
            re.compile(r"(\d+) value\(s\) read from a picture with low confidence; check them: (.*)", re.S),
            lambda m: f"{m[1]} 个数值从图片识别、置信度低，请核对：{m[2]}",
        ),
    ),
    "prose-numbers": (
        (
            re.compile(r"table (\d): numbers in prose inside the table not read: (.*)", re.S),
            lambda m: f"{_table(m[1])}：表内说明文字中的数字未读取：{m[2]}",
        ),
    ),
}


def note_zh(code: str, message: str) -> str | None:
    """The Chinese text of a parser note; None when no template fits (the English text is kept)."""
    for pattern, template in TEMPLATES.get(code, ()):
        m = pattern.fullmatch(message)
        if m:
            return template(m)
    return None
