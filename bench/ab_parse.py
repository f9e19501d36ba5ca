#!/usr/bin/env python
"""Parse time of two checkouts side by side, on the same inputs, interleaved (A B A B …).

    python bench/ab_parse.py BASE_ROOT [NEW_ROOT] [--rounds 5] [--also DIR] [--only .pdf]

Each round runs one subprocess per checkout (``PYTHONPATH=ROOT``) that parses every input warm,
three times, and reports the fastest per input; the medians over rounds are compared per input and in
total. Inputs: ../shared/corpus (when present) and fixtures/ of the new checkout. Interleaving
keeps a busy machine's drift out of the ratio; the ratio, not the milliseconds, is the result.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_WORKER = r"""
import json, sys, time
from disclosure_cli.parse import parse_bytes
from disclosure_cli.errors import ReportError
out = {}
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    try:
        parse_bytes(data)
    except ReportError:
        pass
    best = None
    for _ in range(3):
        start = time.perf_counter()
        try:
            parse_bytes(data)
        except ReportError:
            pass
        took = (time.perf_counter() - start) * 1000
        best = took if best is None else min(best, took)
    out[path] = best
print(json.dumps(out))
"""


def inputs(extra: list[str], suffixes: list[str]) -> list[str]:
    found = []
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        found += sorted(str(p) for p in corpus.iterdir() if p.is_file() and p.suffix != ".tsv")
    found += sorted(str(p) for p in (ROOT / "fixtures").iterdir() if p.is_file())
    for folder in extra:
        found += sorted(str(p) for p in Path(folder).iterdir() if p.is_file())
    return [f for f in found if not suffixes or f.endswith(tuple(suffixes))]


def run(root: str, files: list[str]) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=root)
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, *files], env=env, capture_output=True, text=True, check=True, cwd=root
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("new", nargs="?", default=str(ROOT))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--also", action="append", default=[], help="a folder of more inputs (e.g. rendered PDFs)")
    parser.add_argument("--only", action="append", default=[], help="only inputs ending so (e.g. .pdf)")
    args = parser.parse_args()
    files = inputs(args.also, args.only)
    samples: dict[str, dict[str, list[float]]] = {"base": {}, "new": {}}
    for _ in range(args.rounds):
        for side, root in (("base", args.base), ("new", args.new)):
            for path, ms in run(root, files).items():
                samples[side].setdefault(path, []).append(ms)
    load = os.getloadavg()[0]
    print(f"ab_parse  rounds {args.rounds}  load {load:.2f}  base {args.base}  new {args.new}")
    print(f"{'input':<56} {'base ms':>9} {'new ms':>9} {'new/base':>9}")
    totals = {"base": 0.0, "new": 0.0}
    groups: dict[str, dict[str, float]] = {}
    for path in files:
        base = statistics.median(samples["base"][path])
        new = statistics.median(samples["new"][path])
        totals["base"] += base
        totals["new"] += new
        group = "pdf" if path.endswith(".pdf") else "html" if path.endswith(".html") else "text/md"
        groups.setdefault(group, {"base": 0.0, "new": 0.0})
        groups[group]["base"] += base
        groups[group]["new"] += new
        print(f"{Path(path).name[:56]:<56} {base:9.2f} {new:9.2f} {new / base:8.2f}x")
    for group, t in sorted(groups.items()):
        print(f"{'total ' + group:<56} {t['base']:9.1f} {t['new']:9.1f} {t['new'] / t['base']:8.2f}x")
    print(f"{'total':<56} {totals['base']:9.1f} {totals['new']:9.1f} {totals['new'] / totals['base']:8.2f}x")


if __name__ == "__main__":
    main()
