"""Text cells for CSV files that people open in spreadsheets.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection), and names, titles and descriptions come from residents.
Such text is written with a leading apostrophe, which spreadsheets hide; ``gisapp import``
takes it off again, so an export read back keeps the text as it was.

Usage::

    writer.writerow([cell(v) for v in values])
    text = uncell(raw)
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value ready for ``csv.writer``: formula-like text quoted, None and NaN empty."""
    if value is None or value != value:  # NaN is the only value unequal to itself
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uncell(value: Any) -> Any:
    """Undo :func:`cell`'s apostrophe (other text, apostrophes included, is left alone)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
