#!/usr/bin/env python
"""Benchmark ``disclosure batch``: throughput at --jobs 1 and 2, peak memory, and the cost of a cached re-run.

    python bench/bench_batch.py [--corpus DIR] [--synthetic N] [--repeat R] [--save]

Data sets: the pages of ../shared/corpus (seed/ included), and N synthetic reports (default 400)
rendered in every shape (HTML grids, one-cell-per-line text, flattened text, Markdown) so that a
parallel run has enough work to show its speed-up.

Every run is a fresh ``python -c 'run_batch(...)'`` subprocess writing a fresh dataset, so start-up,
worker start-up (forkserver) and SQLite writes are all counted. Per run: wall time, pages per second
(inputs / wall), peak RSS of the batch process (``ru_maxrss``), of its largest worker and of the whole
process tree summed (sampled from /proc every 20 ms; the sum counts pages shared with the forkserver twice). Then
re-runs over the same dataset: files (every input skipped after a sha256), and the corpus served by
a local HTTP server on 127.0.0.1 (never the internet) first fetched, then re-run three ways: within
--max-age (no request at all), revalidated (If-Modified-Since, 304s), and --offline.
Median of R runs (default 3). No network beyond 127.0.0.1. Exit 2 when the corpus is absent.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"

CHILD = """
import json, os, resource, sys, threading, time
from disclosure_cli.batch import run_batch
from disclosure_cli.fetch import Fetcher

def tree():
    # (pid, depth, VmRSS kB, VmHWM kB) for this process and its descendants (the forkserver, its workers)
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    kids.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(d))
            except OSError:
                pass
    out, stack = [], [(os.getpid(), 0)]
    while stack:
        pid, depth = stack.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                mem = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in fh) if k in ("VmRSS", "VmHWM")}
            out.append((pid, depth, mem.get("VmRSS", 0), mem.get("VmHWM", 0)))
        except OSError:
            pass
        stack += [(k, depth + 1) for k in kids.get(pid, [])]
    return out

peak = {"total": 0, "worker": 0}
done = threading.Event()
def sample():
    while not done.wait(0.02):
        t = tree()
        peak["total"] = max(peak["total"], sum(r for _, _, r, _ in t))
        peak["worker"] = max([peak["worker"]] + [h for _, depth, _, h in t if depth >= 2])
threading.Thread(target=sample, daemon=True).start()

args = json.loads(sys.argv[1])
started = time.perf_counter()
with Fetcher(args["cache"], delay=0, offline=args["offline"], max_age=args["max_age"]) as f:
    s = run_batch(args["inputs"], args["db"], jobs=args["jobs"], fetcher=f)
wall = time.perf_counter() - started
done.set()
print(json.dumps({
    "summary": s.as_dict(), "wall": wall, "requests": f.requests,
    "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "workers_kb": peak["worker"], "total_kb": peak["total"],
}))
"""


def run(inputs: list[str], db: Path, jobs: int, cache: Path, offline: bool = False, max_age: float = 3600) -> dict:
    """One batch in a fresh interpreter; its summary, in-process wall time and memory, plus outer wall time."""
    args = {"inputs": inputs, "db": str(db), "jobs": jobs, "cache": str(cache), "offline": offline, "max_age": max_age}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["outer"] = time.perf_counter() - started
    return result


def synthetic(folder: Path, n: int) -> Path:
    from disclosure_cli.testing import synth

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        s = synth.random_report(10_000 + i, "2019" if i % 2 else "2021", blanks=0.05)
        shape = synth.SHAPES[i % len(synth.SHAPES)]
        ext = "html" if shape.startswith("html") else "md" if shape == "markdown" else "txt"
        (folder / f"{i:04d}_{shape}.{ext}").write_text(synth.render(s, shape), encoding="utf-8")
    return folder


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def median_run(repeat: int, tmp: Path, label: str, inputs: list[str], jobs: int) -> dict:
    results = []
    for r in range(repeat):
        db = tmp / f"{label}-j{jobs}-{r}.sqlite"
        results.append(run(inputs, db, jobs, tmp / "cache-unused"))
    mid = sorted(results, key=lambda x: x["outer"])[len(results) // 2]
    mid["outers"] = [x["outer"] for x in results]
    mid["db"] = str(tmp / f"{label}-j{jobs}-0.sqlite")
    return mid


def line(label: str, jobs: int, res: dict) -> str:
    s = res["summary"]
    return (
        f"{label:<22} jobs {jobs}  {s['inputs']:>4} inputs ({s['parsed']} parsed, {s['failed']} refused, "
        f"{s['duplicates']} dup)  wall {res['outer']:6.2f} s (in-process {res['wall']:5.2f} s)  "
        f"{s['inputs'] / res['outer']:7.1f} pages/s ({s['inputs'] / res['wall']:7.1f} in-process)  "
        f"peak RSS: batch {res['self_kb'] / 1024:3.0f} MB, largest worker {res['workers_kb'] / 1024:3.0f} MB, "
        f"whole tree {res['total_kb'] / 1024:3.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--synthetic", type=int, default=400, help="synthetic pages (default 400; 0 to skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration (median; default 3)")
    ap.add_argument("--save", action="store_true", help="also write bench/results/bench_batch-DATE.txt")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"bench_batch: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    out: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        out.append(text)

    say(
        f"bench_batch  {datetime.datetime.now().isoformat(timespec='seconds')}  Python {platform.python_version()}  "
        f"{platform.machine()} x{os.cpu_count()}  load {os.getloadavg()[0]:.2f}  median of {args.repeat}"
    )
    with tempfile.TemporaryDirectory(prefix="bench_batch-") as tmpname:
        tmp = Path(tmpname)
        corpus = tmp / "corpus"
        shutil.copytree(args.corpus, corpus)
        sets = [("corpus", [str(corpus)])]
        if args.synthetic:
            sets.append((f"synthetic x{args.synthetic}", [str(synthetic(tmp / "synthetic", args.synthetic))]))

        say("\nfirst runs (fresh dataset each):")
        last: dict[str, dict] = {}
        for label, inputs in sets:
            for jobs in (1, 2):
                res = median_run(args.repeat, tmp, label.split()[0], inputs, jobs)
                say(line(label, jobs, res))
                last[label] = res

        say("\nre-runs over the same dataset (every input already there):")
        for label, inputs in sets:
            db = Path(last[label]["db"])
            times = [run(inputs, db, 2, tmp / "cache-unused") for _ in range(args.repeat)]
            res = sorted(times, key=lambda x: x["outer"])[len(times) // 2]
            s = res["summary"]
            say(
                f"{label:<22} files     {s['skipped']:>4} skipped of {s['inputs']}  wall {res['outer']:.2f} s "
                f"(in-process {res['wall']:.3f} s)"
            )

        server = serve(corpus)
        try:
            host, port = server.server_address[:2]
            urls = tmp / "urls.txt"
            names = sorted(p.name for p in corpus.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")
            urls.write_text("".join(f"http://{host}:{port}/{n}\n" for n in names), encoding="utf-8")
            cache, db = tmp / "cache", tmp / "urls.sqlite"
            first = run([str(urls)], db, 2, cache, max_age=0)
            s = first["summary"]
            say(
                f"\ncorpus over HTTP (127.0.0.1, delay 0): first run {first['outer']:.2f} s, {first['requests']} "
                f"requests, {s['inputs']} inputs ({s['parsed']} parsed, {s['failed']} refused)"
            )
            for how, kw in (
                ("within --max-age", {"max_age": 3600}),
                ("revalidated (304s)", {"max_age": 0}),
                ("--offline", {"offline": True}),
            ):
                runs = [run([str(urls)], db, 2, cache, **kw) for _ in range(args.repeat)]
                res = sorted(runs, key=lambda x: x["outer"])[len(runs) // 2]
                say(
                    f"  re-run {how:<20} wall {res['outer']:.2f} s (in-process {res['wall']:.3f} s), "
                    f"{res['requests']} requests, {res['summary']['skipped']} skipped, "
                    f"{res['summary']['processed']} parsed again"
                )
        finally:
            server.shutdown()
            server.server_close()

    if args.save:
        target = HERE / "results" / f"bench_batch-{datetime.date.today().isoformat()}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"\nwritten to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
