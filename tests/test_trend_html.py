"""``trend -o html`` (issue 12, item 2): the chart geometry, the page's structure, escaping, both
languages, cross-year findings, the command line, and a real headless browser."""

from __future__ import annotations

import os
import re
from itertools import pairwise

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from disclosure_cli import api
from disclosure_cli.cli import main
from disclosure_cli.parse import parse_bytes
from disclosure_cli.series import INDICATORS
from disclosure_cli.testing import synth
from disclosure_cli.trend_html import BOTTOM, TOP, line_chart, nice_step, number_label, render_trend_html

from .conftest import CORPUS, FIXTURES
from .test_report_html import CHROMIUM, DOCS, dump_dom, screenshot


def records(reports, shape="html"):
    return [parse_bytes(synth.render(s, shape).encode(), source=f"{s.year}.{shape}") for s in reports]


def bump(s: synth.Synthetic, *keys: str, by: int = 1) -> None:
    for key in keys:
        s.values[key] = s.values[key] + by
        s.texts[key] = str(s.values[key])


def carry_over_break():
    """Three consistent years of one agency; 2023 carries over 2 more research requests than 2022 left."""
    reports = synth.random_series(3, 2021, 3)
    bump(reports[2], "requests.carried_over.research", "requests.carried_over.total", by=2)
    return records(reports)


def page(trends, lang="zh", **kw):
    return lxml_html.document_fromstring(render_trend_html(trends, lang, **kw))


# -- the chart as data ----------------------------------------------------------------------------


def test_line_chart_points_runs_and_gaps():
    chart = line_chart({2019: 10, 2020: 20, 2021: None, 2022: 40, 2023: 30}, key="k", title="t")
    assert chart is not None
    assert [p.year for p in chart.points] == [2019, 2020, 2022, 2023]
    assert [p.label for p in chart.points] == ["10", "20", "40", "30"]
    assert chart.gaps == [2021]
    assert [t.text for t in chart.years] == ["2019", "2020", "2021", "2022", "2023"]
    xs = [t.at for t in chart.years]
    steps = {round(b - a, 6) for a, b in pairwise(xs)}
    assert len(steps) == 1 and steps.pop() > 0  # every calendar year, evenly spaced
    by_year = {p.year: p for p in chart.points}
    # two runs, never a line across the gap
    assert chart.lines == [
        f"{by_year[2019].x},{by_year[2019].y} {by_year[2020].x},{by_year[2020].y}",
        f"{by_year[2022].x},{by_year[2022].y} {by_year[2023].x},{by_year[2023].y}",
    ]
    # the value axis starts at 0 on the baseline and ends at a round number at or above the top value
    assert [t.text for t in chart.values] == ["0", "10", "20", "30", "40"]
    assert chart.values[0].at == BOTTOM and chart.values[-1].at == TOP
    assert by_year[2022].y == TOP and by_year[2019].y == pytest.approx(BOTTOM - (BOTTOM - TOP) / 4)
    assert by_year[2020].y - by_year[2019].y == pytest.approx(by_year[2022].y - by_year[2023].y)  # 10 up, 10 down


def test_a_calendar_year_without_a_report_is_a_gap():
    chart = line_chart({2019: 5, 2021: 7})
    assert chart is not None
    assert chart.gaps == [2020] and chart.lines == [] and len(chart.points) == 2


def test_fewer_than_two_numbers_draw_nothing():
    assert line_chart({2020: 3, 2021: None}) is None
    assert line_chart({2020: None, 2021: None, 2022: None}) is None


def test_rates_and_small_bases():
    chart = line_chart({2020: 0.125, 2021: 0.5}, percent=True, small={2020})
    assert chart is not None
    assert [p.label for p in chart.points] == ["12.5%", "50.0%"]
    assert [p.small for p in chart.points] == [True, False]
    assert [t.text for t in chart.values] == ["0%", "20%", "40%", "60%"]
    assert "0.125" in chart.points[0].exact  # the tooltip keeps the number unrounded
    flat = line_chart({2020: 0, 2021: 0})
    assert flat is not None and {p.y for p in flat.points} == {BOTTOM}


def test_nice_steps_and_labels():
    assert [nice_step(x) for x in (4, 7, 38, 400, 0.6)] == [1, 2, 10, 100, 0.2]
    assert number_label(1339407) == "1,339,407" and number_label(3.456789) == "3.46"
    assert number_label(0.3333, percent=True) == "33.3%"


# -- the page --------------------------------------------------------------------------------------


def test_one_self_contained_page_with_a_chart_per_indicator():
    trend = api.trend(carry_over_break())
    (series,) = trend.series
    text = render_trend_html(trend.series)
    assert text.startswith("<!DOCTYPE html>") and text.count("<html") == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(|<link|<script|<img|<iframe""", text)
    assert "@media print" in text and "size: A4" in text and "break-inside: avoid" in text
    doc = lxml_html.document_fromstring(text)
    expected = {}
    for ind in INDICATORS:
        years = {c.year for c in series.changes if c.is_indicator and c.indicator == ind.key and c.value is not None}
        if len(years) >= 2:
            expected[ind.key] = years
    assert expected, "the synthetic series has indicators to chart"
    svgs = doc.xpath("//svg")
    assert [s.get("data-indicator") for s in svgs] == list(expected)
    for svg in svgs:
        points = svg.xpath('.//g[@class="pt"]')
        assert {int(g.get("data-year")) for g in points} == expected[svg.get("data-indicator")]
        assert len(svg.xpath('.//circle[contains(@class, "point")]')) == len(points)
        for g in points:  # each point labelled with its number
            change = next(c for c in series.changes if c.is_indicator and c.indicator == svg.get("data-indicator")
                          and c.year == int(g.get("data-year")))  # fmt: skip
            assert float(g.get("data-value")) == change.value
            assert g.xpath('./text[@class="pl"]')[0].text_content() == number_label(change.value, change.percent)


def test_biggest_moves_as_the_text_view_ranks_them():
    from disclosure_cli.series import moves

    trend = api.trend(carry_over_break())
    (series,) = trend.series
    doc = page(trend.series, "en", top=5)
    rows = doc.xpath('//table[@class="moves"]/tbody/tr')
    listed = moves(series.changes, 5)
    assert len(rows) == len(listed) == 5
    assert [r.xpath("./td")[0].text_content() for r in rows] == [c.name("en") for c in listed]
    assert [r.xpath("./td")[1].text_content() for r in rows] == [f"{c.previous_year}→{c.year}" for c in listed]


def test_a_series_with_a_y_finding_shows_it():
    trend = api.trend(carry_over_break())
    doc = page(trend.series)
    found = doc.xpath('//tr[@data-code="Y001"]')
    assert len(found) == 2  # the research and total columns
    assert all(tr.get("data-years") == "2022、2023" for tr in found)
    assert "2023年上年结转" in found[0].text_content() and "2022年结转下年度" in found[0].text_content()
    assert "✗" in doc.xpath('//section[@class="series"]//p[contains(@class, "verdict")]')[0].text_content()
    clean = page(api.trend(records(synth.random_series(3, 2021, 3))).series)
    assert not clean.xpath("//tr[@data-code]")
    assert "跨年度核对未发现问题" in clean.xpath('//p[contains(@class, "verdict")]')[0].text_content()


def test_a_missing_year_is_a_gap_on_every_chart_and_a_finding():
    first, _, third = synth.random_series(4, 2021, 3)
    trend = api.trend(records([first, third]))
    doc = page(trend.series, "en")
    svgs = doc.xpath("//svg")
    assert svgs
    for svg in svgs:
        assert [t.text_content() for t in svg.xpath('.//text[contains(@class, "xt")]')] == ["2021", "2022", "2023"]
        assert [t.get("data-year") for t in svg.xpath('.//text[@class="gapmark"]')] == ["2022"]
        assert not svg.xpath(".//polyline")  # 2021 and 2023 are not joined
        assert len(svg.xpath('.//g[@class="pt"]')) == 2
    assert doc.xpath('//tr[@data-code="Y006"]')[0].get("data-years") == "2022"


def test_agency_names_are_escaped():
    recs = carry_over_break()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for r in recs:
        r.agency = hostile
    recs[0].source = "a\"onmouseover='x'.html"
    text = render_trend_html(api.trend(recs).series)
    assert "<script>" not in text and "<img" not in text and "&lt;script&gt;" in text
    doc = lxml_html.document_fromstring(text)
    assert not doc.xpath("//script | //img | //*[@onerror] | //*[@onmouseover]")
    assert hostile in doc.xpath("//h2")[0].text_content()
    assert hostile in doc.xpath('//table[@class="series-reports"]')[0].text_content()


def test_chinese_and_english_labels():
    trend = api.trend(carry_over_break())
    zh, en = page(trend.series, "zh"), page(trend.series, "en")
    assert zh.get("lang") == "zh-CN" and en.get("lang") == "en"
    assert "政府信息公开工作年度报告跨年度比较" in zh.xpath("//h1")[0].text_content()
    assert "Open Government Information annual reports across years" in en.xpath("//h1")[0].text_content()
    heads = lambda d: [h.text_content() for h in d.xpath("//h3")]  # noqa: E731
    assert heads(zh) == ["各年报告", "指标走势", "变化最大", "跨年度核对"]
    assert heads(en) == ["reports by year", "indicators by year", "biggest moves", "Across years"]
    captions = lambda d: [c.text_content() for c in d.xpath("//figcaption")]  # noqa: E731
    assert captions(zh)[0] == "本年新收申请" and captions(en)[0] == "new requests"
    assert "carried over" in en.xpath('//tr[@data-code="Y001"]')[0].text_content()
    assert [th.text_content() for th in en.xpath('//table[@class="moves"]/thead//th')][:2] == ["what", "years"]
    assert [th.text_content() for th in zh.xpath('//table[@class="moves"]/thead//th')][:2] == ["项目", "年份"]
    with pytest.raises(ValueError):
        render_trend_html(trend.series, "fr")


def test_region_when_the_records_carry_one():
    recs = carry_over_break()
    region = getattr(recs[-1], "region", None)
    if region is None:
        pytest.skip("records carry no region")
    trend = api.trend(recs)
    assert page(trend.series).xpath('//dd[@class="region"]')[0].text_content() == f"{region.name}（{region.code}）"
    assert page(trend.series, "en").xpath('//dd[@class="region"]')[0].text_content() == f"{region.name} ({region.code})"


def test_several_series_one_page():
    a = synth.random_series(1, 2021, 2)
    b = synth.random_series(2, 2021, 2)
    other = next(name for name in synth.AGENCIES if name != a[0].agency)
    for s in b:
        s.agency = other
    trend = api.trend(records(a + b))
    assert len(trend.series) == 2
    doc = page(trend.series)
    assert len(doc.xpath('//section[@class="series"]')) == 2 and len(doc.xpath("//nav//a")) == 2
    assert len({s.get("id") for s in doc.xpath("//section")}) == 2


def test_cli_trend_writes_the_page(tmp_path):
    files = []
    for r in synth.random_series(3, 2021, 3):
        if r.year == 2023:
            bump(r, "requests.carried_over.research", "requests.carried_over.total", by=2)
        path = tmp_path / f"{r.year}.html"
        path.write_text(synth.render_html(r), encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(main, ["trend", *files, "-o", "html", "--lang", "en"])
    assert result.exit_code == 1  # cross-year findings
    assert result.stderr == ""
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")
    doc = lxml_html.document_fromstring(result.stdout)
    assert doc.xpath("//svg") and doc.xpath('//tr[@data-code="Y001"]')
    two = CliRunner().invoke(main, ["trend", *files[:2], "-o", "html"])
    assert two.exit_code == 0 and "<svg" in two.stdout and 'data-code="Y001"' not in two.stdout
    compare = CliRunner().invoke(main, ["compare", *files[1:], "-o", "html"])
    assert compare.exit_code == 1 and 'data-code="Y001"' in compare.stdout


def test_cli_help_lists_html():
    result = CliRunner().invoke(main, ["trend", "--help"])
    assert "html" in result.stdout and "[text|json|jsonl|csv|html]" in result.stdout


# -- a real browser ------------------------------------------------------------------------------

FINANCE = sorted(CORPUS.glob("0[23]?_pingtan_finance_bureau_20??_pagetxt.txt")) if CORPUS.is_dir() else []


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_headless_browser_draws_the_page(tmp_path):
    trend = api.trend(carry_over_break())
    text = render_trend_html(trend.series)
    dom = lxml_html.document_fromstring(dump_dom(text, tmp_path))
    svgs = dom.xpath("//svg")  # the page as the browser parsed it
    assert svgs and all(svg.xpath('.//g[@class="pt"]') for svg in svgs)
    assert len(dom.xpath('//tr[@data-code="Y001"]')) == 2
    png = screenshot(text, tmp_path / "trend.png", tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
@pytest.mark.skipif(not os.environ.get("DISCLOSURE_WRITE_DOCS"), reason="set DISCLOSURE_WRITE_DOCS=1 to redraw docs/")
def test_write_docs_screenshots(tmp_path):
    """DISCLOSURE_WRITE_DOCS=1 pytest -k docs_screenshots: redraw docs/trend-html-*.png."""
    fixtures = [parse_bytes(p.read_bytes(), source=f"fixtures/{p.name}")
                for p in sorted(FIXTURES.glob("synthetic_series_*.html"))]  # fmt: skip
    screenshot(render_trend_html(api.trend(fixtures).series, "en"), DOCS / "trend-html-synthetic-series.png", tmp_path)
    if FINANCE:
        recs = [parse_bytes(p.read_bytes(), source=f"corpus/{p.name}") for p in FINANCE]
        screenshot(render_trend_html(api.trend(recs).series), DOCS / "trend-html-pingtan-finance.png", tmp_path)
