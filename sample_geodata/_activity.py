"""Things that happen in the sample street: facilities and their upkeep, resident reports and
co-creation projects. Called from generate.py, one build_* function per output file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import _vocab as V
import numpy as np
import shapely
from _common import (
    ANGLE,
    END,
    ROAD_KINDS,
    TODAY,
    TZ,
    Area,
    Feature,
    Place,
    Road,
    apportion,
    north_first,
    pick,
    random_date,
    rectangle,
    to_ll,
    to_m,
)
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring


# -------------------------------------------------------------------------------- facilities
def build_facilities(rng: np.random.Generator, where: Place) -> list[Feature]:
    """Lights and grates line the kerbs; everything else stands in the yards between blocks."""
    inner = where.street.metric.buffer(-3)
    shapely.prepare(inner)
    placed: list[tuple[str, Point]] = []
    for ftype, (_, _, count, _) in V.FACILITY_TYPES.items():
        gap = 30.0 if ftype == "street_light" else 25.0
        while sum(t == ftype for t, _ in placed) < count:
            if ftype == "street_light":
                p = where.on_road(rng, ROAD_KINDS, 0.5)
            elif ftype == "drainage_grate":
                p = where.on_road(rng, ROAD_KINDS[:2], -0.5)  # in the gutter of the bigger roads
            else:
                _, p = where.near_building(rng, 18, 35)
                if where.blocked.intersects(p):
                    continue
            if not inner.contains(p) or where.built.distance(p) < 2:
                continue
            if any(p.distance(q) < (gap if t == ftype else 3) for t, q in placed):
                continue
            placed.append((ftype, p))
    order = list(V.FACILITY_TYPES)
    placed.sort(key=lambda tp: (order.index(tp[0]), north_first(tp[1], 30)))
    feats: list[Feature] = []
    for i, (ftype, p) in enumerate(placed, start=1):
        p_ll = to_ll(p)
        assert where.street.geom.contains(p_ll)
        installed = random_date(
            rng, "2021-01-01" if ftype == "ev_charger" else "2008-01-01", "2025-06-30"
        )
        age = (TODAY - installed).days / 365
        condition = pick(
            rng, ["good", "fair", "poor"], [max(0.3, 0.85 - 0.04 * age), 0.25, 0.01 * age]
        )
        comm = where.community_of(p_ll)
        parties = [
            V.AGENCY[ftype],
            pick(rng, V.PROPERTY_COMPANIES),
            f"{comm.name_zh}居委会",
            pick(rng, V.VOLUNTEERS),
        ]
        props = {
            "code": f"F-{i:04d}",
            "type": ftype,
            "install_date": installed.isoformat(),
            "responsible_party": pick(rng, parties, V.PARTY_MIX[ftype]),
            "condition": condition,
            "maintenance_interval_days": None,
            "status": "active",
        }
        feats.append((props, p_ll))
    # A few facilities get a local interval (a busy market toilet, a hydrant on a fire lane).
    for i in rng.choice(len(feats), 6, replace=False):
        props = feats[int(i)][0]
        props["maintenance_interval_days"] = V.FACILITY_TYPES[props["type"]][3]
    for i in rng.choice(len(feats), 2, replace=False):
        feats[int(i)][0]["status"] = "removed"
    return feats


def interval_of(f: dict[str, Any]) -> int:
    return int(f["maintenance_interval_days"] or V.FACILITY_TYPES[f["type"]][1])


def facility_states(rng: np.random.Generator, facilities: list[dict[str, Any]]) -> dict[str, str]:
    """Decide where each facility stands today (~65% ok, ~15% due within 14 days, ~15% overdue,
    6 with an open fault); the log is then written backwards from that state."""
    active = [f for f in facilities if f["status"] == "active"]
    n = round(0.15 * len(active))
    non_ok = [str(s) for s in rng.permutation(["due"] * n + ["overdue"] * n + ["fault"] * 6)]
    # With a 7-day interval the next check is always within 14 days, so these can't be "ok".
    short = [f for f in active if interval_of(f) <= 15]
    rest = [f for f in active if interval_of(f) > 15]
    states = {f["code"]: s for f, s in zip(short, non_ok, strict=False)}
    left = non_ok[len(short) :] + ["ok"] * (len(active) - len(non_ok))
    states |= {f["code"]: str(s) for f, s in zip(rest, rng.permutation(left), strict=True)}
    return states | {f["code"]: "removed" for f in facilities if f["status"] == "removed"}


def log_row(
    rng: np.random.Generator, f: dict[str, Any], kind: str, day: date, result: str
) -> dict[str, Any]:
    party = f["responsible_party"]
    steward = party.startswith("志愿者")
    if kind == "inspection":
        # Stewards check their own facility; elsewhere volunteer patrols do about a quarter.
        who = party if steward or rng.random() > 0.25 else pick(rng, V.VOLUNTEERS)
        notes = V.FAULT_NOTES[f["type"]] if result == "fault" else V.OK_NOTES
    else:
        who = V.AGENCY[f["type"]] if steward else party  # volunteers report, trades repair
        notes = V.FIX_NOTES[f["type"]] if result == "fixed" else V.FAILED_REPAIR_NOTES
    return {
        "facility_code": f["code"],
        "kind": kind,
        "date": day.isoformat(),
        "result": result,
        "performed_by": who,
        "volunteer": "true" if who.startswith("志愿者") else "false",
        "minutes": int(rng.integers(5, 31) if kind == "inspection" else rng.integers(30, 181)),
        "notes": pick(rng, notes),
    }


def build_maintenance(
    rng: np.random.Generator, facilities: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    states = facility_states(rng, facilities)
    rows: list[dict[str, Any]] = []
    for f in facilities:
        state, interval = states[f["code"]], interval_of(f)
        lo, hi = {
            "ok": (0, interval - 15),  # next check more than 14 days away
            "due": (max(0, interval - 14), interval),
            "overdue": (interval + 1, interval + max(8, min(interval, 60))),
            "fault": (1, 20),
            "removed": (150, 400),  # nobody inspects a removed facility
        }[state]
        dates = [TODAY - timedelta(days=int(rng.integers(lo, hi + 1)))]
        start = max(date.fromisoformat(f["install_date"]), TODAY - timedelta(days=730))
        for _ in range(int(rng.integers(0, 6))):
            d = dates[-1] - timedelta(days=max(2, round(interval * rng.uniform(0.8, 1.2))))
            if d < start:
                break
            dates.append(d)
        dates.reverse()
        spare = 8 - len(dates) - 1  # at most 8 rows per facility
        for d, nxt in zip(dates, [*dates[1:], None], strict=True):
            if nxt is None:  # the latest inspection decides today's state
                rows.append(log_row(rng, f, "inspection", d, "fault" if state == "fault" else "ok"))
            elif spare > 0 and (nxt - d).days > 2 and rng.random() < 0.15:
                fixed_on = d + timedelta(days=int(rng.integers(1, min(5, (nxt - d).days))))
                rows.append(log_row(rng, f, "inspection", d, "fault"))
                rows.append(log_row(rng, f, "repair", fixed_on, "fixed"))
                spare -= 1
            else:
                rows.append(log_row(rng, f, "inspection", d, "ok"))
        if state == "fault" and rng.random() < 0.5:  # a repair visit that could not finish
            day = min(TODAY, dates[-1] + timedelta(days=int(rng.integers(0, 3))))
            rows.append(log_row(rng, f, "repair", day, "fault"))
    return rows


# ----------------------------------------------------------------------------------- reports
def place_hotspots(rng: np.random.Generator, where: Place) -> list[tuple[Point, dict[str, str]]]:
    """Put each named complaint magnet (market, school gate, ...) where such places sit."""
    spots: list[tuple[Point, dict[str, str]]] = []
    box = where.street.metric.bounds
    for spec in V.HOTSPOTS:
        inner = where.street.metric.buffer(-2 * spec["sigma"])
        for _ in range(10_000):
            if spec["anchor"] in ROAD_KINDS:
                p = where.on_road(rng, [spec["anchor"]], 15)
            elif spec["anchor"] == "building":
                p = pick(rng, where.buildings).metric.centroid
            else:
                p = Point(rng.uniform(box[:2], box[2:]))
            if inner.contains(p) and all(p.distance(q) >= 350 for q, _ in spots):
                break
        comm = where.community_of(to_ll(p))
        spots.append((p, {"c": comm.name_zh.removesuffix("社区"), "r": where.road_near(p).name_zh}))
    return spots


def local_place(rng: np.random.Generator, where: Place, p_ll: Point, grid: Area) -> str:
    """How a resident would say where it is: a road, or the nearest block of their compound."""
    p = to_m(p_ll)
    if rng.random() < 0.5:
        return where.road_near(p).name_zh + pick(rng, V.ROAD_SUFFIXES)
    blocks = [b for b in where.buildings if b.parent_code == grid.code]
    block = min(blocks, key=lambda b: b.metric.distance(p))
    comm = where.by_code[str(grid.parent_code)]
    return f"{comm.name_zh}{block.name_zh}{pick(rng, V.BUILDING_SUFFIXES)}"


def report_times(
    rng: np.random.Generator, category: str, first: date
) -> tuple[datetime, datetime, str]:
    while True:  # drainage complaints follow the rain
        day = first + timedelta(days=int(rng.integers(0, (TODAY - first).days + 1)))
        if category != "drainage" or rng.random() < V.RAIN_WEIGHT[day.month - 1]:
            break
    hour = pick(rng, range(24), V.HOUR_WEIGHTS)
    created = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    created += timedelta(seconds=int(rng.integers(0, 3600)))
    mix = next(m for max_age, m in V.STATUS_BY_AGE if (TODAY - day).days <= max_age)
    status = pick(rng, list(mix), list(mix.values()))
    lo, hi = V.UPDATE_DELAY_H[status]
    updated = min(END, created + timedelta(seconds=int(rng.uniform(lo, hi) * 3600)))
    return created, updated, status


def build_reports(rng: np.random.Generator, where: Place, n: int = 350) -> list[Feature]:
    """~70% of reports cluster round the hotspots (Gaussian), the rest fall anywhere."""
    box = where.street.metric.bounds
    spots = place_hotspots(rng, where)
    counts = apportion(n - round(0.3 * n), [h["share"] for h in V.HOTSPOTS])
    plan: list[int | None] = [None] * round(0.3 * n)
    plan += [i for i, k in enumerate(counts) for _ in range(k)]
    drafts = []
    for h in plan:
        spec, (centre, names) = (V.HOTSPOTS[h], spots[h]) if h is not None else ({}, (None, {}))
        while True:  # resample until the point lands clearly inside one grid
            if centre is None:
                p = Point(rng.uniform(box[:2], box[2:]))
            else:
                p = Point(np.array(centre.coords[0]) + rng.normal(0, spec["sigma"], 2))
            p_ll = to_ll(p)
            if grid := where.grid_of(p_ll):
                break
        if centre is None:
            category = pick(rng, V.CATEGORIES, V.SCATTER_MIX)
            place = local_place(rng, where, p_ll, grid)
            support = int(rng.integers(10, 41)) if rng.random() < 0.03 else int(rng.poisson(0.9))
            first = date(2025, 11, 26)
        else:
            category = pick(rng, V.CATEGORIES, spec["mix"])
            place = (
                pick(rng, spec["places"]).format(**names)
                if rng.random() < 0.75
                else local_place(rng, where, p_ll, grid)
            )
            # Neighbours pile onto hotspot reports with "me too"s.
            core = p.distance(centre) < spec["sigma"] / 2 and rng.random() < 0.12
            busy = rng.random() < 0.15
            support = int(
                rng.integers(40, 91) if core else rng.integers(10, 41) if busy else rng.poisson(2.5)
            )
            first = date.fromisoformat(spec.get("since", "2025-11-26"))
        templates = spec.get(category) if category == "noise" else None
        text = pick(rng, templates or V.TEMPLATES[category]).format(p=place)
        text += pick(rng, V.SUFFIXES)
        created, updated, status = report_times(rng, category, first)
        phone = f"{pick(rng, V.PHONE_PREFIXES)}{int(rng.integers(0, 10_000)):04d}"
        props = {
            "ref": "",
            "category": category,
            "description": text,
            "status": status,
            "created_at": created.isoformat(),
            "updated_at": updated.isoformat(),
            "support_count": support,
            "contact": phone if rng.random() < 0.6 else None,
        }
        drafts.append((props, p_ll, place))
    drafts.sort(key=lambda d: d[0]["created_at"])
    per_year: Counter[str] = Counter()
    for props, _, _ in drafts:
        year = props["created_at"][:4]
        per_year[year] += 1
        props["ref"] = f"R{year}-{per_year[year]:04d}"
    # Exactly one hostile text of each kind, so escaping and parameter binding get exercised.
    xss = pick(rng, [d for d in drafts if d[0]["category"] == "street_light"])
    xss[0]["description"] = V.XSS_TEXT
    sql = pick(rng, [d for d in drafts if d[0]["category"] == "road_damage"])
    sql[0]["description"] = V.SQL_TEXT.format(p=sql[2])
    assert all(10 <= len(d[0]["description"]) <= 80 for d in drafts)
    return [(props, p_ll) for props, p_ll, _ in drafts]


# ---------------------------------------------------------------------------------- projects
def free_rect(
    rng: np.random.Generator, where: Place, w: float, h: float, taken: list[Any]
) -> Polygon:
    """An open lot for a park or car park: clear of roads, buildings and other projects."""
    inner = where.street.metric.buffer(-15)
    box = inner.bounds
    for _ in range(20_000):
        r = rectangle(rng.uniform(box[:2], box[2:]), w, h, ANGLE + rng.normal(0, 0.05))
        if (
            inner.contains(r)
            and not where.blocked.intersects(r)
            and where.built.distance(r) >= 6
            and all(r.distance(t) > 20 for t in taken)
        ):
            return r
    raise RuntimeError("no open lot found")


def project_shape(
    rng: np.random.Generator, where: Place, sources: list[Road], shape: str, taken: list[Any]
) -> tuple[Any, dict[str, str]]:
    names: dict[str, str] = {}
    if shape == "compound":  # an old walled compound: the blocks of one grid, no road inside
        compounds = []
        for grid in where.grids:
            blocks = [b.metric for b in where.buildings if b.parent_code == grid.code]
            hull = shapely.union_all(blocks).convex_hull.buffer(8, join_style="mitre")
            hull = hull.intersection(grid.metric.buffer(-2))
            if (
                len(blocks) >= 6
                and isinstance(hull, Polygon)
                and not where.blocked.intersects(hull)
            ):
                compounds.append(hull)
        geom: Any = pick(rng, compounds)
    elif shape in ("park", "lot"):
        geom = free_rect(rng, where, *((45, 35) if shape == "park" else (60, 32)), taken)
    elif shape in ("lane", "secondary"):
        lines = [t for t in taken if isinstance(t, LineString)]  # one project per road
        roads = [r for r in sources if r.kind == shape and r.line.length > 200]
        road = pick(rng, [r for r in roads if all(r.line.distance(t) > 30 for t in lines)])
        length = rng.uniform(150, min(400, road.line.length - 40))
        s0 = rng.uniform(20, road.line.length - length - 20)
        geom = substring(road.line, s0, s0 + length)
        names |= {"r": road.name_zh, "re": road.name_en}
    else:  # a point: in a building (elevator, canteen) or in the yard beside one (kiosk)
        for _ in range(10_000):
            b, geom = where.near_building(rng, 15, 30)
            if shape == "building":
                geom = b.metric.centroid
            elif where.built.distance(geom) < 3 or where.blocked.intersects(geom):
                continue
            if all(geom.distance(t) > 50 for t in taken):
                break
        names |= {"b": b.name_zh, "bn": b.name_en.removeprefix("Building ")}
    road = where.road_near(geom.centroid)
    return geom, {"r": road.name_zh, "re": road.name_en, "b": "", "bn": ""} | names


def build_projects(rng: np.random.Generator, where: Place, sources: list[Road]) -> list[Feature]:
    feats: list[Feature] = []
    taken: list[Any] = []
    for i, (shape, phase, t_zh, t_en, desc, (lo, hi)) in enumerate(V.PROJECTS, start=1):
        geom_m, names = project_shape(rng, where, sources, shape, taken)
        taken.append(geom_m)
        geom = to_ll(geom_m)
        assert where.street.geom.contains(geom)
        comm = where.community_of(geom.representative_point())
        names |= {"c": comm.name_zh, "ce": comm.name_en}
        (p_lo, p_hi), started, completed = V.PHASES[phase]
        props = {
            "code": f"P2026-{i:02d}",
            "title_zh": t_zh.format(**names),
            "title_en": t_en.format(**names),
            "description_zh": desc.format(**names),
            "phase": phase,
            "budget_yuan": int(round(rng.uniform(lo, hi), -3)),
            "progress": int(rng.integers(p_lo, p_hi + 1)),
            "started_on": random_date(rng, *started).isoformat() if started else None,
            "completed_on": random_date(rng, *completed).isoformat() if completed else None,
        }
        feats.append((props, geom))
    return feats
