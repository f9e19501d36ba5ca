"""Report pages whose tables are pictures: the ``<img>`` elements of an HTML page, found, loaded and read.

Some agencies publish the statistics tables as screenshots inside the page. When the page's HTML has
no table text, :func:`read_pictures` takes the ``<img>`` elements of its content in document order and
loads each one:

- ``data:`` URIs are decoded;
- a relative ``src`` of a saved page is resolved against the page file's folder (a saved page keeps its
  pictures in ``name_files/``, so a path leaving the folder is allowed), percent-escapes undone;
- an ``http(s)`` ``src`` (or a relative one when the page itself came from a URL) is fetched through
  :meth:`disclosure_cli.fetch.Fetcher.get_picture` (robots.txt, turn-taking, the cache, the size cap),
  only when the page came from a URL and a fetcher is given: a local page never makes the tool go online.

Only PNG, JPEG and TIFF pictures are kept (sniffed, never judged by the name), each at most
``max_bytes``, at most :data:`MAX_PICTURES` of them. Decorative pictures are skipped: tiny ones (logos,
icons, under :data:`MIN_WIDTH` × :data:`MIN_HEIGHT` pixels, read from the header without decoding) and
those without a ruling grid (found by :func:`disclosure_cli.readers.ocr.analyse` before anything is
recognised). The rest are read by OCR as numbered pages, one picture a page, in document order.

Every ``<img>`` that is not read is accounted for in :attr:`Pictures.skipped` with the reason.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

import msgspec

from ..cells import Cell, Location, classify
from ..errors import ReportError
from . import is_image
from .ocr import NEEDS_EXTRA, OcrResult

if TYPE_CHECKING:
    from lxml.etree import _Element

    from ..fetch import Fetcher

MAX_PICTURES = 20  # <img>s loaded from one page; a report's tables fit in a handful
MIN_WIDTH, MIN_HEIGHT = 200, 80  # pixels; a table picture is wider and taller than a logo or an icon
# Where a page keeps its chrome: pictures there are logos, banners and QR codes, never the report's tables.
_CHROME = {"nav", "header", "footer", "aside", "script", "style", "noscript", "template", "svg", "button"}
# lazy-loading CMSs keep the picture in data-src (src holds a placeholder until it scrolls into view)
_LAZY = ("data-src", "data-original", "data-url", "original", "src")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_MARK_ATTR = "data-disclosure-picture"
_MARK = "\u2063picture-{}\u2063"  # invisible separators around a word: no page prints it
_MARK_RE = re.compile("\u2063picture-([a-z]+)\u2063")
_DATA_URI = re.compile(r"^data:([^,;]*)((?:;[^,;]*)*?),(.*)$", re.S | re.I)


class Picture(msgspec.Struct, frozen=True):
    """One loaded ``<img>``: its ``src`` as written, where it was read from, and its bytes."""

    src: str
    where: str  # the file path or URL it was read from ("data:" for an inline picture)
    data: bytes
    mark: str = ""  # its place in the page (see :func:`mark_pictures`)


class Pictures(msgspec.Struct):
    """What :func:`read_pictures` made of a page's ``<img>`` elements."""

    found: int = 0  # <img> elements in the page's content
    loaded: list[Picture] = msgspec.field(default_factory=list)
    read: list[Picture] = msgspec.field(default_factory=list)  # the pictures OCR read, page 1, 2, … in this order
    skipped: list[tuple[str, str]] = msgspec.field(default_factory=list)  # (src, why not read)
    result: OcrResult | None = None


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def mark_pictures(html: str) -> str:
    """The page with each ``<img>`` tagged (an attribute) and followed by a marker paragraph, so the
    cells read from the page say where each picture sits; no line is added, so line numbers hold."""
    count = iter(range(1 << 30))

    def tag(m: re.Match[str]) -> str:
        mark = _letters(next(count))
        return f'{m.group(0)[:4]} {_MARK_ATTR}="{mark}"{m.group(0)[4:]}<p>{_MARK.format(mark)}</p>'

    return _IMG.sub(tag, html)


def picture_sources(root: _Element) -> list[tuple[str, str]]:
    """(``src``, mark) of every ``<img>`` in the page's content, in document order (chrome left out)."""
    out: list[tuple[str, str]] = []
    for img in root.iter("img"):
        if any(isinstance(a.tag, str) and a.tag.lower() in _CHROME for a in img.iterancestors()):
            continue
        src = next((v.strip() for a in _LAZY if (v := img.get(a)) and v.strip()), "")
        if src:
            out.append((src, img.get(_MARK_ATTR) or ""))
    return out


def splice(cells: list[Cell], pictures: Pictures) -> tuple[list[Cell], OcrResult]:
    """The page's cells with each read picture's cells in place of its marker (marker cells of pictures
    not read dropped), and the OCR result renumbered to match: the pictures' tables are numbered after
    the page's own (layout) tables, so no two rows share a ``row_id``."""
    assert pictures.result is not None
    result = pictures.result
    offset = max((c.loc.table for c in cells if c.loc.table is not None), default=0)
    by_page: dict[int | None, list[Cell]] = {}
    confidence: dict[Location, float] = {}
    for c in result.cells:
        moved = _shift(c, offset)
        by_page.setdefault(moved.loc.page, []).append(moved)
        if c.loc in result.confidence:
            confidence[moved.loc] = result.confidence[c.loc]
    page_of = {p.mark: n for n, p in enumerate(pictures.read, 1)}
    out: list[Cell] = []
    placed: set[int] = set()
    for c in cells:
        marks = _MARK_RE.findall(c.raw)
        if not marks:
            out.append(c)
            continue
        rest = _MARK_RE.sub("", c.raw).strip()
        if rest:  # a caption in the same table cell as the picture
            out.append(msgspec.structs.replace(classify(rest, c.loc), row_id=c.row_id, copy=c.copy))
        for mark in marks:
            n = page_of.get(mark)
            if n is not None and n not in placed:
                placed.add(n)
                out += by_page.get(n, [])
    for n in sorted(set(page_of.values()) - placed):  # a marker the reader did not keep: at the end, in order
        out += by_page.get(n, [])
    return out, OcrResult(
        [c for n in sorted(page_of.values()) for c in by_page.get(n, [])],
        confidence,
        result.pages,
        result.seconds_engine,
        result.seconds_total,
    )


def _shift(c: Cell, offset: int) -> Cell:
    if not offset or c.loc.table is None:
        return c
    loc = msgspec.structs.replace(c.loc, table=c.loc.table + offset)
    row_id = (loc.table, c.row_id[1]) if isinstance(c.row_id, tuple) else c.row_id
    return msgspec.structs.replace(c, loc=loc, row_id=row_id)


def _base_href(root: _Element) -> str | None:
    for b in root.iter("base"):
        href = b.get("href")
        if href:
            return href.strip()
    return None


def decode_data_uri(uri: str) -> bytes:
    m = _DATA_URI.match(uri)
    if not m:
        raise ReportError("unreadable", "malformed data: URI")
    params = [p.strip().lower() for p in m.group(2).split(";") if p.strip()]
    payload = m.group(3)
    if "base64" in params:
        try:
            return base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
        except (binascii.Error, ValueError):
            raise ReportError("unreadable", "data: URI with broken base64") from None
    return unquote_to_bytes(payload)


def _read_file(path: str, max_bytes: int) -> bytes:
    from ..sources import refuse_special

    if not os.path.isfile(path):
        raise ReportError("unreadable", "no such file")
    refuse_special(path)
    size = os.path.getsize(path)
    if size > max_bytes:
        raise ReportError("too-large", f"{size:,} bytes, over the {max_bytes:,}-byte cap")
    with open(path, "rb") as fh:
        return fh.read(max_bytes + 1)


def load_picture(src: str, source: str, base: str | None, fetcher: Fetcher | None, max_bytes: int) -> Picture:
    """The bytes of one ``<img src>`` of the page ``source`` (a file path, a URL, or '-'). Raises
    :class:`ReportError` with the reason it is not read."""
    from ..sources import is_url

    if src.lower().startswith("data:"):
        if len(src) > max_bytes * 4 // 3 + 1024:
            raise ReportError("too-large", f"inline picture over the {max_bytes:,}-byte cap")
        data = decode_data_uri(src)
        where = "data:"
    else:
        page_is_url = is_url(source)
        # a saved page's <base> names the site it came from; its pictures sit next to the file
        target = urljoin(base or source, src) if page_is_url else src
        if is_url(target):
            if not page_is_url:
                raise ReportError("not-fetched", "a picture on the web, and the page is a local file: not fetched")
            if fetcher is None:
                raise ReportError("not-fetched", "a picture on the web, and no fetcher was given: not fetched")
            page = fetcher.get_picture(target)
            data, where = page.data, target
        else:
            if urlsplit(target).scheme:
                raise ReportError("not-http", f"only files and http(s) pictures are read, not {target.split(':')[0]}:")
            if page_is_url or source == "-" or not os.path.isfile(source):
                raise ReportError("unreadable", "a relative picture of a page that is not a local file")
            rel = unquote(urlsplit(target).path)
            if rel.startswith("/"):
                raise ReportError("unreadable", "a path from the site's root: the page is a local file")
            where = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), rel))
            data = _read_file(where, max_bytes)
    if len(data) > max_bytes:
        raise ReportError("too-large", f"{len(data):,} bytes, over the {max_bytes:,}-byte cap")
    if not is_image(data):
        raise ReportError("not-a-picture", "not a PNG, JPEG or TIFF picture")
    return Picture(src, where, data)


def _size(data: bytes) -> tuple[int, int] | None:
    """The picture's pixel size from its header (Pillow, which pdfplumber brings), or None if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            return int(w), int(h)
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _short(src: str) -> str:
    return src if len(src) <= 60 else (src[:24] + "…" if src.lower().startswith("data:") else "…" + src[-57:])


def read_pictures(
    html: str, source: str, fetcher: Fetcher | None = None, max_bytes: int = 20 * 1024 * 1024
) -> Pictures:
    """Load the content pictures of the page ``html`` (read from ``source``) and read by OCR those that
    hold a ruled table. The pictures together may weigh ``max_bytes``, each of them too.

    ``result`` stays None when no picture was read (none found, none loaded, or only decorative ones);
    raises ``needs-extra`` when pictures that may be tables were loaded but the ``ocr`` extra is missing.
    """
    from .html import parse_document

    out = Pictures()
    if not re.search(r"<img\b", html, re.I):
        return out
    root = parse_document(html)
    srcs = picture_sources(root)
    out.found = len(srcs)
    base = _base_href(root)
    seen: set[str] = set()
    for src, mark in srcs:
        if src in seen:
            continue  # the same picture twice (a thumbnail and its full size share a src): read once
        seen.add(src)
        if len(seen) > MAX_PICTURES:
            out.skipped.append((_short(src), f"over {MAX_PICTURES} pictures in the page"))
            continue
        left = max_bytes - sum(len(p.data) for p in out.loaded)
        try:
            picture = msgspec.structs.replace(load_picture(src, source, base, fetcher, left), mark=mark)
        except ReportError as exc:
            out.skipped.append((_short(src), exc.message))
            continue
        size = _size(picture.data)
        if size is None:
            out.skipped.append((_short(src), "broken picture"))
        elif size[0] < MIN_WIDTH or size[1] < MIN_HEIGHT:
            out.skipped.append((_short(src), f"decorative ({size[0]}×{size[1]} px)"))
        else:
            out.loaded.append(picture)
    if not out.loaded:
        return out
    from . import ocr

    try:
        ocr._modules()
    except ReportError:
        n = len(out.loaded)
        raise ReportError(
            "needs-extra",
            f"the page's tables are pictures ({n} <img> with no table text in the page); {NEEDS_EXTRA}",
        ) from None
    layouts = []
    for picture in out.loaded:
        try:
            layout = ocr.analyse(ocr.load_page(picture.data))
        except ReportError as exc:
            out.skipped.append((_short(picture.src), exc.message))
            continue
        if not layout.grids:
            out.skipped.append((_short(picture.src), "decorative (no ruled table)"))
            continue
        layouts.append(layout)
        out.read.append(picture)
    if layouts:
        out.result = ocr.ocr_layouts(layouts)
    return out
