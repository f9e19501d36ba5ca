"""HTML pages whose tables are pictures (issue 15): the <img>s found, loaded and read by OCR.

The pictures are a synthetic report's tables drawn by ``tests/image_render.py`` (a screenshot each),
embedded in a page whose own text carries the title, the prose and the section headings, as a saved
page (``report_files/``) and as a page served on 127.0.0.1 by ``tests/httpserver.py``. The property is
the OCR one: every value comes back right, or flagged, or unread; never wrong and certain. Finding and
loading the pictures is tested without the engine; reading them needs the ``ocr`` extra and a CJK font.
"""

from __future__ import annotations

import base64
import html
import io
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from disclosure_cli import parse
from disclosure_cli.errors import ReportError
from disclosure_cli.readers import images, ocr
from disclosure_cli.sources import Failure
from disclosure_cli.testing import synth

from .conftest import same_value
from .httpserver import Site
from .image_render import Scan, font_path, render_table_pngs
from .test_ocr import needs_engine, needs_font, wrong_and_certain


def _png(width: int, height: int, colour: int = 255) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (width, height), colour).save(buf, "PNG")
    return buf.getvalue()


def page_html(s: synth.Synthetic, srcs: list[str], logo: str | None = "report_files/logo.png") -> str:
    """A report page whose three tables are pictures: title, prose and headings as text."""
    prose = "".join(f"<p>{html.escape(p)}</p>" for p in synth._narrative(s))
    heads = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")
    tables = "".join(f'<p>{h}</p><p><img src="{src}" alt="表"></p>' for h, src in zip(heads, srcs))
    header = f'<div class="head"><img src="{logo}"></div>' if logo else ""
    return (
        f'<html><head><meta charset="utf-8"><title>{s.title}</title></head><body>{header}'
        f"<h1>{s.title}</h1>{prose}{tables}<p>五、存在的主要问题及改进情况</p><p>2025年，本机关将继续推进政务公开工作。</p>"
        "</body></html>"
    )


def saved_page(folder: Path, s: synth.Synthetic, pngs: list[bytes]) -> Path:
    """The page saved by a browser: report.html and its pictures in report_files/."""
    (folder / "report_files").mkdir(exist_ok=True)
    srcs = []
    for i, data in enumerate(pngs):
        (folder / "report_files" / f"t{i + 2}.png").write_bytes(data)
        srcs.append(f"report_files/t{i + 2}.png")
    (folder / "report_files" / "logo.png").write_bytes(_png(120, 40, 0))
    path = folder / "report.html"
    path.write_text(page_html(s, srcs), encoding="utf-8")
    return path


# --- finding and loading pictures (no engine) ----------------------------------------------------


def test_pictures_are_found_in_document_order_chrome_left_out():
    page = images.mark_pictures(
        '<html><body><header><img src="logo.png"></header><p>甲<IMG SRC="a.png"></p>'
        '<table><tr><td><img data-src="b.png" src=""></td></tr></table><nav><img src="n.png"></nav>'
        '<p><img src="c.png"></p></body></html>'
    )
    from disclosure_cli.readers.html import parse_document

    found = images.picture_sources(parse_document(page))
    assert [src for src, _ in found] == ["a.png", "b.png", "c.png"]
    assert len({mark for _, mark in found}) == 3


def test_marking_pictures_keeps_line_numbers():
    text = "<p>一</p>\n<p><img src='a.png'></p>\n<p>二 12</p>\n"
    assert images.mark_pictures(text).count("\n") == text.count("\n")


def test_a_data_uri_is_decoded():
    data = _png(300, 120)
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert images.load_picture(uri, "-", None, None, 10**6).data == data
    with pytest.raises(ReportError):
        images.load_picture("data:image/png;base64,@@@", "-", None, None, 10**6)


def test_a_saved_pages_pictures_are_read_from_its_folder(tmp_path):
    (tmp_path / "r_files").mkdir()
    (tmp_path / "r_files" / "表 1.png").write_bytes(_png(300, 120))
    (tmp_path / "r_files" / "notes.txt").write_bytes(b"not a picture")
    (tmp_path / "big.png").write_bytes(_png(300, 120) + b"\0" * 5000)
    page = tmp_path / "r.html"
    page.write_text("<p>x</p>")
    got = images.load_picture("r_files/%E8%A1%A8%201.png", str(page), None, None, 10**6)
    assert got.where == str(tmp_path / "r_files" / "表 1.png")
    for src, reason in (
        ("r_files/notes.txt", "not-a-picture"),  # judged by its bytes, not its name
        ("r_files/missing.png", "unreadable"),
        ("big.png", "too-large"),
        ("/images/t.png", "unreadable"),  # a path from the site's root: a local page cannot resolve it
        ("http://gov.test/t.png", "not-fetched"),  # a local page never makes the tool go online
        ("file:///etc/passwd", "not-http"),
    ):
        with pytest.raises(ReportError) as err:
            images.load_picture(src, str(page), None, None, 5000)
        assert err.value.reason == reason, src
    from disclosure_cli.fetch import Fetcher

    with Fetcher(tmp_path / "cache") as fetcher, pytest.raises(ReportError) as err:  # even with a fetcher at hand
        images.load_picture("http://gov.test/t.png", str(page), None, fetcher, 5000)
    assert err.value.reason == "not-fetched" and fetcher.requests == 0


def test_decorative_and_missing_pictures_leave_the_page_refused_as_before(tmp_path):
    (tmp_path / "logo.png").write_bytes(_png(120, 40, 0))
    page = tmp_path / "r.html"
    page.write_text(
        "<html><body><h1>某局2022年政府信息公开工作年度报告</h1><img src='logo.png'><img src='t.png'></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(ReportError) as err:
        parse.parse_path(str(page))
    assert err.value.reason == "no-table-text"
    found = images.read_pictures(page.read_text(encoding="utf-8"), str(page))
    assert found.result is None and [why for _, why in found.skipped] == ["decorative (120×40 px)", "no such file"]


def test_without_the_extra_the_page_says_its_tables_are_pictures(tmp_path, monkeypatch):
    (tmp_path / "t.png").write_bytes(_png(900, 400))
    page = tmp_path / "r.html"
    page.write_text(
        "<html><body><h1>某局2022年政府信息公开工作年度报告</h1><p><img src='t.png'></p></body></html>",
        encoding="utf-8",
    )
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import now raises ImportError
    with pytest.raises(ReportError) as err:
        parse.parse_path(str(page))
    assert err.value.reason == "needs-extra"
    assert "tables are pictures" in err.value.message and "pip install 'disclosure-cli[ocr]'" in err.value.message


@needs_engine
def test_a_large_picture_without_a_ruled_table_is_decorative(tmp_path):
    from PIL import Image, ImageDraw

    im = Image.new("L", (900, 400), 255)
    ImageDraw.Draw(im).ellipse((100, 50, 800, 350), fill=90)  # a banner photo: big, no ruling lines
    buf = io.BytesIO()
    im.save(buf, "PNG")
    (tmp_path / "banner.png").write_bytes(buf.getvalue())
    page = tmp_path / "r.html"
    page.write_text("<p><img src='banner.png'></p>")
    found = images.read_pictures(page.read_text(), str(page))
    assert found.result is None and found.skipped == [("banner.png", "decorative (no ruled table)")]


# --- reading them (the engine) --------------------------------------------------------------------

_memo: dict[tuple[bytes, ...], ocr.OcrResult] = {}
_real_ocr_layouts = ocr.ocr_layouts


def _ocr_once(layouts: list[ocr.Layout]) -> ocr.OcrResult:
    """``ocr.ocr_layouts`` read once per set of pictures: the file and URL tests read the same ones."""
    key = tuple(layout.grey.tobytes() for layout in layouts)
    if key not in _memo:
        _memo[key] = _real_ocr_layouts(layouts)
    return _memo[key]


@lru_cache(maxsize=2)
def _report() -> tuple[synth.Synthetic, tuple[bytes, ...]]:
    s = synth.random_report(3, "2019")
    return s, tuple(render_table_pngs(s, Scan(150, 0.0, 0.0, 3)))  # screenshots: clean, upright


@needs_engine
@needs_font
def test_a_saved_page_whose_tables_are_pictures_reads_back_right_or_flagged(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_layouts", _ocr_once)
    s, pngs = _report()
    record = parse.parse_path(str(saved_page(tmp_path, s, list(pngs))))
    assert (record.format, record.year, record.agency) == ("2019", s.year, s.agency)  # from the page's text
    assert record.shape == "image-table"
    result = ocr.OcrResult([], {v.loc: v.ocr for v in record.values.values() if v.loc and v.ocr is not None})
    assert wrong_and_certain(s, record, result) == {}
    right = sum(1 for k, want in s.values.items() if same_value(want, record.values[k].value))
    assert right >= 0.85 * len(s.values), right  # measured: 189 of 198 (two labels lose their first characters)
    pictures = next(n for n in record.warnings if n.code == "ocr-pictures")
    assert "page 1 = report_files/t2.png" in pictures.message and "logo.png (decorative" in pictures.message
    assert {v.loc.page for v in record.values.values() if v.ocr is not None} == {1, 2, 3}


@needs_engine
@needs_font
def test_a_fetched_page_whose_tables_are_pictures_fetches_them_politely(tmp_path, monkeypatch):
    from disclosure_cli.fetch import Fetcher

    monkeypatch.setattr(ocr, "ocr_layouts", _ocr_once)
    s, pngs = _report()
    local = parse.parse_path(str(saved_page(tmp_path, s, list(pngs))))
    with Site() as site:
        srcs = ["/img/t2.png", "t3.png", site.url("/img/t4.png")]  # root-relative, relative, absolute
        for path, data in zip(("/img/t2.png", "/r/t3.png", "/img/t4.png"), pngs):
            site.add(path, data, headers={"Content-Type": "image/png"})
        site.add("/r/logo.png", b"GIF89a" + b"\0" * 40, headers={"Content-Type": "image/gif"})
        body = page_html(s, srcs, logo="logo.png")
        url = site.add("/r/report.html", body, headers={"Content-Type": "text/html; charset=utf-8"})
        with Fetcher(tmp_path / "cache", delay=0.0) as fetcher:
            page = fetcher.get(url)
            record = parse.parse_bytes(page.data, source=url, fetcher=fetcher)
            assert parse.parse_bytes(page.data, source=url, fetcher=fetcher).values == record.values
        assert site.count("/robots.txt") == 1
        assert [site.count(p) for p in ("/img/t2.png", "/r/t3.png", "/img/t4.png")] == [1, 1, 1]  # the cache
        assert site.hits[-1].headers["accept"].startswith("image/")
        from disclosure_cli.sources import FetchOptions, read_sources

        (read,) = read_sources([url], options=FetchOptions(cache_dir=str(tmp_path / "cache"), delay=0.0))
        assert not isinstance(read, Failure) and read.values == record.values  # the library fetches them too
    assert {k: (v.value, v.ocr) for k, v in record.values.items()} == {
        k: (v.value, v.ocr) for k, v in local.values.items()
    }
    note = next(n for n in record.warnings if n.code == "ocr-pictures")
    assert "logo.png (the <img> is a GIF image" in note.message
    with pytest.raises(ReportError) as err:  # without a fetcher the web pictures are not read
        parse.parse_bytes(page.data, source=url)
    assert err.value.reason == "no-table-text"


def test_font_is_found_or_the_reading_tests_skip():
    assert font_path() is None or Path(font_path()).exists()


def test_splicing_puts_each_pictures_cells_where_the_picture_sits():
    from disclosure_cli.cells import Cell, Location
    from disclosure_cli.readers.html import parse_document, read_html

    page = images.mark_pictures(
        "<p>甲</p><table><tr><td>附表<img src='a.png'></td></tr></table><p>乙</p><p><img src='b.png'></p><p>丙</p>"
    )
    marks = [m for _, m in images.picture_sources(parse_document(page))]
    a = Cell("3", "value", Location(table=1, row=1, column=1, page=1), (1, 0), 3)
    b = Cell("4", "value", Location(table=1, row=1, column=1, page=2), (1, 0), 4)
    found = images.Pictures(
        read=[images.Picture("a.png", "a", b"", marks[0]), images.Picture("b.png", "b", b"", marks[1])],
        result=ocr.OcrResult([a, b], {a.loc: 0.9, b.loc: 0.7}),
    )
    cells, result = images.splice(read_html(page), found)
    assert [c.raw for c in cells] == ["甲", "附表", "3", "乙", "4", "丙"]
    moved = [c for c in cells if c.kind == "value"]
    assert [c.loc.table for c in moved] == [2, 2] and [c.row_id for c in moved] == [
        (2, 0),
        (2, 0),
    ]  # after the page's table 1
    assert [c.loc.page for c in moved] == [1, 2]
    assert [result.confidence[c.loc] for c in moved] == [0.9, 0.7]
