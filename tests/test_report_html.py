"""The HTML audit page (issue 12, point 2): structure with lxml, escaping, and a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from disclosure_cli import api
from disclosure_cli.auditing import audit
from disclosure_cli.cli import main
from disclosure_cli.parse import parse_bytes
from disclosure_cli.report_html import render_audit_html, value_text
from disclosure_cli.testing import synth

from .conftest import CORPUS, ROOT, SEED

SEED_LINE = 265  # 結轉下年度 / 自然人: 147
PINGTAN_040 = CORPUS / "040_pingtan_admin_approval_bureau_2024_pagetxt.txt"
DOCS = ROOT / "docs"


def seed_changed():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[SEED_LINE - 1] = "148"
    return audit(parse_bytes("\n".join(lines).encode(), source="seed_shenzhen_2020.txt（第265行 147→148）"))


def page(results, lang="zh", **kw):
    return lxml_html.document_fromstring(render_audit_html(results, lang, **kw))


def cell(doc, key: str):
    (td,) = doc.xpath(f'//td[@data-key="{key}"]')
    return td


def shown_text(td) -> str:
    return "".join(td.xpath('./span[@class="n"]//text()'))


def codes_of(td) -> set[str]:
    return set((td.get("data-codes") or "").split())


def check_structure(result, doc) -> None:
    """Every value of the record in one cell with its key; every finding's codes on its cells only."""
    record = result.record
    keys = [td.get("data-key") for td in doc.xpath("//td[@data-key]")]
    assert sorted(keys) == sorted(record.values), "one cell per value of the format"
    for v in record.published():
        assert shown_text(cell(doc, v.key)) == value_text(v)
        if v.value is not None:
            assert shown_text(cell(doc, v.key)) == (str(int(v.value)) if float(v.value).is_integer() else str(v.value))
    expected: dict[str, set[str]] = {}
    for f in result.findings:
        keys = [t.key for t in f.terms if t.key]
        keys += [f.suspect.key] if f.suspect else []
        keys += [c.key for c in f.candidates]
        for key in keys:
            expected.setdefault(key, set()).add(f.code)
    for td in doc.xpath("//td[@data-key]"):
        assert codes_of(td) == expected.get(td.get("data-key"), set()), td.get("data-key")
        assert ("flag" in td.get("class").split()) == bool(expected.get(td.get("data-key")))


def test_seed_with_one_number_changed():
    result = seed_changed()
    doc = page([result])
    check_structure(result, doc)
    suspect = cell(doc, "requests.carried_forward.natural_person")
    assert codes_of(suspect) == {"R001", "R003"}
    assert "suspect" in suspect.get("class").split()
    assert shown_text(suspect) == "148"
    tip = suspect.xpath('.//span[@class="tip"]')[0].text_content()
    assert "148" in tip and "第265行" in tip and "按恒等式应为147" in tip
    assert "自然人列：" in tip and "结转下年度行：" in tip  # the equations it is in
    assert len(doc.xpath('//td[contains(concat(" ", @class, " "), " suspect ")]')) == 1
    findings = doc.xpath('//tr[contains(@class, "finding")]')
    assert [tr.get("data-code") for tr in findings] == ["R001", "R003"]
    assert "最可能出错：结转下年度·自然人 148（按恒等式应为147），第265行" in findings[0].text_content()
    assert doc.xpath('//td[@class="loc"]')[0].text_content() == "第265行"  # the suspect's place first
    assert "✗" in doc.xpath('//p[contains(@class, "verdict")]')[0].text_content()


def test_national_layout():
    doc = page([seed_changed()])
    t3 = doc.xpath('//table[@data-table="requests"]')[0]
    head = t3.xpath(".//thead")[0].text_content()
    for label in ("申请人情况", "法人或其他组织", "自然人", "商业企业", "总计", "第一项加第二项之和"):
        assert label in head
    assert t3.xpath('.//th[@rowspan="8"]')[0].text_content() == "（三）不予公开"
    assert "三、本年度办理结果" in t3.xpath(".//tbody")[0].text_content()
    (t4,) = doc.xpath('//table[@data-table="appeals"]')
    (row,) = t4.xpath(".//tbody/tr")
    assert len(row.xpath("./td")) == 15
    assert "未经复议直接起诉" in t4.text_content() and "复议后起诉" in t4.text_content()
    captions = [c.text_content() for c in doc.xpath('//table[@data-table="active"]/caption')]
    assert captions == [f"第二十条第（{b}）项" for b in "一五六八九"]


def test_self_contained_and_printable():
    text = render_audit_html([seed_changed()])
    assert not re.search(r"<link|<script|<img|<iframe|@import|url\(|https?://", text)
    assert "@media print" in text and "size: A4" in text
    assert text.startswith("<!DOCTYPE html>")


def test_untrusted_text_is_escaped():
    """Page text is untrusted: an agency name or a source with markup stays text."""
    result = seed_changed()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'
    result.record.agency = hostile
    result.record.source = "a\"onmouseover='x'.txt"
    result.record.values["requests.new.research"].raw = "<script>1</script>"
    text = render_audit_html([result])
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(" in text
    doc = lxml_html.document_fromstring(text)
    assert not doc.xpath("//script | //img | //*[@onerror] | //*[@onmouseover]")
    assert hostile in doc.xpath("//h2")[0].text_content()
    assert "<script>1</script>" in cell(doc, "requests.new.research").text_content()


def test_english():
    result = seed_changed()
    doc = page([result], "en")
    assert doc.get("lang") == "en"
    assert "Audit of Open Government Information annual reports" in doc.xpath("//h1")[0].text_content()
    assert "applicants" in doc.xpath('//table[@data-table="requests"]//thead')[0].text_content()
    assert "most likely wrong: carried forward · natural persons 148" in doc.text_content()
    check_structure(result, doc)


def test_consistent_report_is_clean():
    result = audit(parse_bytes(synth.render(synth.random_report(2, "2021"), "html").encode(), source="t"))
    doc = page([result])
    check_structure(result, doc)
    assert not doc.xpath("//td[@data-codes]") and not doc.xpath('//tr[contains(@class, "finding")]')
    assert "ok" in doc.xpath('//p[contains(@class, "verdict")]')[0].get("class")


def test_unread_rows_and_inferred_values_are_marked():
    s = synth.damage(synth.random_report(1, "2019"), 1)
    assert s.damaged == ("requests.new",)
    result = audit(parse_bytes(synth.render(s, "lines").encode(), source="t"))
    result.record.values["requests.granted.research"].inferred = "unlabelled row placed by position"
    doc = page([result])
    check_structure(result, doc)
    for col in ("natural_person", "total"):
        td = cell(doc, f"requests.new.{col}")
        assert "unread" in td.get("class").split() and "⊘" in td.text_content()
    assert "unread" not in cell(doc, "requests.granted.total").get("class").split()
    inferred = cell(doc, "requests.granted.research")
    assert "inferred" in inferred.get("class").split() and "placed by position" in inferred.text_content()


def test_shown_filters_findings():
    result = seed_changed()
    only = [f for f in result.findings if f.code == "R003"]
    doc = page([result], shown=[only])
    assert [tr.get("data-code") for tr in doc.xpath('//tr[contains(@class, "finding")]')] == ["R003"]
    assert codes_of(cell(doc, "requests.carried_forward.natural_person")) == {"R003"}
    assert codes_of(cell(doc, "requests.new.natural_person")) == set()


def test_several_reports_one_page():
    a = seed_changed()
    b = audit(parse_bytes(synth.render(synth.random_report(4, "2021"), "lines").encode(), source="t2"))
    doc = page([a, b])
    assert len(doc.xpath('//section[@class="report"]')) == 2
    assert len(doc.xpath("//nav//a")) == 2
    assert len(doc.xpath('//td[@data-key="requests.new.total"]')) == 2


def test_bad_arguments():
    with pytest.raises(ValueError):
        render_audit_html([seed_changed()], "fr")
    with pytest.raises(ValueError):
        render_audit_html([seed_changed()], shown=[])


def test_corpus_page_with_real_inconsistencies(corpus):
    result = audit(parse_bytes(PINGTAN_040.read_bytes(), source=PINGTAN_040.name))
    doc = page([result])
    check_structure(result, doc)
    upheld = cell(doc, "appeals.review.upheld")
    assert "A001" in codes_of(upheld) and "candidate" in upheld.get("class").split()
    assert "inferred" in upheld.get("class").split()  # read from glued cells


# -- across years ---------------------------------------------------------------------------------


def carry_over_break() -> list[synth.Synthetic]:
    """Two consistent years of one agency; 2022 carries over 2 more research requests than 2021 left."""
    first, second = synth.random_series(3, 2021, 2)
    for key in ("requests.carried_over.research", "requests.carried_over.total"):
        second.values[key] = second.values[key] + 2
        second.texts[key] = str(second.values[key])
    return [first, second]


def audit_page(report: api.AuditReport, lang: str = "zh"):
    results = [r.result for r in report.reports]
    text = render_audit_html(results, lang, shown=[r.shown for r in report.reports], series=report.series)
    return lxml_html.document_fromstring(text)


def test_two_years_of_one_agency_show_their_cross_year_findings():
    recs = [parse_bytes(synth.render(s, "html").encode(), source=f"{s.year}.html") for s in carry_over_break()]
    report = api.audit(recs)
    doc = audit_page(report)
    (section,) = doc.xpath('//section[@class="cross-year"]')
    agency = recs[0].agency
    assert section.xpath("./h2")[0].text_content() == f"跨年度核对：{agency} 2021–2022"
    found = section.xpath('.//tr[contains(@class, "finding")]')
    assert [tr.get("data-code") for tr in found] == ["Y001", "Y001"]
    assert {tr.get("data-years") for tr in found} == {"2021、2022"}
    (series,) = report.series
    assert [f.where for f in series.shown] == ["requests.*.research", "requests.*.total"]
    for tr, f in zip(found, series.shown, strict=True):
        assert f.message("zh") in tr.text_content() and f.message("zh").startswith(("科研机构列", "总计列"))
    assert "第" in found[0].xpath('.//div[@class="places"]')[0].text_content()  # where the numbers are
    years = section.xpath('.//table[@class="series-reports"]/tbody/tr')
    assert [tr.get("data-year") for tr in years] == ["2021", "2022"]
    assert [a.get("href") for a in section.xpath(".//a")] == ["#report-1", "#report-2"]  # to the reports above
    assert all(agency in tr.text_content() for tr in years)
    assert doc.xpath('//nav//a[@href="#across-1"]')
    # the reports' own findings stay in the reports; Y codes only in the cross-year section
    assert not doc.xpath('//section[@class="report"]//tr[starts-with(@data-code, "Y")]')
    en = audit_page(report, "en")
    assert en.xpath('//section[@class="cross-year"]/h2')[0].text_content().startswith("Across years: ")
    assert "carried over" in en.xpath('//tr[@data-code="Y001"]')[0].text_content()
    clean = api.audit([parse_bytes(synth.render(s, "html").encode(), source=f"{s.year}.html")
                       for s in synth.random_series(3, 2021, 2)])  # fmt: skip
    assert "跨年度核对未发现问题" in audit_page(clean).xpath('//section[@class="cross-year"]')[0].text_content()
    single = audit_page(api.audit(recs[:1]))
    assert not single.xpath('//section[@class="cross-year"]') and not single.xpath("//nav")


def test_cli_audit_html_shows_cross_year_findings(tmp_path):
    files = []
    for s in carry_over_break():
        path = tmp_path / f"{s.year}.html"
        path.write_text(synth.render_html(s), encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(main, ["audit", *files, "-o", "html", "--select", "Y"])
    assert result.exit_code == 1
    doc = lxml_html.document_fromstring(result.stdout)
    assert [tr.get("data-code") for tr in doc.xpath('//section[@class="cross-year"]//tr[@data-code]')] == [
        "Y001",
        "Y001",
    ]
    assert not doc.xpath('//section[@class="report"]//tr[@data-code]')  # --select Y hides the R findings


# -- a real browser ------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OPEN_SUSPECT_TIP = "td.suspect .tip, td.candidate:first-of-type .tip { display: block; }"


def screenshot(text: str, png: Path, work: Path, open_tip: bool = False) -> Path:
    """The page as headless chromium draws it at 1200×2000; the suspect's tooltip opened on request."""
    if open_tip:
        text = text.replace("</style>", OPEN_SUSPECT_TIP + "\n</style>", 1)
    source = work / (png.stem + ".html")
    source.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={work / 'profile'}", f"--screenshot={png}", "--window-size=1200,2000",
         source.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    return png


def dump_dom(text: str, work: Path) -> str:
    source = work / "page.html"
    source.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={work / 'profile'}", "--dump-dom", source.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    return run.stdout.decode()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_headless_browser_draws_the_page(tmp_path):
    result = seed_changed()
    text = render_audit_html([result])
    dom = lxml_html.document_fromstring(dump_dom(text, tmp_path))
    check_structure(result, dom)  # the page as the browser parsed it
    png = screenshot(text, tmp_path / "audit.png", tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
@pytest.mark.skipif(not os.environ.get("DISCLOSURE_WRITE_DOCS"), reason="set DISCLOSURE_WRITE_DOCS=1 to redraw docs/")
def test_write_docs_screenshots(tmp_path):
    """DISCLOSURE_WRITE_DOCS=1 pytest -k docs_screenshots: redraw docs/audit-html-*.png."""
    screenshot(render_audit_html([seed_changed()]), DOCS / "audit-html-seed-changed.png", tmp_path, open_tip=True)
    if PINGTAN_040.exists():
        result = audit(parse_bytes(PINGTAN_040.read_bytes(), source=f"corpus/{PINGTAN_040.name}"))
        screenshot(render_audit_html([result]), DOCS / "audit-html-pingtan-040.png", tmp_path)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_headless_browser_draws_the_cross_year_section(tmp_path):
    recs = [parse_bytes(synth.render(s, "html").encode(), source=f"{s.year}.html") for s in carry_over_break()]
    report = api.audit(recs)
    results = [r.result for r in report.reports]
    text = render_audit_html(results, "en", shown=[r.shown for r in report.reports], series=report.series)
    dom = lxml_html.document_fromstring(dump_dom(text, tmp_path))
    assert [tr.get("data-code") for tr in dom.xpath('//section[@class="cross-year"]//tr[@data-code]')] == [
        "Y001",
        "Y001",
    ]
    png = screenshot(text, tmp_path / "audit-across.png", tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
