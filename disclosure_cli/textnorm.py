"""Text normalisation for matching labels: width, script and the Taiwan-style phrase substitutions.

Labels are matched, never rewritten: the raw text on the page is kept for people, and this module
only computes the key a label is compared by. Whole-text phrase conversion (OpenCC ``tw2sp``) is
deliberately not used: it corrupts labels (行政查询事项 becomes 行政查找事项). Instead the plain
character conversion ``t2s`` is followed by an alias table for the phrases that machine conversion
to Taiwan usage substitutes (規範性檔案 for 规范性文件, ...).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import opencc

# The script a page is written in (Record.script), as detect_script decides it.
Script = Literal["simplified", "traditional"]

# After t2s, the Taiwan-style substitutions still read as the substituted phrase; map them back.
PHRASE_ALIASES = {
    "规范性档案": "规范性文件",
    "最佳化": "优化",
    "专案": "项目",
    "资讯": "信息",
    "资料": "数据",
    "套用": "应用",
    "网际网路": "互联网",
    "数位化": "数字化",
    "智慧型": "智能",
    "格线化": "网格化",
}
_ALIAS_RE = re.compile("|".join(sorted(map(re.escape, PHRASE_ALIASES), key=len, reverse=True)))
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    import opencc  # imported lazily: `disclosure --help` must not pay for it

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str]:
    """The characters without which t2s changes nothing (built by tools/make_t2s_triggers.py)."""
    path = os.path.join(os.path.dirname(__file__), "data", "t2s_triggers.txt")
    with open(path, encoding="utf-8") as f:
        return frozenset("".join(line.rstrip("\n") for line in f if not line.startswith("#")))


def to_simplified(text: str) -> str:
    """Character-level Traditional→Simplified conversion (no phrase-level rewriting). A text with
    none of the characters t2s would change is returned as it is, without loading OpenCC (about
    7 ms of a cold start): nearly every page is Simplified already."""
    if not text or _t2s_triggers().isdisjoint(text):
        return text
    converted: str = _converter().convert(text)
    return converted


# Characters that print nothing: soft hyphen, zero-width space and joiners, direction marks and
# embeddings and isolates, word joiner, byte-order mark. CMS editors and copy-paste leave them inside
# numbers (「12\u200b」, 「1\u00ad234」), where they would keep a cell from reading as a number. Not the
# invisible operators U+2061-2064: readers/images.py marks where a picture sits with U+2063.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def drop_invisible(text: str) -> str:
    """``text`` without the characters that print nothing (:data:`INVISIBLE`): what a reader sees."""
    if text.isascii():  # O(1) in CPython; none of them is ASCII
        return text
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


# Marks, not numbers: circled, parenthesised and full-stop digits (①, ⑴, ⒈, ❶) number a list or mark a
# footnote, and superscript digits are footnote references (Word's 「12¹」; an HTML <sup>1</sup>,
# readers/html.py). NFKC makes each of them plain digits, so 「12①」 read as the count 121. A mark
# after a number is folded to a space instead (the number reads 12, the raw text keeps its mark), and
# so is one just before a number (「①2020年」 is no year 12020). A list's mark written against the
# label it opens folds as NFKC folds it: 「153⒊其他」 on a flattened page is 153 and the row 「3.其他」
# (「3471 ③ 四、结转…」 is 3471 with its note mark: the next label has its own number).
_MARK = "[\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]"
NOTE_MARKS = re.compile(_MARK)
_SUPERSCRIPTS = frozenset("\u00b2\u00b3\u00b9\u2070\u2074\u2075\u2076\u2077\u2078\u2079")
_UNIT_CHARS = frozenset("件条个项次人份万元")  # 「12①件」: a mark between a count and its unit
_MARKS_BY_A_NUMBER = re.compile(f"(?<=\\d)(\\s*)({_MARK}+)(\\s*)(\\S?)|{_MARK}+(?=\\s*\\d)")


def _circled_as_index() -> dict[int, str]:
    """Circled digits (①, ❶, ➀, ⓫, ㉑ …) as the list index they are, 「1.」: NFKC's bare 「1」 ran into
    the label it opens (「①属于国家秘密」 on a flattened page read the 1 as the row's first count)."""
    blocks = [(0x2460, 0x2473), (0x24EA, 0x24FF), (0x2776, 0x2793), (0x3251, 0x325F), (0x32B1, 0x32BF)]
    return {
        cp: f"{int(unicodedata.numeric(chr(cp)))}."
        for a, b in blocks
        for cp in range(a, b + 1)
        if unicodedata.numeric(chr(cp), -1) >= 0 and unicodedata.category(chr(cp)) == "No"
    }


_CIRCLED_AS_INDEX = _circled_as_index()


def fold_note_marks(text: str) -> str:
    """``text`` with each note mark next to a number a space (:data:`NOTE_MARKS`), and the other
    circled digits list indexes (「①」 as 「1.」)."""
    if not NOTE_MARKS.search(text):
        return text
    return _MARKS_BY_A_NUMBER.sub(_fold_mark, text).translate(_CIRCLED_AS_INDEX)


def _fold_mark(m: re.Match[str]) -> str:
    marks = m.group(2)
    if marks is None:  # before a number
        return " "
    after = m.group(4)
    if not m.group(3) and after.isalpha() and after not in _UNIT_CHARS and not _SUPERSCRIPTS.issuperset(marks):
        return " " + m.group(0)  # a list's mark opening the next label: apart from the number
    return f"{m.group(1)} {m.group(3)}{after}"


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms; the characters that print
    nothing dropped (:func:`drop_invisible`).

    NFKC is by definition NFKD followed by canonical composition, which is what NFC does to an
    NFKD string; CPython's own NFKC composes slowly (1.2 ms for a 4,000-character page that
    NFKD then NFC normalise in 0.08 ms), so the two steps are taken one after the other."""
    return fold_forms(drop_invisible(text))


def fold_forms(text: str) -> str:
    """:func:`nfkc` of a text already without invisible characters (a reader's cleaned line); note
    marks next to a digit (:data:`NOTE_MARKS`) as a space."""
    if text.isascii():
        return text
    text = fold_note_marks(text)
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text))


def normalize_label(label: str) -> str:
    """The comparison key of a label: NFKC, Simplified, aliases applied, punctuation removed.
    Short labels are cached (they recur on every page); paragraphs are not kept."""
    return _normalize_short(label) if len(label) <= 200 else normalize_text(label)


@lru_cache(maxsize=8192)
def _normalize_short(label: str) -> str:
    return normalize_text(label)


def normalize_text(label: str) -> str:
    """:func:`normalize_label` without the cache, for whole pages."""
    text = to_simplified(nfkc(label))
    text = _ALIAS_RE.sub(lambda m: PHRASE_ALIASES[m.group(0)], text)
    text = text.replace("帐", "账")
    return _NON_WORD.sub("", text)


def simplify_prose(text: str) -> str:
    """Simplified text for reading titles and agency names (aliases undo 資訊 for 信息 too)."""
    return _ALIAS_RE.sub(lambda m: PHRASE_ALIASES[m.group(0)], to_simplified(nfkc(text)))


_NOT_CJK = r"[^\u4e00-\u9fff]+"  # compiled on first use (2 ms), by Simplified pages never


def detect_script(text: str, sample: int = 20000, enough: int = 3000) -> Script:
    """'traditional' when a meaningful share of the CJK characters change under t2s (a few thousand
    characters decide it as well as the whole page). The CJK characters are gathered by deleting
    everything else (faster than collecting their runs). A sample with none of the characters t2s
    changes is Simplified without converting it, and one t2s leaves as it is without comparing it
    character by character."""
    head = text[:sample]
    if _t2s_triggers().isdisjoint(head):
        return "simplified"
    joined = re.sub(_NOT_CJK, "", head)[:enough]
    if not joined:
        return "simplified"
    converted = to_simplified(joined)
    if converted == joined:
        return "simplified"
    changed = sum(1 for a, b in zip(joined, converted) if a != b)
    return "traditional" if changed >= 5 and changed / len(joined) > 0.02 else "simplified"
