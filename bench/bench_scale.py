#!/usr/bin/env python
"""Benchmark what docs/scale.md needs beyond bench_batch.py: dataset size per report, the cost of
``merge`` and of the cross-year refresh per series, and ``region.resolve`` per record.

    python bench/bench_scale.py [--places N] [--save]

N county governments (default 100, each a real GB/T 2260 county, so every name resolves) with three
synthetic years each are batched as two shards (--jobs 2), merged (which computes every series'
cross-year findings), every series is then marked pending and refreshed once more, alone. Resolve
is timed with timeit on the corpus and golden agency names and on 3 × 3,210 national-style names
(「省市县」 + 人民政府/财政局/教育局), without its cache and with it. The load average is printed
at the start and the end: on a shared machine the figures are only as good as it.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def resolve_costs(lines: list[str]) -> None:
    from disclosure_cli import region

    t = time.perf_counter()
    region._data()
    lines.append(f"region data load (once per process, first resolve): {(time.perf_counter() - t) * 1000:.0f} ms")
    raw = region.resolve.__wrapped__
    names = [
        json.loads(Path(p).read_text(encoding="utf-8"))["agency"]
        for p in sorted(glob.glob(str(ROOT / "tests/golden/*.json")))
    ]
    data = region._data()
    national = [
        (data.divisions[d.parent].name if d.parent else "") + d.name + dept
        for d in data.divisions.values()
        for dept in ("人民政府", "财政局", "教育局")
    ]

    def per(ns: list[str], f: object, number: int) -> float:
        best = min(timeit.repeat(lambda: [f(a) for a in ns], number=number, repeat=5))  # type: ignore[operator]
        return best / number / len(ns) * 1e6

    lines.append(
        f"resolve, golden agency names ({len(names)}): uncached {per(names, raw, 20):.1f} µs/record,"
        f" cached {per(names, region.resolve, 200):.2f} µs/record"
    )
    lines.append(f"resolve, national-style names ({len(national)}): uncached {per(national, raw, 1):.1f} µs/record")


def dataset_costs(lines: list[str], places: int) -> None:
    from disclosure_cli import region
    from disclosure_cli.batch import run_batch
    from disclosure_cli.dataset import merge, open_db
    from disclosure_cli.testing import synth

    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    data = region._data()
    counties = [c for c, d in data.divisions.items() if d.level == "county" and d.parent][:places]
    paths = []
    for i, code in enumerate(counties):
        for s in synth.random_series(100 + i, 2021, 3):
            s.agency = f"{region.division_name(code)}人民政府"
            path = tmp / f"{code}_{s.year}.html"
            path.write_text(synth.render_html(s), encoding="utf-8")
            paths.append(str(path))
    half = len(paths) // 2
    t = time.perf_counter()
    run_batch(paths[:half], str(tmp / "a.sqlite"), jobs=2)
    ta = time.perf_counter() - t
    t = time.perf_counter()
    run_batch(paths[half:], str(tmp / "b.sqlite"), jobs=2)
    tb = time.perf_counter() - t
    lines.append(
        f"batch --jobs 2, two shards of {half}: {ta:.2f} s and {tb:.2f} s ({len(paths) / (ta + tb):.1f} reports/s)"
    )
    t = time.perf_counter()
    summary = merge([str(tmp / "a.sqlite"), str(tmp / "b.sqlite")], str(tmp / "out.sqlite"))
    tm = time.perf_counter() - t
    lines.append(
        f"merge of the two shards: {summary.added} reports in {tm:.2f} s ({summary.added / tm:.0f} reports/s,"
        f" the cross-year findings of all {places} series included)"
    )
    with open_db(str(tmp / "out.sqlite")) as ds:
        keys = {region.series_key(r) for r in map(region.resolve, ds.agencies()) if r is not None}
        with ds.conn:
            ds.conn.executemany("INSERT OR IGNORE INTO series_pending VALUES (?)", [(k,) for k in keys])
        t = time.perf_counter()
        ds.refresh_series()
        tr = time.perf_counter() - t
        lines.append(
            f"cross-year refresh alone: {len(keys)} series of 3 years in {tr:.2f} s"
            f" ({tr / len(keys) * 1000:.1f} ms/series)"
        )
        counts = ds.counts()
    size = os.path.getsize(tmp / "out.sqlite")
    lines.append(
        f"dataset: {counts['reports']} reports, {counts['values']} values, {size / 1e6:.1f} MB"
        f" = {size / counts['reports'] / 1024:.1f} KB/report"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--places", type=int, default=100, help="county governments, three years each (default 100)")
    ap.add_argument("--save", action="store_true", help="also write bench/results/bench_scale-DATE.txt")
    args = ap.parse_args(argv)
    now = datetime.datetime.now().replace(microsecond=0).isoformat()
    lines = [f"bench_scale  {now}  Python {sys.version.split()[0]}  x{os.cpu_count()}  load at start {os.getloadavg()}"]
    resolve_costs(lines)
    dataset_costs(lines, args.places)
    lines.append(f"load at end {os.getloadavg()}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.save:
        out = ROOT / "bench" / "results" / f"bench_scale-{datetime.date.today().isoformat()}.txt"
        out.write_text(text, encoding="utf-8")
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
