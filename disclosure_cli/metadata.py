"""Title, agency and report year, read from the page's title or its first lines.

Titles come in two orders: 「深圳市人民政府2020年政府信息公开工作年度报告」 and
「2024年上海市科委政府信息公开工作年度报告」; PDF exports wrap them over two lines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from .cells import Cell
from .textnorm import simplify_prose

if TYPE_CHECKING:
    from .readers import InputShape

_REPORT = r"(?:政府)?信息公开(?:工作)?年度?报告|政府信息公开年报|信息公开年报"
_AGENCY = r"[^\s:：，,。、《》()（）\[\]【】|#]{2,40}?"
_AGENCY_FIRST = re.compile(rf"(?P<agency>{_AGENCY})(?P<year>(?:19|20)\d\d)年度?(?:的)?(?:{_REPORT})")
_YEAR_FIRST = re.compile(rf"(?P<year>(?:19|20)\d\d)年度?(?P<agency>{_AGENCY})(?:{_REPORT})")
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_PERIOD = re.compile(r"统计(?:期限|周期|时限)?[为是从自:：]*\s*((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日")
_ANY_YEAR_REPORT = re.compile(rf"((?:19|20)\d\d)\s*年度?\S{{0,30}}?(?:{_REPORT})")
_SPACE = re.compile(r"\s+")
# Page chrome that CMS templates print on the title's line: 「正文宿迁市…」「标题：…」
_CHROME = re.compile(r"^(?:正文|标题|题目|名称|文章标题|当前位置|首页|详情|附件\d*)[:：]?")


class Metadata(msgspec.Struct):
    title: str | None = None
    agency: str | None = None
    year: int | None = None


_PLAIN = re.compile(r"[\u4e00-\u9fff0-9]+")  # a title's first line: words and a year, no bracket
_WRAPPED = "\x00"  # marks a candidate made of two lines: its title must start with the first line


def _candidates(text: str, shape: InputShape, cells: list[Cell]) -> list[str]:
    out: list[str] = []
    if shape == "html":
        import html  # lazy: a text page's audit need not load the entity table (2 ms)

        m = _TITLE_TAG.search(text[:20000])
        if m:
            out.append(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))))
    head = cells[:400]
    # a line with a number on it (「网站标识码 4403000001」) is page chrome, not a title's first half
    numbered = (
        {c.loc.line for c in head if c.kind != "label" and c.loc.line is not None}
        if shape in ("text", "markdown")  # a page's own lines (HTML's are source lines, one for a minified page)
        else set()
    )
    kept = [c for c in head if c.kind == "label"][:60]
    labels = [c.raw for c in kept]
    for i, label in enumerate(labels):
        out.append(label)
        if i + 1 < len(labels) and _PLAIN.fullmatch(_SPACE.sub("", label)) and kept[i].loc.line not in numbered:
            out.append(_WRAPPED + label + labels[i + 1])  # titles wrapped over two lines
    return out


def _title(compact: str) -> re.Match[str] | None:
    return _AGENCY_FIRST.search(compact) or _YEAR_FIRST.search(compact)


def report_titles(cells: list[Cell]) -> list[tuple[int, str]]:
    """(cell index, title) of every label that is a report's title (「某某2020年政府信息公开工作年度报告」)."""
    out: list[tuple[int, str]] = []
    for i, cell in enumerate(cells):
        raw = cell.raw
        if cell.kind == "label" and len(raw) <= 80 and ("报告" in raw or "報告" in raw or "年报" in raw):
            m = _title(_SPACE.sub("", simplify_prose(cell.raw)))
            if m:
                out.append((i, _CHROME.sub("", m.group(0))))
    return out


def read_metadata(text: str, shape: InputShape, cells: list[Cell]) -> Metadata:
    for raw in _candidates(text, shape, cells):
        wrapped = raw.startswith(_WRAPPED)
        compact = _SPACE.sub("", simplify_prose(raw.removeprefix(_WRAPPED)))
        m = _title(compact)
        if m and wrapped and m.start() != 0:
            continue  # a line above the title (a document number 「…〔2021〕3号」) is not part of it
        if m:
            return Metadata(_CHROME.sub("", m.group(0)), _CHROME.sub("", m.group("agency")), int(m.group("year")))
    head = simplify_prose(text[:50000])
    m = _PERIOD.search(head) or _ANY_YEAR_REPORT.search(head)
    return Metadata(None, None, int(m.group(1)) if m else None)
