"""Site-selection arithmetic, kept free of the database so it can be checked by hand.

Usage::

    ranked = score_candidates(factors, weights, radius_m=300)        # greedy ranking
    result = maximal_coverage(demand_xy, population, existing_xy, candidate_xy, 300, k=2)

Distances are in metres on a local UTM projection (:func:`to_metres`), never in degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from gisapp.planning.settings import ScoreWeights


@dataclass(frozen=True)
class Factors:
    """What a candidate site would do, measured within the walking radius."""

    demand: float  # open reports nearby, weighted by category and supports
    new_population: float  # residents within reach who no facility of the type reaches yet
    nearest_existing_m: float | None  # None: no facility of the type exists


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    factors: Factors
    normalised: dict[str, float] = field(default_factory=dict)


def _share(values: Sequence[float]) -> list[float]:
    """Each value as a share of the largest (0 when every value is 0)."""
    top = max(values, default=0.0)
    return [v / top if top > 0 else 0.0 for v in values]


def score_candidates(
    factors: Sequence[Factors], weights: ScoreWeights, radius_m: float
) -> list[Scored]:
    """Rank candidates by a weighted sum of their factors, each scaled to 0..1.

    Demand and new population are divided by the best candidate's value; distance to the
    nearest existing facility counts up to twice the radius (farther adds nothing), and a
    type with no facility yet gives every candidate the full distance share.
    """
    horizon = 2 * radius_m
    demand = _share([f.demand for f in factors])
    population = _share([f.new_population for f in factors])
    distance = [
        1.0 if f.nearest_existing_m is None else min(f.nearest_existing_m, horizon) / horizon
        for f in factors
    ]
    total = weights.demand + weights.new_population + weights.distance
    scored = []
    for i, f in enumerate(factors):
        points = (
            weights.demand * demand[i]
            + weights.new_population * population[i]
            + weights.distance * distance[i]
        )
        scored.append(
            Scored(
                index=i,
                score=round(100 * points / total, 2),
                factors=f,
                normalised={
                    "demand": round(demand[i], 4),
                    "new_population": round(population[i], 4),
                    "distance": round(distance[i], 4),
                },
            )
        )
    return sorted(scored, key=lambda s: (-s.score, s.index))


def utm_crs(lon: float, lat: float) -> CRS:
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_metres(lon: NDArray[np.float64], lat: NDArray[np.float64], crs: CRS) -> NDArray[np.float64]:
    """WGS 84 lon/lat → an (n, 2) array of metres in ``crs``."""
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])


def distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pairwise distances, rows for ``a``, columns for ``b``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    diff = a[:, None, :] - b[None, :, :]
    return np.asarray(np.sqrt((diff**2).sum(axis=2)), dtype=float)


def covered(
    demand_xy: NDArray[np.float64], sites_xy: NDArray[np.float64], radius_m: float
) -> NDArray[np.bool_]:
    if len(sites_xy) == 0:
        return np.zeros(len(demand_xy), dtype=bool)
    return np.asarray((distances(demand_xy, sites_xy) <= radius_m).any(axis=1))


@dataclass(frozen=True)
class Coverage:
    chosen: list[int]  # candidate indices
    covered_population: float
    total_population: float
    already_covered_population: float

    @property
    def share(self) -> float:
        return self.covered_population / self.total_population if self.total_population else 0.0


def coverage_of(
    chosen: list[int],
    demand_xy: NDArray[np.float64],
    population: NDArray[np.float64],
    existing_xy: NDArray[np.float64],
    candidate_xy: NDArray[np.float64],
    radius_m: float,
) -> Coverage:
    existing_xy = existing_xy.reshape(-1, 2)
    cost = distances(demand_xy, np.vstack([existing_xy, candidate_xy.reshape(-1, 2)]))
    return coverage_from_cost(chosen, cost, population, len(existing_xy), radius_m)


def coverage_from_cost(
    chosen: list[int],
    cost: NDArray[np.float64],
    population: NDArray[np.float64],
    n_existing: int,
    radius_m: float,
) -> Coverage:
    """Coverage when the candidates ``chosen`` open. ``cost`` is metres from each demand
    unit (rows) to each site (columns: the existing facilities, then the candidates), in any
    measure (straight line or walking; ``inf`` for out of reach)."""
    reach = cost <= radius_m
    now = reach[:, :n_existing].any(axis=1)
    after = now | reach[:, [n_existing + j for j in chosen]].any(axis=1)
    return Coverage(
        chosen=chosen,
        covered_population=float(population[after].sum()),
        total_population=float(population.sum()),
        already_covered_population=float(population[now].sum()),
    )


def maximal_coverage(
    demand_xy: NDArray[np.float64],
    population: NDArray[np.float64],
    existing_xy: NDArray[np.float64],
    candidate_xy: NDArray[np.float64],
    radius_m: float,
    k: int,
) -> Coverage:
    """Choose ``k`` candidates that cover the most population, existing facilities kept fixed
    (the Maximal Coverage Location Problem), by straight-line distance."""
    existing_xy = existing_xy.reshape(-1, 2)
    cost = distances(demand_xy, np.vstack([existing_xy, candidate_xy.reshape(-1, 2)]))
    return maximal_coverage_from_cost(cost, population, len(existing_xy), radius_m, k)


def maximal_coverage_from_cost(
    cost: NDArray[np.float64],
    population: NDArray[np.float64],
    n_existing: int,
    radius_m: float,
    k: int,
) -> Coverage:
    """The MCLP on a cost matrix laid out as for :func:`coverage_from_cost`, solved exactly by
    spopt with CBC.

    The model is cut down first, without changing the choice: residents an existing facility
    already reaches are covered whatever is chosen, and residents no candidate reaches cannot
    be, so only the rest enter the model, over the candidates alone (the existing facilities,
    always open, then add nothing to it). spopt writes one term per resident and site, zeros
    included, so this is what keeps a few hundred candidates within a second.
    """
    import pulp  # spopt and PuLP take seconds to import: only when a choice is asked for
    from spopt.locate import MCLP

    reach = cost <= radius_m
    now = reach[:, :n_existing].any(axis=1)
    # Rows: residents still to cover that some candidate reaches, those with the same set of
    # candidates merged into one. Columns: candidates that reach any of them.
    options = reach[~now, n_existing:]
    options = options[options.any(axis=1)]
    useful = np.flatnonzero(options.any(axis=0))
    if len(useful) <= k:
        rest = [j for j in range(cost.shape[1] - n_existing) if j not in set(useful.tolist())]
        chosen = sorted(useful.tolist() + rest[: k - len(useful)])
        return coverage_from_cost(chosen, cost, population, n_existing, radius_m)
    pattern, group = np.unique(options[:, useful], axis=0, return_inverse=True)
    weight = np.bincount(
        group.ravel(), weights=population[~now][reach[~now, n_existing:].any(axis=1)]
    )
    model = MCLP.from_cost_matrix(
        np.where(pattern, 0.0, 2 * radius_m + 1),
        weight.astype(float),
        service_radius=radius_m,
        p_facilities=k,
    )
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    picked = [int(j) for j, var in enumerate(model.fac_vars) if (var.varValue or 0) > 0.5]
    chosen = sorted(int(useful[j]) for j in picked)
    return coverage_from_cost(chosen, cost, population, n_existing, radius_m)
