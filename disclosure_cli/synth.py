"""Synthetic reports rendered from the format declarations, in every shape seen in the wild.

A :class:`Synthetic` report is random but consistent (every identity of its format holds). The
renderers print it as an HTML grid with rowspan/colspan, as one-cell-per-line text (the seed's
shape, header cells lost), as flattened space-separated text, and as Markdown; the transforms turn
any of them Traditional (with Taiwan phrase substitution) or into GBK/Big5 bytes. The tests parse
every rendering back and must get the same numbers; ``python -m disclosure_cli.synth DIR`` writes a
set of them as fixtures.
"""

from __future__ import annotations

import html
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .formats import FORMATS, Format, Row

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


@dataclass
class Synthetic:
    format: str
    agency: str
    year: int
    values: dict[str, int | float | None] = field(default_factory=dict)  # what the parser must read
    texts: dict[str, str] = field(default_factory=dict)  # what the page prints (None: a blank cell)

    @property
    def spec(self) -> Format:
        return FORMATS[self.format]

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def text(self, table: str, row: str, column: str, blank: str = "/") -> str:
        key = f"{table}.{row}.{column}"
        return blank if self.values[key] is None else self.texts[key]


def _count_text(rng: random.Random, n: int) -> str:
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
                n = rng.randint(-min(200, s.values[f"active.{row.key}.prior_items"]), 300)
                put(key, n, f"+{n}" if n > 0 and rng.random() < 0.3 else str(n))
            elif col.key == "total_published":  # includes what was newly published
                put(key, s.values[f"active.{row.key}.new_published"] + small())
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
    for col in applicants:
        parts = {k: small() for k in outcomes}
        total = sum(parts.values())
        forward = small()
        carried = rng.randint(0, total + forward) if rng.random() < 0.5 else 0
        if after is not None:
            carried = after.values[f"requests.carried_forward.{col}"]
            forward = max(forward, carried - total)
        column = {
            **parts,
            "total": total,
            "carried_forward": forward,
            "carried_over": carried,
            "new": total + forward - carried,
        }
        for row_key, n in column.items():
            put(f"requests.{row_key}.{col}", n)
    for row in requests.rows:
        put(f"requests.{row.key}.total", sum(s.values[f"requests.{row.key}.{c}"] for c in applicants))
    for row in fmt.table("appeals").rows:
        parts = [small() for _ in range(4)]
        for col, n in zip(row.columns, [*parts, sum(parts)]):
            put(f"appeals.{row.key}.{col.key}", n)
    if blanks:  # publishers leave zero parts blank (totals stay filled): consistent with blanks read as 0
        for key in list(s.values):
            table, rest = key.split(".", 1)
            row, col = rest.rsplit(".", 1)
            if table != "active" and "total" not in (row, col) and s.values[key] == 0 and rng.random() < blanks:
                s.values[key] = None
    return s


def _carry_table2(s: Synthetic, after: Synthetic) -> None:
    """Running totals of table 2 that follow from last year's report."""

    def put(key: str, value: int) -> None:
        s.values[key], s.texts[key] = value, str(value)

    same = after.format == s.format
    for row in s.spec.table("active").rows:
        v, a = s.values, after.values
        r = f"active.{row.key}"
        if s.format == "2021" and row.block == "一" and same:
            put(f"{r}.repealed", min(v[f"{r}.repealed"], a[f"{r}.in_force"]))
            put(f"{r}.in_force", a[f"{r}.in_force"] + v[f"{r}.issued"] - v[f"{r}.repealed"])
        if s.format == "2019" and same and f"{r}.prior_items" in v:
            put(f"{r}.prior_items", a[f"{r}.prior_items"] + a[f"{r}.change"])
            put(f"{r}.change", max(v[f"{r}.change"], -v[f"{r}.prior_items"]))
        if s.format == "2019" and same and f"{r}.total_published" in v:
            put(f"{r}.total_published", a[f"{r}.total_published"] + v[f"{r}.new_published"])


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


def _blocks(s: Synthetic):
    """Table-2 rows grouped by their 第二十条 item, in order."""
    blocks: dict[str, list[Row]] = {}
    for row in s.spec.table("active").rows:
        blocks.setdefault(row.block, []).append(row)
    return blocks.items()


def _group(row: Row) -> str | None:
    return GROUP_LABELS.get(row.key.split(".")[0]) if "." in row.key else None


def _outcome(row: Row) -> bool:
    return row.block == "三"


def render_html(s: Synthetic, split: bool = False, layout: bool = False, meta_charset: str = "utf-8") -> str:
    """An HTML page with real tables: spans, <br> and <p> in cells, &nbsp; blanks, site chrome."""

    def td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        return f"<td{attrs}>{text}</td>"

    def val(table: str, row: str, col: str, colspan: int = 1) -> str:
        return td(
            html.escape(s.text(table, row, col, blank="&nbsp;"), quote=False).replace("&amp;nbsp;", "&nbsp;"),
            colspan=colspan,
        )

    t2 = ['<table border="1">']
    for block, rows in _blocks(s):
        width = max(len(r.columns) for r in rows)
        t2.append(f"<tr>{td(BLOCK_LABELS[block], colspan=4)}</tr>")
        heads = "".join(td(c.label.replace("数量", "<br>数量", 1)) for c in rows[0].columns)
        t2.append(f"<tr>{td('信息内容')}{heads}</tr>")
        for row in rows:
            cells = [val("active", row.key, c.key) for c in row.columns[:-1]]
            last = row.columns[-1]
            cells.append(
                val("active", row.key, last.key, colspan=1 + 3 - width)
                if width < 3
                else val("active", row.key, last.key)
            )
            t2.append(f"<tr>{td(f'<p>{row.label}</p>')}{''.join(cells)}</tr>")
    t2.append("</table>")

    requests = s.spec.table("requests")
    head = [
        "<tr>"
        + td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
        + td("申请人情况", 1, 7)
        + "</tr>",
        "<tr>" + td("自然人", 2) + td("法人或其他组织", 1, 5) + td("总计", 2) + "</tr>",
        "<tr>"
        + "".join(td(c) for c in ("商业<br>企业", "科研<br>机构", "社会公益组织", "法律服务机构", "其他"))
        + "</tr>",
    ]
    body = []
    n_outcomes = sum(1 for r in requests.rows if _outcome(r))
    seen_groups: set[str] = set()
    for row in requests.rows:
        vals = "".join(val("requests", row.key, c.key) for c in row.columns)
        if not _outcome(row):
            body.append(f"<tr>{td(row.label, colspan=3)}{vals}</tr>")
            continue
        lead = td("三、本年度<br>办理结果", rowspan=n_outcomes) if row.key == "granted" else ""
        group = _group(row)
        if group is None:
            body.append(f"<tr>{lead}{td(row.label, colspan=2)}{vals}</tr>")
        else:
            span = sum(1 for r in requests.rows if _group(r) == group)
            gcell = td(group, rowspan=span) if group not in seen_groups else ""
            seen_groups.add(group)
            body.append(f"<tr>{lead}{gcell}{td(row.label)}{vals}</tr>")
    if split:  # the statistics table cut in two <table> elements, as CMS editors do
        half = len(body) // 2
        t3 = [
            '<table border="1">',
            *head,
            *body[:half],
            "</table>",
            "<p></p>",
            '<table border="1">',
            *body[half:],
            "</table>",
        ]
    else:
        t3 = ['<table border="1">', *head, *body, "</table>"]

    appeals = s.spec.table("appeals")
    t4 = [
        '<table border="1">',
        "<tr>" + td("行政复议", 1, 5) + td("行政诉讼", 1, 10) + "</tr>",
        "<tr>"
        + "".join(td(c.label, 2) for c in appeals.rows[0].columns)
        + td("未经复议直接起诉", 1, 5)
        + td("复议后起诉", 1, 5)
        + "</tr>",
        "<tr>" + "".join(td(c.label) for c in appeals.rows[0].columns) * 2 + "</tr>",
        "<tr>" + "".join(val("appeals", r.key, c.key) for r in appeals.rows for c in r.columns) + "</tr>",
        "</table>",
    ]
    article = [
        f"<h1>{s.title}</h1>",
        *(f"<p>{p}</p>" for p in _narrative(s)),
        "<p>二、主动公开政府信息情况</p>",
        *t2,
        "<p>三、收到和处理政府信息公开申请情况</p>",
        *t3,
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
        *t4,
        "<p>五、存在的主要问题及改进情况</p><p>2025年，本机关将继续推进政务公开工作。</p>",
    ]
    if layout:  # a layout table around the article, as older CMS templates do
        article = [
            '<table width="100%"><tr><td class="nav">首页 &gt; 政府信息公开年报</td></tr><tr><td>',
            *article,
            "</td></tr></table>",
        ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">',
            f"<title>{s.title}-政府门户网站</title><style>td{{border:1px}}</style></head><body>",
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
            out += [row.label, *(s.text("active", row.key, c.key) for c in row.columns)]
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
        out += [row.label, *(s.text("requests", row.key, c.key) for c in row.columns)]
    appeals = s.spec.table("appeals")
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼"]
    out += [c.label for c in appeals.rows[0].columns] + ["未经复议直接起诉", "复议后起诉"]
    out += [c.label for c in appeals.rows[0].columns] * 2
    out += [s.text("appeals", r.key, c.key) for r in appeals.rows for c in r.columns]
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

    def row_md(cells) -> str:
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
        out += [row_md([r.label, *(s.text("active", r.key, c.key, blank="") for c in r.columns)]) for r in rows]
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
        out.append(row_md([label, *(s.text("requests", row.key, c.key, blank="") for c in row.columns)]))
    appeals = s.spec.table("appeals")
    out += [
        "",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "",
        row_md([f"{a}{b}{c.label}" for a, b in APPEAL_HEADS for c in appeals.rows[0].columns]),
        row_md(["---"] * 15),
        row_md([s.text("appeals", r.key, c.key, blank="") for r in appeals.rows for c in r.columns]),
        "",
        "## 五、存在的主要问题及改进情况",
        "",
        "下一步，本机关将继续推进政务公开工作。",
    ]
    return "\n".join(out) + "\n"


def render(s: Synthetic, shape: str) -> str:
    if shape.startswith("html"):
        return render_html(s, split=shape == "html-split", layout=shape == "html-layout")
    return {"lines": render_lines, "flat": render_flat, "markdown": render_markdown}[shape](s)


def to_traditional(text: str) -> str:
    """Machine conversion to Taiwan usage, phrase substitutions included (規範性檔案, 資訊)."""
    import opencc

    return opencc.OpenCC("s2twp").convert(text)


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
