"""The per-area outcome table as CSV (opens in spreadsheets; UTF-8 with a BOM for Excel)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response

from gisapp.outcomes.period import Period
from gisapp.outcomes.queries import FIGURES, Scope
from gisapp.spreadsheet import cell

HEAD = ("level", "code", "name_zh", "name_en", "population", "from_month", "to_month")


def to_csv(rows: list[dict[str, Any]], level: str, period: Period) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEAD, *FIGURES])
    first, last = period.labels[0], period.labels[-1]
    for row in rows:
        values = [level, row["code"], row["name_zh"], row["name_en"], row["population"]]
        figures = ["" if row[name] is None else row[name] for name in FIGURES]
        writer.writerow([*(cell(v) for v in values), first, last, *figures])
    return out.getvalue()


def csv_response(rows: list[dict[str, Any]], level: str, scope: Scope, period: Period) -> Response:
    resp = Response(to_csv(rows, level, period), mimetype="text/csv")
    where = scope.area.code if scope.area else "all"
    safe = "".join(c for c in where if c.isalnum() or c in "-_")
    resp.headers["Content-Disposition"] = (
        f'attachment; filename="outcomes-{level}-{safe}-{period.labels[0]}-{period.labels[-1]}.csv"'
    )
    return resp
