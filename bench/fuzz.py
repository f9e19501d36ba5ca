"""Long fuzz runs of ``parse_bytes`` on mutated real pages (issue 11).

Pages come from ``fixtures/`` and ``../shared/corpus`` (with ``seed/``) when it is present; each case
applies one to three mutations of ``tests/test_hostile_inputs.py`` (byte flips, truncation, deleted
lines, duplication, tag soup, span attributes, huge numbers, nesting, NULs, re-encoding). Every case
runs in a forked child under an address-space limit and a wall-time limit, and the parent reads its
time and peak resident memory from ``wait4``. Counted: outcomes, internal errors (anything but a
Record or a ReportError, a crash, a kill), cases over 10 s and cases over 1 GB peak.

    python bench/fuzz.py --cases 5000 --jobs 2 --seed 11 --save bench/results/fuzz-DATE.txt
    python bench/fuzz.py --cases 200 --failures /tmp/fuzz-failures   # keep each failing input
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_inputs import CORPUS, FIXTURES, mutate  # noqa: E402

SLOW_SECONDS = 10.0
HEAVY_MB = 1024.0


def pages() -> list[tuple[str, bytes]]:
    found = [p for p in FIXTURES.iterdir() if p.is_file()]
    if CORPUS.is_dir():
        found += [p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv"]
    return [(p.name, p.read_bytes()) for p in sorted(found)]


def child(data: bytes, write_fd: int, mem_bytes: int) -> None:
    """In the forked child: parse, write one JSON line, exit without cleanup."""
    import logging

    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_bytes

    resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    logging.disable(logging.CRITICAL)  # pdfminer's warnings about broken pages
    try:
        parse_bytes(data)
        out = "record"
    except ReportError as exc:
        out = f"refused:{exc.reason}"
    except BaseException as exc:  # what the run is looking for
        out = f"INTERNAL:{type(exc).__name__}: {str(exc)[:200]}"
    os.write(write_fd, json.dumps({"outcome": out}).encode())
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--kill-after", type=float, default=60.0, help="seconds before a case is killed")
    ap.add_argument("--mem-gb", type=float, default=3.0, help="address-space limit of a case")
    ap.add_argument("--failures", help="directory to write each failing or slow input to")
    ap.add_argument("--save", help="also write the summary to this file")
    args = ap.parse_args(argv)

    import pdfplumber  # noqa: F401

    import disclosure_cli.parse
    import disclosure_cli.readers.html
    import disclosure_cli.readers.pdf  # noqa: F401

    corpus = pages()
    rng = random.Random(args.seed)
    outcomes: Counter[str] = Counter()
    mutations: Counter[str] = Counter()
    internal, slow, heavy = [], [], []
    worst_s = worst_mb = 0.0
    running: dict[int, tuple[int, float, str, bytes, int]] = {}  # pid -> (read fd, start, label, data, case)
    started = time.perf_counter()
    mem = int(args.mem_gb * 2**30)

    def finish(pid: int, status: int, usage) -> None:
        nonlocal worst_s, worst_mb
        fd, t0, label, data, case = running.pop(pid)
        seconds = time.perf_counter() - t0
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
        os.close(fd)
        peak = usage.ru_maxrss / 1024
        if raw:
            outcome = json.loads(raw)["outcome"]
        elif os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and seconds >= args.kill_after:
            outcome = f"INTERNAL:killed after {args.kill_after:.0f} s"
        else:
            outcome = f"INTERNAL:died (status {status})"
        key = outcome if outcome.startswith(("record", "refused")) else "INTERNAL"
        outcomes[key] += 1
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, peak)
        note = f"case {case} {label}: {outcome} ({seconds:.1f} s, {peak:.0f} MB)"
        for bad, cond in ((internal, key == "INTERNAL"), (slow, seconds > SLOW_SECONDS), (heavy, peak > HEAVY_MB)):
            if cond:
                bad.append(note)
                if args.failures:
                    os.makedirs(args.failures, exist_ok=True)
                    Path(args.failures, f"case{case}.bin").write_bytes(data)

    for case in range(args.cases):
        while len(running) >= args.jobs:
            reap(running, args.kill_after, finish)
        name, data = rng.choice(corpus)
        kinds = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            kind, data = mutate(data, rng)
            kinds.append(kind)
        mutations.update(kinds)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            child(data, write_fd, mem)
        os.close(write_fd)
        running[pid] = (read_fd, time.perf_counter(), f"{name} [{'+'.join(kinds)}]", data, case)
    while running:
        reap(running, args.kill_after, finish)

    elapsed = time.perf_counter() - started
    lines = [
        f"# bench/fuzz.py  seed {args.seed}, {args.cases:,} cases from {len(corpus)} real pages, {args.jobs} jobs,"
        f" {elapsed:.0f} s wall",
        f"# python {sys.version.split()[0]}, {os.cpu_count()} cpus; limits per case: killed after"
        f" {args.kill_after:.0f} s, {args.mem_gb:.0f} GB address space",
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
        "mutations applied: " + ", ".join(f"{k} {v}" for k, v in sorted(mutations.items())),
        f"internal errors: {len(internal)}",
        f"cases over {SLOW_SECONDS:.0f} s: {len(slow)}",
        f"cases over {HEAVY_MB:.0f} MB peak RSS: {len(heavy)}",
        f"slowest case: {worst_s:.2f} s; largest peak RSS: {worst_mb:.0f} MB",
        *(f"  {n}" for n in internal + slow + heavy),
    ]
    print("\n".join(lines))
    if args.save:
        Path(args.save).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if internal or slow or heavy else 0


def reap(running: dict, kill_after: float, finish) -> None:
    """Wait for any child; kill those over the time limit."""
    now = time.perf_counter()
    for pid, (_, t0, *_rest) in list(running.items()):
        if now - t0 > kill_after:
            os.kill(pid, signal.SIGKILL)
    pid, status, usage = os.wait4(-1, os.WNOHANG)
    if pid == 0:
        time.sleep(0.005)
        return
    if pid in running:
        finish(pid, status, usage)


if __name__ == "__main__":
    raise SystemExit(main())
