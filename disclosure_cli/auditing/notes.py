"""The parser's notes, written in both languages from the rule catalogue's templates.

A note (``record.Note``) is made where the parser finds something, by :func:`note` with the
template's key (``code`` or ``code/variant``, declared in ``rules.Rule.messages``) and its fields.
Each field is written in the reader's language as it is filled in: a :class:`TableRef` is
「表三」 or 「table 3」, a ``Location`` is 「第12行」 or 「line 12」, a ``Words`` is its zh or en
phrase; anything else is written as it is (the page's own labels and numbers). So a note's English
and Chinese texts come from one declaration, and no text is ever parsed back into its parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import msgspec

from ..cells import Cell, Location
from ..record import Note
from .rules import RULES, Words

_TABLES_ZH = {2: "表二", 3: "表三", 4: "表四"}


class TableRef(msgspec.Struct, frozen=True):
    """A statistics table named in a note: 「table 3」 in English, 「表三」 in Chinese."""

    number: int

    def text(self, lang: str) -> str:
        if lang == "zh":
            return _TABLES_ZH.get(self.number, f"表{self.number}")
        return f"table {self.number}"


@cache
def templates() -> dict[str, Words]:
    """Every note template of the catalogue by its key."""
    return {key: words for r in RULES for key, words in r.messages}


def _field(value: object, lang: str) -> str:
    if isinstance(value, TableRef):
        return value.text(lang)
    if isinstance(value, Location):
        return value.describe(lang)
    if isinstance(value, Words):
        return value.zh if lang == "zh" else value.en
    return str(value)


def write(key: str, lang: str, fields: dict[str, object]) -> str:
    """The template ``key`` in ``lang`` with its fields filled in."""
    words = templates()[key]
    return (words.zh if lang == "zh" else words.en).format_map({k: _field(v, lang) for k, v in fields.items()})


def note(
    key: str,
    loc: Location | None = None,
    rows: tuple[str, ...] = (),
    cells: tuple[Location, ...] = (),
    /,
    **fields: object,
) -> Note:
    """A parser note from its template: code ``key`` up to the slash, text in English and Chinese.
    What a program needs of the note goes in its ``data``, never parsed out of the text."""
    return Note(
        key.split("/", 1)[0],
        write(key, "en", fields),
        loc,
        rows,
        cells,
        message_zh=write(key, "zh", fields),
    )


def shown(cells: Iterable[Cell]) -> str:
    """Cells as a note quotes them: their printed text, space-separated."""
    return " ".join(c.raw for c in cells)
