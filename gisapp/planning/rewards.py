"""以奖代补 (rewards instead of subsidies): share a street's yearly pool by residents' participation.

The rules are data (``gisapp/config/rewards.yaml``, checked at start-up); the arithmetic is a
pure function, so a test can check it against a case worked by hand::

    rules = load_rules()
    result = compute(rules, street={...}, year=2026, pool_yuan=Decimal(600000),
                     projects=[ProjectInputs(...), ...], hour_value=Decimal(30))
    result["projects"][0]["breakdown"]["factors"]   # value, street total, share, weight, points

Exact fractions are used throughout; numbers are rounded only when they are shown, and a
reward is rounded to whole yuan after its cap.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gisapp.errors import ConfigError

RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "rewards.yaml"

FACTORS = ("residents_money", "residents_labour", "households", "votes", "co_management")
"""The factors of the reward, in the order the breakdown lists them."""

UNITS = {
    "residents_money": "yuan",
    "residents_labour": "yuan",
    "households": "households",
    "votes": "votes",
    "co_management": "tasks",
}

Phase = Literal["co_decide", "co_build", "co_manage", "co_evaluate", "co_share"]


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    residents_money: decimal.Decimal = Field(ge=0, le=1)
    residents_labour: decimal.Decimal = Field(ge=0, le=1)
    households: decimal.Decimal = Field(ge=0, le=1)
    votes: decimal.Decimal = Field(ge=0, le=1)
    co_management: decimal.Decimal = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _add_up_to_one(self) -> Weights:
        total = sum((getattr(self, f) for f in FACTORS), decimal.Decimal(0))
        if total != 1:
            raise ValueError(f"the weights must add up to 1 (they add up to {total})")
        return self


class Pool(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(pattern=r"^[0-9A-Za-z_-]{1,32}$")
    year: int = Field(ge=2000, le=2100)
    pool_yuan: decimal.Decimal = Field(ge=0, le=10**10)


class RewardRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    eligible_phases: list[Phase] = Field(min_length=1)
    cap_share_of_budget: decimal.Decimal = Field(gt=0, le=1)
    weights: Weights
    pools: list[Pool] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_pool_per_street_and_year(self) -> RewardRules:
        seen = set()
        for pool in self.pools:
            if (pool.street, pool.year) in seen:
                raise ValueError(f"street {pool.street} has two pools for {pool.year}")
            seen.add((pool.street, pool.year))
        return self

    def pool_for(self, street_code: str, year: int) -> decimal.Decimal | None:
        for pool in self.pools:
            if pool.street == street_code and pool.year == year:
                return pool.pool_yuan
        return None


def load_rules(path: Path = RULES_FILE) -> RewardRules:
    """Read and check the rules; a bad file is a ConfigError naming the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot be read: {exc}") from exc
    try:
        return RewardRules.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ConfigError(f"{path.name}: {field}: {err['msg']}") from exc


@dataclass(frozen=True)
class ProjectInputs:
    """What the data says about one project of the street in the year."""

    id: int
    code: str
    title_zh: str
    title_en: str
    phase: str
    community_id: int | None
    budget_yuan: decimal.Decimal | None
    money_yuan: decimal.Decimal = decimal.Decimal(0)
    labour_hours: decimal.Decimal = decimal.Decimal(0)
    households: int = 0
    votes: int = 0
    co_management: int = 0


def _num(value: Fraction, places: int) -> float:
    """A fraction for display, rounded half up."""
    quantum = decimal.Decimal(1).scaleb(-places)
    exact = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
    return float(exact.quantize(quantum, rounding=decimal.ROUND_HALF_UP))


def _yuan(value: Fraction) -> int:
    """Whole yuan, rounded half up."""
    return int((value * 2 + 1) // 2)


def _values(p: ProjectInputs, hour_value: Fraction) -> dict[str, Fraction]:
    return {
        "residents_money": Fraction(p.money_yuan),
        "residents_labour": Fraction(p.labour_hours) * hour_value,
        "households": Fraction(p.households),
        "votes": Fraction(p.votes),
        "co_management": Fraction(p.co_management),
    }


def ineligible_reason(rules: RewardRules, p: ProjectInputs) -> str | None:
    if p.phase not in rules.eligible_phases:
        return "phase"
    if p.budget_yuan is None or p.budget_yuan <= 0:
        return "no_budget"
    return None


def compute(
    rules: RewardRules,
    *,
    street: dict[str, Any],
    year: int,
    pool_yuan: decimal.Decimal,
    projects: list[ProjectInputs],
    hour_value: decimal.Decimal,
) -> dict[str, Any]:
    """Every eligible project's reward with a breakdown that explains each number."""
    rate = Fraction(hour_value)
    pool = Fraction(pool_yuan)
    cap_share = Fraction(rules.cap_share_of_budget)
    weights = {f: Fraction(getattr(rules.weights, f)) for f in FACTORS}
    eligible = [p for p in projects if ineligible_reason(rules, p) is None]
    values = {p.id: _values(p, rate) for p in eligible}
    totals = {f: sum((values[p.id][f] for p in eligible), Fraction(0)) for f in FACTORS}
    points = {}
    factor_rows = {}
    for p in eligible:
        rows = []
        total_points = Fraction(0)
        for f in FACTORS:
            value = values[p.id][f]
            share = value / totals[f] if totals[f] else Fraction(0)
            pts = 100 * weights[f] * share
            total_points += pts
            row: dict[str, Any] = {
                "factor": f,
                "unit": UNITS[f],
                "value": _num(value, 2),
                "street_total": _num(totals[f], 2),
                "share": _num(share, 4),
                "weight": _num(weights[f], 4),
                "points": _num(pts, 2),
                "formula": (
                    f"100 x {_num(weights[f], 4)} x {_num(value, 2)} / {_num(totals[f], 2)}"
                    if totals[f]
                    else "no project of the street has any: 0 points"
                ),
            }
            if f == "residents_labour":
                row["hours"] = _num(Fraction(p.labour_hours), 1)
                row["hour_value_yuan"] = _num(rate, 2)
            rows.append(row)
        points[p.id] = total_points
        factor_rows[p.id] = rows
    points_total = sum(points.values(), Fraction(0))
    ranked: list[tuple[tuple[int, Fraction, str], dict[str, Any]]] = []
    for p in eligible:
        share = points[p.id] / points_total if points_total else Fraction(0)
        uncapped = pool * share
        assert p.budget_yuan is not None
        cap = cap_share * Fraction(p.budget_yuan)
        capped = uncapped > cap
        reward = _yuan(min(uncapped, cap))
        entry: dict[str, Any] = {
            "id": p.id,
            "code": p.code,
            "title_zh": p.title_zh,
            "title_en": p.title_en,
            "phase": p.phase,
            "community_id": p.community_id,
            "budget_yuan": _num(Fraction(p.budget_yuan), 2),
            "points": _num(points[p.id], 2),
            "reward_yuan": reward,
            "breakdown": {
                "factors": factor_rows[p.id],
                "points": _num(points[p.id], 2),
                "street_points": _num(points_total, 2),
                "pool_yuan": _num(pool, 2),
                "pool_share": _num(share, 6),
                "uncapped_yuan": _num(uncapped, 2),
                "cap_share_of_budget": _num(cap_share, 4),
                "cap_yuan": _num(cap, 2),
                "capped": capped,
                "reward_yuan": reward,
                "formula": (
                    f"{_num(pool, 2)} x {_num(points[p.id], 2)} / {_num(points_total, 2)}"
                    f" = {_num(uncapped, 2)}"
                    + (f", capped at {_num(cap, 2)}" if capped else "")
                    + f" -> {reward} (whole yuan)"
                ),
            },
        }
        ranked.append(((-reward, -points[p.id], p.code), entry))
    ranked.sort(key=lambda pair: pair[0])
    out = [{"rank": rank, **entry} for rank, (_key, entry) in enumerate(ranked, start=1)]
    allocated = sum(int(row["reward_yuan"]) for row in out)
    return {
        "street": street,
        "year": year,
        "pool_yuan": _num(pool, 2),
        "allocated_yuan": allocated,
        "unallocated_yuan": _num(pool - allocated, 2),
        "street_points": _num(points_total, 2),
        "totals": {f: _num(totals[f], 2) for f in FACTORS},
        "rules": {
            "weights": {f: _num(weights[f], 4) for f in FACTORS},
            "labour_hour_value_yuan": _num(rate, 2),
            "cap_share_of_budget": _num(cap_share, 4),
            "eligible_phases": list(rules.eligible_phases),
        },
        "projects": out,
        "ineligible": [
            {
                "id": p.id,
                "code": p.code,
                "title_zh": p.title_zh,
                "title_en": p.title_en,
                "phase": p.phase,
                "reason": reason,
            }
            for p in projects
            if (reason := ineligible_reason(rules, p)) is not None
        ],
    }
