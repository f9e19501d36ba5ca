"""Word files: .docx tables rebuilt into grids like the HTML reader's, paragraphs as free text.

Library: python-docx (the optional extra ``disclosure-cli[docx]``) opens the package and parses the
main document part; the body is then walked as plain XML in document order. Structure before text,
as for HTML and PDF:

- every ``w:tbl`` without a table inside becomes a grid. Horizontal merges (``w:gridSpan``, and the
  old ``w:hMerge``) and vertical merges (``w:vMerge`` restart/continue) are expanded into the same
  grid as an HTML ``colspan``/``rowspan``: the covered positions are copies of the merged cell
  (``copy=True``), so a spanning label gives context to every row it covers and a spanning value is
  read once. ``w:gridBefore`` (a row that starts off the grid's first column) is honoured.
- a table holding tables (a layout table around the report) is walked cell by cell, its inner
  tables found by recursion, as the HTML reader does with nested ``<table>``s.
- every paragraph outside tables (the title line included) is one line of free text, cut by
  :func:`~disclosure_cli.cells.tokenize_text`; a line break inside a paragraph starts a new line.
  Runs are joined without a space (Word splits words into runs at will); content controls
  (``w:sdt``) and custom XML wrappers are looked through; deleted text, hidden runs (``w:vanish``),
  a tracked move's old place and field codes are not text.

Bounded work for any file: the package's declared sizes are checked before anything is inflated
(:func:`check_package`), a span is clamped to its table's extent, and the grid slots and cells read
are budgeted as in the HTML reader (readers/grid.py); a file over a budget is refused as ``too-complex``.

Locations: a table cell is ``Location(table, row, column)`` with ``row_id=(table, row index)``,
tables numbered in reading order; free text is ``Location(line=n)`` with ``n`` the paragraph's number
in the body (paragraphs inside layout tables counted too). Headers, footers, footnotes and comments
are not read: the report is in the body.

``.doc`` and ``.wps`` files (OLE compound files) are converted to .docx with LibreOffice
(:func:`convert_with_libreoffice`) when ``soffice`` is installed; :func:`read_word` picks the way
from the bytes, never from a file name.
"""

from __future__ import annotations

import io
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from ..cells import Cell, tokenize_text
from ..errors import ReportError, human_size, too_complex
from . import is_ole_doc
from .grid import MAX_PAGE_CELLS, MAX_PAGE_SLOTS, MAX_TABLE_SLOTS, SPAN_SLACK, grid_cells

if TYPE_CHECKING:
    from lxml.etree import _Element  # python-docx's elements are lxml elements

# a merged cell's part: the cell that starts the merge, or one that continues it
Merge = Literal["restart", "continue"]

MAX_DOCUMENT_XML = 50 * 1024 * 1024  # any uncompressed XML part; a real report's document.xml is under 2 MB
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # the whole package (pictures included) once inflated
CONVERT_TIMEOUT = 120.0  # seconds for one LibreOffice conversion
# Work budgets, the HTML reader's: a real report has a few thousand cells in tables of a few hundred
# slots. A span is clamped to its table's extent; the slots and cells read are counted as they come.

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _TR, _TC = f"{{{_W}}}p", f"{{{_W}}}tbl", f"{{{_W}}}tr", f"{{{_W}}}tc"
_T, _TAB, _BR, _CR = f"{{{_W}}}t", f"{{{_W}}}tab", f"{{{_W}}}br", f"{{{_W}}}cr"
_NB_HYPHEN = f"{{{_W}}}noBreakHyphen"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"
_VAL = f"{{{_W}}}val"
_TBL_GRID, _GRID_COL = f"{{{_W}}}tblGrid", f"{{{_W}}}gridCol"
_FALLBACK = f"{{{_MC}}}Fallback"  # a copy of a text box for old readers: read once, in mc:Choice
_MOVE_FROM = f"{{{_W}}}moveFrom"  # a tracked move's old place: its text is shown again where it moved to
_R, _R_PR, _VANISH = f"{{{_W}}}r", f"{{{_W}}}rPr", f"{{{_W}}}vanish"
_WRAPPERS = {_SDT, _SDT_CONTENT, _CUSTOM_XML}
_SPACE = re.compile(r"\s+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


# --- sniffing --------------------------------------------------------------------------------


# --- reading ---------------------------------------------------------------------------------


def read_word(data: bytes, suffix: str = ".doc") -> list[Cell]:
    """The cells of a Word file: .docx read directly, .doc/.wps converted with LibreOffice first.

    ``suffix`` is only a hint for LibreOffice's filter detection of OLE files (".doc" or ".wps").
    """
    if is_ole_doc(data):
        data = convert_with_libreoffice(data, suffix)
    return read_docx(data)


def read_docx(data: bytes) -> list[Cell]:
    """The cells of a .docx body in reading order; ReportError for anything that is not one."""
    check_package(data)
    try:
        import docx  # lazy and optional: the `docx` extra
    except ImportError:
        raise ReportError(
            "needs-extra", "reading .docx files needs python-docx: pip install 'disclosure-cli[docx]'"
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml and zip errors alike
        raise ReportError("unreadable", f"not a readable Word file ({_short(exc)})") from None
    walker = _Walker()
    walker.blocks(document.element.body)
    return walker.cells


def check_package(data: bytes) -> None:
    """Refuse zip bombs before anything is inflated.

    Python's zipfile never inflates a member beyond the size the zip directory declares for it (it
    fails the member instead), so the declared sizes bound the memory: every XML part python-docx
    parses (the document, styles, numbering ...) is held to :data:`MAX_DOCUMENT_XML`, the whole
    package to :data:`MAX_UNCOMPRESSED`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReportError("unreadable", f"not a readable Word file ({_short(exc)})") from None
    if not any(i.filename.lower() == "word/document.xml" for i in infos):
        raise ReportError("unreadable", "not a Word file (no word/document.xml in the package)")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size > MAX_DOCUMENT_XML:
            name = info.filename.rsplit("/", 1)[-1]
            raise ReportError(
                "too-large",
                f"{name} too large once uncompressed ({human_size(info.file_size)}; "
                f"limit {human_size(MAX_DOCUMENT_XML)})",
            )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ReportError(
            "too-large",
            f"Word package too large once uncompressed ({human_size(total)}; limit {human_size(MAX_UNCOMPRESSED)})",
        )


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def paragraph_lines(p: _Element) -> list[str]:
    """A paragraph's text, one string per line (``w:br``/``w:cr`` end a line; runs join as they are);
    hidden runs and a tracked move's old place are not text.

    One pass over the subtree dispatching on the tag: faster than lxml's tag-filtered iterators here."""
    lines = [""]
    skip: _Element | None = None  # an mc:Fallback being skipped: a text box's copy for old readers, read in mc:Choice
    for el in p.iter():
        if skip is not None:
            if skip in el.iterancestors():
                continue
            skip = None
        tag = el.tag
        if tag == _T:
            lines[-1] += el.text or ""
        elif tag == _TAB:
            lines[-1] += " "
        elif tag in (_BR, _CR):
            lines.append("")
        elif tag == _NB_HYPHEN:
            lines[-1] += "-"
        elif tag in (_FALLBACK, _MOVE_FROM) or (tag == _R and _hidden_run(el)):
            skip = el
    return lines


def _hidden_run(r: _Element) -> bool:
    """A run formatted hidden (``w:vanish``): Word does not show it (「9」 hidden before 「20」 read 920)."""
    props = r.find(_R_PR)
    if props is None:
        return False
    vanish = props.find(_VANISH)
    return vanish is not None and vanish.get(_VAL, "true") not in ("0", "false", "off")


def cell_text(tc: _Element) -> str:
    """A table cell's text: its paragraphs and line breaks folded into single spaces, as HTML's."""
    return _SPACE.sub(" ", " ".join(line for p in _children(tc, _P) for line in paragraph_lines(p))).strip()


def _children(el: _Element, tag: str) -> Iterator[_Element]:
    """Children of ``el`` with ``tag``, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _int(value: str | None, default: int, top: int = 1000) -> int:
    try:
        return max(0, min(int(value), top)) if value is not None else default
    except ValueError:
        return default


_TC_PR, _GRID_SPAN, _V_MERGE, _H_MERGE = f"{{{_W}}}tcPr", f"{{{_W}}}gridSpan", f"{{{_W}}}vMerge", f"{{{_W}}}hMerge"


def _tc_props(tc: _Element) -> tuple[int, Merge | None, Merge | None]:
    """(gridSpan, vMerge, hMerge) of a cell; merges are 'restart', 'continue' or None.

    Plain child loops: ElementPath ``find`` costs more than the rest of the cell's reading."""
    span = 1
    vmerge: Merge | None = None
    hmerge: Merge | None = None
    for pr in tc:
        if pr.tag != _TC_PR:
            continue
        for prop in pr:
            tag = prop.tag
            if tag == _GRID_SPAN:
                span = max(1, _int(prop.get(_VAL), 1, 100))
            elif tag == _V_MERGE:
                vmerge = "restart" if prop.get(_VAL) == "restart" else "continue"
            elif tag == _H_MERGE:
                hmerge = "restart" if prop.get(_VAL) == "restart" else "continue"
        break
    return span, vmerge, hmerge


def _grid_before(tr: _Element) -> int:
    """Grid columns a row leaves empty before its first cell (``w:gridBefore``)."""
    pr = tr.find(f"{{{_W}}}trPr")
    before = pr.find(f"{{{_W}}}gridBefore") if pr is not None else None
    return _int(before.get(_VAL), 0, 100) if before is not None else 0


class _Walker:
    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.tables = 0
        self.paragraphs = 0
        self.slots = 0  # grid positions filled in the document's tables so far

    def blocks(self, container: _Element) -> None:
        """Paragraphs and tables of a body (or of a layout table's cell) in document order."""
        for el in container:
            tag = el.tag
            if tag == _P:
                self.paragraph(el)
            elif tag == _TBL:
                if el.find(f".//{_TBL}") is not None:
                    self.layout(el)
                else:
                    self.grid(el)
            elif tag in _WRAPPERS:
                self.blocks(el)

    def paragraph(self, p: _Element) -> None:
        self.paragraphs += 1
        for line in paragraph_lines(p):
            line = _SPACE.sub(" ", line).strip()
            if line:
                self.cells.extend(tokenize_text(line, self.paragraphs))
        self.check_cells()

    def layout(self, tbl: _Element) -> None:
        for tr in _children(tbl, _TR):
            for tc in _children(tr, _TC):
                self.blocks(tc)

    def grid(self, tbl: _Element) -> None:
        self.tables += 1
        number = self.tables
        grid: dict[tuple[int, int], tuple[_Element, bool]] = {}
        rows = [list(_children(tr, _TC)) for tr in _children(tbl, _TR)]
        # a span is clamped to the table's real extent: its declared grid, or its widest row
        grid_cols = sum(1 for g in tbl.iterchildren(_TBL_GRID) for _ in g.iterchildren(_GRID_COL))
        widest = max(grid_cols, max((len(tcs) for tcs in rows), default=0)) + SPAN_SLACK
        for r, (tr, tcs) in enumerate(zip(_children(tbl, _TR), rows)):
            c = min(_grid_before(tr), widest)
            for tc in tcs:
                span, vmerge, hmerge = _tc_props(tc)
                span = min(span, widest)
                above = grid.get((r - 1, c)) if vmerge == "continue" else None
                left = grid.get((r, c - 1)) if hmerge == "continue" and c > 0 else None
                origin = above or left
                for dc in range(span):
                    if origin is not None:  # a merge continued from the row above or the cell left
                        source = grid.get((r - 1, c + dc)) if above else origin
                        grid[(r, c + dc)] = (source[0] if source else origin[0], True)
                    else:
                        grid[(r, c + dc)] = (tc, dc > 0)
                c += span
            if len(grid) > MAX_TABLE_SLOTS:
                raise too_complex(f"over {MAX_TABLE_SLOTS:,} slots in a table")
        self.slots += len(grid)
        if self.slots > MAX_PAGE_SLOTS:
            raise too_complex(f"over {MAX_PAGE_SLOTS:,} table slots")
        slots_in_order = ((r, c, tc, copy) for (r, c), (tc, copy) in sorted(grid.items(), key=lambda item: item[0]))
        self.cells.extend(grid_cells(slots_in_order, number, cell_text))
        self.check_cells()

    def check_cells(self) -> None:
        if len(self.cells) > MAX_PAGE_CELLS:
            raise too_complex(f"over {MAX_PAGE_CELLS:,} cells")


# --- .doc / .wps through LibreOffice ---------------------------------------------------------


def find_soffice() -> str | None:
    """The LibreOffice executable: ``soffice`` or ``libreoffice`` on PATH, or the macOS app bundle."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    mac = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
    return mac if os.path.exists(mac) else None


def convert_with_libreoffice(data: bytes, suffix: str = ".doc", timeout: float = CONVERT_TIMEOUT) -> bytes:
    """The .docx that ``soffice --headless --convert-to docx`` makes of a .doc/.wps file.

    Runs in a private temporary directory with its own LibreOffice profile (so it neither waits for
    nor hands the file to a LibreOffice the user has open), killed with its children after
    ``timeout`` seconds.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ReportError(
            "needs-libreoffice", "reading .doc/.wps files needs LibreOffice: install LibreOffice (soffice)"
        )
    suffix = suffix.lower() if _SUFFIX.fullmatch(suffix or "") else ".doc"
    with tempfile.TemporaryDirectory(prefix="disclosure-soffice-") as tmp:
        source = os.path.join(tmp, "input" + suffix)
        outdir = os.path.join(tmp, "out")
        profile = os.path.join(tmp, "profile")
        os.mkdir(outdir)
        with open(source, "wb") as fh:
            fh.write(data)
        command = [
            soffice,
            "-env:UserInstallation=" + pathlib.Path(profile).as_uri(),
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx",
            "--outdir",
            outdir,
            source,
        ]
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout ends soffice.bin too
                cwd=tmp,
            )
        except OSError as exc:
            raise ReportError("needs-libreoffice", f"could not run LibreOffice ({exc.strerror or exc})") from None
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReportError("unreadable", f"LibreOffice did not convert the file within {timeout:g} s") from None
        target = os.path.join(outdir, "input.docx")
        if not os.path.exists(target):
            detail = " ".join(err.decode("utf-8", "replace").split())[:160]
            raise ReportError(
                "unreadable",
                "LibreOffice could not convert the file to .docx" + (f" ({detail})" if detail else ""),
            )
        with open(target, "rb") as fh:
            return fh.read()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()
