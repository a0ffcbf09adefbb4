"""``gisapp demo-data``: a synthetic province for load tests and benchmarks, loaded with COPY.

Usage::

    gisapp demo-data --communities 1000 --reports 1000000 --facilities 50000

Communities are square cells in a grid around Wuhan, 10 to a street and 10 streets to a
district, each split into 4 grids of 6 buildings. Because the cells are regular, every row's
area links are computed with arithmetic and written with it, and the per-row link triggers are
switched off for the COPY (they would cost a spatial lookup per row); the result is the same as
the triggers would give. Reports cluster around hot spots the way complaints do. Deterministic
for a given seed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp import reference
from gisapp.geo.models import Area
from gisapp.reports.models import STATUSES, Category

WEST, SOUTH = 114.05, 30.35
CELL_DEG = 0.01  # ~0.96 km east-west and ~1.1 km north-south at this latitude
GRIDS_PER_SIDE = 2
BUILDINGS_PER_GRID = 6


@dataclass(frozen=True)
class Plan:
    communities: int
    reports: int
    facilities: int
    seed: int = 20261126


def _copy(session: Session, table: str, columns: list[str], rows: Iterable[str]) -> None:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        buffer = io.StringIO()
        for i, row in enumerate(rows, start=1):
            buffer.write(row)
            if i % 50_000 == 0:
                cp.write(buffer.getvalue())
                buffer = io.StringIO()
        cp.write(buffer.getvalue())


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return (
        f"SRID=4326;MULTIPOLYGON((({x0:.6f} {y0:.6f},{x1:.6f} {y0:.6f},{x1:.6f} {y1:.6f},"
        f"{x0:.6f} {y1:.6f},{x0:.6f} {y0:.6f})))"
    )


def generate(session: Session, plan: Plan) -> dict[str, int]:
    if session.scalar(sa.select(sa.func.count()).select_from(Area)):
        raise ValueError("the database already has areas; demo-data fills an empty database")
    # A bulk load is not a web request: lift the app's per-statement time limit.
    session.execute(sa.text("SET LOCAL statement_timeout = 0"))
    reference.sync(session)
    session.flush()
    rng = np.random.default_rng(plan.seed)
    side = math.ceil(math.sqrt(plan.communities))
    streets = math.ceil(plan.communities / 10)
    districts = math.ceil(streets / 10)

    # Ids are assigned here so links can be computed; the sequence is moved past them below.
    next_id = 1
    district_ids = list(range(next_id, next_id + districts))
    next_id += districts
    street_ids = list(range(next_id, next_id + streets))
    next_id += streets
    community_ids = list(range(next_id, next_id + plan.communities))
    next_id += plan.communities
    grid_base = next_id
    n_grids = plan.communities * GRIDS_PER_SIDE**2
    next_id += n_grids
    building_base = next_id
    next_id += n_grids * BUILDINGS_PER_GRID

    def cell(c: int) -> tuple[float, float]:
        return WEST + (c % side) * CELL_DEG, SOUTH + (c // side) * CELL_DEG

    rows = []

    def outline(members: list[int]) -> str:
        xs = [cell(c)[0] for c in members]
        ys = [cell(c)[1] for c in members]
        return _box(min(xs), min(ys), max(xs) + CELL_DEG, max(ys) + CELL_DEG)

    # Streets and districts enclose their communities' cells (their outlines are bounding
    # boxes, so they overlap neighbours; the links below follow the hierarchy, not outlines).
    for d, did in enumerate(district_ids):
        members = list(range(d * 100, min(plan.communities, d * 100 + 100)))
        rows.append(
            f"{did}\tdistrict\tD{d:03d}\t演示区{d}\tDemo District {d}\t\\N\t\\N\t\\N\t"
            f"{outline(members)}\n"
        )
    for s, sid in enumerate(street_ids):
        members = list(range(s * 10, min(plan.communities, s * 10 + 10)))
        rows.append(
            f"{sid}\tstreet\tS{s:05d}\t演示街道{s}\tDemo Street {s}\t{district_ids[s // 10]}\t"
            f"\\N\t\\N\t{outline(members)}\n"
        )
    population = rng.integers(3000, 9000, plan.communities)
    step = CELL_DEG / GRIDS_PER_SIDE
    for c, cid in enumerate(community_ids):
        x, y = cell(c)
        rows.append(
            f"{cid}\tcommunity\tC{c:06d}\t演示社区{c}\tDemo Community {c}\t{street_ids[c // 10]}\t"
            f"{population[c]}\t{population[c] * 10 // 26}\t{_box(x, y, x + CELL_DEG, y + CELL_DEG)}\n"
        )
        for g in range(GRIDS_PER_SIDE**2):
            gid = grid_base + c * GRIDS_PER_SIDE**2 + g
            gx, gy = x + (g % GRIDS_PER_SIDE) * step, y + (g // GRIDS_PER_SIDE) * step
            gpop = int(population[c]) // GRIDS_PER_SIDE**2
            rows.append(
                f"{gid}\tgrid\tC{c:06d}G{g}\t演示网格{c}-{g}\tDemo Grid {c}-{g}\t{cid}\t{gpop}\t\\N\t"
                f"{_box(gx, gy, gx + step, gy + step)}\n"
            )
            for b in range(BUILDINGS_PER_GRID):
                bid = building_base + (gid - grid_base) * BUILDINGS_PER_GRID + b
                bx = gx + step * (0.15 + 0.25 * (b % 3))
                by = gy + step * (0.25 + 0.4 * (b // 3))
                rows.append(
                    f"{bid}\tbuilding\tC{c:06d}G{g}B{b}\t{b + 1}栋\tBuilding {b + 1}\t{gid}\t"
                    f"{gpop // BUILDINGS_PER_GRID}\t\\N\t{_box(bx, by, bx + step * 0.1, by + step * 0.15)}\n"
                )
    session.execute(sa.text("ALTER TABLE areas DISABLE TRIGGER areas_relink"))
    _copy(
        session,
        "areas",
        [
            "id",
            "level",
            "code",
            "name_zh",
            "name_en",
            "parent_id",
            "population",
            "households",
            "geom",
        ],
        rows,
    )
    session.execute(sa.text("ALTER TABLE areas ENABLE TRIGGER areas_relink"))
    session.execute(
        sa.text("SELECT setval(pg_get_serial_sequence('areas', 'id'), :n)"), {"n": next_id}
    )

    def links(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, ...]:
        col = np.floor((lon - WEST) / CELL_DEG).astype(int)
        row = np.floor((lat - SOUTH) / CELL_DEG).astype(int)
        comm = row * side + col
        gcol = np.floor(((lon - WEST) % CELL_DEG) / step).astype(int)
        grow = np.floor(((lat - SOUTH) % CELL_DEG) / step).astype(int)
        grid = grid_base + comm * GRIDS_PER_SIDE**2 + grow * GRIDS_PER_SIDE + gcol
        street = np.array(street_ids)[comm // 10]
        district = np.array(district_ids)[(comm // 10) // 10]
        return district, street, np.array(community_ids)[comm], grid

    def points(n: int) -> tuple[np.ndarray, np.ndarray]:
        # Uniform over the communities, plus 30 % around 25 hot spots (σ ≈ 600 m).
        comm = rng.integers(0, plan.communities, n)
        lon = WEST + (comm % side) * CELL_DEG + rng.random(n) * CELL_DEG * 0.999
        lat = SOUTH + (comm // side) * CELL_DEG + rng.random(n) * CELL_DEG * 0.999
        hot = rng.random(n) < 0.3
        centres = rng.integers(0, plan.communities, 25)
        pick = centres[rng.integers(0, 25, hot.sum())]
        cx = WEST + (pick % side + 0.5) * CELL_DEG
        cy = SOUTH + (pick // side + 0.5) * CELL_DEG
        lon[hot] = np.clip(
            cx + rng.normal(0, 0.006, hot.sum()), WEST + 1e-6, WEST + side * CELL_DEG - 1e-6
        )
        lat[hot] = np.clip(
            cy + rng.normal(0, 0.005, hot.sum()),
            SOUTH + 1e-6,
            SOUTH + (plan.communities // side) * CELL_DEG - 1e-6,
        )
        # Keep points inside existing communities (the last row may be partial).
        inside = (
            np.floor((lat - SOUTH) / CELL_DEG) * side + np.floor((lon - WEST) / CELL_DEG)
        ) < plan.communities
        lon[~inside] = WEST + CELL_DEG / 2
        lat[~inside] = SOUTH + CELL_DEG / 2
        return lon, lat

    categories = [c for c in session.scalars(sa.select(Category.code).order_by(Category.code))]
    lon, lat = points(plan.reports)
    district, street, community, grid = links(lon, lat)
    cat = np.array(categories)[rng.integers(0, len(categories), plan.reports)]
    status = np.array(STATUSES)[
        rng.choice(len(STATUSES), plan.reports, p=[0.08, 0.07, 0.1, 0.25, 0.4, 0.04, 0.06])
    ]
    now = dt.datetime.now(dt.UTC)
    age = rng.integers(0, 730 * 86400, plan.reports)
    supports = np.minimum(rng.geometric(0.5, plan.reports) - 1, 60)

    def report_rows() -> Iterable[str]:
        for i in range(plan.reports):
            created = (now - dt.timedelta(seconds=int(age[i]))).isoformat()
            resolved = created if status[i] in ("resolved", "closed") else "\\N"
            yield (
                f"{cat[i]}\t演示诉求 {i}\t{status[i]}\tSRID=4326;POINT({lon[i]:.6f} {lat[i]:.6f})\t"
                f"{created}\t{created}\t{resolved}\t{supports[i]}\t{created}\t"
                f"{district[i]}\t{street[i]}\t{community[i]}\t{grid[i]}\n"
            )

    session.execute(sa.text("ALTER TABLE reports DISABLE TRIGGER reports_area_links"))
    _copy(
        session,
        "reports",
        [
            "category",
            "description",
            "status",
            "geom",
            "created_at",
            "updated_at",
            "resolved_at",
            "support_count",
            "due_at",
            "district_id",
            "street_id",
            "community_id",
            "grid_id",
        ],
        report_rows(),
    )
    session.execute(sa.text("ALTER TABLE reports ENABLE TRIGGER reports_area_links"))

    types = [
        r[0] for r in session.execute(sa.text("SELECT code FROM facility_types ORDER BY code"))
    ]
    flon, flat = points(plan.facilities)
    fd, fs, fc, fg = links(flon, flat)
    ftype = np.array(types)[rng.integers(0, len(types), plan.facilities)]

    def facility_rows() -> Iterable[str]:
        for i in range(plan.facilities):
            yield (
                f"DF{i:07d}\t{ftype[i]}\tSRID=4326;POINT({flon[i]:.6f} {flat[i]:.6f})\t"
                f"{fd[i]}\t{fs[i]}\t{fc[i]}\t{fg[i]}\n"
            )

    session.execute(sa.text("ALTER TABLE facilities DISABLE TRIGGER facilities_area_links"))
    _copy(
        session,
        "facilities",
        ["code", "type", "geom", "district_id", "street_id", "community_id", "grid_id"],
        facility_rows(),
    )
    session.execute(sa.text("ALTER TABLE facilities ENABLE TRIGGER facilities_area_links"))
    session.execute(sa.text("ANALYZE areas; ANALYZE reports; ANALYZE facilities"))
    return {"areas": next_id - 1, "reports": plan.reports, "facilities": plan.facilities}
