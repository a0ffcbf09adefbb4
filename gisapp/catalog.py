"""The layer catalog: ``layers/*.yaml`` files loaded into typed :class:`LayerSpec` objects.

Usage::

    catalog = load_catalog(Path("layers"))      # raises ConfigError naming file and field
    spec = catalog["reports"]
    spec.title.get("en"), spec.source.table, [f.name for f in spec.fields_for("planner")]

Adding a layer means adding a file. A file is checked against the database schema (known table,
known columns, geometry type) without connecting, so a bad file stops start-up with the file name
and the field in the message. Private columns (contacts, password hashes) can never be
published, whatever a file says.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gisapp.errors import ConfigError
from gisapp.models import Base

ROLE_NAMES = ("anonymous", "resident", "grid_worker", "planner", "manager", "admin")

# Tables a layer may draw from, and the geometry each holds.
PUBLISHABLE = {
    "areas": "polygon",
    "reports": "point",
    "projects": "any",
    "facilities": "point",
}

# Never published, whatever a layer file says (privacy is not a styling choice).
PRIVATE_COLUMNS = frozenset(
    {"contact", "email", "phone", "password_hash", "reporter_id", "user_id", "token_hash"}
)

LOOKUPS = (
    "categories",
    "facility_types",
    "report_status",
    "project_phase",
    "area_level",
    "facility_condition",
    "facility_status",
)

Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class Text(BaseModel):
    """A user-facing string in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    table: Literal["areas", "reports", "projects", "facilities"]
    # Equality filters on columns, e.g. {level: community}; values are bound, never spliced.
    filter: dict[str, str | int | bool] = Field(default_factory=dict)


class Style(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    color: Color = "#3366cc"
    fill_color: Color | None = None
    fill_opacity: float = Field(default=0.2, ge=0, le=1)
    opacity: float = Field(default=1.0, ge=0, le=1)
    weight: float = Field(default=2, ge=0, le=20)
    radius: float = Field(default=6, ge=1, le=30)
    dash_array: str | None = Field(default=None, pattern=r"^[0-9 ,]+$")
    # Colour each feature by a lookup column (categories and facility types carry colours).
    color_by: str | None = None


class PopupField(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: Text
    lookup: (
        Literal[
            "categories",
            "facility_types",
            "report_status",
            "project_phase",
            "area_level",
            "facility_condition",
            "facility_status",
        ]
        | None
    ) = None
    format: Literal["text", "date", "datetime", "number", "money", "percent"] = "text"
    # Roles that may see this field; empty means everyone, anonymous visitors included.
    roles: tuple[str, ...] = ()


class LayerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,40}$")
    title: Text
    description: Text | None = None
    source: Source
    geometry: Literal["point", "line", "polygon", "any"]
    order: int = 100
    show: bool = True
    min_zoom: int = Field(default=0, ge=0, le=22)
    # Vector tiles below this zoom draw clusters with counts instead of single features
    # (computed in PostGIS), so no tile carries more than a few thousand features.
    cluster_below: int | None = Field(default=None, ge=1, le=22)
    # The column a cluster's count is broken down by in its popup (default: style.color_by).
    cluster_by: str | None = None
    # Roles that may see the layer at all; empty means everyone.
    roles: tuple[str, ...] = ()
    style: Style = Style()
    popup_title: str | None = None
    fields: tuple[PopupField, ...] = ()
    link: str | None = Field(default=None, pattern=r"^/[a-z0-9/_-]*\{id\}[a-z0-9/_-]*$")

    @model_validator(mode="after")
    def _roles_known(self) -> LayerSpec:
        for role in self.roles + tuple(r for f in self.fields for r in f.roles):
            if role not in ROLE_NAMES:
                raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLE_NAMES)}")
        return self

    def visible_to(self, role: str) -> bool:
        return not self.roles or role in self.roles or role == "admin"

    @property
    def breakdown_by(self) -> str | None:
        """The column a cluster's count is broken down by, if any."""
        return self.cluster_by or self.style.color_by

    def fields_for(self, role: str) -> list[PopupField]:
        return [f for f in self.fields if not f.roles or role in f.roles or role == "admin"]


Catalog = dict[str, LayerSpec]


def _check_against_schema(spec: LayerSpec) -> None:
    """Raise ValueError (with a field path) if the spec names what the schema lacks."""
    table: sa.Table = Base.metadata.tables[spec.source.table]
    columns = set(table.c.keys())
    kind = PUBLISHABLE[spec.source.table]
    if kind != "any" and spec.geometry != kind:
        raise ValueError(f"geometry: table {spec.source.table} holds {kind}s, not {spec.geometry}s")
    for key in spec.source.filter:
        if key not in columns:
            raise ValueError(f"source.filter.{key}: no such column in {spec.source.table}")
    named = [(f"fields.{i}.name", f.name) for i, f in enumerate(spec.fields)]
    if spec.popup_title:
        named.append(("popup_title", spec.popup_title))
    if spec.style.color_by:
        named.append(("style.color_by", spec.style.color_by))
    if spec.cluster_by:
        named.append(("cluster_by", spec.cluster_by))
    for where, name in named:
        if name in PRIVATE_COLUMNS:
            raise ValueError(f"{where}: {name} is private and can never be published")
        if name not in columns:
            raise ValueError(f"{where}: no such column {name!r} in {spec.source.table}")


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(file)"
    return f"{where}: {err['msg']}"


def load_layer_file(path: Path) -> LayerSpec:
    """Parse and check one layer file; raise ConfigError naming the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"layer file {path.name}: cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"layer file {path.name}: must be a mapping of fields")
    try:
        spec = LayerSpec.model_validate(raw)
        _check_against_schema(spec)
    except ValidationError as exc:
        raise ConfigError(f"layer file {path.name}: {_describe(exc)}") from exc
    except ValueError as exc:
        raise ConfigError(f"layer file {path.name}: {exc}") from exc
    if re.sub(r"\.ya?ml$", "", path.name) != spec.id:
        raise ConfigError(f"layer file {path.name}: id: must match the file name ({spec.id!r})")
    return spec


def load_catalog(directory: Path) -> Catalog:
    """Load every ``*.yaml`` in ``directory``, ordered by ``order`` then id."""
    if not directory.is_dir():
        raise ConfigError(f"layers directory {directory} does not exist")
    specs = [load_layer_file(p) for p in sorted(directory.glob("*.y*ml"))]
    if not specs:
        raise ConfigError(f"layers directory {directory} holds no layer files")
    specs.sort(key=lambda s: (s.order, s.id))
    return {s.id: s for s in specs}
