#!/usr/bin/env python
"""`disclosure batch` of two checkouts side by side, interleaved (A j1, A j2, B j1, B j2, …).

    python bench/ab_batch.py BASE_ROOT [NEW_ROOT] [--pages N] [--years Y | --corpus DIR] [--rounds R] [--save]

Each run is a fresh dataset over the same N synthetic pages (``synth``, every shape, written once to
a temporary folder). Per checkout and ``--jobs`` 1 / 2: wall time, and the CPU time of the batch
process itself (user + system, from ``os.wait4``: its workers are the fork server's children, so
this is the parent's share, the part ``--jobs 2`` cannot spread). Interleaving keeps a busy
machine's drift out of the comparison; on a shared 2-core machine the CPU figures move less than
the wall-clock ones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市",
          "丽水市", "南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "扬州市", "镇江市",
          "泰州市")  # fmt: skip
DEPARTMENTS = ("人民政府", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局", "自然资源和规划局",
               "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
               "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局")  # fmt: skip


def write_pages(folder: Path, n: int, years: int = 0) -> None:
    """``n`` pages in every shape. ``years`` 0: synth's five agencies, years at random (series of
    about 80 reports, many years twice); else ``n // years`` distinct agencies with ``years``
    consecutive years each, as a national collection has them."""
    from disclosure_cli.testing import synth

    shapes = [*synth.SHAPES, *synth.WILD]
    if years:
        reports = []
        for a in range(n // years):
            for s in synth.random_series(a, 2020, years):
                s.agency = CITIES[a % len(CITIES)] + DEPARTMENTS[a // len(CITIES) % len(DEPARTMENTS)]
                reports.append(s)
    else:
        reports = [synth.random_report(i, "2021" if i % 2 else "2019") for i in range(n)]
    for i, s in enumerate(reports):
        shape = shapes[i % len(shapes)]
        ext = "html" if shape.startswith(("html", *synth.WILD)) else "md" if shape == "markdown" else "txt"
        (folder / f"{i:04d}_{shape}.{ext}").write_text(synth.render(s, shape, i), encoding="utf-8")


def one_run(root: str, pages: Path, db: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the batch process) of one batch into a fresh dataset."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = root
    argv = [sys.executable, "-m", "disclosure_cli", "batch", str(pages), "--db", str(db), "-j", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"{root}: batch exited with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("new", nargs="?", default=str(ROOT))
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--years", type=int, default=0, help="distinct agencies, this many years each (0: synth's five)"
    )
    parser.add_argument(
        "--corpus", type=Path, help="instead: the text/HTML/Markdown pages of this corpus folder (linked)"
    )
    parser.add_argument("--save", action="store_true", help="also write bench/results/ab_batch-<date>.txt")
    args = parser.parse_args()
    sides = {"base": args.base, "new": args.new}
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        if args.corpus:
            for f in sorted(args.corpus.iterdir()):
                if f.suffix in (".txt", ".md", ".html", ".htm"):
                    (pages / f.name).symlink_to(f.resolve())
            args.pages = len(list(pages.iterdir()))
        else:
            write_pages(pages, args.pages, args.years)
        years = f"corpus {args.corpus}" if args.corpus else args.years or "random, 5 agencies"
        say(f"ab_batch  {args.pages} pages  years {years}  rounds {args.rounds}  base {args.base}  new {args.new}")
        say(f"load at start {os.getloadavg()[0]:.2f}")
        samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for r in range(args.rounds):
            for side, root in sides.items():
                for jobs in (1, 2):
                    got = one_run(root, pages, Path(tmp) / f"{side}-{jobs}.sqlite", jobs)
                    samples.setdefault((side, jobs), []).append(got)
            say(f"  round {r + 1}: " + "  ".join(f"{s}-j{j} {v[-1][0]:.2f} s" for (s, j), v in samples.items())
                + f"  (load {os.getloadavg()[0]:.2f})")  # fmt: skip
    for (side, jobs), got in samples.items():
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        say(f"{side:4} --jobs {jobs}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s;"
            f" batch process CPU median {statistics.median(cpus):.2f} s")  # fmt: skip
    for side in sides:
        j1, j2 = [w for w, _ in samples[(side, 1)]], [w for w, _ in samples[(side, 2)]]
        say(f"{side:4} --jobs 2 speed-up: best {min(j1) / min(j2):.2f}x, median"
            f" {statistics.median(j1) / statistics.median(j2):.2f}x")  # fmt: skip
    if args.save:
        out = HERE / "results" / f"ab_batch-{datetime.now():%Y-%m-%d}.txt"
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written to {out}")


if __name__ == "__main__":
    main()
