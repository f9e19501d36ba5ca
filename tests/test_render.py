"""Terminal text for people: 80 columns without words broken."""

from __future__ import annotations

import re

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from disclosure_cli.auditing import RULES
from disclosure_cli.cli import main
from disclosure_cli.render import wrap_cells

WORDS = st.lists(
    st.one_of(
        st.sampled_from(["outcome", "（七）总计", "≠", "table", "3", "12,345", "本年新收"]), st.text("ab", min_size=1)
    ),
    min_size=1,
    max_size=30,
)


@given(WORDS, st.integers(min_value=12, max_value=60))
def test_wrapped_lines_fit_and_keep_latin_words_whole(words, width):
    text = " ".join(words)
    lines = wrap_cells(text, width)
    for line in lines:
        longest_word = max((cell_len(w) for w in line.split()), default=0)
        assert cell_len(line) <= width or longest_word > width
    latin = lambda t: re.findall(r"[A-Za-z0-9,]+", t)  # noqa: E731
    assert latin(" ".join(lines)) == latin(text), "a Latin word or a number was broken across lines"


def test_rules_in_80_columns_break_no_word():
    result = CliRunner().invoke(main, ["rules", "--lang", "en"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert "…" not in result.output
    for r in RULES:
        flat = " ".join(line.strip() for line in lines)
        assert r.summary in flat, r.code
