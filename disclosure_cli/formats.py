"""The two national report formats, declared once as data.

Everything that knows about rows, columns, labels or identities reads these declarations: the
mapper that turns cells into a record, the reader of glued cells, the auditor, the synthetic-report
renderer used by the tests, and the output schema. Adding a local variant or a new national format is an edit here.

Row ``match`` entries are regular expressions searched in a *normalised* label (see
:func:`disclosure_cli.textnorm.normalize_label`: Simplified script, aliases applied, punctuation and
white space removed). When several rows match one label, the match that ends furthest right wins,
because publishers put the group label first and the specific label last
(「（三）不予公开 1.属于国家秘密」).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Literal

import msgspec

# count: integer >= 0; signed: integer, may be negative; money: 万元
ColumnKind = Literal["count", "signed", "money"]
# rows: each row has its label; sequence: all numbers in row-major order
TableLayout = Literal["rows", "sequence"]
# column: one sum per column of the table (over rows); row: one sum per row (over columns)
IdentityPer = Literal["column", "row"]
# at-most: left <= right; sum-non-negative: left + right >= 0
BoundKind = Literal["at-most", "sum-non-negative"]


class Column(msgspec.Struct, frozen=True):
    key: str
    label: str
    kind: ColumnKind = "count"
    en: str = ""  # English name, for messages

    @property
    def short(self) -> str:
        return re.sub(r"（.*?）", "", self.label)


class Row(msgspec.Struct, frozen=True):
    key: str
    label: str
    match: tuple[str, ...]
    columns: tuple[Column, ...]
    block: str = ""  # table 2: the 第二十条 item (一 五 六 八 九); table 3: the outcome group
    short: str = ""  # the label as an equation names it (「本年新收」); defaults to the label
    en: str = ""

    @property
    def name(self) -> str:
        return self.short or self.label


class Table(msgspec.Struct, frozen=True, dict=True):
    key: str
    number: int
    label: str
    anchors: tuple[str, ...]  # normalised-label regexes that open the table on a page
    rows: tuple[Row, ...]
    layout: TableLayout = "rows"

    @property
    def names(self) -> tuple[str, str]:
        """How messages name the table: ("表三", "table 3")."""
        return f"表{'一二三四五'[self.number - 1]}", f"table {self.number}"

    @cached_property
    def width(self) -> int:
        return max(len(r.columns) for r in self.rows)

    @cached_property
    def _by_key(self) -> dict[str, Row]:
        return {r.key: r for r in self.rows}

    def row(self, key: str) -> Row:
        return self._by_key[key]


class Identity(msgspec.Struct, frozen=True):
    """An arithmetic identity the published numbers must satisfy.

    ``per="column"``: for every column of ``table``, sum(lhs rows) == sum(rhs rows).
    ``per="row"``: for every row of ``table``, sum(lhs columns) == sum(rhs columns).
    """

    code: str
    table: str
    per: IdentityPer
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    description: str


class Bound(msgspec.Struct, frozen=True):
    """A plausibility bound between two cells of one row (a warning when broken, not an identity).

    ``kind="at-most"``: left ≤ right. ``kind="sum-non-negative"``: left + right ≥ 0.
    """

    code: str
    table: str
    rows: tuple[str, ...]
    left: str
    right: str
    kind: BoundKind
    description: str

    def holds(self, left: float | int | None, right: float | int | None) -> bool:
        if left is None or right is None:
            return True
        return left <= right if self.kind == "at-most" else left + right >= 0


class Format(msgspec.Struct, frozen=True):
    name: str
    notice: str
    markers: tuple[str, ...]  # normalised labels that only this format prints
    tables: tuple[Table, ...]
    identities: tuple[Identity, ...] = ()
    bounds: tuple[Bound, ...] = ()

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def value_keys(self) -> Iterator[tuple[str, str, str]]:
        """Every (table, row, column) the format defines, in publication order."""
        for t in self.tables:
            for r in t.rows:
                for c in r.columns:
                    yield t.key, r.key, c.key

    @property
    def value_count(self) -> int:
        return sum(1 for _ in self.value_keys())


# Short labels (as an equation names a row: 「本年新收 5432」) and English names, by row key.
NAMES = {
    "regulations": ("规章", "regulations"),
    "normative_documents": ("规范性文件", "normative documents"),
    "licensing": ("行政许可", "licensing"),
    "other_services": ("其他对外管理服务事项", "other services"),
    "penalties": ("行政处罚", "penalties"),
    "coercion": ("行政强制", "coercion"),
    "fees": ("行政事业性收费", "fees"),
    "procurement": ("政府集中采购", "procurement"),
    "new": ("本年新收", "new requests"),
    "carried_over": ("上年结转", "carried over"),
    "granted": ("予以公开", "granted"),
    "partly_granted": ("部分公开", "partly granted"),
    "withheld.state_secret": ("不予公开/国家秘密", "withheld: state secret"),
    "withheld.prohibited_by_law": ("不予公开/法律法规禁止", "withheld: prohibited by law"),
    "withheld.security_stability": ("不予公开/三安全一稳定", "withheld: security and stability"),
    "withheld.third_party": ("不予公开/第三方权益", "withheld: third-party rights"),
    "withheld.internal_affairs": ("不予公开/内部事务", "withheld: internal affairs"),
    "withheld.process_info": ("不予公开/过程性信息", "withheld: process information"),
    "withheld.enforcement_file": ("不予公开/执法案卷", "withheld: enforcement file"),
    "withheld.inquiry": ("不予公开/查询事项", "withheld: inquiry matter"),
    "unavailable.not_held": ("无法提供/不掌握", "unavailable: not held"),
    "unavailable.needs_creation": ("无法提供/需另行制作", "unavailable: needs creation"),
    "unavailable.unclear": ("无法提供/仍不明确", "unavailable: unclear"),
    "not_processed.petition": ("不予处理/信访举报投诉", "not processed: petition"),
    "not_processed.duplicate": ("不予处理/重复申请", "not processed: duplicate"),
    "not_processed.publication": ("不予处理/公开出版物", "not processed: publication"),
    "not_processed.excessive": ("不予处理/大量反复", "not processed: excessive"),
    "not_processed.confirmation": ("不予处理/确认或重新出具", "not processed: confirmation"),
    "other": ("其他处理", "other handling"),
    "other.no_correction": ("其他处理/逾期不补正", "other: not corrected"),
    "other.no_fee": ("其他处理/逾期未缴费", "other: fee not paid"),
    "other.misc": ("其他处理/其他", "other: misc"),
    "total": ("办理结果总计", "handled total"),
    "carried_forward": ("结转下年度", "carried forward"),
    "review": ("行政复议", "administrative review"),
    "litigation_direct": ("直接起诉", "litigation (direct)"),
    "litigation_after_review": ("复议后起诉", "litigation (after review)"),
}


def _row(key: str, label: str, match: tuple[str, ...], columns: tuple[Column, ...], block: str = "") -> Row:
    short, en = NAMES[key]
    return Row(key, label, match, columns, block, short, en)


# --- table 2: 主动公开政府信息情况 -------------------------------------------------------------

_MADE_2019 = (
    Column("new_made", "本年新制作数量", en="newly made"),
    Column("new_published", "本年新公开数量", en="newly published"),
    Column("total_published", "对外公开总数量", en="total published"),
)
_ITEMS_2019 = (
    Column("prior_items", "上一年项目数量", en="items last year"),
    Column("change", "本年增/减", kind="signed", en="change this year"),
    Column("decisions", "处理决定数量", en="decisions"),
)
_DOCS_2021 = (
    Column("issued", "本年制发件数", en="issued"),
    Column("repealed", "本年废止件数", en="repealed"),
    Column("in_force", "现行有效件数", en="in force"),
)
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量", en="decisions"),)

_ACTIVE_ANCHORS = ("第二十条第", "主动公开政府信息情况")

ACTIVE_2019 = Table(
    "active",
    2,
    "主动公开政府信息情况",
    _ACTIVE_ANCHORS,
    (
        _row("regulations", "规章", ("规章",), _MADE_2019, "一"),
        _row("normative_documents", "规范性文件", ("规范性文件",), _MADE_2019, "一"),
        _row("licensing", "行政许可", ("行政许可",), _ITEMS_2019, "五"),
        _row("other_services", "其他对外管理服务事项", ("其他对外管理服务",), _ITEMS_2019, "五"),
        _row("penalties", "行政处罚", ("行政处罚",), _ITEMS_2019, "六"),
        _row("coercion", "行政强制", ("行政强制",), _ITEMS_2019, "六"),
        _row("fees", "行政事业性收费", ("行政事业性收费",), _ITEMS_2019[:2], "八"),
        Row(
            "procurement",
            "政府集中采购",
            ("政府集中采购",),
            (
                Column("projects", "采购项目数量", en="procurement projects"),
                Column("amount", "采购总金额", kind="money", en="procurement amount"),
            ),
            "九",
            *NAMES["procurement"],
        ),
    ),
)

ACTIVE_2021 = Table(
    "active",
    2,
    "主动公开政府信息情况",
    _ACTIVE_ANCHORS,
    (
        _row("regulations", "规章", ("规章",), _DOCS_2021, "一"),
        _row("normative_documents", "行政规范性文件", ("规范性文件",), _DOCS_2021, "一"),
        _row("licensing", "行政许可", ("行政许可",), _DECISIONS_2021, "五"),
        _row("penalties", "行政处罚", ("行政处罚",), _DECISIONS_2021, "六"),
        _row("coercion", "行政强制", ("行政强制",), _DECISIONS_2021, "六"),
        Row(
            "fees",
            "行政事业性收费",
            ("行政事业性收费",),
            (Column("amount", "本年收费金额（单位：万元）", kind="money", en="fees charged"),),
            "八",
            *NAMES["fees"],
        ),
    ),
)

# --- table 3: 收到和处理政府信息公开申请情况 ---------------------------------------------------

APPLICANTS = (
    Column("natural_person", "自然人", en="natural persons"),
    Column("commercial", "商业企业", en="businesses"),
    Column("research", "科研机构", en="research institutions"),
    Column("nonprofit", "社会公益组织", en="non-profits"),
    Column("legal_services", "法律服务机构", en="legal services"),
    Column("other_org", "其他", en="other organisations"),
    Column("total", "总计", en="total"),
)


def _r3(key: str, label: str, *match: str, block: str = "") -> Row:
    short, en = NAMES[key]
    return Row(key, label, match, APPLICANTS, block, short, en)


_REQUESTS_HEAD = (
    _r3("new", "一、本年新收政府信息公开申请数量", "本年新收"),
    _r3("carried_over", "二、上年结转政府信息公开申请数量", "上年结转"),
    _r3("granted", "（一）予以公开", "予以公开", block="三"),
    _r3("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开", block="三"),
    _r3("withheld.state_secret", "1.属于国家秘密", "国家秘密", block="三"),
    _r3("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", "禁止公开", "其他法律行政", block="三"),
    _r3("withheld.security_stability", "3.危及“三安全一稳定”", "三安全一稳定", block="三"),
    _r3("withheld.third_party", "4.保护第三方合法权益", "第三方合法权益", block="三"),
    _r3("withheld.internal_affairs", "5.属于三类内部事务信息", "内部事务", block="三"),
    _r3("withheld.process_info", "6.属于四类过程性信息", "过程性信息", block="三"),
    _r3("withheld.enforcement_file", "7.属于行政执法案卷", "执法案卷", block="三"),
    _r3("withheld.inquiry", "8.属于行政查询事项", "查询事项", block="三"),
    _r3("unavailable.not_held", "1.本机关不掌握相关政府信息", "不掌握", block="三"),
    _r3("unavailable.needs_creation", "2.没有现成信息需要另行制作", "另行制作", block="三"),
    _r3("unavailable.unclear", "3.补正后申请内容仍不明确", "仍不明确", block="三"),
    _r3("not_processed.petition", "1.信访举报投诉类申请", "信访", "举报投诉", block="三"),
    _r3("not_processed.duplicate", "2.重复申请", "重复申请", block="三"),
    _r3("not_processed.publication", "3.要求提供公开出版物", "公开出版物", block="三"),
    _r3("not_processed.excessive", "4.无正当理由大量反复申请", "大量反复", block="三"),
    _r3("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", "重新出具", block="三"),
)
_REQUESTS_TAIL = (
    _r3("total", "（七）总计", "七总计", "^总计$", block="三"),
    _r3("carried_forward", "四、结转下年度继续办理", "结转下年度"),
)

REQUESTS_2019 = Table(
    "requests",
    3,
    "收到和处理政府信息公开申请情况",
    ("收到和处理政府信息公开申请",),
    (*_REQUESTS_HEAD, _r3("other", "（六）其他处理", "其他处理", block="三"), *_REQUESTS_TAIL),
)
REQUESTS_2021 = Table(
    "requests",
    3,
    "收到和处理政府信息公开申请情况",
    ("收到和处理政府信息公开申请",),
    (
        *_REQUESTS_HEAD,
        _r3(
            "other.no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "逾期不补正",
            block="三",
        ),
        _r3(
            "other.no_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "收费通知",
            "缴纳费用",
            block="三",
        ),
        _r3("other.misc", "3.其他", "3其他$", block="三"),
        *_REQUESTS_TAIL,
    ),
)

# --- table 4: 政府信息公开行政复议、行政诉讼情况 ----------------------------------------------

OUTCOMES = (
    Column("upheld", "结果维持", en="upheld"),
    Column("corrected", "结果纠正", en="corrected"),
    Column("other", "其他结果", en="other outcome"),
    Column("pending", "尚未审结", en="pending"),
    Column("total", "总计", en="total"),
)
APPEALS = Table(
    "appeals",
    4,
    "政府信息公开行政复议、行政诉讼情况",
    ("行政复议",),
    (
        # the labels of a table 4 printed as three rows, as agencies word them: 直接提起行政诉讼,
        # 行政诉讼案件（经复议）, 经复议后向人民法院起诉, 行政诉讼（未经行政复议） (furthest right wins;
        # 未经复议 is not 经复议, and 行政复议 after 经 or before 后 names a lawsuit)
        _row("review", "行政复议", ("(?<!经)行政复议(?!后)",), OUTCOMES),
        _row(
            "litigation_direct",
            "行政诉讼／未经复议直接起诉",
            ("未经复议直接起诉", "直接.{0,8}?(?:起诉|诉讼)", "未经(?:行政)?复议", "直接$"),
            OUTCOMES,
        ),
        _row(
            "litigation_after_review",
            "行政诉讼／复议后起诉",
            ("复议后起诉", "(?<!未)经(?:行政)?复议", "复议后.{0,8}?(?:起诉|诉讼)", "复议后$"),
            OUTCOMES,
        ),
    ),
    layout="sequence",
)

# --- identities ------------------------------------------------------------------------------

_APPLICANT_KEYS = tuple(c.key for c in APPLICANTS[:-1])
_OUTCOMES_HEAD = tuple(r.key for r in _REQUESTS_HEAD if r.block == "三")


def _identities(outcome_rows: tuple[str, ...]) -> tuple[Identity, ...]:
    return (
        Identity(
            "requests-balance",
            "requests",
            "column",
            ("new", "carried_over"),
            ("total", "carried_forward"),
            "一+二 = 三(七)+四: requests received plus carried over equal requests handled plus carried forward.",
        ),
        Identity(
            "requests-outcome-total",
            "requests",
            "column",
            outcome_rows,
            ("total",),
            "（七）总计 equals the sum of every outcome row: each request is counted under exactly one result.",
        ),
        Identity(
            "requests-row-total",
            "requests",
            "row",
            _APPLICANT_KEYS,
            ("total",),
            "The 总计 column equals the six applicant columns for every row.",
        ),
        Identity(
            "appeals-row-total",
            "appeals",
            "row",
            ("upheld", "corrected", "other", "pending"),
            ("total",),
            "维持+纠正+其他+尚未审结 = 总计 for review and both kinds of litigation.",
        ),
    )


FORMAT_2019 = Format(
    "2019",
    "国办公开办函〔2019〕60号",
    ("本年新制作数量", "对外公开总数量", "上一年项目数量", "其他对外管理服务事项", "第二十条第九项", "政府集中采购"),
    (ACTIVE_2019, REQUESTS_2019, APPEALS),
    _identities((*_OUTCOMES_HEAD, "other")),
    (
        Bound(
            "published-within-total",
            "active",
            ("regulations", "normative_documents"),
            "new_published",
            "total_published",
            "at-most",
            "Documents newly published are part of all documents published.",
        ),
        Bound(
            "items-not-negative",
            "active",
            ("licensing", "other_services", "penalties", "coercion", "fees"),
            "prior_items",
            "change",
            "sum-non-negative",
            "Last year's items plus this year's change is a count.",
        ),
    ),
)
FORMAT_2021 = Format(
    "2021",
    "国办公开办函〔2021〕30号",
    ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期未按收费通知"),
    (ACTIVE_2021, REQUESTS_2021, APPEALS),
    _identities((*_OUTCOMES_HEAD, "other.no_correction", "other.no_fee", "other.misc")),
)

FORMATS = {f.name: f for f in (FORMAT_2019, FORMAT_2021)}
