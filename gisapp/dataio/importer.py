"""``gisapp import areas|facilities|reports PATH``: all or nothing, with every bad feature named.

Usage::

    result = import_file(session, Path("lights.gpkg"), ImportOptions("facilities", crs="gcj02"))
    # ImportRejected(problems=[...]) when any feature is bad; nothing was written

The whole file is read and every feature checked (geometry, then attributes, then codes against
the file and the database) before the first row is written; the rows then go in with one
multi-row ``INSERT`` per table (executemany), inside the caller's transaction, so a failure
half-way rolls everything back. Area links of imported reports and facilities are set by the
database triggers, as for every other write. ``dry_run`` writes inside a savepoint and rolls it
back, so it proves the database would take the rows too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gisapp.dataio.geometry import check_served_area, clean_geometries, resolve_crs
from gisapp.dataio.mapping import (
    CONDITIONS,
    FACILITY_STATUSES,
    Checker,
    Fields,
    label_of,
    resolve_fields,
)
from gisapp.dataio.problems import Problems
from gisapp.dataio.readers import Source, read_source
from gisapp.db import Base
from gisapp.geo.models import LEVELS, Area
from gisapp.maintenance.models import Facility, FacilityType
from gisapp.reports.models import STATUSES, Category

KINDS = ("areas", "facilities", "reports")
# Called with (features just checked, features in the file), for a progress bar.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    kind: str
    crs: str | None = None
    level: str | None = None
    parent: str | None = None
    name_field: str | None = None
    code_field: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    invalid: str = "reject"
    drop_z: bool = False
    dry_run: bool = False
    layer: str | None = None
    lon_field: str | None = None
    lat_field: str | None = None
    timezone: str = "Asia/Shanghai"


@dataclass
class ImportResult:
    file: str
    kind: str
    count: int
    warnings: list[str]
    dry_run: bool


@dataclass
class _Batch:
    """What the checks hand to the writer."""

    source: Source
    fields: Fields
    geoms: list[Any]
    records: list[dict[str, Any]]
    labels: list[str]
    problems: Problems
    checker: Checker
    progress: Callable[[int], None]


def _codes_in_db(session: Session, column: Any, codes: list[str]) -> set[str]:
    if not codes:
        return set()
    wanted = sa.bindparam("codes", codes, type_=ARRAY(sa.String))
    return set(session.scalars(sa.select(column).where(column == sa.any_(wanted))))


def _duplicates(batch: _Batch, codes: list[str | None], taken: set[str]) -> None:
    first: dict[str, str] = {}
    for label, code in zip(batch.labels, codes, strict=True):
        if code is None:
            continue
        if code in taken:
            batch.problems.add(label, f"code {code} already exists in the database")
        elif code in first:
            batch.problems.add(label, f"duplicate code {code} (also {first[code]})")
        else:
            first[code] = label


def _served_area(session: Session) -> Any:
    wkb = session.scalar(
        sa.select(sa.func.ST_AsBinary(sa.func.ST_Union(Area.geom))).where(Area.parent_id.is_(None))
    )
    return shapely.from_wkb(bytes(wkb)) if wkb is not None else None


def _area_rows(session: Session, batch: _Batch, options: ImportOptions) -> list[dict[str, Any]]:
    if options.parent and not _codes_in_db(session, Area.code, [options.parent]):
        raise batch.problems.fail(f"--parent {options.parent}: no area has this code")
    ck = batch.checker
    rows: list[dict[str, Any]] = []
    for i, record in enumerate(batch.records):
        ck.start(batch.labels[i])
        row = {
            "code": ck.text(record, "code", required=True, max_len=32),
            "name_zh": ck.text(record, "name_zh", required=True),
            "name_en": ck.text(record, "name_en"),
            "level": options.level or ck.choice(record, "level", LEVELS),
            "parent_code": options.parent or ck.text(record, "parent_code", max_len=32),
            "population": ck.integer(record, "population"),
            "households": ck.integer(record, "households"),
            "geom": batch.geoms[i],
            "label": batch.labels[i],
        }
        row["name_en"] = row["name_en"] or row["name_zh"]
        rows.append(row)
        batch.progress(1)
    codes = [r["code"] for r in rows]
    _duplicates(batch, codes, _codes_in_db(session, Area.code, [c for c in codes if c]))
    _check_parents(session, rows, batch.problems)
    return rows


def _check_parents(session: Session, rows: list[dict[str, Any]], problems: Problems) -> None:
    """A parent is an area above (in the database or the file) that holds the area."""
    wanted = sorted({r["parent_code"] for r in rows if r["parent_code"]})
    known: dict[str, tuple[str, Any]] = {}
    if wanted:
        found = session.execute(
            sa.select(Area.code, Area.level, sa.func.ST_AsBinary(Area.geom)).where(
                Area.code == sa.any_(sa.bindparam("codes", wanted, type_=ARRAY(sa.String)))
            )
        )
        known = {code: (level, shapely.from_wkb(bytes(wkb))) for code, level, wkb in found}
    for r in rows:
        if r["code"] and r["level"] and r["code"] not in known:
            known[r["code"]] = (r["level"], r["geom"])
    for r in rows:
        parent = r["parent_code"]
        if not parent or not r["level"]:
            continue
        if parent not in known:
            problems.add(
                r["label"], f"parent area {parent} is neither in the database nor the file"
            )
            continue
        level, geom = known[parent]
        if LEVELS.index(level) >= LEVELS.index(r["level"]):
            problems.add(
                r["label"], f"parent {parent} is a {level}, not a level above {r['level']}"
            )
        elif (
            geom is not None
            and r["geom"] is not None
            and not geom.buffer(1e-6).covers(r["geom"].point_on_surface())
        ):
            problems.add(r["label"], f"lies outside its parent area {parent}")


def _facility_rows(session: Session, batch: _Batch) -> list[dict[str, Any]]:
    types: dict[str, str] = {}
    for t in session.scalars(sa.select(FacilityType)):
        types.update({t.code: t.code, t.name_zh: t.code, t.name_en.lower(): t.code})
    ck = batch.checker
    rows: list[dict[str, Any]] = []
    for i, record in enumerate(batch.records):
        ck.start(batch.labels[i])
        rows.append(
            {
                "code": ck.text(record, "code", required=True, max_len=32),
                "type": ck.choice(record, "type", types, what="facility type"),
                "install_date": ck.date(record, "install_date"),
                "responsible_party": ck.text(record, "responsible_party") or "",
                "condition": ck.choice(record, "condition", CONDITIONS, default="good"),
                "maintenance_interval_days": ck.integer(
                    record, "maintenance_interval_days", minimum=1
                ),
                "status": ck.choice(record, "status", FACILITY_STATUSES, default="active"),
                "geom": batch.geoms[i],
            }
        )
        batch.progress(1)
    codes = [r["code"] for r in rows]
    _duplicates(batch, codes, _codes_in_db(session, Facility.code, [c for c in codes if c]))
    return rows


def _report_rows(session: Session, batch: _Batch) -> list[dict[str, Any]]:
    limits: dict[str, int] = {}
    names: dict[str, str] = {}
    for c in session.scalars(sa.select(Category)):
        limits[c.code] = c.time_limit_days
        names.update({c.code: c.code, c.name_zh: c.code, c.name_en.lower(): c.code})
    now = dt.datetime.now(dt.UTC)
    ck = batch.checker
    rows: list[dict[str, Any]] = []
    for i, record in enumerate(batch.records):
        ck.start(batch.labels[i])
        category = ck.choice(record, "category", names)
        description = ck.text(record, "description", required=True, max_len=2000)
        status = ck.choice(record, "status", STATUSES, default="submitted") or "submitted"
        created = ck.timestamp(record, "created_at") or now
        if created > now + dt.timedelta(minutes=5):
            ck.bad(f"created_at {created.isoformat()} is in the future")
        rows.append(
            {
                "category": category,
                "description": description,
                "status": status,
                "created_at": created,
                "updated_at": created,
                "resolved_at": created if status in ("resolved", "closed") else None,
                "due_at": created + dt.timedelta(days=limits[category]) if category else None,
                "support_count": ck.integer(record, "support_count") or 0,
                "geom": batch.geoms[i],
            }
        )
        batch.progress(1)
    return rows


def _ewkt(geoms: list[Any]) -> list[str]:
    """Geometries as EWKT in one vectorised call, full precision (the Geometry column type
    wraps the parameter in ST_GeomFromEWKT); much cheaper than a WKBElement per row."""
    texts = shapely.to_wkt(np.array(geoms, dtype=object), rounding_precision=-1)
    return [f"SRID=4326;{t}" for t in texts]


def _insert_areas(session: Session, rows: list[dict[str, Any]]) -> None:
    ids: dict[str, int] = {}
    parents = {r["parent_code"] for r in rows if r["parent_code"]}
    if parents:
        ids = dict(
            session.execute(sa.select(Area.code, Area.id).where(Area.code.in_(parents))).all()
        )
    for level in LEVELS:  # parents before children, so a parent in the file has its id
        batch = [r for r in rows if r["level"] == level]
        if not batch:
            continue
        wkt = _ewkt([r["geom"] for r in batch])
        values = [
            {
                "level": level,
                "code": r["code"],
                "name_zh": r["name_zh"],
                "name_en": r["name_en"],
                "parent_id": ids.get(r["parent_code"]) if r["parent_code"] else None,
                "population": r["population"],
                "households": r["households"],
                "geom": geom,
            }
            for r, geom in zip(batch, wkt, strict=True)
        ]
        table = Base.metadata.tables["areas"]
        stmt = sa.insert(table).returning(table.c.code, table.c.id, sort_by_parameter_order=True)
        ids.update({code: id_ for code, id_ in session.execute(stmt, values)})


def _insert_facilities(session: Session, rows: list[dict[str, Any]]) -> None:
    wkt = _ewkt([r["geom"] for r in rows])
    values = [{**r, "geom": geom} for r, geom in zip(rows, wkt, strict=True)]
    session.execute(sa.insert(Base.metadata.tables["facilities"]), values)


def _insert_reports(session: Session, rows: list[dict[str, Any]]) -> None:
    wkt = _ewkt([r["geom"] for r in rows])
    values = [{**r, "geom": geom} for r, geom in zip(rows, wkt, strict=True)]
    table = Base.metadata.tables["reports"]
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = list(session.scalars(stmt, values))
    events: list[dict[str, Any]] = []
    for report_id, r in zip(ids, rows, strict=True):
        events.append(
            {
                "report_id": report_id,
                "kind": "filed",
                "to_status": "submitted",
                "actor_role": "import",
                "created_at": r["created_at"],
            }
        )
        if r["status"] != "submitted":
            events.append(
                {
                    "report_id": report_id,
                    "kind": "status",
                    "from_status": "submitted",
                    "to_status": r["status"],
                    "actor_role": "import",
                    "created_at": r["updated_at"],
                }
            )
    session.execute(sa.insert(Base.metadata.tables["report_events"]), events)


def import_file(
    session: Session, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportResult:
    """Check every feature, then write all of them or none (raises ImportRejected)."""
    if options.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    source = read_source(
        path, layer=options.layer, lon_field=options.lon_field, lat_field=options.lat_field
    )
    problems = Problems(source.name)
    warnings: list[str] = [f"GDAL: {w}" for w in source.reader_warnings]
    columns = [str(c) for c in source.frame.columns if c != source.frame.geometry.name]
    fields = resolve_fields(
        options.kind,
        columns,
        dict(options.mapping),
        name_field=options.name_field,
        code_field=options.code_field,
        problems=problems,
    )
    if fields.ignored_private:
        warnings.append(
            "columns not imported (residents' contact details): "
            + ", ".join(fields.ignored_private)
        )
    if options.kind == "areas" and not options.level and "level" not in fields.columns:
        raise problems.fail("areas need a level: give --level or a level column")
    records: list[dict[str, Any]] = source.frame.drop(columns=source.frame.geometry.name).to_dict(
        "records"
    )
    key = fields.columns.get("code") or options.code_field or options.name_field
    labels = [label_of(r, source.labels[i], key) for i, r in enumerate(records)]
    source.labels = labels
    frame = resolve_crs(source.crs, options.crs, problems)
    geoms = clean_geometries(
        source,
        options.kind,
        frame,
        invalid=options.invalid,
        drop_z=options.drop_z,
        problems=problems,
        warnings=warnings,
    )
    if options.kind != "areas":
        check_served_area(geoms, _served_area(session), labels, problems)
    batch = _Batch(
        source,
        fields,
        geoms,
        records,
        labels,
        problems,
        Checker(fields, problems, options.timezone),
        (lambda n: progress(n, len(records))) if progress else (lambda _n: None),
    )
    if options.kind == "areas":
        rows = _area_rows(session, batch, options)
        problems.raise_if_any()
        writer: Callable[[], None] = lambda: _insert_areas(session, rows)  # noqa: E731
    elif options.kind == "facilities":
        rows = _facility_rows(session, batch)
        problems.raise_if_any()
        writer = lambda: _insert_facilities(session, rows)  # noqa: E731
    else:
        rows = _report_rows(session, batch)
        problems.raise_if_any()
        writer = lambda: _insert_reports(session, rows)  # noqa: E731
    savepoint = session.begin_nested()
    try:
        writer()
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if options.dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return ImportResult(source.name, options.kind, len(rows), warnings, options.dry_run)
