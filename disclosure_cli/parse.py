"""The parsing pipeline: bytes → text → cells → record. Each stage lives in its own module."""

from __future__ import annotations

import hashlib
import os
import re
import sys

from .cells import Cell
from .decode import MAX_BYTES, decode
from .errors import ReportError, too_large
from .formats import FORMATS, Format
from .mapper import Mapper, build_runs
from .metadata import read_metadata
from .narrative import find_statements
from .readers import read_cells, sniff_shape
from .record import Record
from .textnorm import detect_script, normalize_label, normalize_text

_REPORT_WORDS = re.compile(r"信息公开|資訊公開|信息公開|資訊公开")
_LEGACY_HINTS = ("依申请公开情况", "主动公开情况", "政府信息公开的收费及减免情况", "因政府信息公开申请行政复议")


def detect_format(cells: list[Cell]) -> Format | None:
    """The format whose marker labels appear most often; None when neither appears."""
    keys = [normalize_label(c.raw) for c in cells if c.kind == "label"]
    scores = {name: sum(1 for k in keys for m in fmt.markers if m in k) for name, fmt in FORMATS.items()}
    best = max(scores, key=lambda n: scores[n])
    return FORMATS[best] if scores[best] else None


def shape_name(shape: str, cells: list[Cell]) -> str:
    if shape == "html":
        return "html-table" if any(c.loc.table is not None for c in cells) else "html-text"
    if shape == "markdown":
        return "markdown-table"
    if shape == "pdf":
        return "pdf-table" if any(c.loc.table is not None for c in cells) else "pdf-text"
    lines: dict[int | None, int] = {}
    for c in cells:
        if c.kind != "label":
            lines[c.loc.line] = lines.get(c.loc.line, 0) + 1
    alone = sum(1 for n in lines.values() if n == 1)
    return "text-lines" if lines and alone >= 0.8 * len(lines) else "text-flattened"


def parse_bytes(data: bytes, source: str = "-", max_bytes: int = MAX_BYTES) -> Record:
    """Parse one report. Raises :class:`ReportError` with a one-line reason for anything else."""
    sha = hashlib.sha256(data).hexdigest()
    if data[:1024].lstrip().startswith(b"%PDF-"):
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        from .readers.pdf import read_pdf  # lazy: pdfplumber is heavy

        cells = read_pdf(data)
        text, encoding, shape = "\n".join(c.raw for c in cells), "pdf", "pdf"
    else:
        text, encoding = decode(data, max_bytes)
        shape = sniff_shape(text)
        cells = read_cells(text, shape)
    meta = read_metadata(text, shape, cells)
    fmt = detect_format(cells)
    if fmt is None:
        raise _why_not(text, meta.year)
    if meta.year is not None and meta.year < 2019:
        raise ReportError("legacy-format", f"legacy format (report year {meta.year}), not supported")
    statements = find_statements(cells)
    mapper = Mapper(build_runs(cells), fmt, statements)
    mapper.run()
    return Record(
        source=source,
        sha256=sha,
        format=fmt.name,
        encoding=encoding,
        shape=shape_name(shape, cells),
        script=detect_script(text),
        title=meta.title,
        agency=meta.agency,
        year=meta.year,
        values=mapper.values,
        extra=mapper.extra,
        warnings=mapper.notes,
        statements=statements,
        inferred_identities=mapper.inferred_identities,
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
