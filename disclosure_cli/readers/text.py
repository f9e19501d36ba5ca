"""Plain text: one cell per line (the seed's shape) or whole tables flattened into one line."""

from __future__ import annotations

from ..cells import Cell, tokenize_text


def read_text(text: str) -> list[Cell]:
    cells: list[Cell] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            cells.extend(tokenize_text(line, lineno))
    return cells
