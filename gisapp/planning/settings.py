"""The planners' analysis settings from ``gisapp/config/planning.yaml``, typed and checked."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gisapp.errors import ConfigError

CONFIG = Path(__file__).resolve().parent.parent / "config" / "planning.yaml"


class ScoreWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    demand: float = Field(ge=0)
    new_population: float = Field(ge=0)
    distance: float = Field(ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> ScoreWeights:
        if self.demand + self.new_population + self.distance <= 0:
            raise ValueError("at least one score weight must be positive")
        return self


class PlanningSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    walk_radius_m: dict[str, float]
    demand_weights: dict[str, float]
    score_weights: ScoreWeights
    max_candidates: int = Field(ge=1, le=5000)
    max_radius_m: float = Field(gt=0)

    @model_validator(mode="after")
    def _defaults_present(self) -> PlanningSettings:
        for name in ("walk_radius_m", "demand_weights"):
            if "default" not in getattr(self, name):
                raise ValueError(f"{name} needs a 'default' entry")
        return self

    def radius_for(self, facility_type: str) -> float:
        return self.walk_radius_m.get(facility_type, self.walk_radius_m["default"])


def parse(path: Path) -> PlanningSettings:
    try:
        return PlanningSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(file)"
        raise ConfigError(f"{path.name}: {field}: {err['msg']}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot be read: {exc}") from exc


@cache
def planning_settings() -> PlanningSettings:
    return parse(CONFIG)
