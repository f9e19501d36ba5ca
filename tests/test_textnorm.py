"""textnorm: the two-step NFKC is Unicode's NFKC."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_cli.textnorm import nfkc

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
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_folds_full_width_forms() -> None:
    assert nfkc("１２３，４５６　（一）") == "123,456 (一)"
