"""OCR: milliseconds per scanned page at 150 and 200 dpi, and the share spent in the recognition model.

Synthetic reports are printed and scanned by ``tests/image_render.py`` (tilt, noise) into a PDF with
no text layer, then read by ``readers.ocr.ocr_scanned_pdf`` at the same resolution. The rest of the
time is rendering the PDF page (pypdfium2), deskewing, finding the ruling lines and cutting crops.

    python bench/bench_ocr.py [--reports N] [--dpi 150 200]

Run it alone: onnxruntime uses ``readers.ocr.THREADS`` threads and a busy machine slows it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from disclosure_cli.readers import ocr
from disclosure_cli.testing import synth
from tests.image_render import Scan, render_scanned_pdf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2)
    ap.add_argument("--dpi", type=int, nargs="+", default=[150, 200])
    args = ap.parse_args()
    ocr.recognizer()  # load the model outside the timing
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {ocr.THREADS} threads")
    print(f"{'dpi':>4} {'pages':>5} {'ms/page':>8} {'engine ms/page':>15} {'engine share':>12} {'cells/page':>10}")
    for dpi in args.dpi:
        per_page, engine, crops, pages = [], [], [], 0
        for i in range(args.reports):
            s = synth.random_report(100 + i, ("2019", "2021")[i % 2], blanks=0.1)
            data = render_scanned_pdf(s, Scan(dpi, 0.4, 1.0, i))
            start = time.perf_counter()
            result = ocr.ocr_scanned_pdf(data, dpi=dpi)
            total = time.perf_counter() - start
            pages += result.pages
            per_page.append(total * 1000 / result.pages)
            engine.append(result.seconds_engine * 1000 / result.pages)
            crops.append(len(result.confidence) / result.pages)
        ms, eng = statistics.mean(per_page), statistics.mean(engine)
        print(f"{dpi:>4} {pages:>5} {ms:>8.0f} {eng:>15.0f} {eng / ms:>11.0%} {statistics.mean(crops):>10.0f}")


if __name__ == "__main__":
    main()
