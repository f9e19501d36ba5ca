"""Places: the GB/T 2260 division an agency belongs to, and the department part of its name.

``resolve("淮安市洪泽区人民政府")`` finds the most specific place the name starts with and returns a
:class:`Region`: the six-digit code (320813), the full name (江苏省淮安市洪泽区), the level, the
province and prefecture codes, the department (人民政府) and the place text that was matched.

The divisions come from ``data/regions.tsv`` (built by ``tools/make_region_data.py``; its header and
``data/README.md`` name the sources, their dates and licences). It holds today's divisions and the
former names of the 2002–2014 revisions, each mapped to today's code where that is certain
(洪泽县 320829 → 洪泽区 320813) and left unmapped otherwise.

How a name is read (after NFKC, Traditional → Simplified and removing white space):

* Places are chained from the start of the name, each one inside the previous one
  (江苏省 → 淮安市 → 洪泽区); the chain covering the most text wins. Names without their suffix
  (北京, 广东, 深圳) count only at the very start or right after another such name, so a
  department that happens to begin with a city's name is not read as a place.
* For each piece of text, today's names are tried first, then (together) the generated short forms
  (延边州 for 延边朝鲜族自治州, 石柱县 for 石柱土家族自治县) and the former names; a former name
  therefore only counts when no place of today fits there (邢台市桥东区 is the former name of
  襄都区, while 桥东区 alone is today's 张家口市桥东区), and 东乡县 — 江西's former 东乡县 or the
  short name of 甘肃's 东乡族自治县 — is ambiguous.
* When the best chains end at different places (铁东区: 鞍山 210302 and 四平 220303), a place in
  brackets (「铁东区人民政府（鞍山市）」) settles it; otherwise the answer is the last place all of
  them share (「山西省城区…」 → 山西省), or ``None`` when they share nothing. Nothing is guessed.
* When nothing is found at the start, the first full place name (three characters or more) further
  in is used (「国家税务总局深圳市税务局」 → 深圳市), looking no further than :data:`MAX_SCAN`
  characters. A name that starts with a place that cannot be settled is not looked past.
* A bare city name before 大学 is the university's namesake, not its place (中山大学 is in 广州).
* A few well-known zones that are no GB/T 2260 division map to the division that administers their
  territory (:data:`ZONE_ALIASES`).

The department is the rest of the name with the place and anything in brackets taken out
(「上海市科学技术委员会（市科委）」 → 科学技术委员会; 「平潭综合实验区（管委会）」 → "").
``matched`` and ``department`` are in Simplified characters (a written 乾 is kept: 乾县).
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from itertools import takewhile
from typing import Literal, NamedTuple

import msgspec

from .textnorm import nfkc, normalize_label, to_simplified

Level = Literal["province", "prefecture", "county"]
LEVELS: tuple[Level, ...] = ("province", "prefecture", "county")

DATA_FILE = "regions.tsv"  # in disclosure_cli/data/ (package data: "data/*.tsv")
# Bumped whenever the way names are read changes (rules, ZONE_ALIASES), so that stored regions
# (the dataset's region columns) are known to be read again: see :func:`data_version`.
RESOLVER_VERSION = 1

# Zones administered as (or over the territory of) one GB/T 2260 division that carry their own name
# on their reports. Only unambiguous one-division zones belong here.
ZONE_ALIASES: dict[str, str] = {
    # 平潭综合实验区 (福建, set up 2009/2011): its 管委会 governs the whole territory of 平潭县, which is
    # the GB/T 2260 division (350128, under 福州市) the zone is counted under.
    "平潭综合实验区": "350128",
}

# Minority nationality names, stripped (with or without 族) from autonomous areas' names to get the
# name people use: 延边朝鲜族自治州 → 延边, 伊犁哈萨克自治州 → 伊犁, 广西壮族自治区 → 广西.
_ETHNIC_TEXT = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 "
    "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 "
    "锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 "
    "基诺 "
)
ETHNIC_NAMES: tuple[str, ...] = tuple(_ETHNIC_TEXT.split())
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
_SUFFIXES = ("特别行政区", *_AUTONOMOUS, "地区", "林区", "省", "市", "区", "县", "旗", "盟")


@cache
def _ethnic_tail() -> re.Pattern[str]:
    return re.compile(
        "(?:"
        + "|".join(
            # one-character names only with 族 (西藏 is no 藏 minority); longer ones also without it (伊犁哈萨克)
            f"{re.escape(n)}族" if len(n) == 1 else f"{re.escape(n)}族?"
            for n in sorted(ETHNIC_NAMES, key=len, reverse=True)
        )
        + ")$"
    )


# Names that are groupings in the code list, never a place an agency belongs to.
GROUPING_NAMES = frozenset(
    {
        "市辖区",
        "县",
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
        "省直辖行政单位",
        "省直辖县级行政单位",
        "自治区直辖县级行政单位",
    }
)


def is_grouping(name: str) -> bool:
    """A grouping of the code list (市辖区, 县, 市, 省直辖县级行政区划 …), never an agency's place."""
    return name in GROUPING_NAMES or name.endswith("市辖区") or len(name) < 2


_OPEN = "(（【〔［[〖"
_CLOSE = ")）】〕］]〗"
_BRACKETED = re.compile(f"[{re.escape(_OPEN)}][^{re.escape(_OPEN + _CLOSE)}]*[{re.escape(_CLOSE)}]")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_EDGE_PUNCT = " \t·・.,，、:：;；-—_/|"
_KEEP = frozenset("乾")  # simplified characters OpenCC t2s still converts (乾 → 干): shown as written
# A name without its suffix that begins a university's name is the university's namesake, not where it
# is (中山大学 is in 广州): no place is read from it.
_NOT_AFTER_BARE = ("大学",)
MAX_SCAN = 64  # how far into a name a place is looked for when none starts it
MAX_BRACKETS = 8  # bracketed parts read for a settling place
MIN_SCAN = 3  # a place found after the start of a name must be written out in full, three characters or more


def place_stem(name: str) -> str:
    """The name without its level suffix (and, for autonomous areas, the nationalities):
    北京市 → 北京, 海南藏族自治州 → 海南, 阿里地区 → 阿里, 洪泽区 → 洪泽. Never shorter than one character."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix in _AUTONOMOUS:
                while True:
                    m = _ethnic_tail().search(stem)
                    if not m or m.start() < 2:
                        break
                    stem = stem[: m.start()]
                if m and m.start() == 0 and stem.endswith("族") and len(stem) > 2:
                    stem = stem[:-1]  # the whole name is a nationality: 鄂温克族自治旗 → 鄂温克
            return stem
    return name


def level_of(code: str) -> Level:
    """The level a six-digit code stands for: ``..0000`` province, ``....00`` prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


class Region(msgspec.Struct, frozen=True):
    """The place an agency belongs to. ``prefecture`` is the prefecture-level code (the region's own
    code at that level; ``None`` for a province and for counties directly under a province or a
    municipality such as 北京市东城区)."""

    code: str
    name: str
    level: Level
    province: str
    prefecture: str | None
    department: str
    matched: str

    def as_dict(self) -> dict[str, str | None]:
        return msgspec.structs.asdict(self)


class _Division(NamedTuple):
    code: str
    name: str
    level: Level
    parent: str | None


class _Entry(NamedTuple):
    code: str | None  # today's code; None for a former name that maps to nothing certain
    origin: str  # the code the name belongs to in the list (the former code for former names)
    tier: int  # 0 today's full name or a zone alias, 1 a generated short form or a former name
    bare: bool  # a name without its suffix: only at the start or right after another bare name


class _Data(NamedTuple):
    divisions: dict[str, _Division]
    names: dict[str, tuple[_Entry, ...]]
    longest: int


class _Token(NamedTuple):
    start: int
    end: int
    code: str | None
    origin: str
    bare: bool


def _data_path() -> str:
    """``data/regions.tsv`` beside this module (package data, installed as files)."""
    return os.path.join(os.path.dirname(__file__), "data", DATA_FILE)


@cache
def _data() -> _Data:
    with open(_data_path(), encoding="utf-8") as f:  # read on first use: importing this module loads nothing
        text = f.read()
    divisions: dict[str, _Division] = {}
    raw: dict[str, set[_Entry]] = {}

    def add(key: str, entry: _Entry) -> None:
        if key and not is_grouping(key):
            raw.setdefault(key, set()).add(entry)

    former: list[tuple[str, str, str | None]] = []
    variants: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, code, name, level, link, *_ = line.split("\t")
        if kind == "C":
            if level != level_of(code):
                raise ValueError(f"{DATA_FILE}: level {level!r} does not fit code {code}")
            divisions[code] = _Division(code, name, level_of(code), link or None)
        elif kind == "O":
            former.append((code, name, link or None))
        elif kind == "V":
            variants.append((code, name))
    for div in divisions.values():
        add(div.name, _Entry(div.code, div.code, 0, False))
        stem = place_stem(div.name)
        if len(stem) >= 2 and stem != div.name:
            if div.level in ("province", "prefecture"):
                add(stem, _Entry(div.code, div.code, 1, True))
            if div.name.endswith("自治州"):
                add(stem + "州", _Entry(div.code, div.code, 1, False))
            elif div.name.endswith("自治县"):
                add(stem + "县", _Entry(div.code, div.code, 1, False))
            elif div.name.endswith("自治旗"):
                add(stem + "旗", _Entry(div.code, div.code, 1, False))
    for code, name in variants:  # spellings that Traditional→Simplified conversion produces (乾县 → 干县)
        add(name, _Entry(code, code, 0, False))
    for old, name, today in former:
        add(name, _Entry(today if today in divisions else None, old, 1, False))
    for alias, code in ZONE_ALIASES.items():
        add(alias, _Entry(code, code, 0, False))
    index = {
        key: tuple(sorted(entries, key=lambda e: (e.tier, e.code or "", e.origin))) for key, entries in raw.items()
    }
    return _Data(divisions, index, max(map(len, index)))


def _within(code: str, ancestor: str, divisions: dict[str, _Division]) -> bool:
    """``code`` lies strictly inside ``ancestor`` (by the parent links of today's list)."""
    parent = divisions[code].parent if code in divisions else None
    while parent is not None:
        if parent == ancestor:
            return True
        parent = divisions[parent].parent if parent in divisions else None
    return False


def _origin_within(origin: str, ancestor: str) -> bool:
    """For a former name with no code today: does its former code lie inside ``ancestor`` by its digits?"""
    level = level_of(ancestor)
    if level == "county" or origin == ancestor:
        return False
    return origin[: 2 if level == "province" else 4] == ancestor[: 2 if level == "province" else 4]


def _matches(text: str, pos: int, prev: _Token | None, first_min: int, data: _Data) -> list[_Token]:
    """The tokens that can follow ``prev`` at ``pos``: per piece of text only the best tier that fits."""
    found: list[_Token] = []
    for end in range(min(len(text), pos + data.longest), pos + max(first_min, 1) - 1, -1):
        entries = data.names.get(text[pos:end])
        if not entries:
            continue
        fitting: list[_Entry] = []
        for e in entries:
            if e.bare and (not (pos == 0 or (prev is not None and prev.bare)) or text.startswith(_NOT_AFTER_BARE, end)):
                continue
            if prev is not None:
                assert prev.code is not None
                inside = (
                    _within(e.code, prev.code, data.divisions)
                    if e.code is not None
                    else _origin_within(e.origin, prev.code)
                )
                if not inside:
                    continue
            fitting.append(e)
        if fitting:
            best = min(e.tier for e in fitting)
            seen: set[str | None] = set()
            for e in fitting:
                if e.tier == best and e.code not in seen:
                    seen.add(e.code)
                    found.append(_Token(pos, end, e.code, e.origin, e.bare))
    return found


def _chains(text: str, start: int, data: _Data, first_min: int) -> list[tuple[_Token, ...]]:
    """Every chain of places starting at ``start`` (each inside the previous), prefixes included."""
    out: list[tuple[_Token, ...]] = []

    def walk(chain: tuple[_Token, ...]) -> None:
        prev = chain[-1] if chain else None
        if prev is not None and (prev.code is None or len(chain) >= 4):
            return
        pos = prev.end if prev is not None else start
        for token in _matches(text, pos, prev, first_min if prev is None else 1, data):
            longer = (*chain, token)
            out.append(longer)
            walk(longer)

    walk(())
    return out


def _lineage(code: str, divisions: dict[str, _Division]) -> list[_Division]:
    chain: list[_Division] = []
    current: str | None = code
    while current is not None and current in divisions:
        chain.append(divisions[current])
        current = divisions[current].parent
    return chain[::-1]


def _best(chains: list[tuple[_Token, ...]], context: list[str], data: _Data) -> tuple[_Token, ...]:
    """The chain to use: the longest; when the longest ones end at different places, those agreeing
    with a bracketed place; else their common start (possibly nothing). Unknown (former, unmapped)
    places end a chain and are dropped from it."""
    if not chains:
        return ()
    far = max(c[-1].end for c in chains)
    best = [c for c in chains if c[-1].end == far]
    if len({c[-1].code for c in best}) > 1 and context:
        agreeing = [
            c
            for c in best
            if c[-1].code is not None
            and any(
                c[-1].code == k or _within(c[-1].code, k, data.divisions) or _within(k, c[-1].code, data.divisions)
                for k in context
            )
        ]
        if agreeing:
            best = agreeing
    common: list[_Token] = []
    for tokens in zip(*best):
        first = tokens[0]
        if any((t.start, t.end, t.code) != (first.start, first.end, first.code) for t in tokens):
            break
        common.append(first)
    while common and common[-1].code is None:
        common.pop()
    return tuple(common)


def _normalise(text: str) -> tuple[str, str]:
    """The text matched (NFKC, Simplified, no white space) and the text shown: the same, except that
    simplified characters the character conversion rewrites anyway (乾县 → 干县) are put back."""
    plain = _SPACE.sub("", nfkc(text))
    simplified = to_simplified(plain)
    if len(simplified) != len(plain):
        return simplified, simplified
    shown = "".join(o if o in _KEEP and s != o else s for o, s in zip(plain, simplified))
    return simplified, shown


def _place_in(text: str, data: _Data, context: list[str]) -> tuple[_Token, ...]:
    chains = _chains(text, 0, data, 1)
    if chains:  # the name starts with a place: that one or none (an unsettled 铁东区 is not looked past)
        return _best(chains, context, data)
    for start in range(1, min(len(text) - MIN_SCAN + 1, MAX_SCAN)):
        chain = _best(_chains(text, start, data, MIN_SCAN), context, data)
        if chain:
            return chain
    return ()


@lru_cache(maxsize=4096)
def resolve(agency: str | None) -> Region | None:
    """The most specific GB/T 2260 place an agency name belongs to, or ``None`` when it names none
    (or only places it cannot tell apart)."""
    if not agency:
        return None
    data = _data()
    text, shown = _normalise(agency)
    spans = [m.span() for m in _BRACKETED.finditer(text)]
    outside = list(zip([0] + [b for _, b in spans], [a for a, _ in spans] + [len(text)]))
    main, main_shown = ("".join(t[a:b] for a, b in outside) for t in (text, shown))
    context: list[tuple[str, str]] = []  # (code, text) of the places named in brackets
    for a, b in spans[:MAX_BRACKETS]:
        part = text[a + 1 : b - 1]
        found = _best(_chains(part, 0, data, 1), [], data)
        if found and found[-1].code is not None:
            context.append((found[-1].code, shown[a + 1 + found[0].start : a + 1 + found[-1].end]))
    chain = _place_in(main, data, [code for code, _ in context])
    if chain:
        code = chain[-1].code
        assert code is not None
        matched = main_shown[chain[0].start : chain[-1].end]
        department = main_shown[: chain[0].start] + main_shown[chain[-1].end :]
    elif context:  # no place outside the brackets: the bracketed one is the place
        (code, matched), department = context[0], main_shown
    else:
        return None
    return _region(code, department.strip(_EDGE_PUNCT), matched, data)


def _region(code: str, department: str, matched: str, data: _Data) -> Region:
    lineage = _lineage(code, data.divisions)
    division = lineage[-1]
    prefecture = next((d.code for d in lineage if d.level == "prefecture"), None)
    return Region(
        code=code,
        name="".join(d.name for d in lineage),
        level=division.level,
        province=lineage[0].code,
        prefecture=prefecture,
        department=department,
        matched=matched,
    )


@cache
def data_version() -> str:
    """What the regions are read from: the sources of ``data/regions.tsv`` as its header names them
    (package, version, the date of its data) and :data:`RESOLVER_VERSION`. A dataset records it
    (``meta.region_data``) and reads its region columns again when it changes."""
    sources = []
    with open(_data_path(), encoding="utf-8") as f:  # the header only: a new dataset asks for this
        head = list(takewhile(lambda line: line.startswith("#"), f))
    for line in head:
        m = re.match(r"# (Today's divisions|Former names) \([^)]*\): (\S+ \S+) .*?(data\.py dated \S+?)[;:]", line)
        if m:
            sources.append(f"{m.group(2)} ({m.group(1).lower()}, {m.group(3)})")
    return "; ".join(sources) + f"; resolver {RESOLVER_VERSION}"


def division_name(code: str) -> str | None:
    """The full name of a code of today's list (「江苏省淮安市洪泽区」), or ``None`` if it is not one."""
    divisions = _data().divisions
    if code not in divisions:
        return None
    return "".join(d.name for d in _lineage(code, divisions))


# What a zone's own governing body is called after the zone's name: 「平潭综合实验区管委会」 is the body
# that 「平潭综合实验区」 and 「平潭综合实验区（管委会）」 name, so the three are one series.
ZONE_GOVERNMENT = ("管委会", "管理委员会")


def series_key(region: Region) -> str:
    """The series a report belongs to: one place and one department, whatever the title calls them
    (「淮安市洪泽区人民政府」 and 「洪泽县政府」 are both ``320813/政府``). The department is compared
    as labels are (width, script, punctuation) with 人民政府 read as 政府, as agency names are grouped;
    after a zone of :data:`ZONE_ALIASES`, its 管委会 is the zone itself (``350128/``)."""
    department = normalize_label(region.department).replace("人民政府", "政府")
    if region.matched in ZONE_ALIASES and department in {normalize_label(d) for d in ZONE_GOVERNMENT}:
        department = ""
    return f"{region.code}/{department}"


def code_prefix(code: str) -> str:
    """The digits every code inside ``code`` starts with: 320000 → 32, 320800 → 3208, 320813 → 320813."""
    level = level_of(code)
    return code[:2] if level == "province" else code[:4] if level == "prefecture" else code


class Area(NamedTuple):
    """A place that selects records (``export --region``): every region whose code starts with ``prefix``."""

    prefix: str
    code: str
    name: str


_DIGITS = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}")


def area(text: str) -> Area | None:
    """The place ``text`` names: a GB/T 2260 code of today's list (320813), a province or prefecture
    code prefix (32, 3208), or a place name as :func:`resolve` reads it (江苏省, 淮安市, 洪泽县,
    淮安市洪泽区). ``None`` when it names no place, or names a department (「深圳市财政局」 is an
    agency, not a place)."""
    plain = _SPACE.sub("", nfkc(text))
    if _DIGITS.fullmatch(plain):
        code = plain.ljust(6, "0")
        name = division_name(code)
        return None if name is None else Area(code_prefix(code), code, name)
    found = resolve(plain)
    if found is None or found.department:
        return None
    return Area(code_prefix(found.code), found.code, found.name)
