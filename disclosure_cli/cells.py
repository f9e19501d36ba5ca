"""Cells: the common currency between the shape-specific readers and the template mapper.

Every reader (HTML grid, Markdown, plain text) turns a page into a flat list of :class:`Cell` in
reading order. A cell is a label, a value or a null (blank, 「/」, 「—」, 「无」 ...), and it keeps the
raw text and the place it came from so a person can find it on the page.

Free text is cut into cells by :func:`tokenize_text`: numbers become value cells, the text between
them label cells. Numbers that read as prose (「2020年」, 「198条」, 「第711号」) stay inside the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import msgspec

from .textnorm import NOTE_MARKS, drop_invisible, fold_forms, nfkc

if TYPE_CHECKING:
    from .record import Value

# what a cell holds: text (a label, prose), a number, or a blank (「/」「—」「无」, empty)
CellKind = Literal["label", "value", "null"]

NULL_MARKERS = frozenset(
    {"", "/", "／", "\\", "-", "－", "—", "–", "--", "——", "－－", "---", "无", "無", "空", "—/—", "─", "一一"}
)
# Units that may follow a number inside a table cell. Money units are normalised to 万元 later.
CELL_UNITS = ("万元", "萬元", "亿元", "億元", "元", "万宗", "萬宗", "宗", "笔", "筆", "项", "項", "个", "個")
_UNIT_CANON = {"萬元": "万元", "億元": "亿元", "萬宗": "万宗", "筆": "笔", "項": "项", "個": "个", "條": "条"}
# A number followed by one of these is prose (「2020年」「共198条」「34 件」), not a cell.
_PROSE_SUFFIX = set("年月日号號条條次家人期篇场場天多余餘倍位名届屆批类類户戶份页頁周週岁歲件%％万萬亿億时時分秒级級")
_PROSE_PREFIX = set("第约約共近超达達")

# 「1,339,407」; a longer first group (「14327284,619」) is glued text, kept whole for recover.py
# digits run on after a thousands group (「1,0892466」: 1,089 and 2466 glued) stay in the token
_NUMBER = r"[+\-]?(?:\d+(?:,\d{3})+\d*|\d+)(?:\.\d+)?"
_GROUPED = re.compile(r"[+\-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
NUMBER_RE = re.compile(_NUMBER)
# A table cell may also print the count unit of the national template (「单位：件」) after its number,
# or the one an agency counts in (条, 次, 人次, 份): 「12件」 is a cell there, while in free text a number
# before 件 is prose (「共收到申请12件」).
TABLE_CELL_UNITS = (*CELL_UNITS, "件", "人次", "次", "条", "條", "份")
_CELL_RE = re.compile(rf"({_NUMBER})\s*({'|'.join(TABLE_CELL_UNITS)})?")
_UNIT_RE = re.compile(rf"\s*({'|'.join(CELL_UNITS)})")
_INDEX_PUNCT = set(".、")


_LOCATION_PART = re.compile(r"(page|line|column|table|row) (\d+)")


def _location_fields(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in _LOCATION_PART.findall(text)}


@lru_cache(maxsize=8192)
def _parse_location(text: str) -> Location:
    """Shared (a Location is frozen): a dataset repeats a few thousand location texts."""
    return Location(**_location_fields(text))


class Location(msgspec.Struct, frozen=True):
    """Where a cell sits: a line (text, Markdown) or a table/row/column of an HTML page. A Struct:
    pages build one per cell, a dataclass instance costs seven times as much to make."""

    line: int | None = None
    column: int | None = None  # character column in a line, or cell column in a table
    table: int | None = None
    row: int | None = None
    page: int | None = None  # PDF pages

    def describe(self, lang: str | None = None, table: int | None = None) -> str:
        """``line 10, column 5`` (the machine form :meth:`parse` reads back); with ``lang`` the form for
        people: 「第4页表四第4行第5列」 / "page 4, table 4, row 4, column 5", ``table`` the report's own
        number of the table (a PDF's third table is the report's table 4), column 1 of a line left out."""
        if lang is not None:
            return _for_people(self, lang, table)
        page = f"page {self.page}, " if self.page is not None else ""
        if self.table is not None:
            return f"{page}table {self.table}, row {self.row}, column {self.column}"
        if self.column is not None:
            return f"{page}line {self.line}, column {self.column}"
        return f"{page}line {self.line}"

    @classmethod
    def parse(cls, text: str | None) -> Location | None:
        """The inverse of :meth:`describe` (a dataset stores locations as text)."""
        if not text:
            return None
        return _parse_location(text) if cls is Location else cls(**_location_fields(text))

    def as_dict(self) -> dict[str, int]:
        return {
            k: v
            for k, v in (
                ("page", self.page),
                ("line", self.line),
                ("table", self.table),
                ("row", self.row),
                ("column", self.column),
            )
            if v is not None
        }


_ZH_NUMERALS = "〇一二三四五六七八九十"


def _for_people(loc: Location, lang: str, table: int | None) -> str:
    number = loc.table if table is None or loc.table is None else table
    if loc.table is None and loc.column == 1:  # a number that starts its line: the line says it all
        loc = Location(loc.line, None, None, None, loc.page)
    if lang != "zh":
        return Location(loc.line, loc.column, number, loc.row, loc.page).describe()
    page = f"第{loc.page}页" if loc.page is not None else ""
    if loc.table is not None:
        name = f"表{_ZH_NUMERALS[table]}" if table is not None and 0 < table <= 10 else f"第{number}个表格"
        return f"{page}{name}第{loc.row}行第{loc.column}列"
    line = f"第{loc.line}行" if loc.line is not None else ""
    column = f"第{loc.column}列" if loc.column is not None else ""
    return f"{page}{line}{column}"


class Cell(msgspec.Struct):
    """One cell of a page: its text, what it holds, where it is; the readers make them, the mapper reads them."""

    raw: str
    kind: CellKind
    loc: Location
    row_id: object = None  # the physical row (HTML <tr>, Markdown row); None in free text
    number: float | int | None = None
    unit: str | None = None
    copy: bool = False  # a span copy: context for labels, never read as a value


MAX_DIGITS = 15  # no count or amount in these tables is longer: a longer run is cells glued together


def _to_number(text: str) -> float | int | None:
    """The number a cell prints; None for digits of several cells (too long for one, or commas that
    are not thousands groups: 「14327284,619」): recover.py reads those."""
    if "," in text and not _GROUPED.fullmatch(text):
        return None
    text = text.replace(",", "")
    if len(text.split(".")[0].lstrip("+-")) > MAX_DIGITS:
        return None
    return float(text) if "." in text else int(text)


def classify(raw: str, loc: Location, row_id: object = None, copy: bool = False) -> Cell:
    """Classify the whole text of a structured cell (HTML <td>, Markdown cell)."""
    stripped = raw.strip()
    if not stripped:
        return Cell(stripped, "null", loc, row_id, copy=copy)
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= MAX_DIGITS:  # most cells: a plain count
        return Cell(stripped, "value", loc, row_id, int(stripped), None, copy)
    if NOTE_MARKS.search(stripped) and not NOTE_MARKS.sub("", "".join(stripped.split())):
        return Cell(stripped, "label", loc, row_id, copy=copy)  # a lone 「①」 is a mark, not the number 1
    compact = "".join(nfkc(stripped).split())  # the whitespace \s matches, removed in C
    if not compact:  # nothing but characters that print nothing: an empty cell, as it reads
        return Cell("", "null", loc, row_id, copy=copy)
    if compact in NULL_MARKERS:
        return Cell(stripped, "null", loc, row_id, copy=copy)
    m = _CELL_RE.fullmatch(compact)
    if m:
        unit = _UNIT_CANON.get(m.group(2), m.group(2))
        return Cell(stripped, "value", loc, row_id, _to_number(m.group(1)), unit, copy)
    return Cell(stripped, "label", loc, row_id, copy=copy)


def _prev_nonspace(s: str, i: int) -> str:
    while i > 0 and s[i - 1].isspace():
        i -= 1
    return s[i - 1] if i > 0 else ""


def _next_nonspace(s: str, i: int) -> str:
    while i < len(s) and s[i].isspace():
        i += 1
    return s[i] if i < len(s) else ""


def _number_spans(norm: str) -> Iterator[tuple[int, int, str, str | None]]:
    """(start, end, number text, unit) of every number in a line that reads as a table cell."""
    for m in NUMBER_RE.finditer(norm):
        start, end = m.span()
        text = m.group(0)
        before = norm[start - 1] if start else ""
        if before.isascii() and (before.isalpha() or before == "." or (before.isdigit() and text[0] not in "+-")):
            continue  # part of an identifier or version string (a sign after digits starts a new number)
        after = norm[end] if end < len(norm) else ""
        if before == "(" and after == ")" and _opens_label(norm[end + 1 : end + 2]):
            continue  # 「(3)其他」 (NFKC of ⑶ and （3）): the number of the label it opens
        if after in _INDEX_PUNCT and not norm[end + 1 : end + 2].isdigit():
            # 「2.其他法律…」: the digit before 「.」 numbers the next label
            if len(text) > 1 and text.isdigit():
                end -= 1
                text = text[:-1]
            else:
                continue
        elif after.isascii() and after.isalpha():
            continue
        else:
            if _prev_nonspace(norm, start) in _PROSE_PREFIX:
                continue
            unit_m = _UNIT_RE.match(norm, end)
            if unit_m:
                yield start, unit_m.end(), text, _UNIT_CANON.get(unit_m.group(1), unit_m.group(1))
                continue
            if _next_nonspace(norm, end) in _PROSE_SUFFIX:
                continue
        yield start, end, text, None


def _opens_label(ch: str) -> bool:
    return ch.isalpha() and not ch.isascii()  # a CJK character: label text follows


_HAS_DIGIT = re.compile(r"\d")
_CHUNK = re.compile(r"\S+(?:\s+\S+)*")  # a run of words with the spaces between them
_WORD = re.compile(r"\S+")


def tokenize_text(line: str, lineno: int, visible: bool = False) -> list[Cell]:
    """Cut one line of free text into label, value and null cells (its invisible characters dropped
    first, unless the reader did for the whole page: ``visible``; the columns are those of the line
    as it reads)."""
    if not visible:
        line = drop_invisible(line)
    stripped = line.strip()
    if not _HAS_DIGIT.search(stripped) and not any(t in NULL_MARKERS for t in stripped.split()):
        # a label or prose with no number and no blank-cell marker: one cell (most lines of most pages)
        start = len(line) - len(line.lstrip())
        return [Cell(stripped, "null" if stripped in ("无", "無") else "label", Location(lineno, start + 1))]
    norm = fold_forms(line)
    same = len(norm) == len(line)  # then offsets in `norm` are offsets in the raw line
    cells: list[Cell] = []

    def add_label_text(a: int, b: int) -> None:
        # standalone null markers (「/」「—」「无」 between spaces) are blank cells, not text
        for m in _CHUNK.finditer(norm, a, b):
            chunk_start = m.start()
            pieces = _WORD.finditer(m.group(0))
            label_from = None
            for p in pieces:
                ps = chunk_start + p.start()
                pe = chunk_start + p.end()
                if p.group(0) in NULL_MARKERS and p.group(0) not in ("无", "無"):
                    if label_from is not None:
                        _emit_label(label_from, ps)
                        label_from = None
                    cells.append(Cell(raw(ps, pe), "null", Location(lineno, ps + 1)))
                elif label_from is None:
                    label_from = ps
            if label_from is not None:
                _emit_label(label_from, chunk_start + len(m.group(0)))

    def _emit_label(a: int, b: int) -> None:
        text = raw(a, b).strip()
        if text:
            cells.append(Cell(text, "label", Location(lineno, a + 1)))

    def raw(a: int, b: int) -> str:
        return line[a:b] if same else norm[a:b]

    pos = 0
    for start, end, text, unit in _number_spans(norm):
        add_label_text(pos, start)
        cells.append(
            Cell(raw(start, end).strip(), "value", Location(lineno, start + 1), number=_to_number(text), unit=unit)
        )
        pos = end
    add_label_text(pos, len(norm))
    if len(cells) == 1 and cells[0].kind == "label" and cells[0].raw in ("无", "無"):
        cells[0] = Cell(cells[0].raw, "null", cells[0].loc)
    return cells


SNIPPET_CHARS = 14  # of page text either side of the number


def snippet(line: str, column: int, raw: str = "") -> str:
    """「…（一）予以公开 2 0 0 0 0 0 2 （二）…」: the text around a number that sits at ``column`` of a long line."""
    start = max(0, column - 1 - SNIPPET_CHARS)
    end = min(len(line), column - 1 + len(raw) + SNIPPET_CHARS)
    text = " ".join(line[start:end].split())
    return ("…" if start > 0 else "") + text + ("…" if end < len(line) else "")


def snippets(values: Iterable[Value], lines: list[str]) -> None:
    """Give every value of a flattened page (a whole table on one line) the text around it."""
    for v in values:
        loc = v.loc
        if loc is None or loc.line is None or loc.column is None or loc.table is not None:
            continue
        if 0 < loc.line <= len(lines) and len(lines[loc.line - 1]) > 4 * SNIPPET_CHARS:
            v.context = snippet(lines[loc.line - 1], loc.column, v.raw or "")
