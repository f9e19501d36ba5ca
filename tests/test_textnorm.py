"""textnorm: the two-step NFKC is Unicode's NFKC; the t2s shortcut converts exactly as OpenCC does."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_cli.textnorm import _t2s_triggers, detect_script, drop_invisible, fold_note_marks, nfkc, to_simplified

# the characters these pages are made of, and the ones normalisation changes most
_PAGE_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),  # CJK punctuation, kana
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK ideographs
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),  # full-width forms
        st.characters(min_codepoint=0x2460, max_codepoint=0x24FF),  # enclosed numerals ①
        st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # compatibility ideographs
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul, composed by NFC
        st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
        st.characters(),
    ),
    max_size=60,
)


@settings(max_examples=400)
@given(_PAGE_TEXT)
def test_nfkc_is_unicode_nfkc(text: str) -> None:
    """NFKC, but for the note marks (circled and superscript digits) next to a number."""
    assert nfkc(text) == unicodedata.normalize("NFKC", fold_note_marks(drop_invisible(text)))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("12①", "12 "),
        ("①本级预决算", "1.本级预决算"),  # a list index, away from any number: 「1.」
        ("⒊其他", "3.其他"),  # 2021's row 「3.其他」 typed with the input method's ⒊
        ("①2020年", " 2020年"),
        ("12¹", "12 "),
        ("３⑴", "3 "),
        ("0❶ 0 ⓵", "0  0  "),
        ("153⒊其他", "153 3.其他"),  # a flattened page: a count, then the next row's label
        ("12①件", "12 件"),
        ("（一）１２", "(一)12"),  # full-width forms still fold
    ],
)
def test_note_marks_are_not_digits(text: str, folded: str) -> None:
    """NFKC would make 「12①」 the number 121 and a footnote's 「12¹」 too; a list's ① stays its number."""
    assert nfkc(text) == folded


def test_characters_that_print_nothing_are_dropped() -> None:
    text = "\ufeff本年\u200b新收\u00ad12\u2060 3\u200e4\u202a5\u202c"
    assert drop_invisible(text) == nfkc(text) == "本年新收12 345"
    assert drop_invisible("12") == "12" and drop_invisible("") == ""
    for ch in "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2066\u2069\ufeff":
        assert unicodedata.category(ch) == "Cf" and drop_invisible(f"1{ch}2") == "12"


def test_nfkc_folds_full_width_forms() -> None:
    assert nfkc("１２３，４５６　（一）") == "123,456 (一)"


# -- the t2s shortcut: text without a trigger character skips OpenCC ----------------------------------

ROOT = Path(__file__).resolve().parent.parent
_CONVERT = opencc.OpenCC("t2s").convert


def _tool() -> ModuleType:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_t2s_triggers
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return make_t2s_triggers


def test_shipped_triggers_are_sound_for_the_installed_opencc() -> None:
    """Every character t2s changes alone, and a character of every key it changes as a whole, is in
    the shipped file; otherwise a Traditional label would be compared unconverted."""
    tool = _tool()
    if not (Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict").exists():
        pytest.skip("this OpenCC wheel ships no opencc_dict to read its dictionaries with")
    assert tool.check(tool.OUT.read_text(encoding="utf-8")) == []


def test_every_character_t2s_changes_alone_is_a_trigger() -> None:
    """The part of the soundness check that needs no dictionary dump (all of the BMP and plane 2)."""
    triggers = _t2s_triggers()
    missing = [
        chr(i) for i in (*range(0x2E80, 0xD800), *range(0xF900, 0xFB00), *range(0x20000, 0x2FA20))
        if chr(i) not in triggers and _CONVERT(chr(i)) != chr(i)
    ]  # fmt: skip
    assert missing == []


def test_keys_t2s_changes_as_a_whole_go_through_opencc() -> None:
    assert to_simplified("已答覆申请人") == "已答复申请人" == _CONVERT("已答覆申请人")
    assert to_simplified("意志消沈") == "意志消沉"
    assert to_simplified("本机关已依法答复") == "本机关已依法答复"  # no trigger: returned as it is


_MIXED = st.text(
    st.one_of(
        st.sampled_from("回覆答復深沈打坏藉口英哩乾燥么麼於于餘余後后發髮政府信息公开申請申请件"),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=40,
)


@settings(max_examples=400)
@given(_MIXED)
def test_to_simplified_is_opencc_t2s(text: str) -> None:
    assert to_simplified(text) == _CONVERT(text)


@settings(max_examples=200)
@given(_MIXED)
def test_detect_script_is_unchanged_by_the_shortcut(text: str) -> None:
    page = text * 40
    joined = re.sub(r"[^\u4e00-\u9fff]+", "", page[:20000])[:3000]
    converted = _CONVERT(joined)
    changed = sum(1 for a, b in zip(joined, converted) if a != b)
    expected = "traditional" if joined and changed >= 5 and changed / len(joined) > 0.02 else "simplified"
    assert detect_script(page) == expected
