#!/usr/bin/env python
"""Every ratio issue 14 sets a target for, measured side by side in one run.

    python bench/run_all.py [--quick] [--only NAME[,NAME]] [--root DIR] [--no-save]

Sections (NAME for --only):

  html     parse_bytes on the corpus HTML pages against pandas.read_html(io.BytesIO(data), flavor="lxml")
           alone, on the same bytes (per page and total; target <= 0.5x). The synthetic HTML fixtures are shown
           too, without a target.
  pdf      parse_bytes on the corpus PDFs and on synthetic PDFs (tests/test_pdf.py's writer, as in
           bench_pdf.py) against pypdfium2 plain text extraction of the same pages (target <= 4x).
  startup  a cold `disclosure audit fixtures/seed_shenzhen_2020.txt` process against `python -c pass`,
           same interpreter, subprocesses interleaved (target <= 3.5x), with the bytecode of the
           package cached (PYTHONPYCACHEPREFIX in a temp dir) and as this environment is configured
           (here PYTHONDONTWRITEBYTECODE=1: the package is compiled on every run); then the top 15
           imports by cumulative time of `python -X importtime ... audit ...`, and the import time
           summed per top-level package.
  batch    `disclosure batch --jobs 1` against one `disclosure audit -o jsonl` process over the same
           N distinct synthetic pages (every synth shape; 400, --quick 40), and over the corpus's
           text/HTML pages (target <= 1.3x). Fresh SQLite dataset in a temp dir for every run.
  jobs     `disclosure batch --jobs 2` against `--jobs 1` on the same 400 pages (target >= 1.7x);
           the load is printed with every run. Shares its runs with `batch`.
  tree     selectolax (lexbor) against lxml: parse the corpus HTML pages into a tree and take the
           text of every <td>/<th> (no target; skipped when selectolax is not installed).

Timing: every method is warmed once, then measured in interleaved rounds (the order rotates every
round), so a burst of load from another process lands on both sides of a ratio. The verdict uses the
fastest sample of each side (best of N, the least disturbed one on a shared machine); the median is
printed next to it. os.getloadavg() is printed at the start and end of the run and of every section.

Results go to bench/results/run_all-DATE-REV.txt (REV: git short rev; -quick / -only-NAME added to
the name for partial runs). --root DIR measures another checkout (PYTHONPATH=DIR), e.g. an export of
HEAD while the working tree is being edited. Full run about 3 minutes, --quick about 30 s.
Exit 0 when the run completed (targets are reported, not enforced).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = "fixtures/seed_shenzhen_2020.txt"
SECTIONS = ("html", "pdf", "startup", "batch", "jobs", "tree")


# --- output ------------------------------------------------------------------------------------


class Out:
    """Print and keep every line, for the results file."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


say = Out()


@dataclass
class Verdict:
    number: int
    what: str
    best: float | None  # ratio of the fastest samples
    median: float | None  # ratio of the medians
    target: str  # "<= 0.5" or ">= 1.7"
    load: str
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.best is None:
            return None
        op, limit = self.target.split()
        return self.best <= float(limit) if op == "<=" else self.best >= float(limit)


verdicts: list[Verdict] = []


def load_now() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def load1() -> float:
    return os.getloadavg()[0]


def fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def git_rev(root: Path) -> tuple[str, str]:
    """(short rev, description with the dirty state of disclosure_cli/)."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "norev", "not a git checkout"
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "disclosure_cli"], capture_output=True, text=True
    ).stdout.split("\n")
    dirty = [ln for ln in dirty if ln.strip()]
    desc = rev if not dirty else f"{rev} + {len(dirty)} uncommitted paths under disclosure_cli/"
    return rev, desc


# --- timing helpers ----------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """ms of one call; an exception is part of the cost (a refused page is timed too)."""
    gc.collect()
    t = time.perf_counter()
    with contextlib.suppress(Exception):
        fn()
    return (time.perf_counter() - t) * 1000


def interleave(jobs: list[tuple[str, Callable[[], object]]], rounds: int) -> dict[str, list[float]]:
    """One untimed call of each, then ``rounds`` rounds timing each once; the order rotates every round."""
    for _, fn in jobs:
        with contextlib.suppress(Exception):
            fn()
    samples: dict[str, list[float]] = {key: [] for key, _ in jobs}
    for r in range(rounds):
        k = r % len(jobs)
        for key, fn in jobs[k:] + jobs[:k]:
            samples[key].append(timed(fn))
    return samples


@dataclass
class Pair:
    """Samples of a method and of its baseline on one input."""

    name: str
    ours: list[float] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    note: str = ""
    pages: int = 1

    @property
    def best(self) -> tuple[float, float]:
        return min(self.ours), min(self.base)

    @property
    def median(self) -> tuple[float, float]:
        return statistics.median(self.ours), statistics.median(self.base)


def pair_rows(pairs: list[Pair], ours: str, base: str, unit: str = "ms") -> tuple[float, float]:
    """Print one row per input and a total; returns (ratio of summed bests, ratio of summed medians)."""
    head = (
        f"  {'input':46} {ours + ' best':>11} {base + ' best':>11} {'ratio':>7}   "
        f"{ours + ' med':>10} {base + ' med':>10} {'ratio':>7}  note"
    )
    say(head)
    for p in pairs:
        (ob, bb), (om, bm) = p.best, p.median
        say(
            f"  {p.name[:46]:46} {ob:9.2f}{unit} {bb:9.2f}{unit} {ob / bb:6.2f}x   "
            f"{om:8.2f}{unit} {bm:8.2f}{unit} {om / bm:6.2f}x  {p.note}"
        )
    tob = sum(p.best[0] for p in pairs)
    tbb = sum(p.best[1] for p in pairs)
    tom = sum(p.median[0] for p in pairs)
    tbm = sum(p.median[1] for p in pairs)
    say(
        f"  {'total (' + str(len(pairs)) + ')':46} {tob:9.2f}{unit} {tbb:9.2f}{unit} {tob / tbb:6.2f}x   "
        f"{tom:8.2f}{unit} {tbm:8.2f}{unit} {tom / tbm:6.2f}x"
    )
    return tob / tbb, tom / tbm


def section_head(title: str) -> str:
    start = load_now()
    say(f"\n== {title}  (load {start})")
    return start


# --- inputs ------------------------------------------------------------------------------------


def synth_module():
    try:
        from disclosure_cli.testing import synth
    except ImportError:
        from disclosure_cli import synth
    return synth


def corpus_files(corpus: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def check_values(record, expected: dict | None) -> str:
    if expected is None:
        return ""
    got = record.numbers()
    wrong = [
        k
        for k, v in expected.items()
        if (v is None) != (got.get(k) is None) or (v is not None and abs(got[k] - v) > 1e-6)
    ]
    return f"WRONG({len(wrong)})" if wrong else "values ok"


def parse_status(data: bytes, name: str, expected: dict | None = None) -> str:
    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_bytes

    try:
        record = parse_bytes(data, name)
    except ReportError as exc:
        return f"refused:{exc.reason}"
    return " ".join(x for x in (record.shape, check_values(record, expected)) if x)


# --- 1. HTML -----------------------------------------------------------------------------------


def run_html(args) -> None:
    import pandas as pd

    from disclosure_cli.parse import parse_bytes

    start = section_head(
        f"1. HTML: parse_bytes vs pandas.read_html(io.BytesIO(data), flavor='lxml') alone, same bytes  "
        f"(pandas {pd.__version__}; {args.rounds_html} interleaved rounds)"
    )
    real = [(p.name, p.read_bytes()) for p in corpus_files(args.corpus, (".html", ".htm"))]
    fixtures = [(p.name, p.read_bytes()) for p in sorted((args.root / "fixtures").glob("*.html"))]
    groups: list[tuple[str, list[Pair], list[str]]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, pages in (("corpus HTML pages", real), ("synthetic HTML fixtures (no target)", fixtures)):
            pairs, jobs, skipped = [], [], []
            for name, data in pages:
                try:
                    tables = f"pandas {len(pd.read_html(io.BytesIO(data), flavor='lxml'))} tables"
                except ValueError:  # e.g. Big5 bytes: lxml's own decoding finds no table; no baseline
                    skipped.append(name)
                    continue
                p = Pair(name, note=f"{len(data) // 1024} KB, {tables}; parse {parse_status(data, name)}")
                pairs.append(p)
                jobs.append((f"{name}/ours", lambda d=data: parse_bytes(d, "-")))
                jobs.append((f"{name}/base", lambda d=data: pd.read_html(io.BytesIO(d), flavor="lxml")))
            samples = interleave(jobs, args.rounds_html)
            for p in pairs:
                p.ours, p.base = samples[f"{p.name}/ours"], samples[f"{p.name}/base"]
            groups.append((label, pairs, skipped))
    for label, pairs, skipped in groups:
        if not pairs:
            say(f"  {label}: none found")
            continue
        say(f"  {label}:")
        if skipped:
            say(f"  (left out, pandas finds no table in the bytes: {', '.join(skipped)})")
        best, med = pair_rows(pairs, "parse", "pandas")
        if label.startswith("corpus"):
            verdicts.append(Verdict(1, "HTML parse / pandas.read_html", best, med, "<= 0.5", f"{start} → {load_now()}"))
    say(f"  (load at end {load_now()})")


# --- 2. PDF ------------------------------------------------------------------------------------


def synthetic_pdfs(n: int, root: Path) -> list[tuple[str, bytes, dict]]:
    synth = synth_module()
    sys.path.insert(0, str(root))
    try:
        from tests.test_pdf import markdown_pdf
    except ImportError as exc:
        say(f"  synthetic PDFs skipped: {exc}")
        return []
    out = []
    for seed in range(n):
        s = synth.random_report(seed, "2019" if seed % 2 else "2021")
        out.append((f"synth-{s.format}-{seed}.pdf", markdown_pdf(synth.render_markdown(s)), s.values))
    return out


def pdfium_text(data: bytes) -> int:
    """Plain text of every page with pypdfium2 (open, text page, get_text_range, close)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    chars = 0
    try:
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        doc.close()
    return chars


def run_pdf(args) -> None:
    from importlib import metadata

    import pypdfium2

    from disclosure_cli.parse import parse_bytes

    start = section_head(
        f"2. PDF: parse_bytes vs pypdfium2 {metadata.version('pypdfium2')} plain text extraction of the same pages  "
        f"({args.rounds_pdf} interleaved rounds)"
    )
    inputs = [(p.name, p.read_bytes(), None) for p in corpus_files(args.corpus, (".pdf",))]
    inputs += synthetic_pdfs(args.synthetic_pdfs, args.root)
    pairs, jobs = [], []
    for name, data, expected in inputs:
        pages = len(pypdfium2.PdfDocument(data))
        p = Pair(name, note=f"{pages} pages; {parse_status(data, name, expected)}", pages=pages)
        pairs.append(p)
        jobs.append((f"{name}/ours", lambda d=data: parse_bytes(d, "bench.pdf")))
        jobs.append((f"{name}/base", lambda d=data: pdfium_text(d)))
    samples = interleave(jobs, args.rounds_pdf)
    for p in pairs:
        p.ours, p.base = samples[f"{p.name}/ours"], samples[f"{p.name}/base"]
    best, med = pair_rows(pairs, "parse", "pdfium")
    pages = sum(p.pages for p in pairs)
    say(
        f"  per page: parse {sum(p.best[0] for p in pairs) / pages:.1f} ms, "
        f"pypdfium2 text {sum(p.best[1] for p in pairs) / pages:.1f} ms ({pages} pages, best of {args.rounds_pdf})"
    )
    verdicts.append(Verdict(2, "PDF parse / pypdfium2 text", best, med, "<= 4", f"{start} → {load_now()}"))


# --- subprocess helpers ------------------------------------------------------------------------


def disclosure_argv(args) -> list[str]:
    """The console script run by this interpreter (same interpreter as `python -c pass`)."""
    script = Path(sys.executable).parent / "disclosure"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "disclosure_cli"]


def child_env(args, tmp: Path, bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["DISCLOSURE_CACHE"] = str(tmp / "cache")
    if args.root != ROOT:
        env["PYTHONPATH"] = os.pathsep.join(x for x in (str(args.root), env.get("PYTHONPATH")) if x)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")  # bytecode outside the source tree
    return env


def wall_ms(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    return (time.perf_counter() - t) * 1000


def check_run(
    argv: list[str], env: dict[str, str], cwd: Path, ok_codes: tuple[int, ...]
) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode not in ok_codes or "Traceback" in done.stderr:
        tail = "\n".join(done.stderr.strip().splitlines()[-4:])
        raise RuntimeError(f"`{' '.join(argv[1:4])} …` exited {done.returncode}:\n{tail}")
    return done


# --- 3. start-up -------------------------------------------------------------------------------


def importtime_rows(stderr: str) -> list[tuple[int, int, str, int]]:
    """(cumulative us, self us, module, depth) per line of -X importtime."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((int(cum_us), int(self_us), name.strip(), depth))
    return rows


def run_startup(args, tmp: Path) -> None:
    start = section_head(
        f"3. start-up: cold `disclosure audit {SEED}` vs `python -c pass`, same interpreter "
        f"({args.rounds_startup} interleaved rounds of subprocesses)"
    )
    audit = [*disclosure_argv(args), "audit", SEED]
    bare = [sys.executable, "-c", "pass"]
    envs = {"bytecode cached": child_env(args, tmp, True), "as configured": child_env(args, tmp, False)}
    configured = "PYTHONDONTWRITEBYTECODE=1" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode written"
    check_run(audit, envs["bytecode cached"], args.root, (0, 1))
    jobs = []
    for label, env in envs.items():
        jobs.append((f"{label}/base", lambda env=env: wall_ms(bare, env, args.root)))
        jobs.append((f"{label}/ours", lambda env=env: wall_ms(audit, env, args.root)))
    samples = interleave(jobs, args.rounds_startup)
    for label in envs:
        p = Pair(label, samples[f"{label}/ours"], samples[f"{label}/base"])
        (ob, bb), (om, bm) = p.best, p.median
        extra = f" ({configured}: disclosure_cli compiled every run)" if label == "as configured" else ""
        say(
            f"  {label:16} audit best {ob:6.1f} ms, median {om:6.1f} ms | python -c pass best {bb:5.1f} ms, "
            f"median {bm:5.1f} ms | ratio best {ob / bb:.2f}x, median {om / bm:.2f}x{extra}"
        )
        verdicts.append(Verdict(3, f"audit start-up / python -c pass ({label})", ob / bb, om / bm, "<= 3.5", ""))
    end = load_now()
    for v in verdicts:
        if v.number == 3:
            v.load = f"{start} → {end}"

    env = envs["bytecode cached"]
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *audit[1:]], capture_output=True, text=True, env=env, cwd=args.root
        )
        rows = importtime_rows(done.stderr)
        runs.append((sum(r[1] for r in rows), rows))
    total, rows = min(runs)
    say(
        f"  python -X importtime {' '.join(audit[1:])} (bytecode cached, the fastest of 3): "
        f"{total / 1000:.1f} ms of imports, {len(rows)} modules; top 15 by cumulative:"
    )
    for cum, self_us, name, depth in sorted(rows, reverse=True)[:15]:
        say(f"    {cum / 1000:7.1f} ms cum {self_us / 1000:6.1f} ms self  {'  ' * depth}{name}")
    per_pkg: dict[str, list[int]] = {}
    for _, self_us, name, _ in rows:
        acc = per_pkg.setdefault(name.split(".")[0], [0, 0])
        acc[0] += self_us
        acc[1] += 1
    say("  import time summed per top-level package (self times), top 12:")
    for pkg, (us, n) in sorted(per_pkg.items(), key=lambda kv: -kv[1][0])[:12]:
        say(f"    {us / 1000:7.1f} ms  {n:4d} modules  {pkg}")


# --- 4 and 5. batch ----------------------------------------------------------------------------


def write_synthetic(folder: Path, n: int) -> list[str]:
    synth = synth_module()
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        s = synth.random_report(10_000 + i, "2019" if i % 2 else "2021", blanks=0.05)
        shape = synth.SHAPES[i % len(synth.SHAPES)]
        ext = "html" if shape.startswith("html") else "md" if shape == "markdown" else "txt"
        path = folder / f"{i:04d}_{shape}.{ext}"
        path.write_text(synth.render(s, shape), encoding="utf-8")
        out.append(str(path))
    return out


def run_batch_sections(args, tmp: Path, want: set[str]) -> None:
    n = args.pages
    start = section_head(
        f"4/5. batch: `disclosure batch --jobs 1` vs one `disclosure audit -o jsonl` process; --jobs 2 vs --jobs 1 "
        f"({args.rounds_batch} interleaved rounds; fresh dataset per run)"
    )
    base = disclosure_argv(args)
    env = child_env(args, tmp, True)
    sets = [(f"synthetic x{n}", write_synthetic(tmp / "synthetic", n))]
    if "batch" in want and not args.quick:
        sets.append(("corpus text/HTML", [str(p) for p in corpus_files(args.corpus, (".txt", ".md", ".html", ".htm"))]))
    counter = iter(range(10**6))

    def batch(files: list[str], jobs: int) -> Callable[[], float]:
        def go() -> float:
            db = tmp / f"db-{next(counter)}.sqlite"
            argv = [*base, "batch", "--jobs", str(jobs), "--db", str(db), "--cache", str(tmp / "cache"), "-o", "json"]
            ms = wall_ms([*argv, *files], env, args.root)
            for p in tmp.glob(db.name + "*"):
                p.unlink()
            loads.setdefault(f"j{jobs}", []).append(load1())
            return ms

        return go

    def audit(files: list[str]) -> Callable[[], float]:
        return lambda: wall_ms([*base, "audit", "-o", "jsonl", *files], env, args.root)

    loads: dict[str, list[float]] = {}
    for label, files in sets:
        # one checked run of each command first (this is also the warm-up: bytecode, file cache)
        db = tmp / "check.sqlite"
        done = check_run(
            [*base, "batch", "--jobs", "1", "--db", str(db), "--cache", str(tmp / "cache"), "-o", "json", *files],
            env,
            args.root,
            (0, 2),
        )
        summary = json.loads(done.stdout)
        for p in tmp.glob("check.sqlite*"):
            p.unlink()
        jsonl = check_run([*base, "audit", "-o", "jsonl", *files], env, args.root, (0, 1, 2))
        say(
            f"  {label}: {len(files)} inputs; batch: {summary.get('parsed')} parsed, failed {summary.get('failed')}"
            f"{' ' + json.dumps(summary.get('failed_by_reason')) if summary.get('failed_by_reason') else ''}, "
            f"{summary.get('duplicates')} duplicates; audit -o jsonl: {len(jsonl.stdout.splitlines())} finding lines"
        )
        jobs: list[tuple[str, Callable[[], object]]] = []
        if "batch" in want:
            jobs.append(("audit", audit(files)))
        if "batch" in want or "jobs" in want:
            jobs.append(("j1", batch(files, 1)))
        if "jobs" in want and label.startswith("synthetic"):
            jobs.append(("j2", batch(files, 2)))
        rounds = args.rounds_batch
        # interleave() warms each once more; the subprocesses return their own wall time
        samples: dict[str, list[float]] = {k: [] for k, _ in jobs}
        for r in range(rounds):
            k = r % len(jobs)
            for key, fn in jobs[k:] + jobs[:k]:
                samples[key].append(fn())
            say(
                f"    round {r + 1}/{rounds}: "
                + "  ".join(f"{key} {samples[key][-1] / 1000:.2f} s" for key, _ in jobs)
                + f"  (load {load_now()})"
            )
        for key, vals in samples.items():
            say(
                f"    {key:5} best {min(vals) / 1000:6.2f} s  median {statistics.median(vals) / 1000:6.2f} s  "
                f"{len(files) / (min(vals) / 1000):6.1f} pages/s (best)"
            )
        if "audit" in samples and "j1" in samples:
            best = min(samples["j1"]) / min(samples["audit"])
            med = statistics.median(samples["j1"]) / statistics.median(samples["audit"])
            say(f"    batch --jobs 1 / audit -o jsonl: best {best:.2f}x, median {med:.2f}x (target <= 1.3x)")
            verdicts.append(Verdict(4, f"batch -j1 / audit -o jsonl ({label})", best, med, "<= 1.3", ""))
        if "j2" in samples:
            best = min(samples["j1"]) / min(samples["j2"])
            med = statistics.median(samples["j1"]) / statistics.median(samples["j2"])
            j_load = statistics.mean(loads.get("j2", [0.0]))
            say(
                f"    --jobs 2 speed-up over --jobs 1: best {best:.2f}x, median {med:.2f}x (target >= 1.7x); "
                f"mean 1-min load at the start of the --jobs 2 runs {j_load:.2f} on {os.cpu_count()} CPUs"
            )
            verdicts.append(
                Verdict(5, f"batch -j1 / -j2 time ({label})", best, med, ">= 1.7", "", f"mean load {j_load:.2f}")
            )
    end = load_now()
    for v in verdicts:
        if v.number in (4, 5):
            v.load = f"{start} → {end}"


# --- tree: selectolax vs lxml ------------------------------------------------------------------


def run_tree(args) -> None:
    try:
        import selectolax
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        say("\n== tree: selectolax is not installed (pip install selectolax): skipped")
        return
    import re

    import lxml
    from lxml import etree

    from disclosure_cli.decode import decode

    section_head(
        f"tree: selectolax {selectolax.__version__} (lexbor) vs lxml {lxml.__version__}: parse into a tree and take "
        f"every <td>/<th> text ({args.rounds_html} interleaved rounds; no target)"
    )
    space = re.compile(r"\s+")

    def with_lxml(text: str) -> list[str]:
        root = etree.fromstring(text, etree.HTMLParser(huge_tree=True))
        return [space.sub(" ", " ".join(el.itertext())).strip() for el in root.iter("td", "th")]

    def with_lexbor(text: str) -> list[str]:
        tree = LexborHTMLParser(text)
        return [space.sub(" ", node.text(deep=True, separator=" ")).strip() for node in tree.css("td, th")]

    pages = [(p.name, p.read_bytes()) for p in corpus_files(args.corpus, (".html", ".htm"))]
    pages += [(p.name, p.read_bytes()) for p in sorted((args.root / "fixtures").glob("*.html"))]
    pairs, jobs = [], []
    for name, data in pages:
        text = decode(data)[0]  # both get the decoded text, as the project's HTML reader does
        a, b = with_lexbor(text), with_lxml(text)
        same = sum(x == y for x, y in zip(a, b))
        pairs.append(Pair(name, note=f"{len(b)} cells (lexbor {len(a)}, {same} identical texts)"))
        jobs.append((f"{name}/ours", lambda t=text: with_lexbor(t)))
        jobs.append((f"{name}/base", lambda t=text: with_lxml(t)))
    samples = interleave(jobs, args.rounds_html)
    for p in pairs:
        p.ours, p.base = samples[f"{p.name}/ours"], samples[f"{p.name}/base"]
    corpus = [p for p in pairs if not p.name.startswith("synthetic")]
    if corpus:
        say("  corpus HTML pages:")
        best, med = pair_rows(corpus, "lexbor", "lxml")
        say(f"  selectolax/lxml on the corpus: best {best:.2f}x, median {med:.2f}x")
    rest = [p for p in pairs if p.name.startswith("synthetic")]
    if rest:
        say("  synthetic HTML fixtures:")
        pair_rows(rest, "lexbor", "lxml")


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and pages: a smoke run in under a minute")
    ap.add_argument("--only", action="append", default=[], help=f"run only these sections: {', '.join(SECTIONS)}")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    ap.add_argument("--pages", type=int, help="pages for batch/jobs (default 400, --quick 40)")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/run_all-*.txt")
    args = ap.parse_args(argv)
    args.root = args.root.resolve()
    want = {s.strip() for x in args.only for s in x.split(",") if s.strip()} or set(SECTIONS)
    if want - set(SECTIONS):
        ap.error(f"unknown section(s) {', '.join(sorted(want - set(SECTIONS)))}; choose from {', '.join(SECTIONS)}")
    if not args.corpus.is_dir():
        print(f"run_all: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    if args.root != ROOT:
        sys.path.insert(0, str(args.root))
    q = args.quick
    args.rounds_html = 3 if q else 15
    args.rounds_pdf = 2 if q else 7
    args.synthetic_pdfs = 1 if q else 4
    args.rounds_startup = 5 if q else 20
    args.rounds_batch = 2 if q else 5
    args.pages = args.pages or (40 if q else 400)

    rev, desc = git_rev(args.root)
    started = time.perf_counter()
    load_start = load_now()
    import disclosure_cli

    say(
        f"run_all  {datetime.datetime.now().isoformat(timespec='seconds')}  {'quick' if q else 'full'}  "
        f"sections {','.join(s for s in SECTIONS if s in want)}"
    )
    say(
        f"tree {args.root} at {desc}; disclosure_cli from {Path(disclosure_cli.__file__).parent}; "
        f"Python {platform.python_version()} {sys.executable}; {platform.machine()} x{os.cpu_count()}"
    )
    say(f"load (1/5/15 min) at start {load_start}")
    with tempfile.TemporaryDirectory(prefix="run_all-") as tmpname:
        tmp = Path(tmpname)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("html", lambda: run_html(args)),
            ("pdf", lambda: run_pdf(args)),
            ("startup", lambda: run_startup(args, tmp)),
            ("batch/jobs", lambda: run_batch_sections(args, tmp, want)),
            ("tree", lambda: run_tree(args)),
        ]
        for name, step in steps:
            if not set(name.split("/")) & want:
                continue
            try:
                step()
            except Exception as exc:  # one broken section must not cost the others
                say(f"  !! section {name} failed: {type(exc).__name__}: {exc}")

    say(f"\n== summary  (load at start {load_start}, at end {load_now()}; {time.perf_counter() - started:.0f} s)")
    say(f"  {'#':1} {'ratio':48} {'best':>7} {'median':>7} {'target':>8}  {'verdict':7} load (1/5/15) start → end")
    for v in sorted(verdicts, key=lambda v: v.number):
        verdict = {True: "PASS", False: "FAIL", None: "-"}[v.ok]
        note = f"  {v.note}" if v.note else ""
        say(
            f"  {v.number} {v.what[:48]:48} {fmt_ratio(v.best):>7} {fmt_ratio(v.median):>7} "
            f"{v.target.replace(' ', ''):>8}  {verdict:7} {v.load}{note}"
        )
    if not args.no_save:
        suffix = "-quick" if q else ""
        if want != set(SECTIONS):
            suffix += "-only-" + "-".join(s for s in SECTIONS if s in want)
        target = HERE / "results" / f"run_all-{datetime.date.today().isoformat()}-{rev}{suffix}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text("\n".join(say.lines) + "\n", encoding="utf-8")
        print(f"\nwritten to {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
