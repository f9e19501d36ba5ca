#!/usr/bin/env python
"""PDF parse time per page against the HTML path, and the two PDF libraries side by side.

    python bench/bench_pdf.py [--repeat N] [--corpus DIR]

PDF path: ``read_pdf`` then what ``parse_bytes`` does with the cells (format, mapper, metadata,
narrative statements), timed whole and split into reading and mapping. HTML path:
``parse_bytes`` on the corpus HTML page and on synthetic HTML. The synthetic reports are rendered
both ways (HTML with spans, and a PDF of the same report via the test suite's small PDF writer),
so the two paths read the same numbers; each result is checked against the report's values.
Library section, on the corpus PDFs, ms per page: pdfplumber (tables found and text read: the
reader before issue 14 and the fallback now), pypdfium2 plain text with character boxes, and the
reader itself (pdfium plus our table finder). Every PDF's row says how many of its pages fell back
to pdfplumber (readers.pdf.LAST_READ).

Median of N warm samples (one untimed call first). No network. Exit 0 when the run completed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the synthetic PDFs come from tests/test_pdf.py

CORPUS_PDFS = ("001_huaian_hongze_district_2023.pdf", "002_huaian_hongze_district_2024.pdf")
CORPUS_HTML = ("043_shuyang_drc_2023_savedpage.html",)


FALLBACK: dict[str, int] = {}  # input -> pages read by pdfplumber instead of pdfium


def fallback_pages(name: str, data: bytes) -> None:
    from disclosure_cli.readers import pdf

    pdf.read_pdf(data)
    FALLBACK[name] = len(pdf.LAST_READ.fallback)


def median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def pdf_pages(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def parse_pdf(data: bytes):
    """The whole pipeline on PDF bytes, as a user runs it."""
    from disclosure_cli.parse import parse_bytes

    return parse_bytes(data, "bench.pdf").numbers()


def check(got: dict, expected: dict | None) -> str:
    if expected is None:
        return "ok"
    wrong = [k for k, v in expected.items() if (v is None) != (got.get(k) is None) or (v and abs(got[k] - v) > 1e-6)]
    return f"WRONG({len(wrong)})" if wrong else "ok"


def synthetic(seeds: int):
    from disclosure_cli.testing import synth
    from tests.test_pdf import markdown_pdf

    out = []
    for seed in range(seeds):
        s = synth.random_report(seed, "2019" if seed % 2 else "2021")
        out.append(
            (f"synth-{s.format}-{seed}", s, synth.render_html(s).encode(), markdown_pdf(synth.render_markdown(s)))
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--synthetic", type=int, default=4, help="synthetic reports rendered both ways")
    args = parser.parse_args(argv)

    from disclosure_cli.parse import parse_bytes
    from disclosure_cli.readers.pdf import read_pdf

    rows: list[tuple[str, str, int, float, float | None, str]] = []  # name, path, pages, total, read, status
    corpus = args.corpus if args.corpus.is_dir() else None
    if corpus is None:
        print(f"corpus not found at {args.corpus}: synthetic inputs only", file=sys.stderr)
    for name in CORPUS_PDFS if corpus else ():
        data = (corpus / name).read_bytes()
        total = median_ms(lambda data=data: parse_pdf(data), args.repeat)
        read = median_ms(lambda data=data: read_pdf(data), args.repeat)
        rows.append((name, "pdf", pdf_pages(data), total, read, "ok"))
        fallback_pages(name, data)
    for name in CORPUS_HTML if corpus else ():
        data = (corpus / name).read_bytes()
        rows.append((name, "html", 1, median_ms(lambda data=data: parse_bytes(data), args.repeat), None, "ok"))
    for name, s, html, pdf in synthetic(args.synthetic):
        total = median_ms(lambda pdf=pdf: parse_pdf(pdf), args.repeat)
        read = median_ms(lambda pdf=pdf: read_pdf(pdf), args.repeat)
        rows.append((name + ".pdf", "pdf", pdf_pages(pdf), total, read, check(parse_pdf(pdf), s.values)))
        fallback_pages(name + ".pdf", pdf)
        total = median_ms(lambda html=html: parse_bytes(html), args.repeat)
        rows.append((name + ".html", "html", 1, total, None, check(parse_bytes(html).numbers(), s.values)))

    print(f"{'input':48} {'path':4} {'pages':>5} {'ms total':>9} {'ms/page':>8} {'read/page':>9}  status")
    fallbacks = {name: fell for name, fell in FALLBACK.items()}
    for name, path, pages, total, read, status in rows:
        per_read = f"{read / pages:9.1f}" if read is not None else f"{'':9}"
        fell = f"; {fallbacks[name]} page(s) by pdfplumber" if fallbacks.get(name) else ""
        print(f"{name:48} {path:4} {pages:5d} {total:9.1f} {total / pages:8.1f} {per_read}  {status}{fell}")
    pdf = [total / pages for _, path, pages, total, _, _ in rows if path == "pdf"]
    html = [total / pages for _, path, pages, total, _, _ in rows if path == "html"]
    print(
        f"\nmedian ms per page: PDF {statistics.median(pdf):.1f}, HTML {statistics.median(html):.1f} "
        f"({statistics.median(pdf) / statistics.median(html):.0f}x)"
    )
    if corpus:
        libraries(corpus, args.repeat)
    return 0


def libraries(corpus: Path, repeat: int) -> None:
    """pdfplumber (tables + text), pypdfium2 (text + char boxes) and our reader, ms per page."""
    import pdfplumber

    from disclosure_cli.readers.pdf import read_pdf

    try:
        import pypdfium2
    except ImportError:
        pypdfium2 = None

    def plumber(data: bytes) -> None:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                for table in page.find_tables():
                    table.extract()
                page.extract_text()

    def pdfium(data: bytes) -> None:
        doc = pypdfium2.PdfDocument(data)
        for i in range(len(doc)):
            text = doc[i].get_textpage()
            text.get_text_range()
            for ch in range(text.count_chars()):
                text.get_charbox(ch)
        doc.close()

    print(f"\n{'library':48} {'ms/page':>8}  what it gives")
    for name in CORPUS_PDFS:
        data = (corpus / name).read_bytes()
        pages = pdf_pages(data)
        ms = median_ms(lambda data=data: plumber(data), repeat) / pages
        print(f"{'pdfplumber ' + name[:36]:48} {ms:8.1f}  tables + text")
        if pypdfium2 is not None:
            ms = median_ms(lambda data=data: pdfium(data), repeat) / pages
            print(f"{'pypdfium2 ' + name[:37]:48} {ms:8.1f}  text in stream order, no tables")
        ms = median_ms(lambda data=data: read_pdf(data), repeat) / pages
        print(f"{'read_pdf ' + name[:38]:48} {ms:8.1f}  pdfium + our table finder: the cells")


if __name__ == "__main__":
    sys.exit(main())
