"""Synthetic reports rendered from the format declarations, in every shape seen in the wild.

A :class:`Synthetic` report is random but consistent (every identity of its format holds). The
renderers print it as an HTML grid with rowspan/colspan, as one-cell-per-line text (the seed's
shape, header cells lost), as flattened space-separated text, and as Markdown; the transforms turn
any of them Traditional (with Taiwan phrase substitution) or into GBK/Big5 bytes. The HTML renderer
also draws the layouts real CMS pages have (:class:`Wild`, the named ones in :data:`WILD`: padded or
repeated header cells, <th>, Word exports, table 4 transposed, table 3's applicant header variants,
tables split over several <table>s), and :func:`damage` takes one cell out of one row, recording
which rows a reader may then leave unread. The tests parse every rendering back and must get the
same numbers (or, on a damaged page, abstain on the damaged rows with a finding);
``python -m disclosure_cli.testing.synth DIR`` writes a set of them as fixtures.
"""

from __future__ import annotations

import html
import random
import re
import sys
from collections.abc import Callable, ItemsView, Iterable
from itertools import pairwise
from pathlib import Path
from typing import TypeAlias

import msgspec

from ..formats import FORMATS, Column, Format, Row

AGENCIES = (
    "深圳市人民政府",
    "杭州市西湖区人民政府",
    "平潭综合实验区财政金融局",
    "沭阳县发展和改革局",
    "北京市交通委员会",
)
GROUP_LABELS = {
    "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
BLOCK_LABELS = {b: f"第二十条第（{b}）项" for b in "一五六八九"}
APPEAL_HEADS = (("行政复议", ""), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉"))
SHAPES = ("html", "html-split", "html-layout", "lines", "flat", "markdown")

Number: TypeAlias = int | float


class Synthetic(msgspec.Struct):
    format: str
    agency: str
    year: int
    values: dict[str, int | float | None] = msgspec.field(default_factory=dict)  # what the parser must read
    texts: dict[str, str] = msgspec.field(default_factory=dict)  # what the page prints (None: a blank cell)
    dropped: tuple[str, ...] = ()  # value keys whose cells the page lacks (a damaged rendering, see damage())
    damaged: tuple[str, ...] = ()  # the rows (table.row) those missing cells leave a reader unsure of

    @property
    def spec(self) -> Format:
        return FORMATS[self.format]

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def text(self, table: str, row: str, column: str, blank: str = "/") -> str:
        key = f"{table}.{row}.{column}"
        return blank if self.values[key] is None else self.texts[key]

    def printed(self, table: str, row: str) -> list[Column]:
        """The row's columns whose cells the page prints (all but the dropped ones)."""
        return [c for c in self.spec.table(table).row(row).columns if f"{table}.{row}.{c.key}" not in self.dropped]


def _count(values: dict[str, Number | None], key: str) -> int:
    """A count of the report being drawn (never blank, never money)."""
    n = values[key]
    assert isinstance(n, int), (key, n)
    return n


def _count_text(rng: random.Random, n: Number) -> str:
    if n >= 1000 and rng.random() < 0.3:
        return f"{n:,}"  # thousands separators as some publishers print them
    if rng.random() < 0.05:
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return str(n)


def random_report(
    seed: int | random.Random, format: str = "2019", blanks: float = 0.0, after: Synthetic | None = None
) -> Synthetic:
    """A random consistent report; ``blanks`` is the share of zero cells of tables 3/4 left blank.

    ``after``: the same agency's report for the previous year; this one then carries its numbers over
    (上年结转 = last year's 结转下年度, running totals of table 2), as a consistent series does.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    if after is not None:
        year = after.year + 1
        format = "2019" if year <= 2020 else "2021"
    else:
        year = rng.choice((2019, 2020)) if format == "2019" else rng.randint(2021, 2025)
    fmt = FORMATS[format]
    s = Synthetic(format, after.agency if after else rng.choice(AGENCIES), year)

    def put(key: str, value: int | float, text: str | None = None) -> None:
        s.values[key] = value
        s.texts[key] = _count_text(rng, value) if text is None else text

    def small() -> int:
        return 0 if rng.random() < 0.55 else rng.randint(1, rng.choice((5, 40, 400)))

    for row in fmt.table("active").rows:
        for col in row.columns:
            key = f"active.{row.key}.{col.key}"
            if col.kind == "signed":  # 本年增/减 never takes the number of items below zero
                n = rng.randint(-min(200, _count(s.values, f"active.{row.key}.prior_items")), 300)
                put(key, n, f"+{n}" if n > 0 and rng.random() < 0.3 else str(n))
            elif col.key == "total_published":  # includes what was newly published
                put(key, _count(s.values, f"active.{row.key}.new_published") + small())
            elif col.kind == "money":
                if rng.random() < 0.5:
                    yuan = rng.randint(0, 10**9) // 100 * 100
                    put(key, round(yuan / 10000, 6), f"{yuan}元")
                else:
                    cents = rng.randint(0, 10**8)
                    wan = round(cents / 100, 2)
                    put(key, wan, f"{wan:.2f}" if format == "2021" else f"{wan:.2f}万元")
            elif row.block == "一":  # regulations and normative documents: tens or hundreds a year
                put(key, rng.randint(0, 300))
            else:  # decisions and items: anything up to millions
                put(key, rng.choice((small(), rng.randint(0, 2_000_000))))

    if after is not None:
        _carry_table2(s, after)
    requests = fmt.table("requests")
    outcomes = [r.key for r in requests.rows if r.block == "三" and r.key != "total"]
    applicants = [c.key for c in requests.rows[0].columns[:-1]]
    for applicant in applicants:
        parts = {k: small() for k in outcomes}
        total = sum(parts.values())
        forward = small()
        carried = rng.randint(0, total + forward) if rng.random() < 0.5 else 0
        if after is not None:
            carried = _count(after.values, f"requests.carried_forward.{applicant}")
            forward = max(forward, carried - total)
        column = {
            **parts,
            "total": total,
            "carried_forward": forward,
            "carried_over": carried,
            "new": total + forward - carried,
        }
        for row_key, n in column.items():
            put(f"requests.{row_key}.{applicant}", n)
    for row in requests.rows:
        put(f"requests.{row.key}.total", sum(_count(s.values, f"requests.{row.key}.{c}") for c in applicants))
    for row in fmt.table("appeals").rows:
        cases = [small() for _ in range(4)]
        for col, n in zip(row.columns, [*cases, sum(cases)]):
            put(f"appeals.{row.key}.{col.key}", n)
    if blanks:  # publishers leave zero parts blank (totals stay filled): consistent with blanks read as 0
        for key in list(s.values):
            table, rest = key.split(".", 1)
            row_key, col_key = rest.rsplit(".", 1)
            if table != "active" and "total" not in (row_key, col_key) and s.values[key] == 0 and rng.random() < blanks:
                s.values[key] = None
    return s


def _carry_table2(s: Synthetic, after: Synthetic) -> None:
    """Running totals of table 2 that follow from last year's report."""

    def put(key: str, value: int) -> None:
        s.values[key], s.texts[key] = value, str(value)

    same = after.format == s.format

    def v(key: str) -> int:
        return _count(s.values, key)

    def a(key: str) -> int:
        return _count(after.values, key)

    for row in s.spec.table("active").rows:
        r = f"active.{row.key}"
        if s.format == "2021" and row.block == "一" and same:
            put(f"{r}.repealed", min(v(f"{r}.repealed"), a(f"{r}.in_force")))
            put(f"{r}.in_force", a(f"{r}.in_force") + v(f"{r}.issued") - v(f"{r}.repealed"))
        if s.format == "2019" and same and f"{r}.prior_items" in s.values:
            put(f"{r}.prior_items", a(f"{r}.prior_items") + a(f"{r}.change"))
            put(f"{r}.change", max(v(f"{r}.change"), -v(f"{r}.prior_items")))
        if s.format == "2019" and same and f"{r}.total_published" in s.values:
            put(f"{r}.total_published", a(f"{r}.total_published") + v(f"{r}.new_published"))


def damage(s: Synthetic, seed: int | random.Random, wild: Wild | None = None) -> Synthetic:
    """A copy of ``s`` whose page lacks one cell of one row, as damaged renderings do.

    ``dropped`` names the missing cell (every renderer leaves it out, the row's other cells close up);
    ``damaged`` names the rows a reader can no longer be sure of: the cell's row, or all three rows of
    table 4 where they are printed as one row of 15 (the template, the text shapes, ``wild.appeals ==
    "row"``). Only rows of two or more cells are damaged: a row without its only cell is a row absent.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    table, row = rng.choice([(t, r) for t in s.spec.tables for r in t.rows if len(r.columns) > 1])
    column = rng.choice(row.columns)
    damaged = [f"{table.key}.{row.key}"]
    if table.key == "appeals" and (wild is None or wild.appeals == "row"):
        damaged = [f"appeals.{r.key}" for r in table.rows]
    return msgspec.structs.replace(
        s,
        values=dict(s.values),
        texts=dict(s.texts),
        dropped=(f"{table.key}.{row.key}.{column.key}",),
        damaged=tuple(damaged),
    )


def random_series(seed: int, first_year: int, years: int) -> list[Synthetic]:
    """Consecutive consistent reports of one agency (crossing the 2021 format change if it falls inside)."""
    rng = random.Random(seed)
    reports = [random_report(rng, "2019" if first_year <= 2020 else "2021")]
    reports[0].year = first_year
    for _ in range(years - 1):
        reports.append(random_report(rng, after=reports[-1]))
    return reports


# --- renderers -------------------------------------------------------------------------------


def _narrative(s: Synthetic) -> list[str]:
    new = s.values.get("requests.new.total") or 0
    return [
        f"根据《中华人民共和国政府信息公开条例》（国务院令第711号）要求，现公布{s.title}。本报告所列数据统计期限为"
        f"{s.year}年1月1日至{s.year}年12月31日。",
        "一、总体情况",
        f"{s.year}年，本机关全年主动公开政府信息{new * 3 + 17}条，收到政府信息公开申请{new}件，办理政策解读12篇。",
    ]


def _blocks(s: Synthetic) -> ItemsView[str, list[Row]]:
    """Table-2 rows grouped by their 第二十条 item, in order."""
    blocks: dict[str, list[Row]] = {}
    for row in s.spec.table("active").rows:
        blocks.setdefault(row.block, []).append(row)
    return blocks.items()


def _group(row: Row) -> str | None:
    return GROUP_LABELS.get(row.key.split(".")[0]) if "." in row.key else None


def _outcome(row: Row) -> bool:
    return row.block == "三"


# --- HTML: the clean template grid and the layouts of the wild ---------------------------------
class Wild(msgspec.Struct, frozen=True):
    """How an HTML page departs from the clean template grid; every default is the clean rendering.

    Span styles, for the header rows (``header``) and for the label and wide value cells of the data
    rows (``body``): ``span`` rowspan/colspan; ``pad`` every slot a span covers an empty cell (``""``,
    ``&nbsp;`` or white space); ``pad-rows`` rowspans padded with empty cells, colspans kept (the
    national template as CMS editors retype it: table 4's third header row then starts with five empty
    cells under 行政复议); ``repeat`` a label copied into every slot it covers (a value is padded, never
    copied).
    """

    header: str = "span"
    body: str = "span"
    tag: str = "td"  # the header cells' element: td or th
    word: bool = False  # Word-exported: mso classes and styles, <o:p>, cell text in several <span> runs, &nbsp;
    applicants: str = "merged"  # table 3's applicant header: merged (法人或其他组织 over five columns),
    # flat (seven headers under 申请人情况), single (seven headers in one row)
    appeals: str = "row"  # table 4: row (15 cells under three header rows), rows (three labelled rows of 5)
    split: tuple[str, ...] = ()  # tables cut into several <table>s at random rows: active, requests, appeals
    repeat_head: bool = False  # every part of a split table 3 starts with its header rows again
    edge: str = ""  # an empty column at the table's edge: "right" (an empty cell closes every row, as
    # Word exports draw a table's last narrow column), "left" (one opens every row)
    # table 4 as rows (appeals="rows"): how agencies word and order them
    appeals_labels: str = "template"  # template (行政诉讼 over 未经复议直接起诉/复议后起诉), reworded
    # (直接提起行政诉讼, 经复议后提起行政诉讼), cases (行政诉讼案件（未经复议）/（经复议）)
    appeals_swapped: bool = False  # the litigation after review printed before the direct one
    appeals_subtotal: bool = False  # a 行政诉讼合计 row summing the two litigation rows


# The layouts the property tests render; ``render(s, name, seed)`` renders one.
WILD: dict[str, Wild] = {
    "padded-headers": Wild(header="pad"),
    "padded-header-rows": Wild(header="pad-rows"),
    "repeated-headers": Wild(header="repeat"),
    "th-headers": Wild(tag="th"),
    "padded-labels": Wild(body="pad"),  # also empty cells between a wide row label and its values
    "padded-label-rows": Wild(body="pad-rows"),
    "repeated-labels": Wild(body="repeat"),
    "word": Wild(word=True),
    "appeals-rows": Wild(appeals="rows"),
    "appeals-rows-padded": Wild(appeals="rows", header="pad"),
    "appeals-rows-padded-label-rows": Wild(appeals="rows", body="pad-rows"),  # an empty cell before 复议后起诉
    "appeals-rows-padded-labels": Wild(appeals="rows", header="pad", body="pad"),
    "applicants-flat": Wild(applicants="flat"),
    "applicants-single": Wild(applicants="single"),
    "applicants-padded": Wild(applicants="flat", header="pad"),
    "split-active": Wild(split=("active",)),
    "split-requests": Wild(split=("requests",)),
    "split-requests-repeat-head": Wild(split=("requests",), repeat_head=True),
    "split-appeals": Wild(split=("appeals",)),
    "word-padded-split": Wild(header="pad-rows", word=True, split=("appeals",)),
    "everything": Wild(
        header="pad-rows",
        body="pad-rows",
        tag="th",
        word=True,
        applicants="flat",
        appeals="rows",
        split=("active", "requests", "appeals"),
        repeat_head=True,
    ),
    "everything-padded-labels": Wild(
        header="pad", body="pad", tag="th", word=True, applicants="merged", split=("active", "requests", "appeals")
    ),
    "empty-right-column": Wild(edge="right"),
    "empty-left-column": Wild(edge="left"),
    "appeals-rows-empty-right-column": Wild(appeals="rows", edge="right"),
    "appeals-rows-reworded": Wild(appeals="rows", appeals_labels="reworded"),
    "appeals-rows-reworded-swapped": Wild(appeals="rows", appeals_labels="reworded", appeals_swapped=True),
    "appeals-rows-cases-swapped": Wild(appeals="rows", appeals_labels="cases", appeals_swapped=True),
    "appeals-rows-swapped": Wild(appeals="rows", appeals_swapped=True),
    "word-split-empty-right-column": Wild(
        header="pad", body="pad", word=True, split=("active", "requests", "appeals"), edge="right"
    ),
}
_EMPTY = ("", "&nbsp;", " ", "\n  ", "&nbsp;&nbsp;", "\u3000")
_BETWEEN = ("<p></p>", "<p>&nbsp;</p>", "", "<br>")
_WORD_TD = (
    " width=64 valign=top style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt'"
)
_WORD_P = "<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
_WORD_RUN = "<span lang=EN-US style='font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体'>"
_WORD_PROSE = "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
_MSO = "urn:schemas-microsoft-com:office:"
_WORD_TABLE = (
    "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
    "border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt'>"
)


class _C(msgspec.Struct, frozen=True):
    """One cell of a table as the template draws it (spans included), before a layout renders it."""

    text: str  # HTML content
    rowspan: int = 1
    colspan: int = 1
    role: str = "label"  # head (a header row's cell), label (a data row's label), value


def _value(s: Synthetic, table: str, row: str, col: str, colspan: int = 1) -> _C:
    text = html.escape(s.text(table, row, col, blank="&nbsp;"), quote=False).replace("&amp;nbsp;", "&nbsp;")
    return _C(text, colspan=colspan, role="value")


def _active_grid(s: Synthetic) -> list[list[_C]]:
    rows: list[list[_C]] = []
    for block, block_rows in _blocks(s):
        width = max(len(r.columns) for r in block_rows)
        heads = [_C(c.label.replace("数量", "<br>数量", 1), role="head") for c in block_rows[0].columns]
        rows += [[_C(BLOCK_LABELS[block], colspan=4, role="head")], [_C("信息内容", role="head"), *heads]]
        for row in block_rows:
            cells = [_C(f"<p>{row.label}</p>")]
            for c in s.printed("active", row.key):  # the last column fills a narrow block's width
                cells.append(_value(s, "active", row.key, c.key, 4 - width if c is row.columns[-1] else 1))
            rows.append(cells)
    return rows


def _requests_head(wild: Wild) -> list[list[_C]]:
    corner = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    orgs = [_C(h, role="head") for h in ("商业<br>企业", "科研<br>机构", "社会公益组织", "法律服务机构", "其他")]
    if wild.applicants == "merged":
        return [
            [_C(corner, 3, 3, "head"), _C("申请人情况", 1, 7, "head")],
            [_C("自然人", 2, role="head"), _C("法人或其他组织", 1, 5, "head"), _C("总计", 2, role="head")],
            orgs,
        ]
    seven = [_C("自然人", role="head"), *orgs, _C("总计", role="head")]
    if wild.applicants == "flat":
        return [[_C(corner, 2, 3, "head"), _C("申请人情况", 1, 7, "head")], seven]
    return [[_C(corner, 1, 3, "head"), *seven]]


def _requests_body(s: Synthetic) -> list[list[_C]]:
    requests = s.spec.table("requests")
    n_outcomes = sum(1 for r in requests.rows if _outcome(r))
    seen_groups: set[str] = set()
    body = []
    for row in requests.rows:
        vals = [_value(s, "requests", row.key, c.key) for c in s.printed("requests", row.key)]
        if not _outcome(row):
            body.append([_C(row.label, colspan=3), *vals])
            continue
        lead = [_C("三、本年度<br>办理结果", rowspan=n_outcomes)] if row.key == "granted" else []
        group = _group(row)
        if group is None:
            body.append([*lead, _C(row.label, colspan=2), *vals])
            continue
        span = sum(1 for r in requests.rows if _group(r) == group)
        gcell = [_C(group, rowspan=span)] if group not in seen_groups else []
        seen_groups.add(group)
        body.append([*lead, *gcell, _C(row.label), *vals])
    return body


def _appeals_grid(s: Synthetic, wild: Wild) -> tuple[list[list[_C]], list[list[_C]]]:
    """Table 4's header rows and data rows."""
    appeals = s.spec.table("appeals")
    outcomes = appeals.rows[0].columns

    def vals(row: Row) -> list[_C]:
        return [_value(s, "appeals", row.key, c.key) for c in s.printed("appeals", row.key)]

    if wild.appeals == "rows":  # transposed: one labelled row of five per kind of case
        review, direct, after = appeals.rows
        head = [[_C("", colspan=2, role="head"), *(_C(c.label, role="head") for c in outcomes)]]
        words = {
            "template": ("未经复议直接起诉", "复议后起诉"),
            "reworded": ("直接提起行政诉讼", "经复议后提起行政诉讼"),
            "cases": ("行政诉讼案件（未经复议）", "行政诉讼案件（经复议）"),
        }[wild.appeals_labels]
        lawsuits = [(words[0], vals(direct)), (words[1], vals(after))]
        if wild.appeals_swapped:
            lawsuits.reverse()
        if wild.appeals_labels == "template":
            rows = [
                [_C("行政诉讼", rowspan=2), _C(lawsuits[0][0]), *lawsuits[0][1]],
                [_C(lawsuits[1][0]), *lawsuits[1][1]],
            ]
        else:
            rows = [[_C(label, colspan=2), *cells] for label, cells in lawsuits]
        if wild.appeals_subtotal:
            both = ("litigation_direct", "litigation_after_review")
            sums = [sum(_count(s.values, f"appeals.{r}.{c.key}") for r in both) for c in outcomes]
            rows.append([_C("行政诉讼合计", colspan=2), *(_C(str(n), role="value") for n in sums)])
        return head, [[_C("行政复议", colspan=2), *vals(review)], *rows]
    head = [
        [_C("行政复议", 1, 5, "head"), _C("行政诉讼", 1, 10, "head")],
        [
            *(_C(c.label, 2, role="head") for c in outcomes),
            _C("未经复议直接起诉", 1, 5, "head"),
            _C("复议后起诉", 1, 5, "head"),
        ],
        [_C(c.label, role="head") for c in outcomes] * 2,
    ]
    return head, [[v for r in appeals.rows for v in vals(r)]]


class _Html:
    """Renders template grids (rows of :class:`_C`) as HTML in one layout; random choices from ``rng``."""

    def __init__(self, wild: Wild, rng: random.Random) -> None:
        self.wild, self.rng = wild, rng

    def tables(self, rows: list[list[_C]], cuts: tuple[int, ...] = (), head: int = 0) -> list[str]:
        """The rows as one <table>, or cut before each row index in ``cuts`` into several; each part
        after the first starts with the first ``head`` rows again.

        A wild cut carries a label spanning it over into the next part (each part is a grid of its
        own, as an editor's cut leaves it); the template's ``split`` keeps the old plain cut."""
        grid = self._grid(rows)
        carry = bool(self.wild.split)
        heading = self._rows(grid, 0, head, carry) if head else []
        out: list[str] = []
        bounds = [0, *cuts, len(rows)]
        for i, (a, b) in enumerate(pairwise(bounds)):
            if i:
                out.append(self.rng.choice(_BETWEEN) if self.wild.split else "<p></p>")
            lines = [*heading, *self._rows(grid, max(a, head), b, carry)] if head else self._rows(grid, a, b, carry)
            out += [_WORD_TABLE if self.wild.word else '<table border="1">', *lines, "</table>"]
        return out

    def cuts(self, rows: list[list[_C]], first: int, most: int) -> tuple[int, ...]:
        """Up to ``most`` random cut points at rows ``first``.. (never before the first row)."""
        places = range(max(first, 1), len(rows))
        return tuple(sorted(self.rng.sample(places, min(len(places), self.rng.randint(1, most)))))

    @staticmethod
    def _grid(rows: list[list[_C]]) -> list[list[tuple[int, _C, int, int]]]:
        """Per row, its slots (column, cell, rows above the slot in the cell, columns left of it)."""
        grid: dict[tuple[int, int], tuple[_C, int, int]] = {}
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in grid:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        grid.setdefault((r + dr, c + dc), (cell, dr, dc))
                c += cell.colspan
        slots: list[list[tuple[int, _C, int, int]]] = [[] for _ in rows]
        for (r, c), (cell, dr, dc) in grid.items():
            if r < len(rows):
                slots[r].append((c, cell, dr, dc))
        return [sorted(row, key=lambda slot: slot[0]) for row in slots]

    def _rows(self, grid: list[list[tuple[int, _C, int, int]]], a: int, b: int, carry: bool) -> list[str]:
        """Rows ``a``..``b`` of the grid as <tr> lines; with ``carry``, spans end at ``b`` and a span
        from above ``a`` starts again at ``a`` (its label repeated)."""
        out = []
        for r in range(a, b):
            cells = []
            for _, cell, dr, dc in grid[r]:
                if carry and r == a and dr and not dc and self._style(cell) == "span":
                    cell, dr = msgspec.structs.replace(cell, rowspan=cell.rowspan - dr), 0
                if carry and not dr:
                    cell = msgspec.structs.replace(cell, rowspan=min(cell.rowspan, b - r))
                cells.append(self._slot(cell, dr, dc))
            if self.wild.edge == "right":
                cells.append(self._edge_cell())
            elif self.wild.edge == "left":
                cells.insert(0, self._edge_cell())
            row = "".join(cells)
            out.append(f"<tr style='mso-yfti-irow:{r}'>{row}</tr>" if self.wild.word else f"<tr>{row}</tr>")
        return out

    def _style(self, cell: _C) -> str:
        style = self.wild.header if cell.role == "head" else self.wild.body
        return "pad" if style == "repeat" and cell.role == "value" else style

    def _slot(self, cell: _C, dr: int, dc: int) -> str:
        style = self._style(cell)
        if style == "span":
            return self._cell(cell, cell.rowspan, cell.colspan) if dr == dc == 0 else ""
        if style == "pad":
            return self._cell(cell) if dr == dc == 0 else self._empty(cell)
        if style == "pad-rows":
            if dc:
                return ""
            return self._cell(cell, 1, cell.colspan) if dr == 0 else self._empty(cell, cell.colspan)
        return self._cell(cell)  # repeat

    def _cell(self, cell: _C, rowspan: int = 1, colspan: int = 1, text: str | None = None) -> str:
        tag = self.wild.tag if cell.role == "head" else "td"
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        content = cell.text if text is None else text
        if self.wild.word:
            attrs = _WORD_TD + attrs
            content = self._word(content, cell.role)
        return f"<{tag}{attrs}>{content}</{tag}>"

    def _edge_cell(self) -> str:
        if self.wild.word:
            return f"<td{_WORD_TD}>{self._word('', 'value')}</td>"
        return f"<td>{self.rng.choice(_EMPTY)}</td>"

    def _empty(self, cell: _C, colspan: int = 1) -> str:
        return self._cell(cell, 1, colspan, self.rng.choice(_EMPTY))

    def _runs(self, text: str, cuts: int) -> list[str]:
        """``text`` cut at ``cuts`` random places, as Word splits a cell's text into runs."""
        places = sorted(self.rng.sample(range(1, len(text)), min(cuts, len(text) - 1))) if len(text) > 1 else []
        bounds = [0, *places, len(text)]
        return [text[a:b] for a, b in pairwise(bounds)]

    def _word(self, content: str, role: str) -> str:
        plain = html.unescape(re.sub(r"<[^>]+>", "", content)).strip()
        if not plain:
            return f"{_WORD_P}<span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        cuts = self.rng.choice((1, 1, 2, 0) if role == "value" else (0, 0, 1, 2))
        runs = [html.escape(run, quote=False) for run in self._runs(plain, cuts)]
        if role == "value" and self.rng.random() < 0.3:  # &nbsp; padding around the number
            if self.rng.random() < 0.5:
                runs[0] = "&nbsp;" + runs[0]
            else:
                runs[-1] += "&nbsp;"
        return _WORD_P + "".join(f"{_WORD_RUN}{run}</span>" for run in runs) + "<span lang=EN-US><o:p></o:p></span></p>"

    def paragraph(self, text: str, tag: str = "p") -> str:
        if not self.wild.word:
            return f"<{tag}>{text}</{tag}>"
        runs = "".join(
            f"<span style='font-size:16.0pt;font-family:仿宋_GB2312'>{r}</span>" for r in self._runs(text, 2)
        )
        return f"{_WORD_PROSE}{runs}<span lang=EN-US><o:p></o:p></span></p>"


def render_html(
    s: Synthetic,
    split: bool = False,
    layout: bool = False,
    meta_charset: str = "utf-8",
    wild: Wild | None = None,
    seed: int = 0,
) -> str:
    """An HTML page with real tables: spans, <br> and <p> in cells, &nbsp; blanks, site chrome.

    ``split`` cuts table 3 in two halves, ``layout`` puts the article in a layout table. ``wild``
    renders the tables in a layout of the wild (:class:`Wild`, named ones in :data:`WILD`) whose
    random choices (cut points, empty-cell text, Word runs) are drawn from ``seed``.
    """
    w = wild or Wild()
    out = _Html(w, random.Random(seed))
    active = _active_grid(s)
    t2 = out.tables(active, out.cuts(active, 1, 2) if "active" in w.split else ())
    head, body = _requests_head(w), _requests_body(s)
    if "requests" in w.split:
        cuts = out.cuts([*head, *body], len(head), 2)
    else:
        cuts = (len(head) + len(body) // 2,) if split else ()
    t3 = out.tables([*head, *body], cuts, len(head) if w.repeat_head else 0)
    head4, body4 = _appeals_grid(s, w)
    t4 = out.tables([*head4, *body4], (len(head4),) if "appeals" in w.split else ())
    p = out.paragraph
    article = [
        p(s.title, "h1"),
        *(p(x) for x in _narrative(s)),
        p("二、主动公开政府信息情况"),
        *t2,
        p("三、收到和处理政府信息公开申请情况"),
        *t3,
        p("四、政府信息公开行政复议、行政诉讼情况"),
        *t4,
        p("五、存在的主要问题及改进情况") + p("2025年，本机关将继续推进政务公开工作。"),
    ]
    if w.word:  # a document saved from Word and pasted whole into the CMS
        article = ["<div class=WordSection1 style='layout-grid:15.6pt'>", *article, "</div>"]
    if layout:  # a layout table around the article, as older CMS templates do
        article = [
            '<table width="100%"><tr><td class="nav">首页 &gt; 政府信息公开年报</td></tr><tr><td>',
            *article,
            "</td></tr></table>",
        ]
    word_head = (
        '<meta name=Generator content="Microsoft Word 15 (filtered)">'
        "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->"
        if w.word
        else ""
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            (f'<html xmlns:o="{_MSO}office" xmlns:w="{_MSO}word">' if w.word else "<html>")
            + f'<head><meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">{word_head}',
            f"<title>{s.title}-政府门户网站</title><style>td{{border:1px}}"
            + ("p.MsoNormal{mso-style-parent:'';margin:0cm;font-size:10.5pt}" if w.word else "")
            + "</style></head><body>",
            '<div class="header"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> 网站标识码4403000001</div>',
            *article,
            '<div class="footer">主办单位：本机关办公室 联系电话：0755-88888888 ICP备案号：粤ICP备12345678号</div>',
            "<script>var n = 1234567; document.write('');</script>",
            "</body></html>",
        ]
    )


def _tokens(s: Synthetic, drop_headers: tuple[str, ...]) -> list[str]:
    """The page as a sequence of cell texts in reading order (the flattened shapes share it)."""
    out = [s.title, *_narrative(s), "二、主动公开政府信息情况"]
    for block, rows in _blocks(s):
        out += [BLOCK_LABELS[block], "信息内容", *(c.label for c in rows[0].columns)]
        for row in rows:
            out += [row.label, *(s.text("active", row.key, c.key) for c in s.printed("active", row.key))]
    requests = s.spec.table("requests")
    out += [
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
    ]
    heads = ["自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    out += [h for h in heads if h not in drop_headers]
    seen: set[str] = set()
    for row in requests.rows:
        if row.key == "granted":
            out.append("三、本年度办理结果")
        group = _group(row)
        if group and group not in seen:
            seen.add(group)
            out.append(group)
        out += [row.label, *(s.text("requests", row.key, c.key) for c in s.printed("requests", row.key))]
    appeals = s.spec.table("appeals")
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼"]
    out += [c.label for c in appeals.rows[0].columns] + ["未经复议直接起诉", "复议后起诉"]
    out += [c.label for c in appeals.rows[0].columns] * 2
    out += [s.text("appeals", r.key, c.key) for r in appeals.rows for c in s.printed("appeals", r.key)]
    out += ["五、存在的主要问题及改进情况", "下一步，本机关将继续推进政务公开工作。"]
    return out


def render_lines(s: Synthetic, drop_headers: tuple[str, ...] = ("自然人", "商业企业")) -> str:
    """One cell per line, as pages copied out of a browser look (the seed's shape)."""
    return "\n".join(_tokens(s, drop_headers)) + "\n"


def render_flat(s: Synthetic) -> str:
    """Whole sections on one line with cells separated by spaces (scraped page text)."""
    return " ".join(_tokens(s, ())) + "\n"


def render_markdown(s: Synthetic) -> str:
    """Pipe tables, as PDF-to-Markdown exports print them."""

    def row_md(cells: Iterable[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    out = [f"# {s.title}", "", *_narrative(s), "", "## 二、主动公开政府信息情况"]
    for block, rows in _blocks(s):
        cols = rows[0].columns
        out += [
            "",
            f"### {BLOCK_LABELS[block]}",
            row_md(["信息内容", *(c.label for c in cols)]),
            row_md(["---"] * (len(cols) + 1)),
        ]
        out += [
            row_md([r.label, *(s.text("active", r.key, c.key, blank="") for c in s.printed("active", r.key))])
            for r in rows
        ]
    requests = s.spec.table("requests")
    out += [
        "",
        "## 三、收到和处理政府信息公开申请情况",
        "",
        row_md(["申请人情况", *(c.label for c in requests.rows[0].columns)]),
        row_md(["---"] * 8),
    ]
    seen: set[str] = set()
    for row in requests.rows:
        group = _group(row)
        label = row.label if group is None or group in seen else f"{group} {row.label}"
        if group:
            seen.add(group)
        cells = [s.text("requests", row.key, c.key, blank="") for c in s.printed("requests", row.key)]
        out.append(row_md([label, *cells]))
    appeals = s.spec.table("appeals")
    out += [
        "",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "",
        row_md([f"{a}{b}{c.label}" for a, b in APPEAL_HEADS for c in appeals.rows[0].columns]),
        row_md(["---"] * 15),
        row_md([s.text("appeals", r.key, c.key, blank="") for r in appeals.rows for c in s.printed("appeals", r.key)]),
        "",
        "## 五、存在的主要问题及改进情况",
        "",
        "下一步，本机关将继续推进政务公开工作。",
    ]
    return "\n".join(out) + "\n"


def render(s: Synthetic, shape: str, seed: int = 0) -> str:
    """``s`` in one of :data:`SHAPES` or in one of the :data:`WILD` HTML layouts (random choices from ``seed``)."""
    if shape in WILD:
        return render_html(s, wild=WILD[shape], seed=seed)
    if shape.startswith("html"):
        return render_html(s, split=shape == "html-split", layout=shape == "html-layout")
    return {"lines": render_lines, "flat": render_flat, "markdown": render_markdown}[shape](s)


def to_traditional(text: str) -> str:
    """Machine conversion to Taiwan usage, phrase substitutions included (規範性檔案, 資訊)."""
    import opencc

    return str(opencc.OpenCC("s2twp").convert(text))


# What CMS editors and copy-paste leave inside text: zero-width space, soft hyphen, word joiner,
# byte-order mark, left-to-right mark; in HTML also as character references.
INVISIBLE = ("\u200b", "\u00ad", "\u2060", "\ufeff", "\u200e")
_MARKUP = re.compile(r"<[^>]*>|&#?\w+;")  # tags and character references: nothing goes inside them


def with_invisible(page: str, seed: int | random.Random, rate: float = 0.02, html_page: bool = False) -> str:
    """``page`` with characters that print nothing after about ``rate`` of its characters (never
    inside a tag or a character reference, never before a line break; in HTML half of them as
    references such as ``&#8203;``): the page reads the same, so it must parse to the same numbers."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)

    def sprinkle(text: str) -> str:
        out = []
        for ch in text:
            out.append(ch)
            if ch != "\n" and rng.random() < rate:
                mark = rng.choice(INVISIBLE)
                out.append(f"&#{ord(mark)};" if html_page and rng.random() < 0.5 else mark)
        return "".join(out)

    if not html_page:
        return sprinkle(page)
    parts, pos = [], 0
    for m in _MARKUP.finditer(page):
        parts += [sprinkle(page[pos : m.start()]), m.group(0)]
        pos = m.end()
    return "".join([*parts, sprinkle(page[pos:])])


# How editors number a table's sub-rows (「1.属于国家秘密」 in the template): the input method's
# full-stop digits, circled and parenthesised digits, full-width brackets, an ideographic comma.
LIST_MARKS: dict[str, Callable[[int], str]] = {
    "full-stop": lambda n: chr(0x2487 + n),  # ⒈
    "circled": lambda n: chr(0x245F + n),  # ①
    "parenthesised": lambda n: chr(0x2473 + n),  # ⑴
    "brackets": lambda n: f"（{n}）",
    "comma": lambda n: f"{n}、",
}
_LIST_INDEX = re.compile(r"(?<![\d.])([1-9])\.(?=[\u4e00-\u9fff])")


def with_list_marks(page: str, style: str) -> str:
    """``page`` with its labels' 「1.」「2.」 numbers written in another style (:data:`LIST_MARKS`)."""
    mark = LIST_MARKS[style]
    return _LIST_INDEX.sub(lambda m: mark(int(m.group(1))), page)


def copied_text(page: str) -> str:
    """What a browser's copy of an HTML page gives: each row of a table (a table holding no other)
    a line of its cells' texts separated by tabs, spans not repeated (a blank cell an empty field),
    and the text between blocks a line of its own (inline elements run on)."""
    import lxml.html

    from ..readers.html import BLOCK_TAGS

    blocks = frozenset(BLOCK_TAGS)
    root = lxml.html.fromstring(page)
    for hidden in [*root.iter("script", "style", "head")]:
        parent = hidden.getparent()
        if parent is not None:
            parent.remove(hidden)  # its tail goes too: none in a rendered page
    lines: list[str] = []
    line: list[str] = []

    def flush() -> None:
        text = " ".join("".join(line).split())
        if text:
            lines.append(text)
        line.clear()

    def walk(el: lxml.html.HtmlElement) -> None:
        block = el.tag in blocks
        if block:
            flush()
        if el.tag == "table" and next(el.iterdescendants("table"), None) is None:
            for tr in el.iter("tr"):
                lines.append("\t".join(" ".join(td.text_content().split()) for td in tr if td.tag in ("td", "th")))
        else:
            line.append(el.text or "")
            for child in el:
                if isinstance(child, lxml.html.HtmlElement):
                    walk(child)
        if block:
            flush()
        line.append(el.tail or "")

    walk(root)
    flush()
    return "\n".join(lines) + "\n"


def encode(text: str, encoding: str) -> bytes:
    """Page bytes in a legacy encoding; characters it lacks become HTML character references."""
    return text.encode(encoding, errors="xmlcharrefreplace")


def write_fixtures(folder: Path, seed: int = 2019) -> list[Path]:
    """The synthetic fixture set: each format in each shape, plus Traditional, GBK and Big5 pages."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in ("2019", "2021"):
        s = random_report(seed + int(fmt), fmt)
        for shape in SHAPES:
            ext = "html" if shape.startswith("html") else "md" if shape == "markdown" else "txt"
            written.append(_write(folder / f"synthetic_{fmt}_{shape}.{ext}", render(s, shape).encode()))
        written.append(
            _write(folder / f"synthetic_{fmt}_traditional_lines.txt", to_traditional(render_lines(s)).encode())
        )
        written.append(_write(folder / f"synthetic_{fmt}_gbk_lying_meta.html", encode(render_html(s), "gbk")))
        written.append(
            _write(
                folder / f"synthetic_{fmt}_big5.html",
                encode(to_traditional(render_html(s, meta_charset="gb2312")), "big5"),
            )
        )
    for report in random_series(seed, 2020, 3):  # one agency across the 2021 format change
        written.append(_write(folder / f"synthetic_series_{report.year}.html", render_html(report).encode()))
    return written


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


if __name__ == "__main__":
    for p in write_fixtures(Path(sys.argv[1] if len(sys.argv) > 1 else "fixtures")):
        print(p)
