"""Reference data from configuration: report categories and facility types.

``gisapp db upgrade`` adds the codes of ``gisapp/config/*.yaml`` that the tables lack (never
updates or deletes: admins edit existing ones at /admin, and reports keep pointing at retired
categories).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from gisapp.errors import ConfigError
from gisapp.maintenance.models import FacilityType
from gisapp.reports.models import Category

CONFIG = Path(__file__).resolve().parent / "config"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class CategoryEntry(_Entry):
    sensitive: bool = False
    time_limit_days: int = Field(default=7, ge=1, le=365)


class FacilityTypeEntry(_Entry):
    interval_days: int = Field(ge=1, le=3650)


def _load(name: str, model: type[_Entry]) -> list[dict[str, Any]]:
    path = CONFIG / name
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(model.model_validate(row).model_dump() | {"sort_order": i})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"{name} entry {i + 1}: {field}: {err['msg']}") from exc
    return out


def categories() -> list[dict[str, Any]]:
    return _load("categories.yaml", CategoryEntry)


def facility_types() -> list[dict[str, Any]]:
    return _load("facility_types.yaml", FacilityTypeEntry)


def sync(session: Session) -> None:
    """Add configured categories and facility types that the database does not have yet.

    Existing codes are left alone: once installed, admins edit them at /admin (audited), and an
    upgrade must not undo that.
    """
    for model, rows in ((Category, categories()), (FacilityType, facility_types())):
        for row in rows:
            stmt = insert(model).values(**row)
            session.execute(stmt.on_conflict_do_nothing(index_elements=["code"]))
