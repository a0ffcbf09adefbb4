"""Site scores and the MCLP choice on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gisapp.planning.analysis import (
    Factors,
    coverage_of,
    maximal_coverage,
    score_candidates,
    to_metres,
    utm_crs,
)
from gisapp.planning.settings import ScoreWeights

WEIGHTS = ScoreWeights(demand=0.5, new_population=0.4, distance=0.1)


def test_scores_by_hand() -> None:
    factors = [
        Factors(demand=10, new_population=1000, nearest_existing_m=600),  # best demand, far
        Factors(demand=5, new_population=2000, nearest_existing_m=150),  # best population
        Factors(demand=0, new_population=0, nearest_existing_m=None),  # nothing, no facility yet
    ]
    ranked = score_candidates(factors, WEIGHTS, radius_m=300)
    by_index = {s.index: s for s in ranked}
    # candidate 0: 0.5*1 + 0.4*0.5 + 0.1*min(600,600)/600 = 0.5+0.2+0.1 = 0.8 → 80
    assert by_index[0].score == 80.0
    # candidate 1: 0.5*0.5 + 0.4*1 + 0.1*150/600 = 0.25+0.4+0.025 = 0.675 → 67.5
    assert by_index[1].score == 67.5
    # candidate 2: only the distance share (no facility of the type exists): 0.1 → 10
    assert by_index[2].score == 10.0
    assert [s.index for s in ranked] == [0, 1, 2]
    assert by_index[1].normalised == {"demand": 0.5, "new_population": 1.0, "distance": 0.25}


def test_all_zero_factors_do_not_divide_by_zero() -> None:
    ranked = score_candidates([Factors(0, 0, 10.0)] * 2, WEIGHTS, radius_m=100)
    assert [s.score for s in ranked] == [0.5, 0.5]
    assert [s.index for s in ranked] == [0, 1]


LINE = np.array([[0, 0], [100, 0], [200, 0], [300, 0], [400, 0], [1000, 0], [1100, 0]], float)
POP = np.array([10, 10, 10, 10, 10, 50, 5], float)
EXISTING = np.array([[0, 0]], float)
CANDIDATES = np.array([[300, 0], [1050, 0], [200, 0]], float)


def test_mclp_by_hand() -> None:
    # The existing site at 0 m reaches 0 and 100 m (20 people) with a 150 m radius.
    # Candidate 1 (1050 m) adds 55 people; candidate 0 (300 m) adds 30; candidate 2 adds 20.
    one = maximal_coverage(LINE, POP, EXISTING, CANDIDATES, 150, k=1)
    assert one.chosen == [1]
    assert one.covered_population == 75 and one.already_covered_population == 20
    two = maximal_coverage(LINE, POP, EXISTING, CANDIDATES, 150, k=2)
    assert two.chosen == [0, 1]
    assert two.covered_population == 105 == two.total_population


def test_mclp_without_existing_facilities() -> None:
    result = maximal_coverage(LINE, POP, np.zeros((0, 2)), CANDIDATES, 150, k=1)
    assert result.chosen == [1] and result.covered_population == 55


def test_greedy_coverage_is_measured_the_same_way() -> None:
    greedy = coverage_of([0, 2], LINE, POP, EXISTING, CANDIDATES, 150)
    assert greedy.covered_population == 50  # 0,100 (existing) + 200,300,400 (both overlap)


def test_metres_not_degrees() -> None:
    crs = utm_crs(114.3, 30.55)
    assert crs.to_epsg() == 32650
    xy = to_metres(np.array([114.3, 114.301]), np.array([30.55, 30.55]), crs)
    assert float(np.hypot(*(xy[1] - xy[0]))) == pytest.approx(95.9, abs=0.5)
