#!/usr/bin/env python
"""Where ``parse_bytes`` spends its time, on the slowest realistic inputs.

    python bench/profile_parse.py [--repeat N] [--top K] [--save DIR]

Two views per input, both warm (one untimed call first):

* stages: each step :func:`disclosure_cli.parse.parse_bytes` calls (decode, sniff_shape,
  read_cells, read_metadata, detect_format, build_runs, Mapper.run, detect_script, ...) timed with
  a plain clock around the call, no profiler overhead. Fastest of N per stage (the least
  disturbed sample on a shared machine) and the median of the whole call.
* cProfile over N calls: the top functions by cumulative and by own time, in ms per call.
* for HTML inputs, the HTML reader split further: counting <td>s, lxml's parse, the walk, and
  within the walk the table grids (spans, cell text, classify) and the free-text lines.

Inputs: the real HTML page and the slowest accepted text/Markdown pages of ../shared/corpus, and
the large synthetic pages of bench_parse.py (2 MB HTML, 500 KB GBK HTML, 500 KB flattened text).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_parse import CORPUS, git_state  # noqa: E402

REAL = (
    "043_shuyang_drc_2023_savedpage.html",
    "028_pingtan_finance_bureau_2020_pagetxt.txt",
    "015_shuyang_county_2025_ocrmd.md",
    "seed/000_9c96fdb4022428de.txt",
)


def inputs():
    """(name, bytes) pairs, real pages first; the large pages are built only when their turn comes
    (building a 2 MB page right before timing a small one disturbs the small one's figures)."""
    import big_pages

    from disclosure_cli.testing import synth

    for name in REAL:
        if (CORPUS / name).is_file():
            yield name, (CORPUS / name).read_bytes()
    s19 = synth.random_report(2019 + 2019, "2019")
    s21 = synth.random_report(2019 + 2021, "2021")
    yield "large-2021-html-2m", big_pages.padded_html(s21, 2_000_000, seed=3).encode()
    yield "large-2019-gbk-html-500k", synth.encode(big_pages.padded_html(s19, 600_000, seed=4), "gbk")
    yield "large-2021-flat-500k", big_pages.padded_flat(s21, 500_000, seed=5).encode()


def stages(data: bytes) -> dict[str, float]:
    """ms per pipeline stage of one ``parse_bytes`` call.

    Every function and class method that ``disclosure_cli/parse.py`` calls through its module
    globals (decode, sniff_shape, read_cells, Mapper.run, ...) is wrapped with a clock for the call,
    so the stages follow the pipeline as it is now. Only the outermost wrapped call is timed (a stage
    calling another wrapped name is not counted twice); the rest of parse_bytes (sha256, building
    the Record) is reported as ``other``.
    """
    import disclosure_cli.parse as P

    times: dict[str, float] = {}
    depth = 0

    def wrap(name: str, fn):
        def timed(*args, **kwargs):
            nonlocal depth
            depth += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth -= 1
                if depth == 0:
                    times[name] = times.get(name, 0.0) + (time.perf_counter() - t) * 1000

        return timed

    skip = {"parse_bytes", "read_report", "parse_path", "read_input"}
    patches: list[tuple[object, str, object]] = []
    for name, obj in list(vars(P).items()):
        if name in skip or not getattr(obj, "__module__", "").startswith("disclosure_cli"):
            continue
        if isinstance(obj, type):
            for meth in ("__init__", "run"):
                if meth in vars(obj) and obj.__module__.endswith(("mapper",)):
                    patches.append((obj, meth, vars(obj)[meth]))
                    setattr(obj, meth, wrap(f"{name}.{meth}", vars(obj)[meth]))
        elif callable(obj):
            patches.append((P, name, obj))
            setattr(P, name, wrap(name, obj))
    t = time.perf_counter()
    try:
        with contextlib.suppress(Exception):  # a refusal still costs what it took to reach it
            P.parse_bytes(data)
    finally:
        total = (time.perf_counter() - t) * 1000
        for owner, name, orig in reversed(patches):
            setattr(owner, name, orig)
    times["other"] = max(0.0, total - sum(times.values()))
    return times


def html_stages(data: bytes) -> dict[str, float] | None:
    """ms per step of ``read_html`` (None when the input is not HTML): the <td> count, lxml's parse,
    the walk, and within the walk the grids and the free-text lines (each timed around the call)."""
    from disclosure_cli.decode import decode_text
    from disclosure_cli.readers import html as H
    from disclosure_cli.readers import sniff_shape

    text = decode_text(data)[0]
    if sniff_shape(text) != "html":
        return None
    times = {"count <td>": 0.0, "lxml parse_document": 0.0, "walk": 0.0, "  grids": 0.0, "  free-text lines": 0.0}

    def wrap(key: str, fn):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[key] += (time.perf_counter() - t) * 1000

        return timed

    grid, flush = H._Walker._grid, H._Walker._flush
    H._Walker._grid, H._Walker._flush = wrap("  grids", grid), wrap("  free-text lines", flush)
    try:
        t = time.perf_counter()
        sum(1 for _ in H._TD.finditer(text))
        times["count <td>"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        root = H.parse_document(text)
        times["lxml parse_document"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        with contextlib.suppress(Exception):
            H._Walker().run(root)
        times["walk"] = (time.perf_counter() - t) * 1000
    finally:
        H._Walker._grid, H._Walker._flush = grid, flush
    return times


def describe(data: bytes) -> str:
    from disclosure_cli.errors import ReportError
    from disclosure_cli.mapper import build_runs
    from disclosure_cli.parse import parse_bytes
    from disclosure_cli.readers import read_cells, sniff_shape

    try:
        what = parse_bytes(data).shape
    except ReportError as exc:
        what = f"refused:{exc.reason}"
    from disclosure_cli.decode import decode

    text = decode(data)[0]
    cells = read_cells(text, sniff_shape(text))
    return f"{what}, {len(cells)} cells, {len(build_runs(cells))} runs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--save", type=Path, help="write one .prof file per input into this folder")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"profile_parse: corpus folder not found: {CORPUS} (real inputs skipped)", file=sys.stderr)

    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_bytes

    def call(data: bytes) -> None:
        with contextlib.suppress(ReportError):
            parse_bytes(data)

    print(
        f"profile_parse  {datetime.datetime.now().isoformat(timespec='seconds')}  repo {git_state()}  "
        f"Python {platform.python_version()}  load {os.getloadavg()[0]:.2f}  repeat {args.repeat}"
    )
    for name, data in inputs():
        call(data)  # warm-up: lazy imports, OpenCC, lru caches
        runs = [stages(data) for _ in range(args.repeat)]
        keys = list(runs[0])
        # the fastest of N per stage: on a shared 2-core VM the least-disturbed sample is the estimate
        med = {k: min(r.get(k, 0.0) for r in runs) for k in keys}
        total = sum(med.values())
        print(f"\n=== {name}  {len(data):,} bytes  ({describe(data)})")
        whole = statistics.median(sum(r.values()) for r in runs)
        print(
            f"stages (fastest of {args.repeat} per stage, no profiler): {total:.1f} ms; "
            f"median whole call {whole:.1f} ms"
        )
        for k in keys:
            print(f"  {k:28} {med[k]:8.2f} ms  {100 * med[k] / total:5.1f}%")

        split = [html_stages(data) for _ in range(args.repeat)]
        if split[0] is not None:
            print(f"  read_html split (fastest of {args.repeat} per step):")
            for k in split[0]:
                print(f"    {k:26} {min(r[k] for r in split if r is not None):8.2f} ms")

        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeat):
            call(data)
        prof.disable()
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            prof.dump_stats(str(args.save / (name.replace("/", "_") + ".prof")))
        st = pstats.Stats(prof, stream=io.StringIO())
        rows = []
        for (file, line, func), (_cc, ncalls, tt, ct, _callers) in st.stats.items():
            short = f"{Path(file).parent.name}/{Path(file).name}:{line}({func})" if line else func
            rows.append((ct / args.repeat * 1000, tt / args.repeat * 1000, ncalls // args.repeat, short))
        print(f"cProfile, ms per call (profiler overhead included), top {args.top} by cumulative:")
        for ct, tt, n, short in sorted(rows, reverse=True)[: args.top]:
            print(f"  {ct:8.2f} cum  {tt:8.2f} own  {n:8d} calls  {short}")
        print(f"top {args.top} by own time:")
        for ct, tt, n, short in sorted(rows, key=lambda r: r[1], reverse=True)[: args.top]:
            print(f"  {tt:8.2f} own  {ct:8.2f} cum  {n:8d} calls  {short}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
