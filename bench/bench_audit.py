#!/usr/bin/env python
"""Audit cost against parse cost, and the audit's self-test (mutation detection, false positives).

    python bench/bench_audit.py [--repeat N] [--synthetic N] [--corpus DIR] [--no-mutation]

Reports: every file of ../shared/corpus relative to the repo root (seed/ included, MANIFEST.tsv
skipped; refused pages are left out), plus N synthetic reports (default 40, seeds 0..N-1, format
2021 for even seeds and 2019 for odd ones, rendered as HTML grids). A synthetic report is
consistent by construction, and its parse is checked against the report's values.

Timing: per report, the median of N warm samples (each one timed call right after an untimed
warm-up call; samples taken round-robin over all reports) of
``disclosure_cli.parse.parse_bytes(data)`` and ``disclosure_cli.auditing.audit(record)``, then the
median over reports of each, the ratio of those medians and the median of the per-report ratios.

Self-test, with ``disclosure_cli.auditing.mutation``: a report is *consistent* when
``identity_findings(record)`` is empty. On every consistent report, ``mutation_score(record)``
changes each published number of tables 3 and 4 (off by one, an extra digit) and audits each
mutant: the detection rate is detected / mutated (target 100%). The false-positive rate is taken
on the synthetic reports, the only ones known to be consistent: synthetic reports with any identity
finding / synthetic reports (target 0). Corpus reports with identity findings publish an
inconsistency (or were misread): they are listed with their codes, messages and equations.

Standard library plus the package. No network. Exit 0 when the run completed (targets are reported,
not enforced), 2 when the corpus folder is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass
class Report:
    name: str
    group: str  # corpus | synthetic
    data: bytes
    expected: dict | None = None  # synthetic values the parse must give back
    record: object = None
    status: str = ""
    parse_ms: float | None = None
    audit_ms: float | None = None
    identity: list = field(default_factory=list)  # identity findings of the unmodified report
    other_codes: list[str] = field(default_factory=list)  # codes of the other findings
    mutated: int = 0
    detected: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.identity


# --- inputs ----------------------------------------------------------------------------------


def corpus_reports(folder: Path) -> list[Report]:
    return [
        Report(str(path.relative_to(folder)), "corpus", path.read_bytes())
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    ]


def synthetic_reports(n: int) -> list[Report]:
    from disclosure_cli.testing import synth

    out = []
    for seed in range(n):
        s = synth.random_report(seed, "2019" if seed % 2 else "2021")
        out.append(Report(f"synth-{s.format}-{seed:02d}", "synthetic", synth.render_html(s).encode(), s.values))
    return out


def load(reports: list[Report]) -> tuple[list[Report], list[Report]]:
    """Parse each report once: (accepted, refused). Synthetic parses are checked against their values."""
    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_bytes

    accepted, refused = [], []
    for rep in reports:
        try:
            rep.record = parse_bytes(rep.data, rep.name)
        except ReportError as exc:
            rep.status = f"refused:{exc.reason}"
            refused.append(rep)
            continue
        rep.status = rep.record.shape
        if rep.expected is not None:
            got = rep.record.numbers()
            wrong = [
                k
                for k, v in rep.expected.items()
                if (v is None) != (got.get(k) is None) or (v is not None and abs(got[k] - v) > 1e-6)
            ]
            if wrong:
                rep.status += f" WRONG({len(wrong)})"
        accepted.append(rep)
    return accepted, refused


# --- timing ----------------------------------------------------------------------------------


def sample_ms(fn) -> float:
    """One warm-up call, then one timed call, in ms."""
    fn()
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def time_reports(reports: list[Report], repeat: int) -> None:
    from disclosure_cli.auditing import audit
    from disclosure_cli.parse import parse_bytes

    samples: dict[tuple[int, str], list[float]] = {}
    for _ in range(repeat):
        for rep in reports:
            data, record = rep.data, rep.record
            samples.setdefault((id(rep), "parse"), []).append(sample_ms(lambda data=data: parse_bytes(data, "-")))
            samples.setdefault((id(rep), "audit"), []).append(sample_ms(lambda record=record: audit(record)))
    for rep in reports:
        rep.parse_ms = statistics.median(samples[(id(rep), "parse")])
        rep.audit_ms = statistics.median(samples[(id(rep), "audit")])


# --- self-test -------------------------------------------------------------------------------


def self_test(reports: list[Report], mutation: bool) -> float:
    from disclosure_cli.auditing import audit
    from disclosure_cli.auditing.mutation import IDENTITY_CODES, identity_findings, mutation_score

    started = time.perf_counter()
    for rep in reports:
        rep.identity = identity_findings(rep.record)
        rep.other_codes = sorted({f.code for f in audit(rep.record).findings if f.code not in IDENTITY_CODES})
        if rep.consistent and mutation:
            before = rep.record.numbers()
            score = mutation_score(rep.record)
            assert rep.record.numbers() == before, f"{rep.name}: mutation_score did not restore the record"
            rep.mutated, rep.detected, rep.missed = score.mutated, score.detected, score.missed
    return time.perf_counter() - started


# --- report ----------------------------------------------------------------------------------


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def print_reports(reports: list[Report], mutation: bool) -> None:
    head = (
        f"{'report':52} {'parse ms':>9} {'audit ms':>9} {'a/p':>6} {'identity':>8} {'mutants':>13}"
        "  status / other codes"
    )
    print(head)
    print("-" * len(head))
    for r in reports:
        mut = f"{r.detected}/{r.mutated}" if r.consistent and mutation else "-"
        others = f"  [{' '.join(r.other_codes)}]" if r.other_codes else ""
        print(
            f"{r.name[:52]:52} {r.parse_ms:9.2f} {r.audit_ms:9.2f} {ratio(r.audit_ms, r.parse_ms):>6} "
            f"{len(r.identity):8d} {mut:>13}  {r.status}{others}"
        )


def summary_row(label: str, reports: list[Report], mutation: bool) -> str:
    if not reports:
        return f"{label:<20} {0:>5}"
    parse = statistics.median(r.parse_ms for r in reports)
    aud = statistics.median(r.audit_ms for r in reports)
    per = statistics.median(r.audit_ms / r.parse_ms for r in reports)
    consistent = [r for r in reports if r.consistent]
    mutated = sum(r.mutated for r in consistent)
    detected = sum(r.detected for r in consistent)
    flagged = len(reports) - len(consistent)
    det = f"{detected}/{mutated} {pct(detected, mutated)}" if mutation else "-"
    return (
        f"{label:<20} {len(reports):>5} {parse:9.2f} {aud:9.2f} {aud / parse:7.2f}x {per:7.2f}x "
        f"{len(consistent):>6} {flagged:>8} {det:>20}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed samples per report and step (median; default 5)")
    ap.add_argument("--synthetic", type=int, default=40, help="synthetic reports (default 40)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus folder (default {CORPUS})")
    ap.add_argument("--no-mutation", action="store_true", help="skip mutation_score (timing and findings only)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not args.corpus.is_dir():
        print(f"bench_audit: corpus folder not found: {args.corpus} (nothing benchmarked)", file=sys.stderr)
        return 2
    mutation = not args.no_mutation

    print(
        f"bench_audit  {datetime.datetime.now().isoformat(timespec='seconds')}  Python {platform.python_version()}  "
        f"{platform.machine()} x{os.cpu_count()}  load {os.getloadavg()[0]:.2f}  "
        f"repeat {args.repeat} (median of warm samples, round-robin)"
    )
    corpus, refused = load(corpus_reports(args.corpus))
    synthetic, synthetic_refused = load(synthetic_reports(args.synthetic))
    reports = corpus + synthetic
    print(
        f"corpus: {len(corpus)} reports parsed, {len(refused)} refused and left out "
        f"({', '.join(sorted({r.status.split(':', 1)[1] for r in refused}))}); "
        f"synthetic: {len(synthetic)} parsed, {len(synthetic_refused)} refused, "
        f"{sum('WRONG' in r.status for r in synthetic)} read WRONG"
    )
    gc.collect()
    time_reports(reports, args.repeat)
    self_seconds = self_test(reports, mutation)
    print(f"load after timing {os.getloadavg()[0]:.2f}; self-test (audit + mutation_score) took {self_seconds:.1f} s\n")
    print_reports(reports, mutation)

    print(
        f"\n{'group':<20} {'n':>5} {'parse ms':>9} {'audit ms':>9} {'a/p med':>8} {'a/p per':>8} "
        f"{'consis.':>6} {'flagged':>8} {'mutants detected':>20}"
    )
    print(f"{'':<20} {'':>5} {'(median)':>9} {'(median)':>9} {'':>8} {'(median)':>8}")
    for label, group in (("corpus (accepted)", corpus), ("synthetic", synthetic), ("all", reports)):
        print(summary_row(label, group, mutation))
    print("  a/p med: ratio of the medians; a/p per: median of the per-report ratios; flagged: any identity finding")

    consistent = [r for r in reports if r.consistent]
    mutated = sum(r.mutated for r in consistent)
    detected = sum(r.detected for r in consistent)
    fp = [r for r in synthetic if not r.consistent]
    print()
    if mutation:
        verdict = "PASS" if mutated and detected == mutated else "FAIL"
        print(
            f"mutation detection rate: {detected}/{mutated} = {pct(detected, mutated)} over {len(consistent)} "
            f"consistent reports ({sum(r.group == 'corpus' for r in consistent)} corpus, "
            f"{sum(r.group == 'synthetic' for r in consistent)} synthetic)   target 100%: {verdict}"
        )
        bare = [r for r in consistent if not r.mutated]
        if bare:
            print(
                f"  {len(bare)} consistent reports gave no mutant: every number of tables 3 and 4 was read from glued "
                f"cells (value.inferred), which mutation_score leaves alone ({', '.join(r.name[:3] for r in bare)})"
            )
        for r in consistent:
            if r.missed:
                print(f"  missed in {r.name}: {', '.join(r.missed[:8])}{' ...' if len(r.missed) > 8 else ''}")
    print(
        f"false-positive rate (synthetic, consistent by construction): {len(fp)}/{len(synthetic)} = "
        f"{pct(len(fp), len(synthetic))} with any identity finding   target 0: {'PASS' if not fp else 'FAIL'}"
    )
    for r in fp:
        print(f"  {r.name}: {', '.join(f.code + ' ' + f.where for f in r.identity)}")
    other = sorted({c for r in synthetic for c in r.other_codes})
    print(
        f"  other findings on synthetic reports: {sum(bool(r.other_codes) for r in synthetic)} reports"
        f"{' (' + ', '.join(other) + ')' if other else ''}"
    )

    flagged = [r for r in corpus if not r.consistent]
    print(
        f"\ncorpus reports that publish an inconsistency (identity findings): {len(flagged)} of {len(corpus)} accepted"
    )
    for r in flagged:
        print(f"  {r.name}  ({len(r.identity)} finding{'s' if len(r.identity) != 1 else ''})")
        for f in r.identity:
            print(f"    {f.code} {f.where}: {f.message('en')}")
            print(f"         {f.equation('en')}")
            loc = f.location()
            if loc:
                print(f"         at {loc}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
