"""Test helper: a :class:`~disclosure_cli.testing.synth.Synthetic` report written as a Word file with python-docx.

The tables are the HTML renderer's (``synth.render_html``), cell for cell: every ``rowspan``/``colspan``
there is a merged cell here, made with python-docx's ``merge`` as Word makes them (``w:vMerge``
restart/continue, ``w:gridSpan``). The title is the first paragraph, and the text is cut into runs at
random places, as Word's editing history cuts it, so the reader must join runs as they are. A page
footer with numbers and a stale core-properties title (last year's, as in a copied template) must
not be read. ``split`` cuts table 3 in two tables, ``layout`` puts the whole report inside a layout
table, as the HTML shapes ``html-split`` and ``html-layout`` do. ``ragged`` (the default) ends the rows
the HTML leaves short early, as Word writes a row with cells deleted (``w:gridAfter``), and splits
table 3 as the HTML does; without it short rows are padded with empty cells and table 3 is split as
Word's Split Table command splits it.
"""

from __future__ import annotations

import io
import random

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from disclosure_cli.testing import synth
from disclosure_cli.testing.synth import Synthetic

# A cell: its text with "<br>" for a line break inside a paragraph and "<p>" between paragraphs.
Td = tuple[str, int, int]  # text, rowspan, colspan


def td(text: str, rowspan: int = 1, colspan: int = 1) -> Td:
    return (text, rowspan, colspan)


def table2_rows(s: Synthetic, blank: str) -> list[list[Td]]:
    out: list[list[Td]] = []
    for block, rows in synth._blocks(s):
        width = max(len(r.columns) for r in rows)
        out.append([td(synth.BLOCK_LABELS[block], colspan=4)])
        out.append([td("信息内容"), *(td(c.label.replace("数量", "<br>数量", 1)) for c in rows[0].columns)])
        for row in rows:
            cells = [td(s.text("active", row.key, c.key, blank)) for c in row.columns[:-1]]
            last = s.text("active", row.key, row.columns[-1].key, blank)
            cells.append(td(last, colspan=1 + 3 - width) if width < 3 else td(last))
            out.append([td(row.label), *cells])
    return out


def table3_rows(s: Synthetic, blank: str) -> list[list[Td]]:
    requests = s.spec.table("requests")
    out: list[list[Td]] = [
        [td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), td("申请人情况", 1, 7)],
        [td("自然人", 2), td("法人或其他组织", 1, 5), td("总计", 2)],
        [td(c) for c in ("商业<br>企业", "科研<br>机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    n_outcomes = sum(1 for r in requests.rows if synth._outcome(r))
    seen: set[str] = set()
    for row in requests.rows:
        vals = [td(s.text("requests", row.key, c.key, blank)) for c in row.columns]
        if not synth._outcome(row):
            out.append([td(row.label, colspan=3), *vals])
            continue
        lead = [td("三、本年度<p>办理结果", rowspan=n_outcomes)] if row.key == "granted" else []
        group = synth._group(row)
        if group is None:
            out.append([*lead, td(row.label, colspan=2), *vals])
        else:
            span = sum(1 for r in requests.rows if synth._group(r) == group)
            gcell = [td(group, rowspan=span)] if group not in seen else []
            seen.add(group)
            out.append([*lead, *gcell, td(row.label), *vals])
    return out


def table4_rows(s: Synthetic, blank: str) -> list[list[Td]]:
    appeals = s.spec.table("appeals")
    heads = [c.label for c in appeals.rows[0].columns]
    return [
        [td("行政复议", 1, 5), td("行政诉讼", 1, 10)],
        [*(td(h, 2) for h in heads), td("未经复议直接起诉", 1, 5), td("复议后起诉", 1, 5)],
        [td(h) for h in heads * 2],
        [td(s.text("appeals", r.key, c.key, blank)) for r in appeals.rows for c in r.columns],
    ]


def place(rows: list[list[Td]]) -> tuple[list[tuple[int, int, Td]], int, int]:
    """Grid positions of HTML-style rows (the HTML reader's algorithm): placements, height, width."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            text, rowspan, colspan = cell
            rowspan = min(rowspan, len(rows) - r)  # a span cut by the table's end stops there, as in HTML
            cell = (text, rowspan, colspan)
            taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            placed.append((r, c, cell))
            c += colspan
    height = len(rows)
    width = max(c for _, c in taken) + 1
    return placed, height, width


Placement = tuple[list[tuple[int, int, Td]], int, int]


def word_split(rows: list[list[Td]], at: int) -> list[Placement]:
    """The two tables Word's Split Table makes of one at row ``at``: both keep the whole grid; a
    vertical merge across the cut ends above it and goes on below as an empty merged cell."""
    placed, height, width = place(rows)
    top, bottom = [], []
    for r, c, (text, rowspan, colspan) in placed:
        if r < at:
            top.append((r, c, (text, min(rowspan, at - r), colspan)))
            if r + rowspan > at:
                bottom.append((0, c, ("", r + rowspan - at, colspan)))
        else:
            bottom.append((r - at, c, (text, rowspan, colspan)))
    return [(top, at, width), (bottom, height - at, width)]


class Writer:
    def __init__(self, rng: random.Random, ragged: bool = True) -> None:
        self.rng = rng
        self.ragged = ragged

    def runs(self, paragraph, text: str) -> None:
        """``text`` as one to three runs cut at random places; "<br>" becomes a line break."""
        for i, line in enumerate(text.split("<br>")):
            if i:
                paragraph.runs[-1].add_break(WD_BREAK.LINE) if paragraph.runs else paragraph.add_run().add_break()
            cuts = sorted(self.rng.sample(range(1, len(line)), max(0, min(len(line) - 1, self.rng.randint(0, 2)))))
            for a, b in zip([0, *cuts], [*cuts, len(line)]):
                if b > a:
                    paragraph.add_run(line[a:b])

    def paragraph(self, container, text: str, style: str | None = None) -> None:
        self.runs(container.add_paragraph(style=style), text)

    def cell(self, cell, text: str) -> None:
        for i, part in enumerate(text.split("<p>")):
            self.runs(cell.paragraphs[0] if i == 0 else cell.add_paragraph(), part)

    def table(self, container, rows: list[list[Td]]) -> None:
        self.placed_table(container, *place(rows))

    def placed_table(self, container, placed: list[tuple[int, int, Td]], height: int, width: int) -> None:
        """A table with the HTML rows' spans as merged cells. Rows the HTML leaves short (a header
        over fewer columns) end early with ``w:gridAfter`` (``ragged``), else with empty cells."""
        table = container.add_table(rows=height, cols=width)
        table.style = "Table Grid" if isinstance(container, docx.document.Document) else None
        grid = [table.rows[r].cells for r in range(height)]  # before merging: table.cell() is quadratic
        for r, c, (text, rowspan, colspan) in placed:
            cell = grid[r][c]
            if rowspan > 1 or colspan > 1:  # merged regions never overlap: the corner cells still exist
                cell = cell.merge(grid[r + rowspan - 1][c + colspan - 1])
            self.cell(cell, text)
        if self.ragged:
            covered = [0] * height
            for r, c, (_, rowspan, colspan) in placed:
                for dr in range(rowspan):
                    covered[r + dr] = max(covered[r + dr], c + colspan)
            for r, tr in enumerate(table._tbl.tr_lst):
                if covered[r] < width:  # the uncovered grid columns are at the row's end, unmerged
                    for tc in tr.tc_lst[covered[r] - width :]:
                        tr.remove(tc)
                    after = OxmlElement("w:gridAfter")
                    after.set(qn("w:val"), str(width - covered[r]))
                    tr.get_or_add_trPr().append(after)


def render_docx(
    s: Synthetic, split: bool = False, layout: bool = False, blank: str = "", seed: int = 0, ragged: bool = True
) -> bytes:
    """The report as .docx bytes: title, narrative, the three tables with merged cells, a closing section."""
    w = Writer(random.Random(seed), ragged)
    document = docx.Document()
    document.core_properties.title = f"{s.agency}{s.year - 1}年政府信息公开工作年度报告"  # a stale template title
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = "主办单位：本机关办公室 联系电话：0755-88888888 第 1 页 共 3 页"
    body = document
    if layout:
        outer = document.add_table(rows=1, cols=1)
        body = outer.cell(0, 0)
    w.paragraph(body, s.title, style="Title" if not layout else None)
    for p in synth._narrative(s):
        w.paragraph(body, p)
    w.paragraph(body, "二、主动公开政府信息情况")
    w.table(body, table2_rows(s, blank))
    w.paragraph(body, "三、收到和处理政府信息公开申请情况")
    t3 = table3_rows(s, blank)
    if split:  # the statistics table cut in two
        half = 3 + (len(t3) - 3) // 2
        # ragged: as synth.render_html(split=True) cuts it, the second part's rows starting at its left;
        # else as Word's Split Table cuts it: one grid, a merge across the cut left empty below it
        parts = [place(t3[:half]), place(t3[half:])] if ragged else word_split(t3, half)
        w.placed_table(body, *parts[0])
        body.add_paragraph()
        w.placed_table(body, *parts[1])
    else:
        w.table(body, t3)
    w.paragraph(body, "四、政府信息公开行政复议、行政诉讼情况")
    w.table(body, table4_rows(s, blank))
    w.paragraph(body, "五、存在的主要问题及改进情况")
    w.paragraph(body, "2025年，本机关将继续推进政务公开工作。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
