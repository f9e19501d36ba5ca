"""Bytes to text: BOMs, strict UTF-8, GB18030/Big5 detection, and refusals for what is not text."""

from __future__ import annotations

import pytest

from disclosure_cli.decode import decode
from disclosure_cli.errors import ReportError
from disclosure_cli.testing import synth

PAGE = synth.render_html(synth.random_report(7, "2021"), meta_charset="utf-8")


def test_utf8_with_and_without_bom():
    assert decode(PAGE.encode())[0] == PAGE
    text, encoding = decode(b"\xef\xbb\xbf" + PAGE.encode())
    assert (text, encoding) == (PAGE, "utf-8")


def test_gbk_page_whose_meta_claims_utf8():
    text, encoding = decode(PAGE.encode("gbk"))
    assert text == PAGE
    assert encoding in ("gb18030", "gbk", "gb2312")


def test_big5_page():
    traditional = synth.to_traditional(PAGE)
    text, encoding = decode(synth.encode(traditional, "big5"))
    assert "政府資訊公開" in text
    assert encoding in ("big5", "cp950", "big5hkscs")


def test_utf16_with_bom():
    assert decode(PAGE.encode("utf-16"))[0] == PAGE


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, "binary"),
    ],
)
def test_refusals(data, reason):
    with pytest.raises(ReportError) as info:
        decode(data)
    assert info.value.reason == reason


def test_too_large():
    with pytest.raises(ReportError) as info:
        decode(b"x" * 2000, max_bytes=1000)
    assert info.value.reason == "too-large"
    assert "too large" in info.value.message
