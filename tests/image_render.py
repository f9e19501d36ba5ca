"""Test helper: a :class:`~disclosure_cli.testing.synth.Synthetic` report printed and scanned, as PNG pages
or a scanned PDF.

The tables are the Word renderer's (``tests/docx_render.py``: the HTML renderer's rows, every span a
merged box), drawn with Pillow on A4 pages with ruling lines and a CJK font from Debian's
``fonts-wqy-microhei`` (or ``fonts-noto-cjk``): title, narrative and section headings as paragraphs,
each table under its heading, a table that does not fit the page cut at a row boundary and carried on
the next page (a box spanning the cut is drawn on both, its text only above it), as a printed report
is. The scan is then imitated: a slight tilt, grey paper, blur and speckle noise from ``seed``.

:func:`render_pages` returns the page images; :func:`render_png` one tall PNG of the whole report (a
page saved as a picture); :func:`render_scanned_pdf` a PDF of the pages with no text layer.
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from disclosure_cli.testing import synth
from disclosure_cli.testing.synth import Synthetic

from .docx_render import Td, place, table2_rows, table3_rows, table4_rows

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
A4_INCHES = (8.27, 11.69)
# column widths as shares of the text width: label columns, then the value columns
WIDTHS = {
    "active": (0.34, 0.22, 0.22, 0.22),
    "requests": (0.08, 0.12, 0.24, *([0.08] * 7)),
    "appeals": tuple([1 / 15] * 15),
}


def font_path() -> str | None:
    return next((p for p in FONT_PATHS if os.path.exists(p)), None)


@dataclass(frozen=True)
class Scan:
    """How the page was scanned: resolution, tilt in degrees, and noise (0 = a clean digital render)."""

    dpi: int = 150
    tilt: float = 0.0
    noise: float = 0.0
    seed: int = 0


def _fonts(dpi: int) -> dict[str, ImageFont.FreeTypeFont]:
    path = font_path()
    if path is None:
        raise RuntimeError("no CJK font: apt-get install fonts-wqy-microhei")
    pt = dpi / 72
    return {
        "title": ImageFont.truetype(path, round(16 * pt)),
        "text": ImageFont.truetype(path, round(10.5 * pt)),
        "cell": ImageFont.truetype(path, round(9 * pt)),
    }


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at "<br>"/"<p>", then between characters;
    a number is never broken (it is drawn smaller if it must)."""
    out: list[str] = []
    for part in text.replace("<p>", "<br>").split("<br>"):
        line = ""
        for ch in part:
            if line and font.getlength(line + ch) > width and not (ch.isdigit() and line[-1:].isdigit()):
                out.append(line)
                line = ""
            line += ch
        out.append(line)
    return out


class _Pages:
    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.dpi = scan.dpi
        self.size = (round(A4_INCHES[0] * self.dpi), round(A4_INCHES[1] * self.dpi))
        self.margin = round(0.9 * self.dpi)
        self.fonts = _fonts(self.dpi)
        self.pages: list[Image.Image] = []
        self.y = 0
        self.line = max(2, round(self.dpi / 75))  # ruling lines about 1/3 mm
        self._new_page()

    @property
    def text_width(self) -> int:
        return self.size[0] - 2 * self.margin

    @property
    def bottom(self) -> int:
        return self.size[1] - self.margin

    def _new_page(self) -> None:
        self.pages.append(Image.new("L", self.size, 255))
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = self.margin

    def paragraph(self, text: str, font: str = "text", centre: bool = False) -> None:
        f = self.fonts[font]
        height = round(f.size * 1.6)
        for line in _wrap(text, f, self.text_width):
            if self.y + height > self.bottom:
                self._new_page()
            x = self.margin + (self.text_width - f.getlength(line)) / 2 if centre else self.margin
            self.draw.text((x, self.y), line, fill=0, font=f)
            self.y += height
        self.y += round(f.size * 0.4)

    def table(self, rows: list[list[Td]], widths: tuple[float, ...]) -> None:
        placed, height, width = place(rows)
        xs = [self.margin]
        for w in widths[:width]:
            xs.append(xs[-1] + round(w * self.text_width))
        f = self.fonts["cell"]
        pad = round(f.size * 0.35)
        line_h = round(f.size * 1.35)
        # each row tall enough for its one-row cells; a spanning cell stretches the last row it covers
        heights = [line_h + 2 * pad] * height
        wrapped: dict[tuple[int, int], list[str]] = {}
        for r, c, (text, rowspan, colspan) in placed:
            lines = _wrap(text, f, xs[c + colspan] - xs[c] - 2 * pad) if text else []
            wrapped[r, c] = lines
            need = len(lines) * line_h + 2 * pad
            if rowspan == 1:
                heights[r] = max(heights[r], need)
        for r, c, (_, rowspan, _) in placed:
            if rowspan > 1:
                need = len(wrapped[r, c]) * line_h + 2 * pad
                have = sum(heights[r : r + rowspan])
                if need > have:
                    heights[r + rowspan - 1] += need - have
        start = 0
        while start < height:
            if self.y + heights[start] > self.bottom:
                self._new_page()
            end, top = start, self.y
            while end < height and top + heights[end] <= self.bottom:
                top += heights[end]
                end += 1
            end = max(end, start + 1)
            self._fragment(placed, heights, xs, wrapped, start, end, pad, line_h)
            start = end
            if start < height:
                self._new_page()
        self.y += round(f.size * 0.8)

    def _fragment(self, placed, heights, xs, wrapped, start: int, end: int, pad: int, line_h: int) -> None:
        ys = [self.y]
        for h in heights[start:end]:
            ys.append(ys[-1] + h)
        f = self.fonts["cell"]
        for r, c, (_, rowspan, colspan) in placed:
            a, b = max(r, start), min(r + rowspan, end)
            if a >= b:
                continue
            box = (xs[c], ys[a - start], xs[c + colspan], ys[b - start])
            self.draw.rectangle(box, outline=0, width=self.line)
            if r < start:
                continue  # the box goes on from the page before: its text is there
            lines = wrapped[r, c]
            block = len(lines) * line_h
            ty = box[1] + (box[3] - box[1] - block) / 2
            for line in lines:
                size = f
                room = box[2] - box[0] - 2 * pad
                while size.getlength(line) > room and size.size > 8:
                    size = size.font_variant(size=size.size - 1)
                tx = box[0] + (box[2] - box[0] - size.getlength(line)) / 2
                self.draw.text((tx, ty + (line_h - size.size) / 2), line, fill=0, font=size)
                ty += line_h
        self.y = ys[-1]


def _scan(page: Image.Image, scan: Scan, rng: random.Random) -> Image.Image:
    if scan.tilt:
        page = page.rotate(scan.tilt, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if scan.noise:
        page = page.filter(ImageFilter.GaussianBlur(0.5 + 0.4 * scan.noise))
        noise = Image.effect_noise(page.size, 18 * scan.noise)  # grey, centred on 128
        page = Image.blend(page, noise, 0.12 * scan.noise)
        page = page.point(lambda v: min(255, round(v * 0.92 + 14)))  # grey paper, lighter ink
        draw = ImageDraw.Draw(page)
        w, h = page.size
        for _ in range(int(400 * scan.noise)):  # dust specks
            x, y = rng.randrange(w), rng.randrange(h)
            r = rng.choice((0, 0, 1))
            draw.ellipse((x, y, x + r, y + r), fill=rng.randint(60, 160))
    return page


def render_pages(s: Synthetic, scan: Scan = Scan(), blank: str = "") -> list[Image.Image]:
    """The report printed on A4 pages and scanned."""
    out = _Pages(scan)
    out.paragraph(s.title, "title", centre=True)
    for p in synth._narrative(s):
        out.paragraph(p)
    out.paragraph("二、主动公开政府信息情况")
    out.table(table2_rows(s, blank), WIDTHS["active"])
    out.paragraph("三、收到和处理政府信息公开申请情况")
    out.table(table3_rows(s, blank), WIDTHS["requests"])
    out.paragraph("四、政府信息公开行政复议、行政诉讼情况")
    out.table(table4_rows(s, blank), WIDTHS["appeals"])
    out.paragraph("五、存在的主要问题及改进情况")
    out.paragraph("2025年，本机关将继续推进政务公开工作。")
    rng = random.Random(scan.seed)
    return [_scan(p, scan, rng) for p in out.pages]


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def render_png(s: Synthetic, scan: Scan = Scan(), blank: str = "") -> bytes:
    """The pages stacked into one tall picture (the margins between them kept), as PNG bytes."""
    pages = render_pages(s, scan, blank)
    w = pages[0].size[0]
    tall = Image.new("L", (w, sum(p.size[1] for p in pages)), 255)
    y = 0
    for p in pages:
        tall.paste(p, (0, y))
        y += p.size[1]
    return _png(tall)


def render_page_pngs(s: Synthetic, scan: Scan = Scan(), blank: str = "") -> list[bytes]:
    return [_png(p) for p in render_pages(s, scan, blank)]


def render_table_pngs(s: Synthetic, scan: Scan = Scan(), blank: str = "") -> list[bytes]:
    """Each statistics table alone as a picture (a screenshot pasted into a web page): drawn on one tall
    page so it is never cut, then cropped to the table with a small white margin."""
    out = []
    rng = random.Random(scan.seed)
    for rows, widths in (
        (table2_rows(s, blank), WIDTHS["active"]),
        (table3_rows(s, blank), WIDTHS["requests"]),
        (table4_rows(s, blank), WIDTHS["appeals"]),
    ):
        pages = _Pages(scan)
        pages.size = (pages.size[0], pages.size[1] * 3)
        pages.pages.clear()
        pages._new_page()
        pages.table(rows, widths)
        page = pages.pages[0]
        box = page.point(lambda v: 255 - v).getbbox() or (0, 0, *page.size)
        pad = round(scan.dpi / 10)
        crop = page.crop((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        out.append(_png(_scan(crop, scan, rng)))
    return out


def render_scanned_pdf(s: Synthetic, scan: Scan = Scan(), blank: str = "") -> bytes:
    """The scanned pages as a PDF of images only (no text layer), as a scanner writes it."""
    pages = render_pages(s, scan, blank)
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(scan.dpi))
    return buf.getvalue()
