"""Time and peak memory of ``parse_bytes`` on each kind of hostile input (issue 11).

Each input is built by the builders of ``tests/test_hostile_inputs.py`` (on the corpus's 111 KB
saved page when ``../shared/corpus`` is present, else on a fixture page) and parsed in its own
subprocess under a wall-time and address-space limit, so a runaway input is measured as "over the
limit" without taking the machine with it. Peak memory is the child's maximum resident set size.

    python bench/hostile.py                      # every kind, 60 s and 4 GB limits
    python bench/hostile.py --only pdf-bomb --timeout 200 --mem-gb 12
    python bench/hostile.py --pythonpath /tmp/old  # measure another checkout of disclosure_cli
    python bench/hostile.py --save bench/results/hostile-DATE.txt
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_inputs import CORPUS, HOSTILE, PAGE  # noqa: E402

REAL_PAGE = CORPUS / "043_shuyang_drc_2023_savedpage.html"

CHILD = """
import json, sys, time
t = time.perf_counter()
from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_bytes
data = open(sys.argv[1], "rb").read()
try:
    parse_bytes(data)
    out = "record"
except ReportError as exc:
    out = f"refused:{exc.reason}"
except BaseException as exc:
    out = f"INTERNAL:{type(exc).__name__}"
print(json.dumps({"outcome": out, "seconds": time.perf_counter() - t}))
"""


def run_one(path: str, timeout: float, mem_bytes: int, pythonpath: str | None) -> dict:
    """Parse one file in a child process; wall time and peak RSS from the parent's point of view."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, path],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=os.path.dirname(path),  # not this checkout: with -c the current directory comes first
        preexec_fn=limits,
    )
    timed_out = False
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            timed_out = True
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    proc.stdout.close()
    peak_mb = usage.ru_maxrss / 1024
    if timed_out:
        outcome = f"over {timeout:.0f} s (killed)"
    elif out.strip():
        outcome = json.loads(out)["outcome"]
    else:
        outcome = f"died (status {status})"
    if "MemoryError" in outcome:
        outcome = f"over {mem_bytes / 2**30:.0f} GB (MemoryError)"
    return {"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", help="a kind to run (repeatable); default: all")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a child is killed")
    ap.add_argument("--mem-gb", type=float, default=4.0, help="address-space limit of a child")
    ap.add_argument("--pythonpath", help="PYTHONPATH for the children (another disclosure_cli)")
    ap.add_argument("--save", help="also write the table to this file")
    args = ap.parse_args(argv)
    base_path = REAL_PAGE if REAL_PAGE.is_file() else PAGE
    base = base_path.read_bytes()
    kinds = args.only or list(HOSTILE)
    lines = [
        f"# bench/hostile.py  base page: {base_path.name} ({len(base):,} bytes)",
        f"# limits per input: {args.timeout:.0f} s wall, {args.mem_gb:.0f} GB address space;"
        f" pythonpath: {args.pythonpath or '(this checkout)'}",
        f"# python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}",
        f"{'kind':<22} {'input':>11} {'seconds':>8} {'peak MB':>8}  outcome",
    ]
    print("\n".join(lines), flush=True)
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ["(import + real page)", *kinds]:
            data = base if kind.startswith("(") else HOSTILE[kind](base)
            path = os.path.join(tmp, "input")
            Path(path).write_bytes(data)
            r = run_one(path, args.timeout, int(args.mem_gb * 2**30), args.pythonpath)
            if baseline is None:
                baseline = r
            line = f"{kind:<22} {len(data):>11,} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f}  {r['outcome']}"
            print(line, flush=True)
            lines.append(line)
    if args.save:
        Path(args.save).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
