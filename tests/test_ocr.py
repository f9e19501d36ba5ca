"""Pictures and scanned PDFs: synthetic reports printed, scanned (tilt, noise) and read back by OCR.

The pages are drawn by ``tests/image_render.py`` from synthetic reports (the Word renderer's tables,
ruled, on A4). The property is the issue's (#15): every value comes back right, or it is flagged
(confidence under :data:`record.LOW_CONFIDENCE`) or left unread; a wrong number is never reported as
certain. OCR is slow on two shared cores, so the examples are few and each rendering is read once.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from disclosure_cli import parse, readers
from disclosure_cli.errors import ReportError
from disclosure_cli.readers import ocr
from disclosure_cli.record import LOW_CONFIDENCE, Record
from disclosure_cli.testing import synth

from .conftest import ROOT, same_value
from .image_render import Scan, font_path, render_png, render_scanned_pdf

needs_engine = pytest.mark.skipif(
    __import__("importlib").util.find_spec("rapidocr_onnxruntime") is None, reason="the ocr extra is not installed"
)
needs_font = pytest.mark.skipif(font_path() is None, reason="no CJK font (apt-get install fonts-wqy-microhei)")

# --- the pipeline after the reader, as parse.read_report runs it -------------------------------


def parse_ocr(data: bytes, source: str = "-") -> tuple[Record, ocr.OcrResult]:
    """``parse.parse_bytes`` on a picture, and the OCR result it read: the engine runs once, and the
    record comes from the real pipeline (parse.py's sniffing and confidence marking included)."""
    from unittest import mock

    result = ocr.ocr_image(data) if readers.is_image(data) else ocr.ocr_scanned_pdf(data)
    with (
        mock.patch.object(ocr, "ocr_image", return_value=result),
        mock.patch.object(ocr, "ocr_scanned_pdf", return_value=result),
    ):
        return parse.parse_bytes(data, source=source), result


def wrong_and_certain(s: synth.Synthetic, record: Record, result: ocr.OcrResult) -> dict:
    """The values read wrong while their cell's confidence says they are right: must be none."""
    out = {}
    for key, want in s.values.items():
        v = record.values.get(key)
        if v is None or v.raw is None:
            continue  # unread: the mapper reports the row missing
        if same_value(want, v.value):
            continue
        p = result.confidence.get(v.loc, 0.0) if v.loc is not None else 0.0
        if p >= LOW_CONFIDENCE:
            out[key] = (want, v.value, v.raw, round(p, 3))
    return out


@lru_cache(maxsize=8)
def _read(seed: int, fmt: str, blanks: float, blank: str, scan: Scan, pdf: bool) -> tuple:
    s = synth.random_report(seed, fmt, blanks=blanks)
    data = render_scanned_pdf(s, scan, blank) if pdf else render_png(s, scan, blank)
    record, result = parse_ocr(data, source="x.pdf" if pdf else "x.png")
    return s, record, result


def _close(got: str | None, want: str) -> bool:
    """The agency read from the title, at most one character off (沭 read as 沐, or a rare 沭 at the
    start of the line dropped): it is OCR too."""
    if got is None or abs(len(got) - len(want)) > 1:
        return False
    if len(got) == len(want):
        return sum(a != b for a, b in zip(got, want)) <= 1
    short, long = sorted((got, want), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _summary(s, record, result) -> tuple[int, int, int]:
    """(right, flagged, unread) over the synthetic values."""
    right = flagged = unread = 0
    for key, want in s.values.items():
        v = record.values.get(key)
        if v is None or v.raw is None:
            unread += 1
        elif same_value(want, v.value) and result.confidence.get(v.loc, 0.0) >= LOW_CONFIDENCE:
            right += 1
        else:
            flagged += 1
    return right, flagged, unread


# --- the property --------------------------------------------------------------------------------


@needs_engine
@needs_font
# no shrinking: one OCR reading takes half a minute; a failing example is printed as generated
@settings(
    max_examples=2,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32),
    fmt=st.sampled_from(("2019", "2021")),
    blanks=st.sampled_from((0.0, 0.15)),
    blank=st.sampled_from(("", "/", "—")),
    tilt=st.sampled_from((0.0, 0.4, -0.7)),
    noise=st.sampled_from((0.0, 1.0)),
)
@example(seed=25670, fmt="2019", blanks=0.15, blank="—", tilt=0.0, noise=1.0)  # 「-78」 read as 78, certain
@example(seed=682, fmt="2019", blanks=0.15, blank="/", tilt=-0.7, noise=0.0)  # a worn 「1」 read as a certain blank
def test_a_scanned_report_reads_back_right_or_flagged(seed, fmt, blanks, blank, tilt, noise):
    s, record, result = _read(seed, fmt, blanks, blank, Scan(150, tilt, noise, seed), False)
    assert wrong_and_certain(s, record, result) == {}
    right, flagged, unread = _summary(s, record, result)
    assert right >= 0.7 * len(s.values), (right, flagged, unread)  # OCR that flags everything is no use
    assert (record.format, record.year) == (fmt, s.year)
    assert _close(record.agency, s.agency)


@needs_engine
@needs_font
def test_a_noisy_tilted_2019_scan_as_png():
    s, record, result = _read(3, "2019", 0.15, "", Scan(150, 0.5, 1.0, 3), False)
    assert wrong_and_certain(s, record, result) == {}
    assert (record.format, record.year) == ("2019", s.year)
    assert _close(record.agency, s.agency)
    right, flagged, unread = _summary(s, record, result)
    assert right >= 0.8 * len(s.values), (right, flagged, unread)  # measured: 166 right, 4 flagged, 28 unread


@needs_engine
@needs_font
def test_a_scanned_pdf_without_text_layer_is_read_page_by_page():
    s, record, result = _read(7, "2021", 0.0, "/", Scan(150, -0.4, 1.0, 7), True)
    assert result.pages >= 2
    assert {c.loc.page for c in result.cells} >= {1, 2}
    assert wrong_and_certain(s, record, result) == {}
    assert (record.format, record.year) == ("2021", s.year)
    assert _close(record.agency, s.agency)


@needs_engine
@needs_font
def test_every_cell_carries_a_confidence_and_grids_are_emitted_like_html():
    _, _, result = _read(3, "2019", 0.15, "", Scan(150, 0.5, 1.0, 3), False)
    assert all(c.loc in result.confidence for c in result.cells)
    table_cells = [c for c in result.cells if c.loc.table is not None]
    assert table_cells and all(c.row_id == (c.loc.table, c.loc.row - 1) for c in table_cells)
    assert any(c.copy for c in table_cells)  # the spanning labels (三、本年度办理结果) give context
    assert not [c for c in table_cells if c.copy and c.kind == "null"]


# --- sniffing and errors -------------------------------------------------------------------------


def test_sniffing_pictures_by_magic_number():
    assert readers.is_image(b"\x89PNG\r\n\x1a\n....")
    assert readers.is_image(b"\xff\xd8\xff\xe0....")
    assert readers.is_image(b"II*\x00....")
    assert not readers.is_image(b"%PDF-1.7")
    assert not readers.is_image(b"<html>")


def test_without_the_extra_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import now raises ImportError
    with pytest.raises(ReportError) as err:
        ocr.read_image(b"\x89PNG\r\n\x1a\n")
    assert err.value.reason == "needs-extra"
    assert "pip install 'disclosure-cli[ocr]'" in err.value.message


@needs_engine
def test_a_broken_picture_is_unreadable_not_a_traceback():
    with pytest.raises(ReportError) as err:
        ocr.read_image(b"\x89PNG\r\n\x1a\nnot really a png")
    assert err.value.reason == "unreadable"


@needs_engine
def test_a_huge_picture_is_refused_before_it_is_decoded(monkeypatch):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (2000, 2000), 255).save(buf, "PNG")
    monkeypatch.setattr(ocr, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ReportError) as err:
        ocr.read_image(buf.getvalue())
    assert err.value.reason == "too-large"


def test_the_engine_is_imported_only_when_a_picture_is_read():
    import subprocess

    code = (
        "import sys; import disclosure_cli.readers.ocr; import disclosure_cli.parse as p; "
        "p.parse_bytes(open('fixtures/seed_shenzhen_2020.txt', 'rb').read()); "
        "print('onnxruntime' in sys.modules, 'disclosure_cli.readers.ocr' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False True"
    text_only = code.replace("import disclosure_cli.readers.ocr; ", "")  # a text page never loads the OCR reader
    out = subprocess.run([sys.executable, "-c", text_only], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False False"


# --- the audit of a record read from pictures (no engine: the HTML reader stands in for it) -------


def _as_if_ocr(s: synth.Synthetic, confidences: dict[str, float]):
    """``s`` parsed as if OCR had read it from a picture: every value at 0.95, the keys of
    ``confidences`` at theirs (the wiring of parse.py, without the slow optional engine)."""
    from unittest import mock

    from disclosure_cli.readers.html import read_html

    page = synth.render_html(s)
    cells = read_html(page)
    confidence = {c.loc: 0.95 for c in cells if c.kind in ("value", "null")}
    plain = parse.parse_bytes(page.encode())
    for key, p in confidences.items():
        confidence[plain.values[key].loc] = p
    with mock.patch.object(ocr, "ocr_image", return_value=ocr.OcrResult(cells, confidence)):
        return parse.parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, source="scan.png")


def _broken(seed: int = 4) -> synth.Synthetic:
    """A report whose 自然人 carried-forward cell (and its row total) is one too many: R001 fails there."""
    s = synth.random_report(seed, "2019")
    for key in ("requests.carried_forward.natural_person", "requests.carried_forward.total"):
        s.values[key] += 1
        s.texts[key] = str(s.values[key])
    return s


def _codes(record) -> list[str]:
    from disclosure_cli.auditing import audit

    return [f.code for f in audit(record).findings]


def test_a_failed_sum_with_a_doubtful_term_is_a_possible_misreading():
    from disclosure_cli.auditing import audit

    record = _as_if_ocr(_broken(), {"requests.carried_forward.natural_person": 0.55})
    found = audit(record).findings
    misread = [f for f in found if f.code == "H002"]
    assert misread and all(f.where in ("requests.*.natural_person", "requests.carried_forward") for f in misread)
    # the 自然人 column is not blamed on the publisher; the total column, every term read with confidence, is
    assert [f.where for f in found if f.code == "R001"] == ["requests.*.total"]
    f = next(f for f in misread if f.where == "requests.*.natural_person")
    assert "possible misreading" in f.message_en and "(0.55)" in f.message_en
    assert "可能识别有误" in f.message_zh
    assert (f.expected, f.actual) != (None, None) and f.terms  # the same numbers as the identity's finding
    assert f.rule.severity == "warning"
    assert not any(n.code == "ocr-verified" for n in record.warnings)


def test_a_failed_sum_read_with_confidence_is_still_the_identitys_finding():
    record = _as_if_ocr(_broken(), {"requests.new.commercial": 0.55})  # doubtful, but not in the failing sums
    codes = _codes(record)
    assert codes.count("R001") == 2  # the 自然人 and the total columns
    assert "H002" not in codes


def test_an_unread_cell_in_a_failed_sum_is_a_possible_misreading():
    from disclosure_cli.auditing import audit

    s = _broken()
    record = _as_if_ocr(s, {"requests.carried_forward.natural_person": 0.0})  # ink that read as nothing
    found = audit(record).findings
    assert "requests.*.natural_person" in [f.where for f in found if f.code == "H002"]
    assert "requests.*.natural_person" not in [f.where for f in found if f.code == "R001"]


def test_a_picture_record_whose_sums_all_hold_says_the_tables_were_verified():
    record = _as_if_ocr(synth.random_report(4, "2019"), {"requests.new.commercial": 0.6})
    note = next(n for n in record.warnings if n.code == "ocr-verified")
    assert "every sum of table 3 and table 4 holds" in note.message and "checked" in note.message
    assert note.message_zh and "全部成立" in note.message_zh
    # the doubtful value is still listed; the verdict is an info finding (S015); nothing else to report
    assert sorted(_codes(record)) == ["S013", "S015"]
    plain = parse.parse_bytes(synth.render_html(synth.random_report(4, "2019")).encode())
    assert not any(n.code == "ocr-verified" for n in plain.warnings)  # only a record read from pictures
