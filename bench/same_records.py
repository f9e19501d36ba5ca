#!/usr/bin/env python
"""Do two checkouts read every input into the same record? A speed-up must not change a value.

    python bench/same_records.py --base DIR [--tree DIR] [--synthetic N] [--keep FOLDER]

Inputs: every file of ../shared/corpus (seed/ included), every file of fixtures/, and N synthetic
pages (default 300) from :mod:`disclosure_cli.testing.synth`: every plain shape (``SHAPES``), every
wild HTML layout (``WILD``), each 2019 and 2021, some with blanks, some damaged (one cell missing),
some in Traditional script or GBK. The pages are written once, by this checkout's synth, so both
sides read the same bytes.

Each side is a fresh ``python`` subprocess with ``PYTHONPATH`` set to its checkout, parsing every
input with ``parse_bytes`` and writing one JSON line per input: ``Record.as_dict()`` (values with
their raw text and locations, notes, narrative, identities used) or the refusal's reason and
message. The lines are compared exactly; the first differences are printed.
Exit 0 when every input gives the same JSON, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"

# Run in the child, with PYTHONPATH set to the checkout under test: argv[1] lists the inputs,
# argv[2] gets the JSON lines.
CHILD = """
import json, sys, warnings
warnings.simplefilter("ignore")
from disclosure_cli.errors import ReportError
from disclosure_cli.parse import parse_bytes
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for path in paths:
        data = open(path, "rb").read()
        try:
            got = parse_bytes(data, source=path.rsplit("/", 1)[-1]).as_dict()
        except ReportError as exc:
            got = {"refused": exc.reason, "message": str(exc)}
        out.write(json.dumps(got, ensure_ascii=False, sort_keys=True, default=repr) + "\\n")
"""


def synthetic(folder: Path, n: int) -> list[Path]:
    """``n`` synthetic pages, cycling through every shape and wild layout."""
    from disclosure_cli.testing import synth

    shapes = list(synth.SHAPES) + list(synth.WILD)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        shape = shapes[i % len(shapes)]
        year = "2019" if (i // len(shapes)) % 2 else "2021"
        s = synth.random_report(50_000 + i, year, blanks=0.1 if i % 3 == 0 else 0.0)
        if i % 5 == 0:
            s = synth.damage(s, i)
        text = synth.render(s, shape, seed=i)
        if i % 7 == 0 and shape in ("lines", "flat", "markdown"):
            text = synth.to_traditional(text)
        encoding = "gbk" if i % 11 == 0 and shape.startswith("html") else "utf-8"
        ext = "html" if shape in synth.WILD or shape.startswith("html") else "md" if shape == "markdown" else "txt"
        path = folder / f"{i:04d}_{shape}_{year}.{ext}"
        path.write_bytes(synth.encode(text, encoding))
        paths.append(path)
    return paths


def inputs(folder: Path, n: int) -> list[Path]:
    found = [p for base in (CORPUS, ROOT / "fixtures") if base.is_dir() for p in sorted(base.rglob("*"))]
    return [p for p in found if p.is_file() and p.suffix != ".tsv"] + synthetic(folder, n)


def records(checkout: Path, listing: Path, out: Path) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    subprocess.run([sys.executable, "-c", CHILD, str(listing), str(out)], env=env, check=True, cwd=checkout)
    return out.read_text(encoding="utf-8").splitlines()


def first_difference(a: object, b: object, where: str = "") -> str:
    """The path of the first place two JSON values differ, with both sides."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key, "<absent>") != b.get(key, "<absent>"):
                return first_difference(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{where}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where}: base {json.dumps(a, ensure_ascii=False)[:300]} / tree {json.dumps(b, ensure_ascii=False)[:300]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the checkout to compare against (e.g. an export of HEAD)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout under test (default: this one)")
    ap.add_argument("--synthetic", type=int, default=300, help="synthetic pages (default 300)")
    ap.add_argument("--keep", type=Path, help="write the synthetic pages and JSON lines here, not to a temp dir")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        paths = inputs(work / "synthetic", args.synthetic)
        listing = work / "inputs.txt"
        listing.write_text("\n".join(str(p) for p in paths) + "\n", encoding="utf-8")
        base = records(args.base.resolve(), listing, work / "base.jsonl")
        tree = records(args.tree.resolve(), listing, work / "tree.jsonl")
    differ = [(p, a, b) for p, a, b in zip(paths, base, tree, strict=True) if a != b]
    refused = sum(1 for line in tree if line.startswith('{"message"'))
    files = len(paths) - args.synthetic
    print(f"{len(paths)} inputs ({files} files, {args.synthetic} synthetic), {refused} refused (in the tree)")
    for path, a, b in differ[:10]:
        print(f"DIFFERENT {path.name}: {first_difference(json.loads(a), json.loads(b))}")
    print(f"{len(paths) - len(differ)} identical, {len(differ)} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
