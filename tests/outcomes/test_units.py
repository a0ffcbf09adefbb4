"""Small pieces without the database: periods, levels, the CSV's formula guard, chart axes."""

from __future__ import annotations

import datetime as dt

import pytest

from gisapp.errors import ValidationFailed
from gisapp.outcomes import charts
from gisapp.outcomes.exports import to_csv
from gisapp.outcomes.period import Period, check_level, levels_below, parse_period
from gisapp.outcomes.queries import FIGURES, empty, median_days

TODAY = dt.date(2026, 11, 26)


def test_periods() -> None:
    p = parse_period(None, None, TODAY)
    assert (p.first, p.last, len(p.months)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 1), 12)
    p = parse_period("2026-02", "3", TODAY)
    assert p.labels == ["2025-12", "2026-01", "2026-02"] and p.end == dt.date(2026, 3, 1)
    assert parse_period("2026-11", "1", TODAY).labels == ["2026-11"]
    for to, months, field in (
        ("2026-12", None, "to"),
        ("26-01", None, "to"),
        ("2026-00", None, "to"),
        (None, "25", "months"),
        (None, "1.5", "months"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            parse_period(to, months, TODAY)
        assert caught.value.field == field


def test_levels() -> None:
    assert levels_below(None) == ["district", "street", "community", "grid"]
    assert levels_below("community") == ["grid"]
    assert check_level(None, "street") == "community"
    assert check_level(None, None, default="community") == "community"
    assert check_level("grid", "street") == "grid"
    with pytest.raises(ValidationFailed):
        check_level("street", "street")
    with pytest.raises(ValidationFailed):
        check_level(None, "grid")


def test_csv_names_cannot_run_as_formulas() -> None:
    row = {
        "code": "X1",
        "name_zh": '=HYPERLINK("http://evil")',
        "name_en": "+1",
        "population": None,
        **empty(),
    }
    text = to_csv([row], "community", Period(dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    assert text.startswith("\ufefflevel,code")
    line = text.splitlines()[1]
    assert "'=HYPERLINK" in line and ",'+1," in line
    assert line.endswith(",".join(["0", "0", "", "", "0", "", "0", "0", "", "0.0", "0.0", "0"]))
    assert len(FIGURES) == 12


def test_chart_axes() -> None:
    assert charts._nice_top(0) == 1.0
    assert charts._nice_top(7) == 10
    assert charts._nice_top(130) == 200
    assert charts._nice_top(5000) == 5000
    series = [
        {"month": "2026-01", "received": 4, "resolved": 2, "satisfaction": None},
        {"month": "2026-02", "received": 0, "resolved": 1, "satisfaction": 4.5},
    ]
    bars = charts.reports_chart(series)
    assert len(bars["bars"]) == 4 and bars["top"] == 5
    assert bars["months"][0]["year"] == "2026" and bars["months"][1]["year"] == ""
    line = charts.satisfaction_chart(series)
    assert len(line["points"]) == 1 and line["line"].count(",") == 1


def test_median_from_the_histogram() -> None:
    def counts(**n: int) -> list[int]:
        from gisapp.outcomes.models import DAY_BUCKETS

        return [n.get(name, 0) for name, _first, _last in DAY_BUCKETS]

    assert median_days(counts()) is None
    assert median_days(counts(d3=1)) == 3.0
    assert median_days(counts(d1=1, d3=1, d11=1)) == 3.0
    assert median_days(counts(d0=2, d2=2)) == 1.0
    # Two values in 8-10 days: read as 8.75 and 9.25.
    assert median_days(counts(d8=2)) == 9.0
    assert median_days(counts(d366=1)) == 548.0
