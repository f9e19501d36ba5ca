"""Images and scanned PDFs: ruled tables found in the picture, each cell recognised alone, offline.

Engine: rapidocr-onnxruntime (the ``ocr`` extra), whose wheel ships the PP-OCRv4 models and runs them
with onnxruntime on the CPU; nothing is downloaded at run time. Only its *recognition* model is used.
Measured on noisy 150-dpi scans of table 3 (/work/shared/OCR_NOTES.md), whole-page detection misread
multi-digit numbers (39 as 68, 1705 as 17.05) and missed most single-digit cells; so, as pdfplumber
does with vector tables, structure comes first and text second:

1. :func:`load_page` decodes the picture to grey and :func:`deskew` straightens a tilted scan (the
   angle whose row profile is sharpest: ruling lines and text lines are horizontal then).
2. :func:`find_grids` finds the ruling lines (long horizontal and vertical runs of ink), groups them
   into tables, and resolves each table's cell grid: the elementary cells between consecutive lines,
   merged where the line between two of them is missing (a rowspan/colspan).
3. :func:`text_lines` cuts the ink outside the tables into text lines (and a line into segments at
   wide gaps, so an unruled table row reads as 「label n n n」).
4. Every cell crop and line segment is recognised by :class:`Recognizer` in batches, with one
   confidence per character (the CTC probability of the character, lowered where a character may
   have been dropped). A crop with no ink but specks is a blank (a doubtful one where a speck is
   bigger than dust: a worn-down 「1」); a crop with ink that reads as nothing is an unread cell
   (null, confidence 0), never a blank.
5. :func:`emit` turns grids into cells exactly like the HTML reader (``Location(table, row, column,
   page)``, ``row_id=(table, row)``, span copies marked) and lines into ``tokenize_text`` cells, in
   reading order, so the same mapper reads them. Each cell's confidence (its lowest character's) sits
   in :attr:`OcrResult.confidence`, keyed by the cell's location.

Stages 1-2 (:func:`analyse`, a :class:`Layout`) are cheap next to recognition: ``readers/images.py``
runs them first on an HTML page's ``<img>`` pictures and reads (:func:`ocr_layouts`) only those holding
a ruled table, as numbered pages.

Bounded work: a picture over :data:`MAX_PIXELS` is refused as too large before it is decoded, a PDF
with more than :data:`MAX_PAGES` pages as too complex, and a page with more than :data:`MAX_CROPS`
crops to recognise as too complex.
"""

from __future__ import annotations

import io
import re
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec

from ..cells import Cell, Location, classify, tokenize_text
from ..errors import ReportError, too_complex, too_large
from ..record import LOW_CONFIDENCE

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

    # A grey picture (white paper = 255) or a mask (ink = 255), one byte a pixel. OpenCV and numpy
    # are optional (the ocr extra): the code reaches them through _modules(), typed Any.
    Picture = NDArray[numpy.uint8]

NEEDS_EXTRA = "reading images needs OCR: pip install 'disclosure-cli[ocr]'"
MAX_PIXELS = 60_000_000  # a 200-dpi A4 page is 3.9 Mpx; a 20-page report stacked in one PNG is 78 Mpx
MAX_PAGES = 50
MAX_CROPS = 4_000  # crops recognised on one page; a page of table 3 has about 300
THREADS = 2  # onnxruntime threads: the machines have 2 cores, shared
PDF_DPI = 200


class OcrResult(msgspec.Struct):
    """The cells of the pictures, each cell's recognition confidence (0-1; 1.0 for a blank crop and
    for span copies' originals alike), and where the time went."""

    cells: list[Cell]
    confidence: dict[Location, float]
    pages: int = 0
    seconds_engine: float = 0.0  # in the recognition model
    seconds_total: float = 0.0

    def doubtful(self, threshold: float = LOW_CONFIDENCE) -> set[Location]:
        return {loc for loc, p in self.confidence.items() if p < threshold}


# --- the engine -------------------------------------------------------------------------------


def _modules() -> tuple[Any, Any]:
    try:
        import cv2
        import numpy as np
        from rapidocr_onnxruntime import ch_ppocr_rec  # noqa: F401
    except ImportError:
        raise ReportError("needs-extra", NEEDS_EXTRA) from None
    return cv2, np


class Recognizer:
    """The wheel's PP-OCRv4 recognition model, with a CTC decoding that keeps each character's probability."""

    def __init__(self, threads: int = THREADS) -> None:
        from pathlib import Path

        import rapidocr_onnxruntime
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        from rapidocr_onnxruntime.utils import read_yaml

        root = Path(rapidocr_onnxruntime.__file__).resolve().parent
        config = read_yaml(str(root / "config.yaml"))["Rec"]
        config.update(model_path=str(root / config["model_path"]), intra_op_num_threads=threads, inter_op_num_threads=1)
        self._rec = TextRecognizer(config)
        self.characters: list[str] = self._rec.postprocess_op.character
        self.seconds = 0.0

    def __call__(
        self, crops: list[Picture], batch: int = 8, min_ratio: float = 320 / 48
    ) -> list[tuple[str, list[float]]]:
        """Text and per-character confidences of each grey crop (one line of text each)."""
        cv2, np = _modules()
        out: list[tuple[str, list[float]]] = [("", [])] * len(crops)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        for a in range(0, len(order), batch):
            idx = order[a : a + batch]
            ratio = max(min_ratio, *(crops[i].shape[1] / crops[i].shape[0] for i in idx))
            width = int(48 * ratio)
            tensor = np.zeros((len(idx), 3, 48, width), dtype=np.float32)
            for k, i in enumerate(idx):
                h, w = crops[i].shape
                rw = min(width, int(np.ceil(48 * w / h)))
                img = cv2.resize(crops[i], (rw, 48)).astype(np.float32) / 127.5 - 1.0
                tensor[k, :, :, :rw] = img[None, :, :]
            start = time.perf_counter()
            preds = self._rec.session(tensor)[0]
            self.seconds += time.perf_counter() - start
            for k, i in enumerate(idx):
                out[i] = self._decode(preds[k], np)
        return out

    def _decode(self, pred: NDArray[numpy.float32], np: Any) -> tuple[str, list[float]]:
        best = pred.argmax(axis=1)
        prob = pred.max(axis=1)
        chars: list[str] = []
        confs: list[float] = []
        runs: list[tuple[int, int, int]] = []  # (class, first frame, last frame) of each character
        prev = 0
        for t, k in enumerate(best):
            if k != 0 and k != prev:
                runs.append((int(k), t, t))
                chars.append(self.characters[k])
                confs.append(float(prob[t]))
            elif k != 0:
                runs[-1] = (runs[-1][0], runs[-1][1], t)
                confs[-1] = max(confs[-1], float(prob[t]))
            prev = k
        # a blank frame where another character nearly won: a character may have been dropped there
        second = pred.copy()
        second[:, 0] = 0
        alt = second.argmax(axis=1)
        alt_p = second.max(axis=1)
        for t in np.nonzero((best == 0) & (alt_p > 0.1))[0]:
            n = next((j for j, r in enumerate(runs) if r[1] > t), len(runs))
            near = {runs[j][0] for j in (n - 1, n) if 0 <= j < len(runs)}
            if int(alt[t]) not in near:
                p = 1.0 - float(alt_p[t])
                if n < len(confs):
                    confs[n] = min(confs[n], p)
                if n > 0:
                    confs[n - 1] = min(confs[n - 1], p)
                if not confs:
                    confs.append(p)
                    chars.append("")
        return "".join(chars), confs


@lru_cache(maxsize=1)
def recognizer() -> Recognizer:
    _modules()
    return Recognizer()


# --- stage 1: the page ------------------------------------------------------------------------


def load_page(data: bytes) -> Picture:
    """The picture as a grey numpy array (uint8, white paper = 255)."""
    _, np = _modules()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise too_large(w * h, MAX_PIXELS, what="picture (pixels)")
            im.draft("L", im.size)
            grey: Picture = np.asarray(im.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ReportError("unreadable", "broken picture (not a readable PNG, JPEG or TIFF)") from None
    return grey


def deskew(grey: Picture) -> tuple[Picture, float]:
    """The page rotated upright and the angle (degrees) it was turned by."""
    cv2, np = _modules()
    h, w = grey.shape
    scale = min(1.0, 900 / w)
    small = cv2.resize(grey, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(ink, m, (sw, sh)).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-3.0, 3.01, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.26, 0.05), key=sharpness)
    if abs(best) < 0.05:
        return grey, 0.0
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(best), 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255), float(best)


def _ink(grey: Picture) -> Picture:
    cv2, _ = _modules()
    ink: Picture
    _, ink = cv2.threshold(cv2.medianBlur(grey, 3), 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def glyph_height(ink: Picture) -> float:
    """The typical height of a character in pixels (the median of the ink blobs of text size)."""
    cv2, np = _modules()
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    ok = hs[(hs >= 6) & (hs <= 150) & (ws <= 150)]
    return float(np.median(ok)) if len(ok) else 20.0


# --- stage 2: ruled tables --------------------------------------------------------------------
class Box(msgspec.Struct):
    """A cell of a grid: its elementary rows and columns and its pixel rectangle."""

    row: int
    column: int
    rowspan: int
    colspan: int
    rect: tuple[int, int, int, int]  # x0, y0, x1, y1
    text: str = ""
    confidence: float = 1.0
    blank: bool = True


class Grid(msgspec.Struct):
    rect: tuple[int, int, int, int]
    rows: int
    columns: int
    boxes: list[Box] = msgspec.field(default_factory=list)


def _positions(profile: NDArray[numpy.intp], least: float) -> list[int]:
    """Centres of the runs where ``profile`` reaches ``least`` (the lines, 1-5 px thick)."""
    out: list[int] = []
    start = None
    for i, v in enumerate([*profile, 0]):
        if v >= least and start is None:
            start = i
        elif v < least and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    merged: list[int] = []
    for p in out:
        if merged and p - merged[-1] <= 4:
            merged[-1] = (merged[-1] + p) // 2
        else:
            merged.append(p)
    return merged


def find_grids(ink: Picture, unit: float) -> tuple[list[Grid], Picture]:
    """The ruled tables of a page, and the ink with their lines taken out."""
    cv2, np = _modules()
    h_len, v_len = max(20, int(2.6 * unit)), max(12, int(1.25 * unit))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    horiz = cv2.dilate(horiz, close)
    vert = cv2.dilate(vert, close)
    lines = cv2.bitwise_or(horiz, vert)
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grids = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if w < 6 * unit or h < 2 * unit:
            continue  # an underline or a box around one word, not a table
        hs = horiz[y : y + h, x : x + w] > 0
        vs = vert[y : y + h, x : x + w] > 0
        ys = _positions(hs.sum(axis=1), h_len)
        xs = _positions(vs.sum(axis=0), v_len)
        if len(ys) < 2 or len(xs) < 2:
            continue
        grids.append(_resolve(hs, vs, xs, ys, (x, y, x + w, y + h)))
    ruled = np.zeros_like(lines)  # only the tables' lines are taken out: a big title's strokes are text
    for g in grids:
        x0, y0, x1, y1 = g.rect
        ruled[y0:y1, x0:x1] = lines[y0:y1, x0:x1]
    return grids, cv2.bitwise_and(ink, cv2.bitwise_not(ruled))


def _resolve(
    hs: NDArray[numpy.bool_], vs: NDArray[numpy.bool_], xs: list[int], ys: list[int], rect: tuple[int, int, int, int]
) -> Grid:
    """Elementary cells between the lines, merged where the line between two of them is missing."""
    nr, nc = len(ys) - 1, len(xs) - 1

    def has_vertical(r: int, c: int) -> bool:  # the line at xs[c] between ys[r] and ys[r+1]
        a, b = ys[r] + 3, ys[r + 1] - 3
        if b <= a:
            return True
        return bool(vs[a:b, max(0, xs[c] - 2) : xs[c] + 3].any(axis=1).mean() > 0.6)

    def has_horizontal(r: int, c: int) -> bool:  # the line at ys[r] between xs[c] and xs[c+1]
        a, b = xs[c] + 3, xs[c + 1] - 3
        if b <= a:
            return True
        return bool(hs[max(0, ys[r] - 2) : ys[r] + 3, a:b].any(axis=0).mean() > 0.6)

    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not has_vertical(r, c + 1):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not has_horizontal(r + 1, c):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(find(r * nc + c), []).append((r, c))
    x0, y0 = rect[0], rect[1]
    grid = Grid(rect, nr, nc)
    for cells in members.values():
        r0, r1 = min(r for r, _ in cells), max(r for r, _ in cells)
        c0, c1 = min(c for _, c in cells), max(c for _, c in cells)
        box = (x0 + xs[c0], y0 + ys[r0], x0 + xs[c1 + 1], y0 + ys[r1 + 1])
        grid.boxes.append(Box(r0, c0, r1 - r0 + 1, c1 - c0 + 1, box))
    grid.boxes.sort(key=lambda b: (b.row, b.column))
    return grid


# --- stage 3: text lines ----------------------------------------------------------------------


def _bands(mask: Picture, unit: float, axis: int, gap: float) -> list[tuple[int, int]]:
    """Runs of ink along ``axis`` (1: rows of a block, 0: columns of a line), joined over gaps < ``gap``."""
    _, np = _modules()
    prof = (mask > 0).sum(axis=axis)
    on = np.nonzero(prof > 0)[0]
    if not len(on):
        return []
    bands = []
    start = prev = int(on[0])
    for p in on[1:]:
        p = int(p)
        if p - prev > gap:
            bands.append((start, prev + 1))
            start = p
        prev = p
    bands.append((start, prev + 1))
    return bands


def _clean(mask: Picture, unit: float) -> Picture:
    """``mask`` without specks: blobs smaller than a stroke of a character."""
    cv2, np = _modules()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    least = max(3, unit * 0.3)
    keep[1:] = (np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]) >= least) & (
        stats[1:, cv2.CC_STAT_AREA] >= max(6, unit * 0.5)
    )
    cleaned: Picture = np.where(keep[labels], mask, 0).astype(np.uint8)
    return cleaned


class TextLine(msgspec.Struct):
    top: int
    bottom: int
    segments: list[tuple[int, int, int, int]]  # x0, y0, x1, y1 of each run of words
    text: str = ""
    confidences: list[float] = msgspec.field(default_factory=list)  # one per character of ``text``


def text_lines(text_ink: Picture, unit: float, grids: list[Grid]) -> list[TextLine]:
    _, np = _modules()
    mask = text_ink.copy()
    for g in grids:
        x0, y0, x1, y1 = g.rect
        mask[max(0, y0 - 3) : y1 + 4, max(0, x0 - 3) : x1 + 4] = 0
    mask = _clean(mask, unit)
    out = []
    for top, bottom in _bands(mask, unit, axis=1, gap=max(1, unit * 0.12)):
        if bottom - top < unit * 0.45:
            continue  # a stray mark, a rule under a heading
        band = mask[top:bottom]
        segs = []
        for a, b in _bands(band, unit, axis=0, gap=unit * 2.2):
            ys = np.nonzero(band[:, a:b].any(axis=1))[0]
            segs.append((a, top + int(ys[0]), b, top + int(ys[-1]) + 1))
        out.append(TextLine(top, bottom, segs))
    return out


# --- stage 4: recognition ---------------------------------------------------------------------


def _crop(grey: Picture, rect: tuple[int, int, int, int], unit: float) -> Picture:
    """A line of text cut out with a margin, as the recognition model was trained on."""
    cv2, _ = _modules()
    x0, y0, x1, y1 = rect
    pad = max(2, int(unit * 0.3))
    h, w = grey.shape
    crop = grey[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
    padded: Picture = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return padded


def _cell_lines(text_ink: Picture, grey: Picture, box: Box, unit: float) -> list[tuple[int, int, int, int]]:
    """The text lines inside a grid cell (ink rectangles); none when the cell holds only specks."""
    _, np = _modules()
    x0, y0, x1, y1 = box.rect
    inset = 4
    inner = text_ink[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
    if inner.size == 0:
        return []
    raw, inner = inner, _clean(inner, unit)
    out = []
    for a, b in _bands(inner, unit, axis=1, gap=max(1, unit * 0.15)):
        if b - a < unit * 0.12 and not inner[a:b].sum() > 255 * unit:  # a speck line, not a dash
            continue
        cols = np.nonzero(inner[a:b].any(axis=0))[0]
        left, right = int(cols[0]), int(cols[-1])
        # marks as small as specks next to the text belong to it (the 「-」 of 「-78」, a decimal point)
        marks = np.nonzero(raw[a:b].any(axis=0))[0]
        for c in marks[marks < left][::-1]:
            if left - c > unit * 0.8:
                break
            left = int(c)
        for c in marks[marks > right]:
            if c - right > unit * 0.8:
                break
            right = int(c)
        out.append((x0 + inset + left, y0 + inset + a, x0 + inset + right + 1, y0 + inset + b))
    return out


def _faint_mark(text_ink: Picture, box: Box, unit: float) -> bool:
    """Does a cell read as blank hold a mark bigger than dust though smaller than a stroke? A thin
    「1」 that scanning and deskewing wore down to a few pixels looks like that: the blank is doubtful.
    Dust (a dot of one to four pixels) is not such a mark."""
    cv2, np = _modules()
    x0, y0, x1, y1 = box.rect
    inner = text_ink[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4]
    if inner.size == 0 or not inner.any():
        return False
    _, _, stats, _ = cv2.connectedComponentsWithStats(inner, connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA]
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    return bool(((area >= max(6, unit * 0.4)) | ((extent >= 4) & (area >= 3))).any())


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and p[:1].isascii() and p[:1].isalnum():
            out += " "
        out += p
    return out


# a number as printed: each of its characters is one mark on the page
_NUMERIC = re.compile(r"[0-9０-９,，.．+＋\-－]+")
_POINTS = re.compile(r"[,，.．]")


def _blobs(mask: Picture) -> int:
    """Marks in a crop, the smallest included (a hyphen, a point); single stray pixels excluded."""
    cv2, _ = _modules()
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= 3).sum())


def recognise(
    grey: Picture, text_ink: Picture, unit: float, grids: list[Grid], lines: list[TextLine], rec: Recognizer
) -> None:
    """Read every cell and line segment. A crop with specks on it (dust, a dot of noise: blobs smaller
    than a stroke) is read twice, as scanned and with the specks wiped; where the two readings differ
    (a speck read as a decimal point, a real point taken for a speck) every character is doubtful."""
    cv2, np = _modules()
    specks = cv2.dilate(cv2.bitwise_and(text_ink, cv2.bitwise_not(_clean(text_ink, unit))), np.ones((3, 3), np.uint8))
    wiped = np.where(specks > 0, 255, grey).astype(np.uint8)
    crops = []
    owners: list[object] = []
    second: dict[int, int] = {}  # crop index -> index of its speck-free twin
    rects: list[tuple[int, int, int, int]] = []
    for g in grids:
        for box in g.boxes:
            inside = _cell_lines(text_ink, grey, box, unit)
            box.blank = not inside
            for r in inside:
                rects.append(r)
                owners.append(box)
    for line in lines:
        for seg in line.segments:
            rects.append(seg)
            owners.append(line)
    for r in rects:
        crops.append(_crop(grey, r, unit))
    for i, (x0, y0, x1, y1) in enumerate(rects):
        if specks[y0:y1, x0:x1].any():
            second[i] = len(crops)
            crops.append(_crop(wiped, rects[i], unit))
    if len(crops) > MAX_CROPS:
        raise too_complex(f"a page with over {MAX_CROPS:,} pieces of text")
    results = rec(crops)
    for i, j in second.items():
        if results[i][0] != results[j][0]:
            text, confs = results[i]
            results[i] = (text, [min(p, 0.5) for p in confs] or [0.0])
    for i, (x0, y0, x1, y1) in enumerate(rects):
        text, confs = results[i]
        if not _NUMERIC.fullmatch(text):
            continue
        marks = _blobs(text_ink[y0:y1, x0:x1])
        # more marks than characters: a sign, digit or point was dropped (「-78」 read as 78); fewer,
        # with a point or comma read: it is no mark of its own (a speck on a digit: 「347」 as 34.7)
        if marks > len(text) or (marks < len(text) and _POINTS.search(text)):
            results[i] = (text, [min(p, 0.5) for p in confs])
    texts: dict[int, list[tuple[str, list[float]]]] = {}
    for owner, res in zip(owners, results):
        texts.setdefault(id(owner), []).append(res)
    for g in grids:
        for box in g.boxes:
            got = texts.get(id(box), [])
            box.text = _join([t for t, _ in got])
            confs = [p for _, c in got for p in c]
            box.confidence = min(confs) if confs else (1.0 if box.blank else 0.0)
            if not box.blank and not box.text.strip():
                box.confidence = 0.0  # ink that reads as nothing: unread, not blank
            elif box.blank and _faint_mark(text_ink, box, unit):
                box.confidence = 0.5  # a blank, perhaps: a worn-down digit is no certain blank
    for line in lines:
        parts = texts.get(id(line), [])
        text, confs = "", []
        for t, c in parts:
            if not t:
                continue
            if text:
                text += " "
                confs.append(1.0)
            text += t
            confs.extend(c[: len(t)] + [min(c or [0.0])] * (len(t) - len(c)))
        line.text, line.confidences = text, confs


# --- stage 5: cells ---------------------------------------------------------------------------
class Page(msgspec.Struct):
    number: int | None
    grids: list[Grid]
    lines: list[TextLine]
    angle: float = 0.0


class Layout(msgspec.Struct):
    """A page straightened, its glyph size, its ruled tables and the ink outside their lines: what is
    known before any text is recognised (a small share of the cost of reading the page)."""

    grey: Picture
    angle: float
    unit: float
    grids: list[Grid]
    text_ink: Picture


def analyse(grey: Picture) -> Layout:
    """Stages 1 and 2 of a page: deskewed, its ink measured, its ruled tables found."""
    grey, angle = deskew(grey)
    ink = _ink(grey)
    unit = glyph_height(ink)
    grids, text_ink = find_grids(ink, unit)
    return Layout(grey, angle, unit, grids, text_ink)


def read_layout(layout: Layout, number: int | None, rec: Recognizer) -> Page:
    """Stages 3 and 4 of an analysed page: its text lines cut, every crop recognised."""
    lines = text_lines(layout.text_ink, layout.unit, layout.grids)
    recognise(layout.grey, layout.text_ink, layout.unit, layout.grids, lines, rec)
    return Page(number, layout.grids, lines, layout.angle)


def read_page(grey: Picture, number: int | None, rec: Recognizer) -> Page:
    return read_layout(analyse(grey), number, rec)


def emit(pages: list[Page]) -> OcrResult:
    cells: list[Cell] = []
    conf: dict[Location, float] = {}
    tables = lineno = 0
    for page in pages:
        items: list[tuple[int, object]] = [(g.rect[1], g) for g in page.grids]
        items += [(line.top, line) for line in page.lines]
        items.sort(key=lambda it: it[0])
        for _, item in items:
            if isinstance(item, Grid):
                tables += 1
                _emit_grid(item, tables, page.number, cells, conf)
                continue
            assert isinstance(item, TextLine)
            if not item.text.strip():
                continue
            lineno += 1
            for cell in tokenize_text(item.text, lineno):
                loc = msgspec.structs.replace(cell.loc, page=page.number)
                cells.append(msgspec.structs.replace(cell, loc=loc))
                start = (cell.loc.column or 1) - 1
                span = item.confidences[start : start + max(1, len(cell.raw))] or [1.0]
                conf[loc] = min(span)
    return OcrResult(cells, conf, pages=len(pages))


# A cell holding only a dash (a blank) reads as 「一」 (one): the glyphs are the same stroke.
_DASH_LOOKALIKES = {"一": "—", "ー": "—", "_": "—", "一一": "——"}


def _emit_grid(grid: Grid, number: int, page: int | None, cells: list[Cell], conf: dict[Location, float]) -> None:
    slots: dict[tuple[int, int], tuple[Box, bool]] = {}
    for box in grid.boxes:
        for dr in range(box.rowspan):
            for dc in range(box.colspan):
                slots[box.row + dr, box.column + dc] = (box, dr > 0 or dc > 0)
    read: dict[int, Cell] = {}
    for r in range(grid.rows):
        for c in range(grid.columns):
            box, copy = slots[r, c]
            first = read.get(id(box))
            if first is None:
                first = read[id(box)] = classify(_DASH_LOOKALIKES.get(box.text, box.text), Location())
                if box.confidence == 0.0 and not box.blank:
                    first = Cell(box.text, "null", Location())  # unread: no number is taken from it
            if copy and first.kind == "null":
                continue
            loc = Location(table=number, row=r + 1, column=c + 1, page=page)
            cells.append(Cell(first.raw, first.kind, loc, (number, r), first.number, first.unit, copy))
            conf[loc] = box.confidence


# --- the readers ------------------------------------------------------------------------------


def ocr_pages(images: list[Picture], numbered: bool) -> OcrResult:
    start = time.perf_counter()
    rec = recognizer()
    before = rec.seconds
    pages = [read_page(g, i + 1 if numbered else None, rec) for i, g in enumerate(images)]
    result = emit(pages)
    result.seconds_engine = rec.seconds - before
    result.seconds_total = time.perf_counter() - start
    return result


def ocr_layouts(layouts: list[Layout]) -> OcrResult:
    """Cells of analysed pictures read as numbered pages (1, 2, … in the order given): tables and text
    lines are numbered across them, so the cells of two pictures never share a place."""
    start = time.perf_counter()
    rec = recognizer()
    before = rec.seconds
    result = emit([read_layout(lay, i + 1, rec) for i, lay in enumerate(layouts)])
    result.seconds_engine = rec.seconds - before
    result.seconds_total = time.perf_counter() - start
    return result


def ocr_image(data: bytes) -> OcrResult:
    """Cells of a PNG/JPEG/TIFF picture of a report (or of its tables), with their confidences."""
    return ocr_pages([load_page(data)], numbered=False)


def read_image(data: bytes) -> list[Cell]:
    return ocr_image(data).cells


def render_pdf(data: bytes, dpi: int = PDF_DPI) -> list[Picture]:
    """The PDF's pages as grey pictures (pypdfium2, installed with pdfplumber)."""
    _, np = _modules()
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReportError("unreadable", f"broken PDF ({exc})") from None
    try:
        if len(doc) > MAX_PAGES:
            raise too_complex(f"{len(doc)} pages, over {MAX_PAGES}")
        out = []
        for i in range(len(doc)):
            page = doc[i]
            w, h = page.get_size()
            if w * h * (dpi / 72) ** 2 > MAX_PIXELS:
                raise too_large(int(w * h * (dpi / 72) ** 2), MAX_PIXELS, what="page (pixels)")
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            out.append(np.array(bitmap.to_pil().convert("L")))
            page.close()
        return out
    finally:
        doc.close()


def ocr_scanned_pdf(data: bytes, dpi: int = PDF_DPI) -> OcrResult:
    """Cells of a PDF whose pages are pictures (a scan), rendered at ``dpi``, with their confidences."""
    _modules()
    return ocr_pages(render_pdf(data, dpi), numbered=True)


def read_scanned_pdf(data: bytes, dpi: int = PDF_DPI) -> list[Cell]:
    return ocr_scanned_pdf(data, dpi).cells
