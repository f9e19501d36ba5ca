"""The parsing pipeline: bytes → text → cells → record. Each stage lives in its own module and
returns what it made: the readers their cells, :meth:`Mapper.run` a :class:`MapResult`."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from typing import TYPE_CHECKING

from .auditing.notes import note
from .cells import Cell
from .decode import MAX_BYTES, decode_text
from .errors import ReportError, too_large
from .formats import FORMATS, Format
from .mapper import Mapper, MapResult, build_runs
from .metadata import read_metadata, report_titles
from .narrative import find_statements
from .readers import InputShape, is_docx, is_image, is_ole_doc, read_cells, sniff_shape
from .record import LOW_CONFIDENCE, Note, Record, ReportShape
from .textnorm import detect_script, drop_invisible, normalize_label, normalize_text

if TYPE_CHECKING:
    from .fetch import Fetcher
    from .readers.images import Pictures
    from .readers.ocr import OcrResult

_REPORT_WORDS = re.compile(r"信息公开|資訊公開|信息公開|資訊公开")
_LEGACY_HINTS = ("依申请公开情况", "主动公开情况", "政府信息公开的收费及减免情况", "因政府信息公开申请行政复议")


def detect_format(cells: list[Cell]) -> Format | None:
    """The format whose marker labels appear most often; None when neither appears."""
    keys = [normalize_label(c.raw) for c in cells if c.kind == "label"]
    scores = {name: sum(1 for k in keys for m in fmt.markers if m in k) for name, fmt in FORMATS.items()}
    best = max(scores, key=lambda n: scores[n])
    return FORMATS[best] if scores[best] else None


def shape_name(shape: InputShape, cells: list[Cell]) -> ReportShape:
    if shape == "html":
        return "html-table" if any(c.loc.table is not None for c in cells) else "html-text"
    if shape == "markdown":
        return "markdown-table"
    if shape == "pdf":
        return "pdf-table" if any(c.loc.table is not None for c in cells) else "pdf-text"
    if shape == "docx":
        return "docx-table" if any(c.loc.table is not None for c in cells) else "docx-text"
    if shape == "image":  # OCR: a picture
        return "image-table" if any(c.loc.table is not None for c in cells) else "image-text"
    if shape == "scan":  # OCR: a scanned PDF
        return "scan-table" if any(c.loc.table is not None for c in cells) else "scan-text"
    values = [c for c in cells if c.kind == "value"]
    if 2 * sum(1 for c in values if c.row_id is not None) > len(values):  # read between tabs (readers/text.py)
        return "text-tabs"
    lines: dict[int | None, int] = {}
    for c in cells:
        if c.kind != "label":
            lines[c.loc.line] = lines.get(c.loc.line, 0) + 1
    alone = sum(1 for n in lines.values() if n == 1)
    return "text-lines" if lines and alone >= 0.8 * len(lines) else "text-flattened"


def _tabs_or_text(text: str, tabbed: list[Cell]) -> list[Cell]:
    """A text page with tab rows, read both ways: cell by cell between its tabs, and as free text
    (tabs that align columns, 「规章\t\t32\t253」, are no blank cells). The reading with more values
    read; either is exact or leaves its rows unread, so this only chooses what is read."""
    from .readers.text import read_text

    plain = read_text(text, tabs=False)
    return tabbed if _values_read(tabbed) >= _values_read(plain) else plain


def _values_read(cells: list[Cell]) -> int:
    fmt = detect_format(cells)
    if fmt is None:
        return -1
    try:
        mapped = Mapper(build_runs(cells), fmt, find_statements(cells)).run()
    except ReportError:
        return -1
    return sum(1 for v in mapped.values.values() if v.raw is not None)


def parse_bytes(data: bytes, source: str = "-", max_bytes: int = MAX_BYTES, fetcher: Fetcher | None = None) -> Record:
    """Parse one report. Raises :class:`ReportError` with a one-line reason for anything else.

    ``source`` names the input: a file path or URL, against which an HTML page's pictures are found when
    its tables are pictures (``fetcher`` fetches those on the web; without it only local files are read)."""
    return read_report(data, source, max_bytes, fetcher)[0]


def read_report(
    data: bytes, source: str = "-", max_bytes: int = MAX_BYTES, fetcher: Fetcher | None = None
) -> tuple[Record, MapResult]:
    """The record, and what the mapper made of the page (its runs and the table spans it read: see
    ledger.py)."""
    sha = hashlib.sha256(data).hexdigest()
    ocr: OcrResult | None = None  # the recognition result when the cells came from pictures
    shape: InputShape
    if data[:1024].lstrip().startswith(b"%PDF-"):
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        from .readers.pdf import read_pdf  # lazy: pdfplumber is heavy

        try:
            cells = read_pdf(data)
            text, encoding, shape, replaced = "\n".join(c.raw for c in cells), "pdf", "pdf", 0
        except ReportError as exc:
            if exc.reason != "no-text-layer":
                raise
            from .readers.ocr import ocr_scanned_pdf  # lazy: onnxruntime and OpenCV are heavier still

            ocr = ocr_scanned_pdf(data)  # needs-extra without the ocr extra
            cells = ocr.cells
            text, encoding, shape, replaced = "\n".join(c.raw for c in cells), "ocr", "scan", 0
    elif is_image(data):  # PNG, JPEG, TIFF
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        from .readers.ocr import ocr_image

        ocr = ocr_image(data)
        cells = ocr.cells
        text, encoding, shape, replaced = "\n".join(c.raw for c in cells), "ocr", "image", 0
    elif is_docx(data) or is_ole_doc(data):  # .docx; .doc/.wps through LibreOffice
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        from .readers.docx import read_word  # lazy: python-docx, zip, LibreOffice

        cells = read_word(data, suffix=os.path.splitext(source)[1].lower() or ".doc")
        text, encoding, shape, replaced = "\n".join(c.raw for c in cells), "docx", "docx", 0
    else:
        text, encoding, replaced = decode_text(data, max_bytes)
        shape = sniff_shape(text)
        if shape != "html":  # a text page's lines and columns as they read (HTML: its cells drop them)
            text = drop_invisible(text)
        cells = read_cells(text, shape)
        if shape == "text" and any(c.row_id is not None for c in cells):
            cells = _tabs_or_text(text, cells)
    meta = read_metadata(text, shape, cells)
    fmt = detect_format(cells)
    pictures: Pictures | None = None
    if fmt is None:
        refusal = _why_not(text, meta.year)
        if shape != "html" or refusal.reason != "no-table-text":
            raise refusal
        # an HTML page without table text: its tables may be pictures (<img>), read by OCR
        from .readers.images import mark_pictures, read_pictures, splice

        marked = mark_pictures(text)
        pictures = read_pictures(marked, source, fetcher, max_bytes)
        if pictures.result is None:
            raise refusal
        # the page's own text (title, prose, headings) with each picture's cells where the picture sits
        cells, ocr = splice(read_cells(marked, shape), pictures)
        shape = "image"
        if meta.title is None:
            meta = read_metadata("\n".join(c.raw for c in cells), shape, cells)
        fmt = detect_format(cells)
        if fmt is None:
            raise refusal
    if meta.year is not None and meta.year < 2019:
        raise ReportError("legacy-format", f"legacy format (report year {meta.year}), not supported")
    _one_report(cells)
    statements = find_statements(cells)
    mapped = Mapper(build_runs(cells), fmt, statements).run()
    if pictures is not None:
        mapped.notes.append(_pictures_note(pictures))
    if ocr is not None:  # every value read from a picture carries its recognition confidence
        for value in mapped.values.values():
            if value.loc is not None and value.loc in ocr.confidence:
                value.ocr = ocr.confidence[value.loc]
        doubtful = [v for v in mapped.values.values() if v.ocr is not None and v.ocr < LOW_CONFIDENCE]
        if doubtful:
            shown = ", ".join(f"{v.label} {v.raw} ({v.ocr:.2f})" for v in doubtful[:6]) + (
                ", …" if len(doubtful) > 6 else ""
            )
            mapped.notes.append(
                note(
                    "ocr-doubtful",
                    doubtful[0].loc,
                    tuple(dict.fromkeys(f"{v.table}.{v.row}" for v in doubtful)),
                    count=len(doubtful),
                    values=shown,
                )
            )
    if not _has_statistics_table(mapped, titled=meta.title is not None):
        raise ReportError("not-a-report", "not an open government information annual report (no statistics table)")
    if replaced:
        mapped.notes.insert(0, note("bytes-replaced", count=replaced, encoding=encoding))
    record = Record(
        source=source,
        sha256=sha,
        format=fmt.name,
        encoding=encoding,
        shape=shape_name(shape, cells),
        script=detect_script(text),
        title=meta.title,
        agency=meta.agency,
        year=meta.year,
        values=mapped.values,
        extra=mapped.extra,
        warnings=mapped.notes,
        statements=statements,
        inferred_identities=set(mapped.inferred_identities),
    )
    if ocr is not None:
        _verified(record)
    if record.shape == "text-flattened":  # `line 10, column 5013` alone gives a person nothing to search for
        from .cells import snippets

        snippets(record.values.values(), text.splitlines())
    return record, mapped


def _pictures_note(pictures: Pictures) -> Note:
    """Which of the page's pictures were read (as pages 1, 2, … of the values' places), and why the others
    were not."""
    from .auditing.rules import Words

    names = [p.src if not p.src.lower().startswith("data:") else "data: URI" for p in pictures.read]
    read = Words(
        "；".join(f"第{n}页 = {name}" for n, name in enumerate(names, 1)),
        "; ".join(f"page {n} = {name}" for n, name in enumerate(names, 1)),
    )
    if not pictures.skipped:
        return note("ocr-pictures", count=len(names), read=read)
    skipped = Words(
        "；".join(f"{src}（{why}）" for src, why in pictures.skipped),
        "; ".join(f"{src} ({why})" for src, why in pictures.skipped),
    )
    return note("ocr-pictures/skipped", count=len(names), read=read, skipped=skipped)


def _verified(record: Record) -> None:
    """An OCR record whose every evaluated sum holds says so: the tables' own arithmetic confirms the reading
    (of the values those sums use; a sum that could not be evaluated is counted, never claimed)."""
    from .auditing.checks import Auditor
    from .auditing.notes import TableRef
    from .auditing.rules import Words

    audited = Auditor(record).run()
    checks = audited.checks
    if not checks or any(c.finding is not None for c in checks):
        return
    numbers = sorted({record.spec.table(c.identity.table).number for c in checks})
    tables = Words(
        "、".join(TableRef(n).text("zh") for n in numbers), " and ".join(TableRef(n).text("en") for n in numbers)
    )
    left = Words(
        f"，{audited.skipped} 项无法核对" if audited.skipped else "",
        f"; {audited.skipped} not checkable" if audited.skipped else "",
    )
    record.warnings.append(note("ocr-verified", count=len(checks), tables=tables, left=left))


# A statistics table is recognised by its rows printed in the format's order: this many of them,
# fewer when the page's title names an annual report.
MIN_ROWS_IN_ORDER = {"requests": (6, 3), "active": (4, 2)}


def _has_statistics_table(mapped: MapResult, titled: bool) -> bool:
    return any(mapped.rows_in_order(table) >= n[titled] for table, n in MIN_ROWS_IN_ORDER.items())


def _one_report(cells: list[Cell]) -> None:
    """Refuse an input holding two reports (two titles, each followed by its own table 3): reading
    it as one would drop the second silently."""
    titles = report_titles(cells)
    if len(titles) < 2:
        return
    starts = [
        i for i, c in enumerate(cells) if c.kind == "label" and "新收" in c.raw and "本年新收" in normalize_label(c.raw)
    ]
    heads = [
        (i, title)
        for n, (i, title) in enumerate(titles)
        if any(i < s < (titles[n + 1][0] if n + 1 < len(titles) else len(cells)) for s in starts)
    ]
    distinct = list(dict.fromkeys(title for _, title in heads))
    if len(distinct) >= 2:
        raise ReportError(
            "several-reports",
            f"{len(distinct)} reports in one input ({distinct[0]}; {distinct[1]}): split it into one file per report",
        )


def _why_not(text: str, year: int | None) -> ReportError:
    simplified = normalize_text(text[:200000])
    if year is not None and year < 2019:
        return ReportError("legacy-format", f"legacy format (report year {year}), not supported")
    if not _REPORT_WORDS.search(text) and "信息公开" not in simplified:
        return ReportError("not-a-report", "not an open government information annual report")
    if sum(h in simplified for h in _LEGACY_HINTS) >= 2:
        return ReportError("legacy-format", "legacy format (before the 2019 national format), not supported")
    return ReportError("no-table-text", "no table text found (the tables may be images or an attachment)")


def read_input(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a file, or of standard input for '-'; size-capped before reading it all."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            if os.path.isdir(path):
                raise ReportError("unreadable", "is a directory")
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReportError("unreadable", "no such file") from None
    except PermissionError:
        raise ReportError("unreadable", "permission denied") from None
    except OSError as exc:
        raise ReportError("unreadable", exc.strerror or str(exc)) from None
    if len(data) > max_bytes:
        raise too_large(None, max_bytes)
    return data


def parse_path(path: str, max_bytes: int = MAX_BYTES) -> Record:
    return parse_bytes(read_input(path, max_bytes), source=path, max_bytes=max_bytes)
