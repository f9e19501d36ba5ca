#!/usr/bin/env python
"""Never silently wrong, counted: random consistent reports in every synthetic shape, damaged one
way or another, each value counted as exact, unread (named by a warning or finding) or WRONG.

    python bench/sweep_damage.py [--seeds 0:1500] [--damage dropped,worded] [--save FILE]

Damage kinds: ``dropped`` one cell of one row missing from the page (``synth.damage``); ``worded``
one number cell printed as words (「见附件」, 「不适用」, 「详见说明」, 「约10件」; a table cell's 「10件」 is a
count). Every second page is damaged (even seeds stay clean, so clean pages are counted too).
``unread`` counts the values that were on the page and were not read: the damaged cell, and those
of its neighbours the reader gave up with it (needless abstentions are the cost of never
guessing). Exit 1 when any value is WRONG.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from disclosure_cli.auditing import audit
from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_bytes
from disclosure_cli.testing import synth

SHAPES = [*synth.SHAPES, *synth.WILD]
WORDS = ("见附件", "不适用", "详见说明", "约10件")


def one(seed: int, kind: str) -> Counter[str]:
    rng = random.Random(seed)
    shape = SHAPES[seed % len(SHAPES)]
    s = synth.random_report(seed, rng.choice(["2019", "2021"]), blanks=rng.choice([0.0, 0.0, 0.1]))
    damaged = seed % 2 == 1
    key = None
    if damaged and kind == "dropped":
        s = synth.damage(s, seed, synth.WILD.get(shape))
    elif damaged and kind == "worded":
        key = rng.choice([k for k, v in s.values.items() if v is not None])
        s.texts[key] = rng.choice(WORDS)
    out: Counter[str] = Counter(pages=1, damaged=int(damaged))
    try:
        record = parse_bytes(synth.render(s, shape, seed).encode(), source=f"sweep-{seed}")
    except ReportError as exc:
        out[f"refused:{exc.reason}"] += 1
        return out
    got = record.numbers()
    codes = {f.code for f in audit(record).findings}
    for k, truth in s.values.items():
        v = record.values[k]
        if k in s.dropped:
            continue  # not on the page
        if v.raw is None:
            out["unread"] += 1
            if k == key:
                out["worded cell unread"] += 1
        elif got[k] == truth:
            out["exact"] += 1
        else:
            out["WRONG"] += 1
            print(f"WRONG seed {seed} {shape} {k}: read {got[k]!r}, page {truth!r}", file=sys.stderr)
    if key is not None:
        out["named by S014" if "S014" in codes else "named by S010/S008" if codes & {"S010", "S008"} else "other"] += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="0:1500", help="A:B, the seeds (default 0:1500)")
    ap.add_argument("--damage", default="dropped,worded")
    ap.add_argument("--save", type=Path)
    args = ap.parse_args()
    a, b = (int(x) for x in args.seeds.split(":"))
    lines = [f"sweep_damage  seeds {a}:{b}  shapes {len(SHAPES)}  {time.strftime('%Y-%m-%dT%H:%M:%S')}"]
    wrong = 0
    for kind in args.damage.split(","):
        total: Counter[str] = Counter()
        for seed in range(a, b):
            total += one(seed, kind)
        wrong += total["WRONG"]
        values = total["exact"] + total["unread"] + total["WRONG"]
        lines.append(f"{kind:8} pages {total['pages']} (damaged {total['damaged']})  values {values}: "
                     f"exact {total['exact']}, unread {total['unread']}, WRONG {total['WRONG']}")  # fmt: skip
        rest = {k: n for k, n in sorted(total.items()) if k not in ("pages", "damaged", "exact", "unread", "WRONG")}
        if rest:
            lines.append("         " + ", ".join(f"{k} {n}" for k, n in rest.items()))
    text = "\n".join(lines)
    print(text)
    if args.save:
        args.save.write_text(text + "\n", encoding="utf-8")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
