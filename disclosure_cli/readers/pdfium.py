"""One PDF page through pdfium: characters with their boxes, ruling edges, and the table finder.

pdfium (C, through pypdfium2) parses the page; everything after that is plain Python over plain
data, written to give what pdfplumber gave the reader before (``pdf.py`` keeps pdfplumber for the
pages this module cannot read the same way: see :func:`needs_fallback`):

- :func:`read_page` returns the page's characters (text, box in top-down coordinates, content
  order; pdfium's generated spaces and line breaks left out) and the edges of its visible path
  objects. A path is split into subpaths at each move; a subpath of one segment is a *line*, any
  other a polygon whose axis-aligned sides are edges (a rectangle gives its four sides), as pdfminer
  classifies them. White fills without a stroke and white strokes of lines are invisible on paper
  and give no edge (WPS paints a white box behind every paragraph).
- :func:`find_tables` is pdfplumber's "lines" table finder over those edges: snap edges within 3
  points to their mean, join collinear pieces, keep edges of 3 points or more, intersect, take the
  smallest cell at each intersection, group cells that share corners into tables.
- :func:`cell_text` and :func:`text_lines` cluster characters into lines by their top (3 points),
  sort each line left to right and cut words at spaces and at gaps over 3 points, as pdfplumber's
  ``extract_text`` and ``extract_text_lines`` do.

Coordinates are points with ``top`` measured down from the top of the page, as pdfplumber does.
"""

from __future__ import annotations

import ctypes
import itertools
import operator
import struct
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, partial
from typing import Any, NamedTuple, TypeVar

TOLERANCE = 3.0  # snap, join, intersection and text tolerances: pdfplumber's defaults
MIN_EDGE = 3.0  # an edge shorter than this after joining is no rule
_WHITE = 252  # 0-255: pdfplumber's 0.99
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LIGATURE_SET = frozenset(_LIGATURES)  # isdisjoint(text) scans in C: most words have none

Bbox = tuple[float, float, float, float]  # x0, top, x1, bottom
Point = tuple[float, float]
T = TypeVar("T")


class Char(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(slots=True)
class Edge:
    """A ruling segment: ``h`` (top == bottom) or ``v`` (measured by ``x0``)."""

    orientation: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def bbox(self) -> Bbox:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def length(self) -> float:
        return self.bottom - self.top if self.orientation == "v" else self.x1 - self.x0


@dataclass
class PageData:
    width: float
    height: float
    chars: list[Char]
    edges: list[Edge]  # of visible paths only
    shapes: int  # path objects, forms included: what the table finder works on
    unmapped: int  # characters without a Unicode value (pdfminer's "(cid:N)")
    rotated: bool  # the page or some of its text is not upright: read by pdfplumber instead
    # text objects pdfium drew nothing of, in a font the file does not embed: pdfium drops a
    # one-character object in a CJK font it has no outlines for (STSong-Light on a machine
    # without a CJK font: a lone 「０」 cell or the 「构」 of a wrapped header vanished)
    undrawn: int = 0


class Word(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class TextLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


# --- reading a page --------------------------------------------------------------------------


def read_page(page: Any, textpage: Any, limit_chars: int, limit_shapes: int) -> PageData:
    """Characters and visible edges of a loaded pdfium page (raw handles).

    Stops collecting once a count passes its limit (the caller refuses the page then): the counts
    returned are then only known to be over it.
    """
    import pypdfium2.raw as c

    width, height = c.FPDF_GetPageWidthF(page), c.FPDF_GetPageHeightF(page)
    rotated = c.FPDFPage_GetRotation(page) != 0
    scaled = False  # some text is drawn through a matrix that shrinks it (see _chars)
    edges: list[Edge] = []
    shapes = 0
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[Any, int, tuple[float, ...]]] = [(_address(page), -1, identity)]
    matrix = c.FS_MATRIX()
    ref = ctypes.addressof(matrix)
    values = partial(_MATRIX.unpack_from, matrix)  # its six floats in one call
    paths = _Paths(c)
    get_matrix = _bind(c, "FPDFPageObj_GetMatrix", _INT, _PTR, _PTR)
    get_type = _bind(c, "FPDFPageObj_GetType", _INT, _PTR)
    page_count = _bind(c, "FPDFPage_CountObjects", _INT, _PTR)
    page_get = _bind(c, "FPDFPage_GetObject", _PTR, _PTR, _INT)
    form_count = _bind(c, "FPDFFormObj_CountObjects", _INT, _PTR)
    form_get = _bind(c, "FPDFFormObj_GetObject", _PTR, _PTR, ctypes.c_ulong)
    text_kind, path_kind, form_kind = c.FPDF_PAGEOBJ_TEXT, c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_FORM
    fontless = not draws_cjk()  # then look for text objects pdfium drew nothing of
    get_bounds = _bind(c, "FPDFPageObj_GetBounds", _INT, _PTR, _PTR, _PTR, _PTR, _PTR)
    box = (ctypes.c_float * 4)()
    left, bottom = ctypes.addressof(box), ctypes.addressof(box) + 4
    right, top = left + 8, left + 12
    undrawn = 0
    while stack:
        parent, form, outer = stack.pop()
        count = page_count(parent) if form < 0 else form_count(parent)
        get = page_get if form < 0 else form_get
        for i in range(count):
            obj = get(parent, i)
            kind = get_type(obj)
            if kind == text_kind:
                get_matrix(obj, ref)
                a, b, cc, d, _, _ = values() if outer is identity else _compose(values(), outer)
                if not (a * d > 0 and b * cc <= 0):
                    rotated = True
                elif not scaled and abs(a * d - b * cc) < 0.81:
                    scaled = True
                if fontless:
                    drawn = get_bounds(obj, left, bottom, right, top)
                    if drawn and box[2] - box[0] < 0.01 and box[3] - box[1] < 0.01 and not _embedded(c, obj):
                        undrawn += 1
            elif kind == path_kind:
                shapes += 1
                if shapes > limit_shapes:
                    break
                get_matrix(obj, ref)
                edges.extend(_path_edges(paths, obj, _compose(values(), outer), height))
            elif kind == form_kind and form < 4:
                get_matrix(obj, ref)
                stack.append((obj, form + 1, _compose(values(), outer)))
    chars, unmapped = _chars(c, textpage, height, limit_chars, scaled)
    return PageData(width, height, chars, edges, shapes, unmapped, rotated, undrawn)


@cache
def draws_cjk() -> bool:
    """Whether pdfium finds a font on this machine for Chinese text in a font the file does not
    embed (STSong-Light, as Acrobat's Chinese exports leave it). Without one it drops every
    one-character text object in such a font, so each page is then checked for objects it drew
    nothing of (a per-object call, 1-4% of a PDF's parse, spared where a CJK font is installed)."""
    import pypdfium2.raw as c

    data = _one_character_pdf()
    buffer = ctypes.create_string_buffer(data, len(data))
    doc = c.FPDF_LoadMemDocument(buffer, len(data), None)
    if not doc:
        return False
    try:
        page = c.FPDF_LoadPage(doc, 0)
        textpage = c.FPDFText_LoadPage(page)
        try:
            return bool(c.FPDFText_CountChars(textpage) > 0)
        finally:
            c.FPDFText_ClosePage(textpage)
            c.FPDF_ClosePage(page)
    finally:
        c.FPDF_CloseDocument(doc)


def _one_character_pdf() -> bytes:
    """A page showing 「０」 alone in STSong-Light (not embedded, UniGB-UCS2-H)."""
    content = b"BT /F1 10 Tf 50 700 Td <ff10> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog) with its cross-reference
    table: the probe above, and the tests' hand-written PDFs."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _embedded(c: Any, text_object: int) -> bool:
    """Whether a text object's font is in the file (rare call: only for objects pdfium drew nothing of)."""
    font = _bind(c, "FPDFTextObj_GetFont", _PTR, _PTR)(text_object)
    return bool(font) and _bind(c, "FPDFFont_GetIsEmbedded", _INT, _PTR)(font) == 1


_MATRIX = struct.Struct("6f")  # pdfium's FS_MATRIX: a, b, c, d, e, f as C floats


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """``inner`` then ``outer``, PDF row-vector convention."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _chars(c: Any, textpage: Any, height: float, limit: int, scaled: bool) -> tuple[list[Char], int]:
    """The page's characters. ``scaled``: some text is drawn through a shrinking matrix, and pdfium
    sizes some of its loose boxes by the font's nominal size (a 199-point box for a 10-point glyph in
    the corpus's WPS exports): a box far taller than the page's usual one is checked against the
    glyph's own box and the matrix, and scaled about the origin when it is one of those."""
    count = c.FPDFText_CountChars(textpage)
    if count <= 0:
        return [], 0
    if count > limit:
        return [Char("", 0, 0, 0, 0)] * count, 0  # over the limit: refused by the caller, never read
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    got = c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")
    aligned = len(text) == count  # a character outside the BMP takes two code units
    rect = c.FS_RECTF()
    ref = ctypes.addressof(rect)
    box = _bind(c, "FPDFText_GetLooseCharBox", _INT, _PTR, _INT, _PTR)
    generated = _bind(c, "FPDFText_IsGenerated", _INT, _PTR, _INT)
    handle = _address(textpage)
    new = tuple.__new__
    chars: list[Char] = []
    index: list[int] = []  # pdfium's index of each char kept
    unmapped = 0
    for i in range(count):
        ch = text[i] if aligned else chr(c.FPDFText_GetUnicode(textpage, i))
        if ch <= " " or ch >= "\ufffd":  # a space, a break, a control or no character: look closer
            if ch in " \r\n\x02" and generated(handle, i) == 1:
                continue  # pdfium's own word and line breaks: pdfplumber sees none
            if ch in "\x00\ufffe" or (
                (ch == "\ufffd" or (ch < " " and ch not in "\t\n\r"))
                and c.FPDFText_HasUnicodeMapError(textpage, i) == 1
            ):
                unmapped += 1  # no Unicode value for the code: pdfminer's "(cid:N)"
        box(handle, i, ref)
        # tuple.__new__ skips the Python-level __new__ a NamedTuple has (a call per character)
        chars.append(new(Char, (ch, rect.left, rect.right, height - rect.top, height - rect.bottom)))
        index.append(i)
    if scaled and chars:
        _repair_boxes(c, textpage, chars, index, height)
    return chars, unmapped


def _repair_boxes(c: Any, textpage: Any, chars: list[Char], index: list[int], height: float) -> None:
    tall = sorted(ch.bottom - ch.top for ch in chars)
    usual = tall[len(tall) // 2]
    limit = 1.5 * usual if usual <= 30 else 0.0  # a page of huge boxes: check every one
    left_, right_, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    matrix = c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    for k, ch in enumerate(chars):
        loose = ch.bottom - ch.top
        if loose <= limit:
            continue
        i = index[k]
        c.FPDFText_GetCharBox(textpage, i, ctypes.byref(left_), ctypes.byref(right_), ctypes.byref(b), ctypes.byref(t))
        glyph = t.value - b.value
        if glyph > 0 and loose > 3 * glyph + 1 and _unscaled(c, textpage, i, matrix, loose):
            c.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(ox), ctypes.byref(oy))
            s = _scale(matrix)
            x0, y0 = ox.value, height - oy.value  # the origin, top-down
            chars[k] = Char(
                ch.text,
                x0 + (ch.x0 - x0) * s,
                x0 + (ch.x1 - x0) * s,
                y0 + (ch.top - y0) * s,
                y0 + (ch.bottom - y0) * s,
            )


def _scale(m: Any) -> float:
    return float(abs(m.a * m.d - m.b * m.c) ** 0.5)


def _unscaled(c: Any, textpage: Any, i: int, matrix: Any, loose: float) -> bool:
    """True when a loose box is as tall as the nominal font size, not the size the matrix draws."""
    c.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix))
    scale = _scale(matrix)
    return scale < 0.9 and loose > 2 * c.FPDFText_GetFontSize(textpage, i) * scale


_PTR, _INT = ctypes.c_void_p, ctypes.c_int


def _bind(c: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    """pdfium's ``name`` on plain addresses: pypdfium2's typed handles cost a conversion on every
    argument and result, most of the time of reading a page's paths."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(_address(getattr(c, name)) or 0)


def _address(handle: Any) -> int | None:
    """A pypdfium2 handle as the plain address the :func:`_bind` functions take."""
    return ctypes.cast(handle, ctypes.c_void_p).value


class _Paths:
    """pdfium's path functions with their out-parameters, bound once per page. Out-parameters are
    passed as plain addresses: a ``byref`` argument costs a conversion on every call."""

    # A segment handle points into the path's array of pdfium's CFX_Path::Point (x, y as floats, the
    # type and the close mark as bytes, padded to 12): one read gives every segment of a path where
    # the functions take three calls a segment. Trusted once the first path read both ways agrees.
    _POINT = struct.Struct("<ffBBxx")
    direct: bool | None = None  # None: not checked yet

    def __init__(self, c: Any) -> None:
        self.c = c
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.modes = (ctypes.addressof(self.fill), ctypes.addressof(self.stroke))
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.point = (ctypes.addressof(self.x), ctypes.addressof(self.y))
        self.rgba = tuple(ctypes.c_uint() for _ in range(4))
        self.colour = tuple(ctypes.addressof(v) for v in self.rgba)
        self.draw_mode = _bind(c, "FPDFPath_GetDrawMode", _INT, _PTR, _PTR, _PTR)
        self.count = _bind(c, "FPDFPath_CountSegments", _INT, _PTR)
        self.segment = _bind(c, "FPDFPath_GetPathSegment", _PTR, _PTR, _INT)
        self.kind = _bind(c, "FPDFPathSegment_GetType", _INT, _PTR)
        self.get_point = _bind(c, "FPDFPathSegment_GetPoint", _INT, _PTR, _PTR, _PTR)
        self.close = _bind(c, "FPDFPathSegment_GetClose", _INT, _PTR)
        self.stroke_colour = _bind(c, "FPDFPageObj_GetStrokeColor", _INT, _PTR, _PTR, _PTR, _PTR, _PTR)
        self.fill_colour = _bind(c, "FPDFPageObj_GetFillColor", _INT, _PTR, _PTR, _PTR, _PTR, _PTR)
        self.move, self.bezier = c.FPDF_SEGMENT_MOVETO, c.FPDF_SEGMENT_BEZIERTO

    def white(self, obj: Any, stroke: bool) -> bool:
        get = self.stroke_colour if stroke else self.fill_colour
        if not get(obj, *self.colour):
            return False
        return min(v.value for v in self.rgba[:3]) >= _WHITE

    def segments(self, obj: Any) -> list[tuple[float, float, int, int]]:
        """Every segment of a path as (x, y, type, closes) in the path's own coordinates."""
        n = self.count(obj)
        if n <= 0:
            return []
        if _Paths.direct is None and n > 1:
            _Paths.direct = self.segment(obj, 1) - self.segment(obj, 0) == self._POINT.size and (
                self._read(obj, n) == self._call(obj, n)
            )
        return self._read(obj, n) if _Paths.direct else self._call(obj, n)

    def _read(self, obj: Any, n: int) -> list[tuple[float, float, int, int]]:
        return list(self._POINT.iter_unpack(ctypes.string_at(self.segment(obj, 0), self._POINT.size * n)))

    def _call(self, obj: Any, n: int) -> list[tuple[float, float, int, int]]:
        out = []
        x, y = self.x, self.y
        for i in range(n):
            seg = self.segment(obj, i)
            self.get_point(seg, *self.point)
            out.append((x.value, y.value, self.kind(seg), self.close(seg)))
        return out


def _path_edges(api: _Paths, obj: Any, m: tuple[float, ...], height: float) -> list[Edge]:
    """The edges of one path object's subpaths, or none when it cannot be seen."""
    if not api.draw_mode(obj, *api.modes):
        return []
    filled, stroked = api.fill.value != 0, bool(api.stroke.value)
    if not filled and not stroked:
        return []  # painted with neither: pdfminer makes no object of it
    segments = api.segments(obj)
    move = api.move
    invisible_fill = filled and not stroked and api.white(obj, stroke=False)
    if invisible_fill and len(segments) >= 4 and all(s[2] != move for s in segments[1:]):
        return []  # a white box (no line in it: a line would be seen whatever its fill)
    a, b, cc, d, e, f = m
    subpaths: list[tuple[str, list[Point]]] = []
    ops: list[str] = []
    pts: list[Point] = []
    bezier = 0
    curve = api.bezier
    # a close mark ends a subpath: only the segment before a move, or the last, can carry one
    last = len(segments) - 1
    for i, (px, py, kind, close) in enumerate(segments):
        point = (a * px + cc * py + e, height - (b * px + d * py + f))
        if kind == move:
            if ops:
                subpaths.append(("".join(ops), pts))
            ops, pts, bezier = ["m"], [point], 0
        elif kind == curve:
            bezier += 1
            if bezier == 3:  # a curve is three points; pdfminer keeps its end point
                ops.append("c")
                pts.append(point)
                bezier = 0
        else:
            ops.append("l")
            pts.append(point)
        if close and ops and (i == last or segments[i + 1][2] == move):
            ops.append("h")
            pts.append(pts[0])
    if ops:
        subpaths.append(("".join(ops), pts))
    edges: list[Edge] = []
    for shape, points in subpaths:
        if not points or shape[:1] != "m":
            continue
        if len(shape) > 3 and shape[-2:] == "lh" and points[-2] == points[0]:
            shape = shape[:-2] + "h"  # a redundant line back to the start before the close
            points = points[:-2] + points[-1:]
        if shape in ("ml", "mlh"):
            if stroked and api.white(obj, stroke=True):
                continue
            (x0, t0), (x1, t1) = points[0], points[1]
            top, bottom = min(t0, t1), max(t0, t1)
            # pdfplumber: a line is horizontal when flat, and vertical otherwise (even a diagonal)
            edges.append(Edge("h" if t0 == t1 else "v", min(x0, x1), max(x0, x1), top, bottom))
            continue
        if invisible_fill:
            continue
        for (x0, t0), (x1, t1) in itertools.pairwise(points):
            if x0 == x1:
                edges.append(Edge("v", x0, x1, min(t0, t1), max(t0, t1)))
            elif t0 == t1:
                edges.append(Edge("h", min(x0, x1), max(x0, x1), t0, t1))
    return edges


# --- the table finder ------------------------------------------------------------------------


@dataclass
class CellGroup:
    cells: list[Bbox | None]

    @property
    def bbox(self) -> Bbox:
        present = [c for c in self.cells if c is not None]
        return (
            min(c[0] for c in present),
            min(c[1] for c in present),
            max(c[2] for c in present),
            max(c[3] for c in present),
        )


class _PageChars:
    """A page's characters with their centres, sorted top to bottom once for all the page's tables."""

    def __init__(self, chars: Sequence[Char]) -> None:
        self.chars = chars

    @cached_property
    def centres(self) -> tuple[list[float], list[float], list[int], list[float]]:
        """Horizontal and vertical centres, the indexes by vertical centre, and those centres in order."""
        chars = self.chars
        hmid = [(ch.x0 + ch.x1) / 2 for ch in chars]
        vmid = [(ch.top + ch.bottom) / 2 for ch in chars]
        order = sorted(range(len(chars)), key=vmid.__getitem__)
        return hmid, vmid, order, [vmid[i] for i in order]

    def outside(self, boxes: Iterable[Bbox]) -> list[Char]:
        """The characters whose centre lies in none of the boxes, in page order. A box only looks at
        the band of characters whose vertical centres it spans (found by bisection)."""
        hmid, _, order, mids = self.centres
        inside = bytearray(len(self.chars))
        for x0, top, x1, bottom in boxes:
            for i in order[bisect_left(mids, top) : bisect_left(mids, bottom)]:
                if x0 <= hmid[i] < x1:
                    inside[i] = 1
        return [ch for ch, hit in zip(self.chars, inside) if not hit]


class FoundTable:
    """A table as pdfplumber's ``Table`` gives it: cells, rows, columns, bbox, extract()."""

    def __init__(self, cells: list[Bbox], chars: _PageChars) -> None:
        self.cells = cells
        self._chars = chars

    def chars_outside(self, boxes: Iterable[Bbox]) -> list[Char]:
        """The page's characters outside all of the boxes (its tables' text left out), in page order."""
        return self._chars.outside(boxes)

    @property
    def bbox(self) -> Bbox:
        c = self.cells
        return (min(b[0] for b in c), min(b[1] for b in c), max(b[2] for b in c), max(b[3] for b in c))

    def _groups(self, axis: int) -> list[CellGroup]:
        anti = 1 - axis
        ordered = sorted(self.cells, key=lambda b: (b[anti], b[axis]))
        xs = sorted({b[axis] for b in self.cells})
        out = []
        for _, group in itertools.groupby(ordered, key=lambda b: b[anti]):
            by = {b[axis]: b for b in group}
            out.append(CellGroup([by.get(x) for x in xs]))
        return out

    @cached_property
    def rows(self) -> list[CellGroup]:
        return self._groups(0)

    @cached_property
    def columns(self) -> list[CellGroup]:
        return self._groups(1)

    def extract(self) -> list[list[str | None]]:
        """Every cell's text (lines joined with newlines), '' for an empty cell, None for no cell."""
        chars = self._chars.chars
        hmid, vmid, order, mids = self._chars.centres
        out: list[list[str | None]] = []
        for row in self.rows:
            _, top, _, bottom = row.bbox
            ids = sorted(order[bisect_left(mids, top) : bisect_left(mids, bottom)])
            present = [cell for cell in row.cells if cell is not None]
            if all(a[2] <= b[0] for a, b in itertools.pairwise(present)):
                # side by side (the usual row): each character's centre is in at most one cell's
                # columns, found by bisection, so the row's characters are dealt out in one pass
                lefts = [cell[0] for cell in present]
                found: dict[Bbox, list[Char]] = {cell: [] for cell in present}
                for i in ids:
                    k = bisect_right(lefts, hmid[i]) - 1
                    if k >= 0:
                        _, top, x1, bottom = cell = present[k]
                        if hmid[i] < x1 and top <= vmid[i] < bottom:
                            found[cell].append(chars[i])
            else:
                found = {
                    cell: [chars[i] for i in ids if cell[0] <= hmid[i] < cell[2] and cell[1] <= vmid[i] < cell[3]]
                    for cell in present
                }
            out.append([None if cell is None else cell_text(found[cell]) if found[cell] else "" for cell in row.cells])
        return out


def find_tables(edges: Iterable[Edge], chars: Sequence[Char], explicit: Sequence[Bbox] = ()) -> list[FoundTable]:
    """pdfplumber's default ("lines") tables from the page's edges and explicit outline boxes."""
    base = [e for e in edges if e.orientation in ("h", "v") and e.length >= 1]
    for x0, top, x1, bottom in explicit:
        base += [
            Edge("h", x0, x1, top, top),
            Edge("h", x0, x1, bottom, bottom),
            Edge("v", x0, x0, top, bottom),
            Edge("v", x1, x1, top, bottom),
        ]
    merged = [e for e in merge_edges(base) if e.length >= MIN_EDGE]
    cells = intersections_to_cells(edges_to_intersections(merged))
    shared = _PageChars(chars)
    return [FoundTable(t, shared) for t in cells_to_tables(cells)]


def merge_edges(edges: list[Edge]) -> list[Edge]:
    """Snap edges within the tolerance to their mean position, then join collinear pieces."""
    vertical = _snap([e for e in edges if e.orientation == "v"], "x0")
    horizontal = _snap([e for e in edges if e.orientation == "h"], "top")

    groups: dict[tuple[str, float], list[Edge]] = {}  # in first-seen order within each position
    for e in vertical + horizontal:
        groups.setdefault(("h", e.top) if e.orientation == "h" else ("v", e.x0), []).append(e)
    out: list[Edge] = []
    for key in sorted(groups):
        out.extend(_join(groups[key], key[0]))
    return out


def _snap(edges: list[Edge], attr: str) -> list[Edge]:
    out = []
    get = operator.attrgetter(attr)
    for cluster in cluster_objects(edges, get, TOLERANCE):
        values = [get(e) for e in cluster]
        mean = sum(values) / len(values)
        for e, value in zip(cluster, values):
            diff = mean - value
            if diff == 0:
                out.append(e)  # already at the mean: edges are never changed in place, so share it
            elif attr == "x0":
                out.append(Edge(e.orientation, e.x0 + diff, e.x1 + diff, e.top, e.bottom))
            else:
                out.append(Edge(e.orientation, e.x0, e.x1, e.top + diff, e.bottom + diff))
    return out


def _join(edges: list[Edge], orientation: str) -> list[Edge]:
    if orientation == "h":
        ordered = sorted(edges, key=lambda e: e.x0)
        joined = [ordered[0]]
        for e in ordered[1:]:
            last = joined[-1]
            if e.x0 <= last.x1 + TOLERANCE:
                if e.x1 > last.x1:
                    joined[-1] = Edge(last.orientation, last.x0, e.x1, last.top, last.bottom)
            else:
                joined.append(e)
        return joined
    ordered = sorted(edges, key=lambda e: e.top)
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e.top <= last.bottom + TOLERANCE:
            if e.bottom > last.bottom:
                joined[-1] = Edge(last.orientation, last.x0, last.x1, last.top, e.bottom)
        else:
            joined.append(e)
    return joined


Intersections = dict[Point, tuple[set[Bbox], set[Bbox]]]  # point -> (vertical, horizontal) edge boxes


def edges_to_intersections(edges: list[Edge]) -> Intersections:
    vs = [e for e in edges if e.orientation == "v"]
    hs = sorted((e for e in edges if e.orientation == "h"), key=lambda e: e.top)
    tops = [h.top for h in hs]
    out: Intersections = {}
    tol = TOLERANCE
    for v in vs:
        x = v.x0
        for h in hs[bisect_left(tops, v.top - tol) : bisect_right(tops, v.bottom + tol)]:
            if h.x0 - tol <= x <= h.x1 + tol:
                point = (x, h.top)
                found = out.get(point)
                if found is None:
                    found = out[point] = (set(), set())
                found[0].add(v.bbox)
                found[1].add(h.bbox)
    return out


def intersections_to_cells(inter: Intersections) -> list[Bbox]:
    """The smallest cell with four connected corners at each intersection (pdfplumber's order)."""
    points = sorted(inter)
    by_x: dict[float, list[float]] = {}
    by_y: dict[float, list[float]] = {}
    for x, y in points:
        by_x.setdefault(x, []).append(y)  # ascending: points are sorted by x then y
        by_y.setdefault(y, []).append(x)
    for xs in by_y.values():
        xs.sort()

    cells: list[Bbox] = []
    last = len(points) - 1
    for i, pt in enumerate(points):
        if i == last:
            break
        x, y = pt
        vertical, horizontal = inter[pt]
        ys, xs = by_x[x], by_y[y]
        # the first point below joined by a vertical edge, and one to the right joined by a horizontal
        # one, whose corner closes the cell (pdfplumber's search order)
        right: list[float] | None = None
        found = None
        for by in ys[bisect_right(ys, y) :]:
            below = inter[(x, by)]
            if vertical.isdisjoint(below[0]):
                continue
            if right is None:
                right = [rx for rx in xs[bisect_right(xs, x) :] if not horizontal.isdisjoint(inter[(rx, y)][1])]
            for rx in right:
                corner = inter.get((rx, by))
                if (
                    corner is not None
                    and not corner[0].isdisjoint(inter[(rx, y)][0])
                    and not corner[1].isdisjoint(below[1])
                ):
                    found = (x, y, rx, by)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def cells_to_tables(cells: list[Bbox]) -> list[list[Bbox]]:
    """Cells grouped into tables by shared corners; tables of one cell dropped (pdfplumber's).

    pdfplumber sweeps the remaining cells until a sweep adds none: each table is the set of cells
    linked to its first cell through shared corners, which a walk over a corner index finds.
    """

    corners = [((x0, top), (x0, bottom), (x1, top), (x1, bottom)) for x0, top, x1, bottom in cells]
    by_corner: dict[Point, list[int]] = {}
    for i, points in enumerate(corners):
        for p in points:
            by_corner.setdefault(p, []).append(i)
    seen = [False] * len(cells)
    tables: list[list[Bbox]] = []
    for start in range(len(cells)):
        if seen[start]:
            continue
        seen[start] = True
        todo, table = [start], []
        while todo:
            i = todo.pop()
            table.append(cells[i])
            for p in corners[i]:
                for j in by_corner[p]:
                    if not seen[j]:
                        seen[j] = True
                        todo.append(j)
        tables.append(table)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


# --- text ------------------------------------------------------------------------------------


def cluster_objects(
    items: list[T], key: Callable[[T], float], tolerance: float, keep_order: bool = False
) -> list[list[T]]:
    """pdfplumber's cluster_objects: values chained within ``tolerance`` form one cluster."""
    keys = [key(x) for x in items]
    index: dict[float, int] = {}
    cluster = -1
    last = 0.0
    for v in sorted(set(keys)):
        if cluster < 0 or v > last + tolerance or tolerance == 0:
            cluster += 1
        index[v] = cluster
        last = v
    if cluster == 0:
        return [list(items)] if items else []
    tagged = [(index[k], x) for k, x in zip(keys, items)]
    if not keep_order:
        tagged.sort(key=_first)
    return [[x for _, x in group] for _, group in itertools.groupby(tagged, key=_first)]


def _first(t: tuple[int, Any]) -> int:
    return t[0]


def _x0(ch: Char) -> float:
    return ch.x0


def _top(ch: Char | Word) -> float:
    return ch.top


def words(chars: list[Char]) -> list[tuple[Word, list[Char]]]:
    """Words of upright text, line by line: cut at spaces and at gaps over the tolerance."""
    return [(_word(group), group) for group in _word_chars(chars)]


def _word_chars(chars: list[Char]) -> list[list[Char]]:
    """The characters of each word, line by line (what :func:`words` boxes)."""
    out: list[list[Char]] = []
    for line in _lines(chars):
        out += _split(sorted(line, key=_x0))
    return out


def _split(line: list[Char]) -> list[list[Char]]:
    """One line's characters, sorted left to right, cut into words."""
    out: list[list[Char]] = []
    tol = TOLERANCE
    current: list[Char] = []
    prev: Char | None = None
    for ch in line:
        if ch.text.isspace():
            if current:
                out.append(current)
            current, prev = [], None
        elif prev is not None and (ch.x0 < prev.x0 or ch.x0 > prev.x1 + tol or abs(ch.top - prev.top) > tol):
            out.append(current)
            current, prev = [ch], ch
        else:
            current.append(ch)
            prev = ch
    if current:
        out.append(current)
    return out


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters clustered by top; one line when all tops lie within the tolerance (the usual cell)."""
    if not chars:
        return []
    tops = [ch.top for ch in chars]
    if max(tops) - min(tops) <= TOLERANCE:
        return [list(chars)]
    return cluster_objects(chars, _top, TOLERANCE)


def _word(chars: list[Char]) -> Word:
    first = chars[0]
    x0, x1, top, bottom = first.x0, first.x1, first.top, first.bottom
    for ch in chars:
        if ch.x0 < x0:
            x0 = ch.x0
        if ch.x1 > x1:
            x1 = ch.x1
        if ch.top < top:
            top = ch.top
        if ch.bottom > bottom:
            bottom = ch.bottom
    return Word(_text(chars), x0, x1, top, bottom)


def _text(chars: list[Char]) -> str:
    text = "".join([ch.text for ch in chars])
    if not _LIGATURE_SET.isdisjoint(text):
        text = "".join(_LIGATURES.get(ch, ch) for ch in text)
    return text


def cell_text(chars: list[Char]) -> str:
    """pdfplumber's extract_text (not layout): words joined by spaces, lines by newlines."""
    tops = [ch.top for ch in chars]
    if tops and max(tops) - min(tops) <= TOLERANCE:
        # one line of characters (the usual cell): its words' tops are within the tolerance too, so
        # only their texts are needed, not their boxes
        return " ".join([_text(group) for group in _split(sorted(chars, key=_x0))])
    found = [w for w, _ in words(chars)]
    if found and max(w.top for w in found) - min(w.top for w in found) <= TOLERANCE:
        return " ".join([w.text for w in found])  # one line (cluster_objects would give one cluster)
    lines = cluster_objects(found, _top, TOLERANCE)
    return "\n".join(" ".join(w.text for w in line) for line in lines)


def text_lines(chars: list[Char]) -> list[TextLine]:
    """pdfplumber's extract_text_lines (not layout): one line per cluster of words, with its box."""
    found = words(chars)
    out = []
    for line in cluster_objects(found, lambda t: t[0].top, TOLERANCE, keep_order=True):
        text = " ".join(w.text for w, _ in line).strip(" ")
        if not text:
            continue
        members = [ch for _, chs in line for ch in chs]
        out.append(
            TextLine(
                text,
                min(ch.x0 for ch in members),
                max(ch.x1 for ch in members),
                min(ch.top for ch in members),
                max(ch.bottom for ch in members),
            )
        )
    return out


def _centre_in(ch: Char, bbox: Bbox) -> bool:
    x0, top, x1, bottom = bbox
    h = (ch.x0 + ch.x1) / 2
    v = (ch.top + ch.bottom) / 2
    return x0 <= h < x1 and top <= v < bottom
