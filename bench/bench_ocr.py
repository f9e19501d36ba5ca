"""OCR: milliseconds per scanned page at 150 and 200 dpi, and the share spent in the recognition model.

Synthetic reports are printed and scanned by ``tests/image_render.py`` (tilt, noise) into a PDF with
no text layer, then read by ``readers.ocr.ocr_scanned_pdf`` at the same resolution. The rest of the
time is rendering the PDF page (pypdfium2), deskewing, finding the ruling lines and cutting crops.

    python bench/bench_ocr.py [--reports N] [--dpi 150 200] [--min-ratio R]

Run it alone: onnxruntime uses ``readers.ocr.THREADS`` threads and a busy machine slows it (the load
average is printed before and after; compare runs made at a similar load).

``--min-ratio`` is an experiment, not a setting: the recognition model is fed every crop padded to at
least 48×320 (ratio 320/48, as RapidOCR does). Padding less is faster (the cost is linear in the width)
but changes what is read: with ratio 1, 64-101 cells of the tests' scans changed, 「0」 read as 「o」
(bench/results/bench_ocr-2026-12-02.txt), so the reader keeps the padding.
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
    ap.add_argument("--min-ratio", type=float, default=None, help="experiment: pad crops to this width/height")
    args = ap.parse_args()
    if args.min_ratio is not None:
        call = ocr.Recognizer.__call__
        ratio = args.min_ratio

        def padded(self: ocr.Recognizer, crops: list, batch: int = 8, min_ratio: float = 0.0) -> list:
            return call(self, crops, batch, ratio)

        ocr.Recognizer.__call__ = padded  # type: ignore[method-assign]
        print(f"EXPERIMENT: crops padded to a width/height of at least {ratio} (the reader uses {320 / 48:.2f})")
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
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
