"""``trend -o html``: one self-contained page for every series of a run, charts drawn as inline SVG.

Per series (one agency's reports by year): the agency, its region when the records carry one, the
reports by year, a small-multiples grid of line charts (one per indicator with a number in at least
two years), the biggest moves as the text view ranks them (:func:`disclosure_cli.series.moves`), what
could not be compared across a format change, and the cross-year findings (Y codes) with their
equations. A line joins only adjacent years that both have a number: a year without a report, or
without a number for the indicator, is a gap on the axis, never interpolated.

The chart geometry is data computed here (:func:`line_chart`: axes, ticks, points, line runs); the
Jinja2 template (``templates/trend.html.j2``, autoescape on) only draws it. The page shares the audit
page's style and cross-year section (``report_html.py``); inline CSS only, nothing from the network,
``@media print`` lays it out on A4 with no chart split across pages.

    from disclosure_cli import api
    from disclosure_cli.trend_html import render_trend_html
    html = render_trend_html(api.trend(records).series, lang="en")
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from .report_html import TEXT as AUDIT_TEXT
from .report_html import CrossYearView, _environment, cross_year_view

if TYPE_CHECKING:
    from .api import SeriesTrend
    from .series import Change, Series

TEXT = {  # page wording: (zh, en); the cross-year section's wording comes from report_html.TEXT
    "page_title": ("政府信息公开工作年度报告跨年度比较", "Open Government Information annual reports across years"),
    "generated": ("由 disclosure-cli 生成；折线只连接相邻且都有数值的年份，缺少数值的年份留空，不作插补。",
                  "Made by disclosure-cli; a line joins only adjacent years that both have a number: a year "
                  "without one is left as a gap, never interpolated."),
    "region": ("地区", "region"),
    "years": ("年度", "years"),
    "indicators": ("指标走势", "indicators by year"),
    "not_charted": ("未绘图（有数值的年份不足两年）", "not charted (a number in fewer than two years)"),
    "moves": ("变化最大", "biggest moves"),
    "what": ("项目", "what"),
    "span": ("年份", "years"),
    "before": ("原值", "from"),
    "after": ("现值", "to"),
    "change": ("变化", "change"),
    "change_pct": ("变化率", "change %"),
    "no_moves": ("没有变化可列。", "No moves to list."),
    "gap": ("无数值", "no number"),
    "small_point": ("空心点：基数不足30件的比率", "hollow point: a rate built on fewer than 30 cases"),
    "line": ("实线：相邻两年的数值", "line: two adjacent years with numbers"),
    "gap_mark": ("该年无数值（无报告或未读出）", "no number that year (no report, or not read)"),
    "legend": ("图例", "legend"),
}  # fmt: skip

# the chart's box (SVG user units) and the plot area inside it
WIDTH, HEIGHT = 320, 184
LEFT, RIGHT, TOP, BOTTOM = 56, 310, 22, 152  # plot area: x from LEFT to RIGHT, y from TOP (high) to BOTTOM (low)
INSET = 14  # the first and last year sit this far inside the plot area


def _t(name: str, lang: str) -> str:
    zh, en = TEXT[name]
    return zh if lang == "zh" else en


# -- the chart as data ---------------------------------------------------------------------------
class Point(msgspec.Struct, frozen=True):
    """One year with a number: where it is drawn and what its label says."""

    year: int
    value: float | int
    x: float
    y: float
    label: str  # the number as the point's label shows it
    exact: str  # the number as read or computed, in full (the point's tooltip)
    label_y: float  # the label's baseline (above the point, or below when labels would collide)
    small: bool = False  # a rate built on fewer than 30 cases: drawn hollow


class Tick(msgspec.Struct, frozen=True):
    text: str
    at: float  # x of a year tick, y of a value tick
    gap: bool = False  # a year with no number: a gap in the line


class Chart(msgspec.Struct):
    """A line chart of one indicator across years, as coordinates a template draws."""

    key: str
    title: str
    percent: bool
    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple[int, int, int, int] = (LEFT, TOP, RIGHT, BOTTOM)  # left, top, right, bottom
    years: list[Tick] = msgspec.field(default_factory=list)
    values: list[Tick] = msgspec.field(default_factory=list)
    points: list[Point] = msgspec.field(default_factory=list)
    lines: list[str] = msgspec.field(default_factory=list)  # SVG polyline points, one per run of adjacent years

    @property
    def gaps(self) -> list[int]:
        return [int(t.text) for t in self.years if t.gap]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power: float = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power * (1 + 1e-9):
            return m * power
    return 10 * power  # pragma: no cover - the loop always returns


def _clean(x: float) -> float:
    return round(x, 10)


def number_label(value: float | int, percent: bool = False) -> str:
    """A point's label: a rate as a percentage with one decimal, a whole number with separators,
    anything else with at most two decimals."""
    if percent:
        return f"{100 * value:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def exact_text(value: float | int, percent: bool = False) -> str:
    """The number in full, for the tooltip: nothing rounded away."""
    if float(value).is_integer() and not percent:
        return f"{int(value):,}"
    text = repr(round(float(value), 10))
    return f"{text} ({100 * float(value):.4g}%)" if percent else text


def _tick_label(value: float, step: float, percent: bool) -> str:
    if percent:
        decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step > 0 else 0
        return f"{100 * value:.{decimals}f}%"
    if float(step).is_integer():
        return f"{round(value):,}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{decimals}f}"


def line_chart(
    values: Mapping[int, float | int | None],
    *,
    key: str = "",
    title: str = "",
    percent: bool = False,
    small: Collection[int] = (),
) -> Chart | None:
    """The chart of one indicator: ``values`` by year (None: no number that year). The year axis runs
    from the first to the last year given, every calendar year on it; a line joins two adjacent years
    only when both have a number. None when fewer than two years have a number (nothing to draw).

    The value axis starts at zero (or below, for a negative value) and ends at a round number at or
    above the largest value, so heights compare honestly. ``small``: the years whose rate is built on
    fewer than 30 cases (drawn hollow).
    """
    numbers = {y: v for y, v in values.items() if v is not None}
    if len(numbers) < 2:
        return None
    first, last = min(values), max(values)
    lo, hi = min(0.0, *numbers.values()), max(0.0, *numbers.values())
    if hi == lo:
        hi = lo + (0.1 if percent else 1.0)
    step = nice_step(hi - lo)
    if not percent:
        step = max(step, 1.0)  # counts: whole-number ticks
    lo_t, hi_t = _clean(math.floor(lo / step + 1e-9) * step), _clean(math.ceil(hi / step - 1e-9) * step)

    def x_of(year: int) -> float:
        return round(LEFT + INSET + (year - first) / (last - first) * (RIGHT - LEFT - 2 * INSET), 2)

    def y_of(value: float) -> float:
        return round(BOTTOM - (value - lo_t) / (hi_t - lo_t) * (BOTTOM - TOP), 2)

    chart = Chart(key, title, percent)
    chart.years = [Tick(str(y), x_of(y), gap=y not in numbers) for y in range(first, last + 1)]
    n = round((hi_t - lo_t) / step)
    chart.values = [Tick(_tick_label(_clean(lo_t + i * step), step, percent), y_of(_clean(lo_t + i * step)))
                    for i in range(n + 1)]  # fmt: skip
    labels = {y: number_label(v, percent) for y, v in numbers.items()}
    spacing = (RIGHT - LEFT - 2 * INSET) / (last - first)
    crowded = max(len(s) for s in labels.values()) * 5.6 > spacing  # labels about 5.6 units a character
    for i, (year, value) in enumerate(sorted(numbers.items())):
        y = y_of(value)
        below = crowded and i % 2 == 1 and y + 14 <= BOTTOM - 2  # never onto the year labels
        chart.points.append(
            Point(year, value, x_of(year), y, labels[year], exact_text(value, percent),
                  round(y + 14 if below else y - 6, 2), small=year in small)
        )  # fmt: skip
    run: list[Point] = []
    for p in chart.points:
        if run and p.year != run[-1].year + 1:
            if len(run) > 1:
                chart.lines.append(" ".join(f"{q.x},{q.y}" for q in run))
            run = []
        run.append(p)
    if len(run) > 1:
        chart.lines.append(" ".join(f"{q.x},{q.y}" for q in run))
    return chart


# -- the page ------------------------------------------------------------------------------------
class MoveView(msgspec.Struct):
    name: str
    years: str
    before: str
    after: str
    change: str
    note: str
    direction: str  # up | down
    small: bool


class SeriesView(msgspec.Struct):
    anchor: str
    heading: str
    region: str
    years: str
    charts: list[Chart]
    not_charted: list[str]
    moves: list[MoveView]
    not_compared: list[str]
    cross: CrossYearView


def region_text(series: Series, lang: str = "zh") -> str:
    """The region of the series' latest record that carries one (``Record.region``, when the records
    have it): 「江苏省淮安市洪泽区（320813）」; empty otherwise."""
    for year in reversed(series.years):
        region = getattr(series.records[year], "region", None)
        if not region:
            continue
        name, code = getattr(region, "name", None), getattr(region, "code", None)
        if isinstance(name, str) and isinstance(code, str):
            return f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"
        return str(region)
    return ""


def charts(series: Series, changes: Sequence[Change], lang: str) -> tuple[list[Chart], list[str]]:
    """One chart per indicator with a number in at least two years; the names of those left out."""
    from .series import INDICATORS, MIN_BASE, compute, indicator_values

    drawn: list[Chart] = []
    left_out: list[str] = []
    measured = {year: indicator_values(series.records[year]) for year in series.years}  # once a year
    for ind in INDICATORS:
        by_year: dict[int, float | int | None] = dict.fromkeys(series.years)
        for c in changes:
            if c.is_indicator and c.indicator == ind.key and c.year in by_year:
                by_year[c.year] = c.value
        small: set[int] = set()
        if ind.percent:
            for year in series.years:
                _, base = compute(ind, measured[year])
                if base is not None and base < MIN_BASE:
                    small.add(year)
        title = ind.zh if lang == "zh" else ind.en
        chart = line_chart(by_year, key=ind.key, title=title, percent=ind.percent, small=small)
        if chart is None:
            left_out.append(title)
        else:
            drawn.append(chart)
    return drawn, left_out


def move_views(changes: list[Change], lang: str, top: int) -> list[MoveView]:
    """The biggest moves, as the text view lists them (``series.moves``)."""
    from .render import _arrow, _move_note, _num
    from .series import moves

    out: list[MoveView] = []
    for c in moves(changes, top):
        change = c.change
        assert change is not None  # moves() lists only values that moved
        out.append(
            MoveView(c.name(lang), f"{c.previous_year}→{c.year}", _num(c.previous, c.percent), _num(c.value, c.percent),
                     f"{_arrow(change)} {_num(change, c.percent)}", _move_note(c, lang),
                     "up" if change > 0 else "down", c.small)
        )  # fmt: skip
    return out


def series_view(trend: SeriesTrend, index: int, lang: str, top: int) -> SeriesView:
    zh = lang == "zh"
    series = trend.series
    years = series.years
    drawn, left_out = charts(series, trend.changes, lang)
    not_compared = [
        f"{year}年与上一份报告格式不同：{len(keys)} 个数值不可比，未比较" if zh else
        f"{year} vs the previous report: {len(keys)} values are not comparable across the format change and were "
        "not compared"
        for year, keys in sorted(trend.not_compared.items())
    ]  # fmt: skip
    cross = cross_year_view(series, trend.findings, lang, f"series-{index}-across")
    return SeriesView(
        f"series-{index}", f"{series.agency} {years[0]}–{years[-1]}", region_text(series, lang),
        ("、" if zh else ", ").join(str(y) for y in years), drawn, left_out, move_views(trend.changes, lang, top),
        not_compared, cross,
    )  # fmt: skip


def render_trend_html(trends: Sequence[SeriesTrend], lang: str = "zh", *, top: int = 12) -> str:
    """One self-contained HTML page for every series of a trend run (``api.trend(...).series``);
    ``top``: how many moves to list per series, as ``--top``."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    views = [series_view(t, i + 1, lang, top) for i, t in enumerate(trends)]
    words = {k: (zh if lang == "zh" else en) for k, (zh, en) in {**AUDIT_TEXT, **TEXT}.items()}
    template = _environment().get_template("trend.html.j2")
    return template.render(series=views, lang=lang, t=words)
