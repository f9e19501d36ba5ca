"""Large synthetic report pages for the benchmark: a real synthetic report wrapped in site chrome.

Government portals rarely serve the report alone. A saved page carries a navigation header, inline
scripts and styles, a long narrative (一、总体情况 runs to pages of prose, with numbers in it: 「发布
信息1234条」, 「12345政务服务便民热线」), lists of related articles with dates, and a footer. These
helpers pad a :mod:`disclosure_cli.testing.synth` rendering with such material up to a byte budget, keeping
the statistics tables intact, so the page still parses to the synthetic values (the benchmark checks).
"""

from __future__ import annotations

import random

from disclosure_cli.testing import synth


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SECTIONS = _words(
    "首页 政务公开 政府信息公开 政府信息公开指南 政府信息公开制度 "
    "法定主动公开内容 政府信息公开年报 政务服务 互动交流 走进本机关 政策文件 "
    "政策解读 新闻发布会 人事信息 财政预决算 重点领域信息公开 建议提案办理 "
    "依申请公开 专题专栏 机构职能"
)
_SUBJECTS = ("本机关", "办公室", "各科室", "政务公开工作领导小组", "各直属单位", "信息公开工作机构", "门户网站管理中心")
_VERBS = _words("深入贯彻落实 持续推进 认真组织开展 进一步规范 不断加强 全面梳理 扎实做好 积极探索")
_OBJECTS = _words(
    "政务公开标准化规范化建设 政策解读和回应关切工作 政府信息公开平台建设 "
    "重点领域信息公开 基层政务公开 政务新媒体管理 公共企事业单位信息公开 "
    "政府网站集约化建设 政务公开培训 信息发布审核机制 政策文件清理工作 "
    "惠企政策精准推送"
)
_FACTS = (
    "全年通过门户网站发布各类信息{n}条",
    "通过政务微信公众号发布信息{n}条",
    "组织召开新闻发布会{s}场",
    "开展政务公开业务培训{s}次，培训人员{n}人次",
    "门户网站全年访问量达{n}人次",
    "办理12345政务服务便民热线工单{n}件",
    "在线访谈{s}期，收集网民意见建议{n}条",
    "编制完善政务公开事项标准目录{s}类",
    "更新政府信息公开指南{s}次",
    "发布政策解读{s}篇，其中图解{s}篇",
)
_NEWS = (
    "关于印发{x}工作方案的通知",
    "{x}工作推进会召开",
    "关于开展{x}专项行动的公告",
    "{x}政策问答",
    "关于{x}的意见",
    "{x}情况通报",
    "{x}实施细则（征求意见稿）",
    "关于做好{x}有关工作的通知",
)
_TOPICS = _words(
    "优化营商环境 安全生产 乡村振兴 城市更新 数字政府建设 生态环境保护 "
    "政务服务提质增效 财政资金绩效管理 防汛防台 就业创业 义务教育 医疗保障 "
    "养老服务 法治政府建设"
)
_CSS_RULES = (
    ".header{{width:1200px;margin:0 auto;height:{n}px}}",
    ".nav li{{float:left;padding:0 {s}px;line-height:48px}}",
    ".list li span{{float:right;color:#999;font-size:{s}px}}",
    "#content table td{{border:1px solid #ccc;padding:{s}px}}",
    ".footer p{{text-align:center;line-height:{s}px;color:#666}}",
)
_JS_LINES = (
    "var _hmt = _hmt || []; _hmt.push(['_setAccount', '{h}']);",
    "$(function(){{ $('.nav li').eq({s}).addClass('on'); }});",
    "window.siteConfig = {{siteId: {n}, columnId: {n}, articleId: {n}, api: '/interface/{h}'}};",
    "function changeSize(s){{ document.getElementById('zoom').style.fontSize = s + 'px'; }}",
    "if (typeof wzaToolbar !== 'undefined') {{ wzaToolbar.init({{id: '{h}', pos: {s}}}); }}",
)


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.randint(100, 999999),
        s=rng.randint(1, 60),
        h=f"{rng.getrandbits(128):032x}",
        x=rng.choice(_TOPICS),
    )


def _sentence(rng: random.Random) -> str:
    head = f"{rng.choice(_SUBJECTS)}{rng.choice(_VERBS)}{rng.choice(_OBJECTS)}"
    facts = "，".join(_fill(rng.choice(_FACTS), rng) for _ in range(rng.randint(1, 3)))
    return f"{head}，{facts}。"


def _paragraph(rng: random.Random) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(3, 7)))


def _date(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _news_item(rng: random.Random, year: int) -> tuple[str, str, str]:
    title = _fill(rng.choice(_NEWS), rng)
    date = _date(rng, year)
    article = f"art_{rng.randint(1000, 9999)}_{rng.randint(10**6, 10**7)}.html"
    href = f"/art/{date[:4]}/{int(date[5:7])}/{int(date[8:])}/{article}"
    return title, date, href


# --- HTML ------------------------------------------------------------------------------------


def _html_until(rng: random.Random, budget: int, make) -> str:
    parts: list[str] = []
    size = 0
    while size < budget:
        piece = make(rng)
        parts.append(piece)
        size += len(piece.encode("utf-8"))
    return "\n".join(parts)


def _html_header(rng: random.Random, year: int, budget: int) -> str:
    def block(rng: random.Random) -> str:
        kind = rng.random()
        if kind < 0.35:
            css = "\n".join(_fill(rng.choice(_CSS_RULES), rng) for _ in range(rng.randint(10, 30)))
            return f"<style>\n{css}\n</style>"
        if kind < 0.6:
            js = "\n".join(_fill(rng.choice(_JS_LINES), rng) for _ in range(rng.randint(10, 30)))
            return f'<script type="text/javascript">\n{js}\n</script>'
        items = "".join(
            f'<li><a href="/col/col{rng.randint(1000, 99999)}/index.html" target="_blank">'
            f"{rng.choice(_SECTIONS)}</a></li>"
            for _ in range(rng.randint(8, 20))
        )
        return f'<div class="nav"><ul>{items}</ul></div>'

    return '<div class="top">' + _html_until(rng, budget, block) + "</div>"


def _html_narrative(rng: random.Random, budget: int) -> str:
    return _html_until(rng, budget, lambda r: f'<p style="text-indent:2em">{_paragraph(r)}</p>')


def _html_related(rng: random.Random, year: int, budget: int) -> str:
    def block(rng: random.Random) -> str:
        items = []
        for _ in range(rng.randint(8, 15)):
            title, date, href = _news_item(rng, year)
            items.append(f'<li><a href="{href}" title="{title}" target="_blank">{title}</a><span>{date}</span></li>')
        return f'<div class="list"><h3>相关信息</h3><ul>{"".join(items)}</ul></div>'

    return _html_until(rng, budget, block)


def padded_html(s: synth.Synthetic, target_bytes: int, seed: int = 0, **render_kw) -> str:
    """``synth.render_html(s)`` padded to about ``target_bytes`` (UTF-8) with chrome and narrative.

    The budget is split: 35% header (styles, scripts, menus), 35% narrative in 一、总体情况 before
    the tables, 30% related-article lists after the article.
    """
    rng = random.Random(seed)
    page = synth.render_html(s, **render_kw)
    room = max(0, target_bytes - len(page.encode("utf-8")))
    header = _html_header(rng, s.year, int(room * 0.35))
    narrative = _html_narrative(rng, int(room * 0.35))
    related = _html_related(rng, s.year, int(room * 0.30))
    anchor_h1, anchor_t2, anchor_footer = "<h1>", "<p>二、主动公开政府信息情况</p>", '<div class="footer">'
    assert anchor_h1 in page and anchor_t2 in page and anchor_footer in page, "synth.render_html changed"
    page = page.replace(anchor_h1, header + "\n" + anchor_h1, 1)
    page = page.replace(anchor_t2, narrative + "\n" + anchor_t2, 1)
    return page.replace(anchor_footer, related + "\n" + anchor_footer, 1)


# --- flattened text --------------------------------------------------------------------------


def padded_flat(s: synth.Synthetic, target_bytes: int, seed: int = 0) -> str:
    """``synth.render_flat(s)`` as scraped page text: title, menu lines, narrative, the report, links."""
    rng = random.Random(seed)
    body = synth.render_flat(s)
    room = max(0, target_bytes - len(body.encode("utf-8")))

    def lines_until(budget: int, make) -> list[str]:
        out: list[str] = []
        size = 0
        while size < budget:
            line = make()
            out.append(line)
            size += len(line.encode("utf-8")) + 1
        return out

    menu = lines_until(int(room * 0.15), lambda: " ".join(rng.sample(_SECTIONS, 8)))
    narrative = lines_until(int(room * 0.55), lambda: _paragraph(rng))

    def related_line() -> str:
        title, date, _ = _news_item(rng, s.year)
        return f"{title} {date}"

    related = lines_until(int(room * 0.30), related_line)
    return "\n".join([s.title, *menu, *narrative, body.rstrip("\n"), "相关信息", *related]) + "\n"
