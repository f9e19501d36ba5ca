"""The rule catalogue: every rule declared once, with its permanent code, kebab-case name, severity,
explanations in English and Chinese, the words its messages need, and what it reads: the parser
notes it reports, the format identity or bound it checks (``formats.Identity.code``,
``formats.Bound.code``), the prose statement it compares, or the running total it follows across
years. ``checks.py`` and ``series.py`` find their rules here (``BY_NOTE``, ``BY_IDENTITY``,
``BY_BOUND``, ``BY_STATEMENT``); the README's rule table and ``disclosure rules`` are generated from it.

Codes never change meaning. The family letter says what a rule looks at:
S structure of the page, R table 3 (requests), A table 4 (appeals), P table 2 (proactive
disclosure), N the report's prose against its tables, H hints about how a mismatch arose,
Y one year against the previous one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from .findings import Finding

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")  # lowest first


class Words(msgspec.Struct, frozen=True):
    """One phrase of a message in both languages."""

    zh: str
    en: str


class IdentityCheck(msgspec.Struct, frozen=True):
    """The format identity a rule checks (``formats.Identity.code``) and how its messages name each side."""

    identity: str
    left: Words
    right: Words


class StatedTotal(msgspec.Struct, frozen=True):
    """A number the prose states that must equal the 总计 column of table rows, added."""

    rows: tuple[tuple[str, str], ...]  # (table, row) whose ``total`` cells are added
    name: Words  # how a message names that side: 「表三本年新收总计」


class RunningTotal(msgspec.Struct, frozen=True):
    """A table-2 total that follows from last year's: ``total(Y) = total(Y-1) + plus − minus``.

    ``plus`` is read from this year's report, or from last year's when ``plus_last_year``.
    ``names``: how the equation names the total now, the total last year, plus and minus.
    """

    format: str  # the format both reports must have
    rows: tuple[str, ...]  # rows of table 2 (``active``)
    total: str  # columns
    plus: str
    minus: str | None
    plus_last_year: bool
    names: tuple[str, str, str, str]


class Rule(msgspec.Struct, frozen=True):
    """A rule, declared once: what it is called, how grave it is, what it explains, and what it checks.

    At most one of ``notes``, ``identity``, ``bound``, ``statement`` and ``running_total`` says what the
    audit reads for it; a rule with none of them is checked by code of its own in ``checks.py`` (S004,
    S005, R004, H001, N002, N007-N010) or ``series.py`` (Y001, Y005-Y007).
    """

    code: str
    name: str
    severity: Severity
    summary: str  # one line, English
    summary_zh: str
    explanation: str  # one paragraph: what is checked, why it holds, what a finding means
    explanation_zh: str  # the same paragraph in Chinese
    example: str  # a finding as the tool prints it
    notes: tuple[str, ...] = ()  # the parser notes (``record.Note.code``) it reports
    identity: IdentityCheck | None = None  # the format identity it checks
    bound: str | None = None  # the format bound (``formats.Bound.code``) it checks
    statement: str | None = None  # the prose statement (``narrative.Statement.kind``) it checks
    stated_total: StatedTotal | None = None  # with ``statement``: the table totals the number must equal
    running_total: RunningTotal | None = None  # a cross-year rule: the table-2 total it follows
    # with ``notes``: the text of each note, ``code`` or ``code/variant`` -> zh/en templates whose fields
    # the parser fills (``auditing.notes.note``); one declaration gives the record's message in both languages
    messages: tuple[tuple[str, Words], ...] = ()

    def explain(self, lang: str) -> str:
        return self.explanation_zh if lang == "zh" and self.explanation_zh else self.explanation


RECORD_RULES: tuple[Rule, ...] = (
    Rule(
        "S001",
        "table-missing",
        "warning",
        "A statistics table is not on the page",
        "页面缺少统计表",
        "Every report since 2019 carries three statistics tables (主动公开, 收到和处理申请, 行政复议行政诉讼). "
        "A missing table is usually published as an image or an attachment; its numbers cannot be audited.",
        "2019年以来的年报都有三张统计表（主动公开、收到和处理申请、行政复议行政诉讼）。缺表通常是表格以图片或"
        "附件发布，其中的数字无法核对。",
        "S001 table-missing: table 4 (行政复议、行政诉讼) not found on the page",
        notes=("table-missing",),
        messages=(
            ("table-missing", Words("页面上未找到{table}（{title}）", "{table} ({title}) not found on the page")),
        ),
    ),
    Rule(
        "S002",
        "row-missing",
        "warning",
        "A row of the national format is not on the page",
        "页面缺少格式规定的行",
        "The national format fixes the rows of each table. A row absent from the page (not blank: absent) "
        "leaves its numbers unknown; sums that need it are not evaluated.",
        "国家格式规定了每张表的行。页面上缺少某行（不是空白，而是整行没有），该行数字未知，需要它的等式不予核对。",
        "S002 row-missing: row not on the page: 规章 (active.regulations)",
        notes=("row-missing",),
        messages=(("row-missing", Words("页面上没有此行：{label}（{row}）", "row not on the page: {label} ({row})")),),
    ),
    Rule(
        "S003",
        "unknown-row",
        "info",
        "A row the format does not define",
        "格式未规定的行",
        "Local templates add rows (湖北: 其他主动公开文件). They are kept in the record under `extra`, not checked.",
        "地方模板会增加行（如湖北的「其他主动公开文件」）。这些行保存在记录的 extra 中，不予核对。",
        "S003 unknown-row: table 2: row not in the 2019 format kept under 'extra': 其他主动公开文件 = 12 3 40",
        notes=("unknown-row",),
        messages=(
            (
                "unknown-row",
                Words(
                    "{table}：{year}年格式中没有此行，已保存在 extra 中：{label} = {printed}",
                    "{table}: row not in the {year} format kept under 'extra': {label} = {printed}",
                ),
            ),
        ),
    ),
    Rule(
        "S004",
        "blank-cells",
        "info",
        "Cells left blank",
        "空白单元格",
        "Blank, 「/」, 「—」 or 「无」 cells. Publishers usually mean zero. The audit states the convention it "
        "used (`--blank zero`: read as 0, the default; `--blank skip`: sums with a blank are not evaluated), "
        "counts blanks once per table, and marks every finding that depends on one.",
        "空白、「/」、「—」或「无」单元格，发布者通常指0。审计说明所用的约定（--blank zero"
        " 按0计，为默认；--blank skip 含空白的等式不予核对），每张表只报告一次，并标出依赖"
        "空白单元格的每条发现。",
        "S004 blank-cells: table 3: 20 blank cells, read as 0",
    ),
    Rule(
        "S005",
        "unfilled-total",
        "warning",
        "A total left blank while its parts are filled",
        "合计栏空白而分项已填",
        "A 总计 cell is blank although the numbers it sums are filled in. Reported once per table instead of as "
        "a mismatch in every sum that uses the total; those sums are not evaluated.",
        "某个总计栏空白而其分项已填。每张表只报告一次，而不是在每个用到该总计的等式中各报一次不符；这些等式不予核对。",
        "S005 unfilled-total: table 3: 1 total left blank while its parts are filled: 结转下年度/总计",
    ),
    Rule(
        "S006",
        "row-inferred",
        "info",
        "A row was placed by position",
        "按位置推定的行",
        "The page lost a row label (PDF exports do) and the row was placed in the only gap where a row was "
        "missing. The values are marked `inferred`; check them on the page.",
        "页面丢失了行名（PDF 导出常见），该行被放在唯一缺行的位置。这些数值标为 inferred，请对照页面核实。",
        "S006 row-inferred: table 3: unlabelled row '0 0 0 0 0 0 0' read as （二）部分公开",
        notes=("row-inferred",),
        messages=(
            (
                "row-inferred",
                Words(
                    "{table}：无行名的一行「{printed}」按位置读作{label}（该处唯一缺少的行）",
                    "{table}: unlabelled row '{printed}' read as {label} (the only row missing at that place)",
                ),
            ),
        ),
    ),
    Rule(
        "S007",
        "stray-values",
        "info",
        "Numbers outside any row",
        "不属于任何行的数字",
        "Numbers in a table region that belong to no row label were ignored; nothing is dropped silently.",
        "表格区域内不属于任何行名的数字未读取；不会悄悄丢弃任何数字。",
        "S007 stray-values: table 3: values without a row label ignored: 1",
        notes=("stray-values", "duplicate-row"),
        messages=(
            (
                "stray-values/near-row",
                Words(
                    "{table}：{label}行附近的数字未读取：{printed}",
                    "{table}: text near row {label} ignored: {printed}",
                ),
            ),
            (
                "stray-values/unlabelled",
                Words(
                    "{table}：没有行名的数字未读取：{printed}",
                    "{table}: values without a row label ignored: {printed}",
                ),
            ),
            (
                "stray-values/after-cells",
                Words(
                    "{table}：{count}个单元格之后的数字未读取：{printed}",
                    "{table}: values after its {count} cells ignored: {printed}",
                ),
            ),
            (
                "stray-values/beyond-row",
                Words(
                    "{table}：超出行尾的单元格未读取：{printed}",
                    "{table}: cells beyond the row's end ignored: {printed}",
                ),
            ),
            (
                "stray-values/between-rows",
                Words(
                    "{table}：行间文字中的数字未读取：{printed}",
                    "{table}: text between its rows ignored: {printed}",
                ),
            ),
            (
                "duplicate-row",
                Words(
                    "{table}：{label}行重复出现，采用第一次出现的数字",
                    "{table}: row {label} appears again; the first one is used",
                ),
            ),
            (
                "duplicate-row/appeals",
                Words(
                    "{table}：另有数据行（重复的表格，或另一年度的数字？）未读取，采用第一组：{printed}",
                    "{table}: further data rows (the table again, or another year's numbers?) not read; the"
                    " first are used: {printed}",
                ),
            ),
        ),
    ),
    Rule(
        "S008",
        "cells-not-separated",
        "warning",
        "A row whose cells are glued together could not be read",
        "单元格粘连且无法唯一还原的行",
        "The page prints several cells as one run of digits (「规范性文件7777166」) and more than one reading "
        "satisfies every identity that applies, so the row is left unread rather than guessed. The finding "
        "lists the candidate readings; the page's other numbers are audited as usual.",
        "页面把几个单元格印成一串数字（「规范性文件7777166」），且不止一种读法满足所有适用的等式，因此该行不"
        "读取而不猜测。发现列出各种可能的读法；页面其余数字照常核对。",
        "S008 cells-not-separated: table 2 规范性文件: cells not separated ('7777166'); left unread, 7 readings "
        "fit: 7/7/77166 | 7/77/7166 | …",
        notes=("row-ambiguous",),
        messages=(
            (
                "row-ambiguous",
                Words(
                    "{table} {label}：单元格粘连（「{text}」），未读取；{why}",
                    "{table} {label}: cells not separated ('{text}'); left unread, {why}",
                ),
            ),
        ),
    ),
    Rule(
        "S009",
        "cells-recovered",
        "info",
        "Glued cells read back with the identities",
        "粘连单元格已按等式还原",
        "The page prints several cells as one run of digits and exactly one reading satisfies the identities "
        "(or only one is possible at all). The values are marked `inferred`; the identities used to choose "
        "the reading are not counted as independent confirmation by the audit.",
        "页面把几个单元格印成一串数字，恰有一种读法满足等式（或只有一种可能）。这些数值标为 inferred；用于选"
        "择读法的等式不算作独立核对。",
        "S009 cells-recovered: table 3 （一）予以公开: cells not separated ('6000017'), read as 6/0/0/0/0/1/7",
        notes=("row-recovered",),
        messages=(
            (
                "row-recovered",
                Words(
                    "{table} {label}：单元格粘连（「{text}」），读作 {reading}（{how}）",
                    "{table} {label}: cells not separated ('{text}'), read as {reading} ({how})",
                ),
            ),
            (
                "row-recovered/one-too-many",
                Words(
                    "{table} {label}：多出一个单元格（「{printed}」）；{why}",
                    "{table} {label}: one cell too many ('{printed}'); {why}",
                ),
            ),
        ),
    ),
    Rule(
        "S010",
        "row-wrong-width",
        "error",
        "A table row with cells missing or extra, left unread",
        "单元格缺失或多出的行（未读取）",
        "A row of a real table (HTML, Markdown, PDF) has fewer or more cells than the format's columns. "
        "Its numbers cannot be placed without guessing which cell is missing, so the row is left unread and "
        "the finding lists the cells found; the rest of the page is read and audited as usual.",
        "真实表格（HTML、Markdown、PDF）中某行的单元格比格式规定的列多或少。无法判断缺的是哪一格，该行不读取"
        "，发现列出找到的单元格；页面其余部分照常读取和核对。",
        "S010 row-wrong-width: table 2 row 规章 (line 12) has 2 cells, expected 3: '0 5'; left unread",
        notes=("row-wrong-width",),
        messages=(
            (
                "row-wrong-width",
                Words(
                    "{table} {label}行（{where}）有 {count} 个单元格，应为 {width} 个：「{printed}」；未读取",
                    "{table} row {label} ({where}) has {count} cells, expected {width}: '{printed}'; left unread",
                ),
            ),
            (
                "row-wrong-width/padded",
                Words(
                    "{table} {label}行（{where}）止于第{end}列（共{last}列），而此表把较窄的行补齐到最后一列："
                    "缺少一个单元格：「{printed}」；未读取",
                    "{table} row {label} ({where}) stops at column {end} of {last}, though this table pads its"
                    " narrower rows to the last column: a cell is missing: '{printed}'; left unread",
                ),
            ),
            (
                "row-wrong-width/appeals",
                Words(
                    "{table}（{where}）数据行有 {count} 个单元格，应为 {total} 个（或 {row_count} 行各 {width} 个）："
                    "「{printed}」；未读取",
                    "{table} ({where}) has {count} cells in its data row, expected {total} (or {row_count} rows of"
                    " {width}): '{printed}'; left unread",
                ),
            ),
            (
                "row-wrong-width/appeals-labels",
                Words(
                    "{table}按行列出，其{label}行被 {times} 个数据行的行名指出（应为 1 个）：「{printed}」；未读取",
                    "{table} is printed as labelled rows, and {times} data rows name its row {label} (one"
                    " expected): '{printed}'; left unread",
                ),
            ),
        ),
    ),
    Rule(
        "S011",
        "bytes-replaced",
        "warning",
        "Undecodable bytes replaced",
        "无法解码的字节已替换",
        "A few bytes of the page are not valid in its encoding (a character cut at the end, a symbol pasted "
        "from another encoding). They are replaced with U+FFFD and counted; a number they touch may be "
        "unreadable. A page with more than a small share of such bytes is refused instead.",
        "页面有少量字节不符合其编码（字符被截断、从其他编码粘贴的符号），已替换为 U+FFFD 并计数；受影响的数字"
        "可能无法读取。这类字节过多的页面会被拒绝。",
        "S011 bytes-replaced: 2 undecodable byte(s) replaced with U+FFFD (read as utf-8)",
        notes=("bytes-replaced",),
        messages=(
            (
                "bytes-replaced",
                Words(
                    "{count} 个无法解码的字节已替换为 U+FFFD（按 {encoding} 读取）",
                    "{count} undecodable byte(s) replaced with U+FFFD (read as {encoding})",
                ),
            ),
        ),
    ),
    Rule(
        "S012",
        "prose-in-table",
        "info",
        "Numbers in prose inside a table, not read",
        "统计表中的说明文字数字（未读取）",
        "A sentence inside a statistics table's region carries numbers (a note under the table). They are "
        "not table cells and are not read; the finding names them so nothing is dropped silently.",
        "统计表区域内的一句说明文字含有数字（表下注释）。它们不是表格单元格，不予读取；发现列出这些数字，不会悄悄丢弃。",
        "S012 prose-in-table: table 3: numbers in prose inside the table not read: 3",
        notes=("prose-numbers",),
        messages=(
            (
                "prose-numbers",
                Words(
                    "{table}：表内说明文字中的数字未读取：{printed}",
                    "{table}: numbers in prose inside the table not read: {printed}",
                ),
            ),
        ),
    ),
    Rule(
        "S013",
        "ocr-doubtful",
        "warning",
        "Values read from a picture with low confidence",
        "从图片识别、置信度低的数值",
        "The tables were published as pictures or a scan and read by OCR (the `ocr` extra). Each value "
        "carries its recognition confidence (`ocr` in the record); values below 0.8 are listed here so a "
        "person checks them on the page before a mismatch they take part in is blamed on the publisher.",
        "统计表以图片或扫描件发布，经 OCR（ocr 扩展）识别。每个数值带有识别置信度（记录中的 ocr 字段）；低于 0.8 的"
        "数值在此列出，请先对照页面核实，再把它们参与的不符归咎于发布者。",
        "S013 ocr-doubtful: 1 value(s) read from a picture with low confidence; check them: 本年新收 78 (0.50)",
        notes=("ocr-doubtful",),
        messages=(
            (
                "ocr-doubtful",
                Words(
                    "{count} 个数值从图片识别、置信度低，请核对：{values}",
                    "{count} value(s) read from a picture with low confidence; check them: {values}",
                ),
            ),
        ),
    ),
    Rule(
        "S015",
        "read-by-ocr",
        "info",
        "Tables read from pictures, and whether their sums confirm the reading",
        "统计表从图片识别，及其等式是否印证识别结果",
        "The statistics tables were pictures (a scan, an image file, <img> elements of a page) and were read "
        "by OCR. The finding names the pictures read and those left out (logos, icons, missing files), and, "
        "where every sum that could be evaluated holds on the values read, says the tables' own arithmetic "
        "confirms the reading. A value under 0.8 confidence is S013; a sum failing on one is H002.",
        "统计表为图片（扫描件、图片文件或页面中的 <img>），经 OCR 识别。本发现列出识别了哪些图片、哪些未识别（标志、"
        "图标、缺失的文件），并在所有可核对的等式在识别出的数值上都成立时说明表格自身的算术印证了识别结果。"
        "置信度低于 0.8 的数值见 S013；因此不成立的等式见 H002。",
        "S015 read-by-ocr: every sum of table 3 and table 4 holds on the values read from the picture(s) "
        "(12 checked): the reading is confirmed by the tables' own arithmetic",
        notes=("ocr-pictures", "ocr-verified"),
        messages=(
            (
                "ocr-pictures",
                Words(
                    "统计表经 OCR 从页面的 {count} 张图片识别（{read}）",
                    "tables read by OCR from {count} picture(s) of the page ({read})",
                ),
            ),
            (
                "ocr-pictures/skipped",
                Words(
                    "统计表经 OCR 从页面的 {count} 张图片识别（{read}）；未读取：{skipped}",
                    "tables read by OCR from {count} picture(s) of the page ({read}); not read: {skipped}",
                ),
            ),
            (
                "ocr-verified",
                Words(
                    "{tables}的各项等式在识别出的数值上全部成立（核对 {count} 项{left}）：表格自身的算术印证了识别结果",
                    "every sum of {tables} holds on the values read from the picture(s) ({count} checked{left}): "
                    "the reading is confirmed by the tables' own arithmetic",
                ),
            ),
        ),
    ),
    Rule(
        "S014",
        "text-for-number",
        "warning",
        "Words in a cell where the format needs a number",
        "应填数字的单元格中是文字",
        "A cell of a statistics table holds words (「见附件」, 「不适用」, 「详见说明」) or a number with a word "
        "the format does not use, where the national format needs a count or an amount. That cell is left "
        "unread and named here; the row's other cells are read in their columns, and the sums that need the "
        "cell are not evaluated. 「—」, 「/」 and 「无」 are blanks (S004), not words.",
        "统计表的某个单元格填的是文字（「见附件」「不适用」「详见说明」）或带有格式不用的文字的数字，而国家格式在此"
        "需要件数或金额。该单元格不读取并在此列出；该行其余单元格按各自的列读取，需要该单元格的等式不予核对。"
        "「—」「/」「无」是空白（S004），不是文字。",
        "S014 text-for-number: table 2 规章, issued (table 1, row 3, column 2): '见附件' where a number is needed; "
        "left unread",
        notes=("text-for-number",),
        messages=(
            (
                "text-for-number",
                Words(
                    "{table} {label}，{column}（{where}）：应填数字处为文字「{text}」；未读取",
                    "{table} {label}, {column} ({where}): '{text}' where a number is needed; left unread",
                ),
            ),
        ),
    ),
    Rule(
        "R001",
        "requests-balance",
        "error",
        "一+二 ≠ 三(七)+四 in a column of table 3",
        "第三表某列一加二不等于三加四",
        "Table 3 prints its own identity: 第一项加第二项之和，等于第三项加第四项之和. For every applicant column "
        "and the total column, new requests plus those carried over from last year must equal requests "
        "handled (（七）总计) plus those carried forward to next year.",
        "第三表自身注明：第一项加第二项之和，等于第三项加第四项之和。每个申请人列及总计列，本年新收加上年结转"
        "必须等于办理结果总计（（七）总计）加结转下年度继续办理。",
        "R001 requests-balance: 自然人列：本年新收 5432 + 上年结转 83 = 5515，"
        "办理结果总计 5368 + 结转下年度 148 = 5516",
        identity=IdentityCheck(
            "requests-balance",
            Words("本年新收+上年结转", "new + carried over"),
            Words("办理结果总计+结转下年度", "handled + carried forward"),
        ),
    ),
    Rule(
        "R002",
        "requests-outcome-total",
        "error",
        "（七）总计 ≠ the sum of the outcome rows",
        "办理结果总计不等于各项之和",
        "Each request is counted under exactly one result (the （二） label says so), so 办理结果总计 equals "
        "予以公开 + 部分公开 + the eight 不予公开 rows + the three 无法提供 rows + the five 不予处理 rows + "
        "其他处理 (one row in the 2019 format, three in the 2021 format), in every column.",
        "每件申请只计入一种办理结果（（二）的说明如此规定），因此办理结果总计等于予以公开+部分公开+八项不予公"
        "开+三项无法提供+五项不予处理+其他处理（2019年格式一行，2021年格式三行），每一列都如此。",
        "R002 requests-outcome-total: 总计列：予以公开 2041 + … + 其他处理 598 = 5850，办理结果总计 5851",
        identity=IdentityCheck(
            "requests-outcome-total",
            Words("各项办理结果之和", "sum of outcome rows"),
            Words("办理结果总计", "handled total"),
        ),
    ),
    Rule(
        "R003",
        "requests-row-total",
        "error",
        "总计 ≠ the six applicant columns in a row of table 3",
        "第三表某行总计不等于各申请人之和",
        "The 总计 column adds natural persons, businesses, research institutions, non-profits, legal services "
        "and other organisations. A mismatch points at one row; the column identities show which cell.",
        "总计列是自然人、商业企业、科研机构、社会公益组织、法律服务机构和其他六类申请人之和。不符指向某一行；"
        "各列等式可指出是哪个单元格。",
        "R003 requests-row-total: 本年新收行：5432 + 377 + 14 + 32 + 21 + 39 = 5915，总计 5916",
        identity=IdentityCheck(
            "requests-row-total", Words("六类申请人之和", "sum of the six applicant columns"), Words("总计", "total")
        ),
    ),
    Rule(
        "R004",
        "count-not-natural",
        "error",
        "A count that is negative or not a whole number",
        "件数为负数或非整数",
        "Requests, appeals and documents are counted in whole, non-negative numbers. Only table 2's 本年增/减 "
        "may be negative, and only money may have decimals.",
        "申请、复议诉讼和文件都以非负整数计数。只有第二表的「本年增/减」可以为负，只有金额可以有小数。",
        "R004 count-not-natural: requests.granted.natural_person = -3",
    ),
    Rule(
        "A001",
        "appeals-row-total",
        "error",
        "维持+纠正+其他+尚未审结 ≠ 总计 in table 4",
        "第四表结果之和不等于总计",
        "For administrative review and both kinds of litigation, upheld + corrected + other outcome + pending "
        "must equal the total.",
        "行政复议和两类行政诉讼：结果维持+结果纠正+其他结果+尚未审结必须等于总计。",
        "A001 appeals-row-total: 行政复议：结果维持 59 + 结果纠正 10 + 其他结果 22 + 尚未审结 17 = 108，总计 109",
        identity=IdentityCheck(
            "appeals-row-total",
            Words("维持+纠正+其他+尚未审结", "upheld + corrected + other + pending"),
            Words("总计", "total"),
        ),
    ),
    Rule(
        "P001",
        "published-exceeds-total",
        "warning",
        "Newly published exceeds the total published",
        "本年新公开数量大于对外公开总数量",
        "2019 format, table 2: documents newly published this year are part of all documents published, so "
        "本年新公开数量 cannot exceed 对外公开总数量.",
        "2019年格式第二表：本年新公开的文件是对外公开文件的一部分，本年新公开数量不能大于对外公开总数量。",
        "P001 published-exceeds-total: 规范性文件：本年新公开 328 > 对外公开总数量 300",
        bound="published-within-total",
    ),
    Rule(
        "P002",
        "negative-item-count",
        "warning",
        "Last year's items plus this year's change is negative",
        "上一年项目数量加本年增减为负",
        "2019 format, table 2: 上一年项目数量 + 本年增/减 is this year's number of items and cannot be negative.",
        "2019年格式第二表：上一年项目数量加本年增/减即本年项目数量，不能为负。",
        "P002 negative-item-count: 行政强制：上一年项目数量 1464 + 本年增/减 -1500 = -36",
        bound="items-not-negative",
    ),
    Rule(
        "P003",
        "money-unit-unknown",
        "warning",
        "A money amount without a unit",
        "金额未注明单位",
        "采购总金额 or 收费金额 printed without a unit in the cell or its header: 元 and 万元 differ 10,000-fold, "
        "so the amount is kept as written and not normalised.",
        "采购总金额或收费金额在单元格及表头中都未注明单位：元与万元相差一万倍，因此按原文保留，不作换算。",
        "P003 money-unit-unknown: 政府集中采购: money without a unit ('2832995'), kept as written",
        notes=("money-unit-unknown",),
        messages=(
            (
                "money-unit-unknown",
                Words(
                    "{label}：金额未注明单位（「{raw}」），按原文保留",
                    "{label}: money without a unit ('{raw}'), kept as written",
                ),
            ),
        ),
    ),
    Rule(
        "N001",
        "narrative-new-requests",
        "warning",
        "The text's count of new requests differs from table 3",
        "正文所述本年新收申请数与第三表不符",
        "The prose states 「本年新收政府信息公开申请N件」; N must equal table 3's 一、本年新收 total.",
        "正文所述「本年新收政府信息公开申请N件」，N 必须等于第三表一、本年新收的总计。",
        "N001 narrative-new-requests: 正文「本年新收政府信息公开申请5916件」（第12行），表三本年新收总计 5915",
        statement="new",
        stated_total=StatedTotal((("requests", "new"),), Words("表三本年新收总计", "table 3 new requests total")),
    ),
    Rule(
        "N002",
        "narrative-received",
        "warning",
        "The text's count of requests received matches neither 一 nor 一+二",
        "正文所述收到申请数与第三表不符",
        "「收到申请N件」 is ambiguous: some agencies count new requests only, others add those carried over. "
        "A finding means N matches neither 一 nor 一+二.",
        "「收到申请N件」含义不一：有的机关只计本年新收，有的加上上年结转。只有 N 既不等于一、也不等于一+二时才报告。",
        "N002 narrative-received: 正文「收到政府信息公开申请34件」，表三本年新收 33，本年新收+上年结转 35",
        statement="received",
    ),
    Rule(
        "N003",
        "narrative-carried-over",
        "warning",
        "The text's carried-over count differs from table 3",
        "正文所述上年结转数与第三表不符",
        "「上年结转N件」 must equal table 3's 二、上年结转 total.",
        "「上年结转N件」必须等于第三表二、上年结转的总计。",
        "N003 narrative-carried-over: 正文「上年结转2件」，表三上年结转总计 3",
        statement="carried_over",
        stated_total=StatedTotal(
            (("requests", "carried_over"),), Words("表三上年结转总计", "table 3 carried-over total")
        ),
    ),
    Rule(
        "N004",
        "narrative-carried-forward",
        "warning",
        "The text's carried-forward count differs from table 3",
        "正文所述结转下年度数与第三表不符",
        "「结转下年度N件」 must equal table 3's 四、结转下年度继续办理 total.",
        "「结转下年度N件」必须等于第三表四、结转下年度继续办理的总计。",
        "N004 narrative-carried-forward: 正文「结转下一年31件」，表三结转下年度总计 30",
        statement="carried_forward",
        stated_total=StatedTotal(
            (("requests", "carried_forward"),), Words("表三结转下年度总计", "table 3 carried-forward total")
        ),
    ),
    Rule(
        "N005",
        "narrative-review",
        "warning",
        "The text's count of administrative reviews differs from table 4",
        "正文所述行政复议数与第四表不符",
        "「行政复议N件」 must equal table 4's 行政复议 总计.",
        "「行政复议N件」必须等于第四表行政复议的总计。",
        "N005 narrative-review: 正文「行政复议108件」，表四行政复议总计 107",
        statement="review",
        stated_total=StatedTotal((("appeals", "review"),), Words("表四行政复议总计", "table 4 review total")),
    ),
    Rule(
        "N006",
        "narrative-litigation",
        "warning",
        "The text's count of lawsuits differs from table 4",
        "正文所述行政诉讼数与第四表不符",
        "「行政诉讼N件」 must equal table 4's two litigation totals added (未经复议直接起诉 + 复议后起诉).",
        "「行政诉讼N件」必须等于第四表两类行政诉讼总计之和（未经复议直接起诉+复议后起诉）。",
        "N006 narrative-litigation: 正文「行政诉讼数为0件」，表四行政诉讼合计 1",
        statement="litigation",
        stated_total=StatedTotal(
            (("appeals", "litigation_direct"), ("appeals", "litigation_after_review")),
            Words("表四行政诉讼合计", "table 4 litigation total"),
        ),
    ),
    Rule(
        "N007",
        "narrative-other-year",
        "warning",
        "The text names another year for the agency's own work",
        "正文以其他年度称本机关工作",
        "The prose speaks of the agency's own work in a year other than the report's (「本机关2022年度…」 in "
        "the 2023 report). Most often a sentence kept from last year's report; the numbers near it may be old too.",
        "正文以报告年度以外的年份称本机关的工作（2023年报中的「本机关2022年度…」）。多半是沿用上年报告的句子"
        "，附近的数字可能也是旧的。",
        "N007 narrative-other-year: 正文「本机关2022年度」（第3行）称本机关2022年度，"
        "本报告为2023年度报告，疑似沿用旧稿",
        statement="self-year",
    ),
    Rule(
        "N008",
        "narrative-answered",
        "warning",
        "The text's count of requests answered matches neither （七）总计 nor 一 nor 一+二",
        "正文所述办结（答复）申请数与第三表不符",
        "「共办结N件」「及时答复N件」 should be table 3's 办理结果总计. Read as tolerantly as N002: some agencies "
        "count the new requests or all they had (一+二), so a finding means N matches none of the three. A part "
        "(「其中公开答复1件」) is not read.",
        "「共办结N件」「及时答复N件」应等于第三表办理结果总计。与 N002 一样宽松：有的机关计本年新收或全部（一"
        "+二），只有 N 与三者都不符时才报告。分项（「其中公开答复1件」）不予读取。",
        "N008 narrative-answered: 正文「共办结150件」，表三办理结果总计 148，本年新收 154，本年新收+上年结转 154",
        statement="answered",
    ),
    Rule(
        "N009",
        "narrative-all-closed",
        "warning",
        "The text says every request was closed, but table 3 carries some forward",
        "正文称申请均已办结，但第三表有结转下年度",
        "「申请均已按时办结」 cannot hold while 四、结转下年度继续办理 is above 0: either the sentence or the "
        "carried-forward count is wrong. Sentences about last year's carried-over requests or appeals are not read.",
        "结转下年度继续办理大于0时，「申请均已按时办结」不可能成立：要么这句话错，要么结转数错。关于上年结转"
        "申请或复议诉讼的句子不予读取。",
        "N009 narrative-all-closed: 正文「申请均已按时办结」，但表三结转下年度继续办理 6 件",
        statement="all-closed",
    ),
    Rule(
        "N010",
        "problems-section-empty",
        "warning",
        "Section 五 (main problems and improvements) is empty or says 无",
        "第五部分存在的主要问题及改进情况为空或为「无」",
        "The national template requires section 五、存在的主要问题及改进情况 to state the problems found and how "
        "they are being fixed; 「无」 or nothing at all there is a gap reviewers (and the 政务公开 assessment) mark.",
        "国家模板要求第五部分「存在的主要问题及改进情况」写明发现的问题及整改情况；写「无」或空着，是评议（及"
        "政务公开考核）会指出的缺项。",
        "N010 problems-section-empty: 第五部分「存在的主要问题及改进情况」为空或写「无」（第40行）",
        statement="problems-empty",
    ),
    Rule(
        "H001",
        "digits-split-or-merged",
        "info",
        "A failed sum adds up if two digits are joined or one number split",
        "疑似数字被拆分或合并",
        "When a failed sum becomes exact by joining two adjacent single digits (1, 2 → 12) or by splitting one "
        "number in two (12 → 1, 2), the page or its extraction probably split or merged a number. Check those "
        "cells on the original page before calling the report wrong.",
        "若把相邻两个一位数合成一个数（1、2 → 12），或把一个数拆成两个（12 → 1、2），不成立的等式就恰好成立，"
        "说明页面或其提取过程可能拆分或合并了数字。判定报告有误之前，请对照原页面核实这些单元格。",
        "H001 digits-split-or-merged: 本年新收行 adds up if 1 and 2 are one number 12: the page or its extraction "
        "probably split a number",
    ),
    Rule(
        "H002",
        "possible-misreading",
        "warning",
        "A failed sum on a picture has a term read with low confidence",
        "不成立的等式含有识别置信度低的数值（可能识别有误）",
        "The tables were read by OCR from pictures or a scan, and a sum that fails (R001, R002, R003 or A001) "
        "has a term whose recognition confidence is below 0.8, or a cell whose ink read as nothing. The "
        "mismatch is more likely the reading's than the publisher's, so it is reported under this code "
        "instead of the identity's: the finding names the doubtful terms; check them on the picture. A sum "
        "that fails on terms all read with confidence is still reported under its identity's code.",
        "统计表经 OCR 从图片或扫描件识别，某个不成立的等式（R001、R002、R003 或 A001）含有识别置信度低于 0.8 "
        "的数值，或有墨迹却未能识别的单元格。这种不符更可能来自识别而非发布者，因此以本代码报告，而不用该等式的"
        "代码：发现列出存疑的数值，请对照图片核实。各项都识别可靠而仍不成立的等式，照常以等式的代码报告。",
        "H002 possible-misreading: 自然人列：本年新收+上年结转 5515，办理结果总计+结转下年度 5516，相差 1；"
        "possible misreading: 本年新收 5432 (0.52)",
    ),
)

CROSS_YEAR_RULES: tuple[Rule, ...] = (
    Rule(
        "Y001",
        "carry-over-mismatch",
        "error",
        "上年结转 differs from last year's 结转下年度",
        "上年结转与上年报告的结转下年度不符",
        "Requests carried forward at the end of one year are the requests carried over at the start of the "
        "next: this year's 二、上年结转 must equal last year's 四、结转下年度继续办理, column by column. "
        "Agencies sometimes correct last year's figure; a finding says the two reports disagree, not which is "
        "wrong.",
        "一年末结转的申请就是下一年初的上年结转：今年的二、上年结转必须逐列等于去年的四、结转下年度继续办理。"
        "机关有时更正去年的数字；发现只说明两份报告不一致，不判断哪份有误。",
        "Y001 carry-over-mismatch: 自然人列：2021年上年结转 30 ≠ 2020年结转下年度 31",
    ),
    Rule(
        "Y002",
        "in-force-drift",
        "warning",
        "现行有效件数 does not follow from last year plus issued minus repealed",
        "现行有效件数与上年数加制发减废止不符",
        "2021 format: documents in force this year should be last year's in force plus those issued minus those "
        "repealed. Amendments are counted as issued, so small drifts happen; large ones deserve a question.",
        "2021年格式：今年现行有效件数应等于去年现行有效件数加本年制发减本年废止。修订计入制发，小幅偏差难免；"
        "偏差大的值得一问。",
        "Y002 in-force-drift: 行政规范性文件：2022年现行有效 120 ≠ 2021年 100 + 制发 30 − 废止 5 = 125",
        running_total=RunningTotal(
            format="2021",
            rows=("regulations", "normative_documents"),
            total="in_force",
            plus="issued",
            minus="repealed",
            plus_last_year=False,
            names=("现行有效件数", "现行有效", "本年制发", "本年废止"),
        ),
    ),
    Rule(
        "Y003",
        "prior-items-drift",
        "warning",
        "上一年项目数量 does not follow from last year's items and change",
        "上一年项目数量与上年数加增减不符",
        "2019 format: this year's 上一年项目数量 should equal last year's 上一年项目数量 plus last year's 本年增/减.",
        "2019年格式：今年的上一年项目数量应等于去年的上一年项目数量加去年的本年增/减。",
        "Y003 prior-items-drift: 行政许可：2020年上一年项目数量 1125 ≠ 2019年 1100 + 增减 20 = 1120",
        running_total=RunningTotal(
            format="2019",
            rows=("licensing", "other_services", "penalties", "coercion", "fees"),
            total="prior_items",
            plus="change",
            minus=None,
            plus_last_year=True,
            names=("上一年项目数量", "上一年项目数量", "本年增/减", ""),
        ),
    ),
    Rule(
        "Y004",
        "total-published-drift",
        "warning",
        "对外公开总数量 grew by other than 本年新公开数量",
        "对外公开总数量的增长与本年新公开数量不符",
        "2019 format: the running total of published documents should grow by the documents newly published "
        "this year; a total that shrinks or jumps deserves a question.",
        "2019年格式：对外公开总数量应按本年新公开数量增长；总数减少或跳增都值得一问。",
        "Y004 total-published-drift: 规章：2020年对外公开总数量 266 ≠ 2019年 250 + 本年新公开 15 = 265",
        running_total=RunningTotal(
            format="2019",
            rows=("regulations", "normative_documents"),
            total="total_published",
            plus="new_published",
            minus=None,
            plus_last_year=False,
            names=("对外公开总数量", "对外公开总数量", "本年新公开", ""),
        ),
    ),
    Rule(
        "Y005",
        "identical-to-previous-year",
        "warning",
        "A table repeats last year's numbers exactly",
        "统计表与上年完全相同",
        "Every number of a table is the same as in the previous year's report. Real activity rarely repeats "
        "exactly; copied reports (内容雷同) are sanctionable.",
        "某张表的每个数字都与上一年报告相同。实际工作很少完全重复；内容雷同的报告会被问责。",
        "Y005 identical-to-previous-year: 表三 2021年与2020年的 161 个数字完全相同",
    ),
    Rule(
        "Y006",
        "gap-year",
        "info",
        "A year is missing from the series",
        "年度序列缺少某年",
        "The reports given for an agency skip a year; changes are computed against the previous report available "
        "and carry-over is not checked across the gap.",
        "某机关的报告缺少某一年；变化按能找到的上一份报告计算，跨缺口不核对结转。",
        "Y006 gap-year: 平潭综合实验区: no report for 2020 between 2019 and 2021",
    ),
    Rule(
        "Y007",
        "duplicate-report",
        "info",
        "Two reports of the same agency and year",
        "同一机关同一年度有两份报告",
        "Two inputs carry the same agency and year; the one with the most values is used (the first given on a "
        "tie) and the finding names both.",
        "两份输入的机关和年度相同；采用数值最多的一份（相同时取先给出的），发现列出两份。",
        "Y007 duplicate-report: 深圳市人民政府 2020: used a.html, ignored b.html",
    ),
    Rule(
        "Y008",
        "glued-row-against-neighbours",
        "warning",
        "No reading of a glued table-2 row agrees with the neighbouring years",
        "粘连的表二行没有一种读法与相邻年度相符",
        "A table-2 row whose cells ran together (「行政规范性文件5615」) has several readings, and the running "
        "totals of the years before and after it (现行有效 = last year's 现行有效 + 制发 − 废止; 上一年项目数量; "
        "对外公开总数量) usually leave one of them: the row is then read (marked inferred). Here none of the "
        "readings agrees with the neighbouring report, so the row stays unread: either that report or this "
        "one breaks the running total, or the page lost a digit. Triggered by a 2023 row 「77132470」 after "
        "a 2022 report with 698 in force (no split of the digits gives 698 + 制发 − 废止 as 现行有效); "
        "not by 「5615」 after 16 in force (5|6|15 agrees and is read), nor by a row whose neighbours are "
        "themselves unread.",
        "表二某行的单元格粘连（「行政规范性文件5615」），有多种读法；前后年度的累计数（现行有效 = 上年现行有效 + "
        "制发 − 废止；上一年项目数量；对外公开总数量）通常只留下一种，该行即按其读取（标为 inferred）。此处没有"
        "一种读法与相邻年度的报告相符，该行不读取：要么那份报告或本报告不符合累计关系，要么页面丢了数字。"
        "例：2022年现行有效 698 件之后，2023年的「77132470」无论怎样拆分都不等于 698 + 制发 − 废止，即触发；"
        "现行有效 16 件之后的「5615」（5|6|15 相符并读取），或相邻年度该行本身未读取，均不触发。",
        "Y008 glued-row-against-neighbours: 行政规范性文件：2023年粘连的「77132470」的 21 种读法都与2022年现行有效 "
        "698 不符（现行有效 = 上年现行有效 + 本年制发 − 本年废止），该行未读取",
    ),
)
RULES: tuple[Rule, ...] = RECORD_RULES + CROSS_YEAR_RULES


def _index(pairs: Iterable[tuple[str, Rule]], what: str) -> dict[str, Rule]:
    """Rules by a key they declare; a key two rules claim is a declaration error."""
    out: dict[str, Rule] = {}
    for key, r in pairs:
        if key in out:
            raise ValueError(f"{what} {key!r} is declared by both {out[key].code} and {r.code}")
        out[key] = r
    return out


BY_CODE = _index(((r.code, r) for r in RULES), "code")
BY_NAME = _index(((r.name, r) for r in RULES), "name")
BY_NOTE = _index(((note, r) for r in RULES for note in r.notes), "parser note")
BY_IDENTITY = _index(((r.identity.identity, r) for r in RULES if r.identity is not None), "identity")
BY_BOUND = _index(((r.bound, r) for r in RULES if r.bound is not None), "bound")
BY_STATEMENT = _index(((r.statement, r) for r in RULES if r.statement is not None), "statement")


def rule(code_or_name: str) -> Rule:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME[code_or_name]


def selected(code: str, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> bool:
    """ruff-style selection by code or prefix (``R``, ``R00``, ``R001``) or by kebab name."""
    name = BY_CODE[code].name if code in BY_CODE else ""

    def hit(patterns: tuple[str, ...]) -> bool:
        return any(code.startswith(p.upper()) or p == name for p in patterns)

    return (not select or hit(select)) and not hit(ignore)


def at_least(severity: Severity, minimum: Severity) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(minimum)


def shown(
    findings: Iterable[Finding], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), minimum: Severity = "info"
) -> list[Finding]:
    """The findings a user asked to see: selected by code, prefix or name, at or above ``minimum``."""
    return [f for f in findings if selected(f.code, select, ignore) and at_least(f.severity, minimum)]


def rules_markdown() -> str:
    """The README's rule section, generated from the declarations above."""
    lines = ["| code | name | severity | what it checks |", "|---|---|---|---|"]
    lines += [f"| `{r.code}` | `{r.name}` | {r.severity} | {r.summary} ({r.summary_zh}) |" for r in RULES]
    return "\n".join(lines)


def update_readme(path: str = "README.md") -> None:
    """Rewrite the README's rule section (between the rules:start/end markers) from the declarations."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split("<!-- rules:start -->\n", 1)
    _, tail = rest.split("\n<!-- rules:end -->", 1)
    readme.write_text(f"{head}<!-- rules:start -->\n{rules_markdown()}\n<!-- rules:end -->{tail}", encoding="utf-8")


if __name__ == "__main__":
    update_readme()
