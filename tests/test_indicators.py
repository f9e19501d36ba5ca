"""Indicators across years: a value the report does not give is unknown, never a drop to zero."""

from __future__ import annotations

from disclosure_cli.parse import parse_bytes
from disclosure_cli.series import Series, series_changes
from disclosure_cli.testing import synth


def _records():
    first, second = synth.random_series(7, 2022, 2)
    return [parse_bytes(synth.render(s, "html").encode(), source=f"{s.year}.html") for s in (first, second)]


def _indicator(changes, key, year):
    (c,) = [c for c in changes if c.is_indicator and c.indicator == key and c.year == year]
    return c


def test_an_unread_row_makes_its_indicators_unknown_not_zero():
    a, b = _records()
    for col in b.spec.table("requests").row("new").columns:  # 本年新收 left unread, as a damaged row is
        v = b.values[f"requests.new.{col.key}"]
        v.raw = v.value = None
    changes, _ = series_changes(Series(a.agency or "", {a.year: a, b.year: b}))
    new = _indicator(changes, "new_requests", b.year)
    assert new.value is None and new.change is None
    assert _indicator(changes, "disputes_per_100", b.year).value is None
    assert _indicator(changes, "new_requests", a.year).value == a.get("requests", "new", "total")


def test_a_blank_cell_still_counts_as_zero():
    a, b = _records()
    v = b.values["appeals.review.corrected"]
    v.value, v.raw = None, "/"
    changes, _ = series_changes(Series(a.agency or "", {a.year: a, b.year: b}))
    rate = _indicator(changes, "review_correction_rate", b.year)
    finished = b.get("appeals", "review", "total") - b.get("appeals", "review", "pending")
    assert rate.value == (0 if finished else None)


def test_every_change_is_named_in_both_languages_across_the_format_change():
    """2021's three (六) rows are compared with 2020 as their sum, ``requests.other``: named as 2020 names it."""
    first, second = synth.random_series(3, 2020, 2)
    a, b = (parse_bytes(synth.render(s, "html").encode(), source=f"{s.year}.html") for s in (first, second))
    changes, _ = series_changes(Series(a.agency or "", {a.year: a, b.year: b}))
    for c in changes:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in c.label), c.label
        assert "_" not in c.label_en, c.label_en
