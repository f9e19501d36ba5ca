#!/usr/bin/env python
"""Benchmark ``disclosure_cli.parse.parse_bytes`` against two baselines on the same bytes.

    python bench/bench_parse.py [--repeat N] [--corpus DIR] [--no-startup]

Inputs: every file of ../shared/corpus relative to the repo root (seed/ included, MANIFEST.tsv
skipped), a few synthetic pages at their natural size, and large synthetic pages (a synthetic
report padded with site chrome and narrative to ~100 KB, ~500 KB and ~2 MB; a ~500 KB GBK page; a
~500 KB flattened text page). For every input and method, the median of N warm samples (each one
timed call right after an untimed warm-up call; samples taken round-robin over all inputs):

  parse   disclosure_cli.parse.parse_bytes(data)   (refused pages are timed too and counted apart)
  lxml    lxml.html.fromstring(data)               (the cheapest possible look at the page)
  pandas  pandas.read_html(io.StringIO(text))      (only inputs containing <table; default flavour)

Then ``disclosure --help`` start-up (median wall clock of 10 subprocess runs) and the top imports
of ``python -X importtime -c "import disclosure_cli.cli"``. Standard library plus what the project
installs; pandas and html5lib come from the ``bench`` extra (``pip install -e .[bench]``).
No network. Exit status 0 when the run completed (targets are reported, not enforced), 2 when the
corpus folder is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import hashlib
import io
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))

TARGET_LXML_RATIO = 2.0  # parse within 2x of lxml.html.fromstring
TARGET_STARTUP_MS = 100.0


@dataclass
class Input:
    name: str
    group: str  # corpus | synthetic | large
    data: bytes
    expected: dict | None = None  # synthetic values the parse must give back
    status: str = ""
    parse_ms: float | None = None
    lxml_ms: float | None = None
    pandas_ms: float | None = None
    pandas_flavour: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def has_table(self) -> bool:
        return b"<table" in self.data.lower()


# --- inputs ----------------------------------------------------------------------------------


def corpus_inputs(folder: Path) -> list[Input]:
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name == "MANIFEST.tsv":
            continue
        out.append(Input(str(path.relative_to(folder)), "corpus", path.read_bytes()))
    return out


def synthetic_inputs() -> list[Input]:
    import big_pages

    from disclosure_cli.testing import synth

    s19 = synth.random_report(2019 + 2019, "2019")
    s21 = synth.random_report(2019 + 2021, "2021")
    small = [
        ("synth-2019-html", s19, synth.render_html(s19).encode()),
        ("synth-2021-html-split", s21, synth.render(s21, "html-split").encode()),
        ("synth-2019-html-layout", s19, synth.render(s19, "html-layout").encode()),
        ("synth-2021-gbk-html", s21, synth.encode(synth.render_html(s21), "gbk")),
        ("synth-2019-big5-html", s19, synth.encode(synth.to_traditional(synth.render_html(s19)), "big5")),
        ("synth-2021-markdown", s21, synth.render_markdown(s21).encode()),
        ("synth-2019-lines", s19, synth.render_lines(s19).encode()),
        ("synth-2021-flat", s21, synth.render_flat(s21).encode()),
    ]
    large = [
        ("large-2021-html-100k", s21, big_pages.padded_html(s21, 100_000, seed=1).encode()),
        ("large-2019-html-500k", s19, big_pages.padded_html(s19, 500_000, seed=2).encode()),
        ("large-2021-html-2m", s21, big_pages.padded_html(s21, 2_000_000, seed=3).encode()),
        ("large-2019-gbk-html-500k", s19, synth.encode(big_pages.padded_html(s19, 600_000, seed=4), "gbk")),
        ("large-2021-flat-500k", s21, big_pages.padded_flat(s21, 500_000, seed=5).encode()),
    ]
    return [Input(n, "synthetic", d, s.values) for n, s, d in small] + [
        Input(n, "large", d, s.values) for n, s, d in large
    ]


# --- timing ----------------------------------------------------------------------------------


def sample_ms(fn) -> float:
    """One warm-up call, then one timed call, in ms (an exception is part of the cost: refusals count)."""
    with contextlib.suppress(Exception):
        fn()
    t = time.perf_counter()
    with contextlib.suppress(Exception):
        fn()
    return (time.perf_counter() - t) * 1000


def check_parse(inp: Input) -> None:
    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_bytes

    try:
        record = parse_bytes(inp.data, inp.name)
    except ReportError as exc:
        inp.status = f"refused:{exc.reason}"
        return
    inp.status = record.shape
    if inp.expected is not None:
        got = record.numbers()
        wrong = [
            k
            for k, v in inp.expected.items()
            if (v is None) != (got.get(k) is None) or (v is not None and abs(got[k] - v) > 1e-6)
        ]
        if wrong:
            inp.status += f" WRONG({len(wrong)})"


def text_of(data: bytes) -> str:
    from disclosure_cli.decode import decode

    try:
        return decode(data)[0]
    except Exception:
        return data.decode("utf-8", "replace")


def pandas_flavour(text: str) -> str:
    """Which parser pandas' default (flavor=None: lxml, then bs4+html5lib on ValueError) ends up using."""
    import pandas as pd

    try:
        pd.read_html(io.StringIO(text), flavor="lxml")
        return "lxml"
    except ValueError:
        pass
    try:
        pd.read_html(io.StringIO(text), flavor="bs4")
        return "bs4+html5lib"
    except Exception as exc:
        return f"error:{type(exc).__name__}"


def run_inputs(inputs: list[Input], repeat: int, use_pandas: bool) -> None:
    """Round-robin: ``repeat`` rounds over all inputs, one warm sample per input and method per round.

    Spreading the samples of one input over the whole run keeps a burst of load from another process
    from landing on all samples of the same input; each sample is taken right after its own warm-up
    call, so caches (lxml, OpenCC, the label cache) hold that page.
    """
    import lxml.html

    from disclosure_cli.parse import parse_bytes

    pd = None
    if use_pandas:
        try:
            import pandas as pd
        except ImportError:
            print("pandas is not installed: pandas column skipped (pip install -e '.[bench]')", file=sys.stderr)
    jobs: list[tuple[Input, str, object]] = []
    for inp in inputs:
        check_parse(inp)
        data = inp.data
        jobs.append((inp, "parse", lambda data=data: parse_bytes(data, "-")))
        jobs.append((inp, "lxml", lambda data=data: lxml.html.fromstring(data)))
        if pd is not None and inp.has_table:
            text = text_of(data)
            inp.pandas_flavour = pandas_flavour(text)
            jobs.append((inp, "pandas", lambda text=text: pd.read_html(io.StringIO(text))))
    samples: dict[tuple[int, str], list[float]] = {}
    progress = sys.stderr.isatty()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(repeat):
            if progress:
                print(f"\rround {r + 1}/{repeat}", end="", file=sys.stderr, flush=True)
            for inp, method, fn in jobs:
                samples.setdefault((id(inp), method), []).append(sample_ms(fn))
    if progress:
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)
    for inp, method, _ in jobs:
        setattr(inp, f"{method}_ms", statistics.median(samples[(id(inp), method)]))


# --- start-up --------------------------------------------------------------------------------


def startup(runs: int = 10) -> dict:
    exe = Path(sys.executable).parent / "disclosure"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "disclosure_cli", "--help"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def wall(argv: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        return (time.perf_counter() - t) * 1000

    wall(cmd)  # warm the file cache and .pyc files
    helps = [wall(cmd) for _ in range(runs)]
    bares = [wall([sys.executable, "-c", "pass"]) for _ in range(runs)]
    probe = (
        "import sys, disclosure_cli.cli as c; "
        "print(','.join(m for m in ('lxml','opencc','charset_normalizer','rich','pandas','disclosure_cli.parse') "
        "if m in sys.modules))"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    imp = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import disclosure_cli.cli"], capture_output=True, text=True
    ).stderr
    rows = []
    for line in imp.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2  # nesting: two spaces per level
        rows.append((int(cum_us), int(self_us), name.strip(), depth))
    top_level = [r for r in rows if r[3] == 0]
    return {
        "cmd": " ".join(Path(cmd[0]).name if i == 0 else a for i, a in enumerate(cmd)),
        "help_ms": statistics.median(helps),
        "help_min": min(helps),
        "bare_ms": statistics.median(bares),
        "bare_min": min(bares),
        "heavy": heavy,
        "by_cumulative": sorted(top_level, reverse=True)[:10],
        "under_cli": sorted(_children(rows, "disclosure_cli.cli"), reverse=True)[:6],
        "by_self": sorted(rows, key=lambda r: r[1], reverse=True)[:10],
        "total_us": sum(r[1] for r in rows),
    }


def _children(rows: list[tuple], parent: str) -> list[tuple]:
    """Direct imports of ``parent`` (importtime prints children before their parent, one level deeper)."""
    for i, row in enumerate(rows):
        if row[2] == parent:
            out = []
            for prev in reversed(rows[:i]):
                if prev[3] <= row[3]:
                    break
                if prev[3] == row[3] + 1:
                    out.append(prev)
            return out
    return []


# --- report ----------------------------------------------------------------------------------


def fmt_ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x" if a < b else f"{a / b:.1f}x"


def print_table(inputs: list[Input]) -> None:
    head = (
        f"{'input':52} {'bytes':>9} {'parse ms':>9} {'lxml ms':>8} {'p/lxml':>7} {'pandas ms':>9} {'p/pandas':>8}"
        "  status"
    )
    print(head)
    print("-" * len(head))
    for inp in inputs:
        flav = f" [pandas:{inp.pandas_flavour}]" if inp.pandas_flavour else ""
        print(
            f"{inp.name[:52]:52} {len(inp.data):9,d} {fmt_ms(inp.parse_ms):>9} {fmt_ms(inp.lxml_ms):>8} "
            f"{ratio(inp.parse_ms, inp.lxml_ms):>7} {fmt_ms(inp.pandas_ms):>9} "
            f"{ratio(inp.parse_ms, inp.pandas_ms):>8}  {inp.status}{flav}"
        )


def summarise(label: str, inputs: list[Input]) -> dict | None:
    if not inputs:
        return None
    parse = statistics.median(i.parse_ms for i in inputs)
    lxml_ = statistics.median(i.lxml_ms for i in inputs)
    tabled = [i for i in inputs if i.pandas_ms is not None]
    refused = [i for i in inputs if i.status.startswith("refused")]
    wrong = [i for i in inputs if "WRONG" in i.status]
    wrong_note = f", {len(wrong)} parsed WRONG" if wrong else ""
    print(f"\n{label}: {len(inputs)} pages ({len(refused)} refused, timed too{wrong_note})")
    ok_lxml = parse / lxml_ <= TARGET_LXML_RATIO
    print(
        f"  median ms/page   parse {parse:.2f}   lxml.html.fromstring {lxml_:.2f}   "
        f"ratio of medians {parse / lxml_:.1f}x   target <= {TARGET_LXML_RATIO:.0f}x: {'PASS' if ok_lxml else 'FAIL'}"
    )
    print(
        f"  median per-page ratio parse/lxml {statistics.median(i.parse_ms / i.lxml_ms for i in inputs):.1f}x   "
        f"total ms  parse {sum(i.parse_ms for i in inputs):.1f}   lxml {sum(i.lxml_ms for i in inputs):.1f}"
    )
    out = {"parse": parse, "lxml": lxml_, "ok_lxml": ok_lxml}
    if refused:
        accepted = [i for i in inputs if not i.status.startswith("refused")]
        line = f"  refused pages median parse {statistics.median(i.parse_ms for i in refused):.2f} ms"
        if accepted:
            line += f"   accepted pages median parse {statistics.median(i.parse_ms for i in accepted):.2f} ms"
        print(line)
    if tabled:
        p_t = statistics.median(i.parse_ms for i in tabled)
        l_t = statistics.median(i.lxml_ms for i in tabled)
        pd_t = statistics.median(i.pandas_ms for i in tabled)
        ok_pd = p_t < pd_t
        flavours = sorted({i.pandas_flavour for i in tabled})
        print(
            f"  pages with <table ({len(tabled)}): median parse {p_t:.2f}   lxml {l_t:.2f} ({p_t / l_t:.1f}x)   "
            f"pandas.read_html {pd_t:.2f} [{'/'.join(flavours)}]   parse/pandas {p_t / pd_t:.2f}x   "
            f"target < 1x: {'PASS' if ok_pd else 'FAIL'}"
        )
        out.update(parse_tabled=p_t, pandas=pd_t, ok_pandas=ok_pd)
    return out


def git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "disclosure_cli"], capture_output=True, text=True
        ).stdout.strip()
        digest = hashlib.sha256()
        for path in sorted((ROOT / "disclosure_cli").rglob("*.py")):
            digest.update(path.read_bytes())
        if dirty:
            head += f" + uncommitted disclosure_cli/ changes (sources sha256 {digest.hexdigest()[:10]})"
        return head
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed samples per input and method (median; default 5)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus folder (default {CORPUS})")
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas.read_html baseline")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurements")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not args.corpus.is_dir():
        print(f"bench_parse: corpus folder not found: {args.corpus} (nothing benchmarked)", file=sys.stderr)
        return 2

    import lxml

    print(
        f"bench_parse  {datetime.datetime.now().isoformat(timespec='seconds')}  repo {git_state()}  "
        f"Python {platform.python_version()}  lxml {'.'.join(map(str, lxml.__version__.split('.')[:3]))}  "
        f"{platform.machine()} x{os.cpu_count()}  load {os.getloadavg()[0]:.2f}  "
        f"repeat {args.repeat} (median of warm samples, round-robin)"
    )
    try:
        import pandas

        print(f"pandas {pandas.__version__}; read_html default flavour tries lxml, then bs4+html5lib")
    except ImportError:
        pass
    inputs = corpus_inputs(args.corpus) + synthetic_inputs()
    gc.collect()
    run_inputs(inputs, args.repeat, not args.no_pandas)
    print()
    print_table(inputs)
    corpus = [i for i in inputs if i.group == "corpus"]
    summarise("corpus (real pages)", corpus)
    summarise("synthetic, natural size", [i for i in inputs if i.group == "synthetic"])
    summarise("synthetic, large (100 KB - 2 MB)", [i for i in inputs if i.group == "large"])
    summarise("all inputs", inputs)
    if not args.no_startup:
        st = startup()
        print(
            f"\nstart-up: `{st['cmd']}` median of 10 runs {st['help_ms']:.1f} ms "
            f"(target < {TARGET_STARTUP_MS:.0f} ms: {'PASS' if st['help_ms'] < TARGET_STARTUP_MS else 'FAIL'}), "
            f"fastest {st['help_min']:.1f} ms; bare `python -c pass` median {st['bare_ms']:.1f} ms, "
            f"fastest {st['bare_min']:.1f} ms"
        )
        print(f"  heavy modules loaded by `import disclosure_cli.cli`: {st['heavy'] or 'none'}")
        print(
            f"  python -X importtime -c 'import disclosure_cli.cli': {st['total_us'] / 1000:.1f} ms of imports; "
            "top level by cumulative:"
        )
        for cum, self_us, name, _ in st["by_cumulative"]:
            note = "  (interpreter start-up: venv site + editable-install finder)" if name == "site" else ""
            print(f"    {cum / 1000:7.1f} ms cumulative  {self_us / 1000:6.1f} ms self  {name}{note}")
        print("  second level under disclosure_cli.cli, by cumulative:")
        for cum, self_us, name, _ in st["under_cli"]:
            print(f"    {cum / 1000:7.1f} ms cumulative  {self_us / 1000:6.1f} ms self  {name}")
        print("  top by self time:")
        for _cum, self_us, name, _ in st["by_self"][:6]:
            print(f"    {self_us / 1000:7.1f} ms self  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
