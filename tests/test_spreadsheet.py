"""CSV cells that spreadsheets would run as formulas are quoted, and read back unchanged."""

from __future__ import annotations

import math

import pytest

from gisapp.spreadsheet import cell, uncell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_formulas_are_quoted_and_come_back(text: str) -> None:
    assert cell(text) == "'" + text
    assert uncell(cell(text)) == text


@pytest.mark.parametrize("value", ["路灯不亮", "it's fine", "'quoted already", 3, 2.5])
def test_other_values_pass_through(value: object) -> None:
    assert cell(value) == value
    assert uncell(value) == value


def test_missing_values_are_empty() -> None:
    assert cell(None) == "" and cell(math.nan) == ""
