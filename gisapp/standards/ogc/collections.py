"""OGC API collections built from the layer catalog: a new ``layers/*.yaml`` is a new collection.

Usage::

    collections = build_collections(catalog, settings)
    c = collections["reports"]
    c.properties["category"], c.queryables["status"].schema, c.time_field

Rules:

- Only layers an anonymous visitor may see, and only their fields for the ``anonymous`` role
  (the catalog already refuses private columns such as contacts).
- Layers named ``{table}-{value}`` whose filter is one column equal to ``value`` (the area levels
  ``areas-street``, ``areas-community`` …) are grouped into one collection ``{table}`` with that
  column as a property (``level``), as the published contract names one ``areas`` collection.
  A field that only some members publish is null on the others' features.
- Every other layer is a collection of its own, id = layer id.
- The time field (for ``datetime``) is the first field the layer declares as a date.
- Reports show the public location: sensitive categories rounded as on the map and in the API.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from gisapp.api.layers import layer_properties
from gisapp.catalog import Catalog, LayerSpec, Text
from gisapp.errors import BadRequest
from gisapp.geo.features import feature_object
from gisapp.models import Base, Category
from gisapp.reports.queries import public_geom
from gisapp.settings import Settings

ROLE = "anonymous"

GROUP_TITLES = {"areas": Text(zh="区域", en="Areas")}


@dataclass(frozen=True)
class Queryable:
    """A public property a client may filter on with ``?name=value`` (equality)."""

    name: str
    expr: sa.ColumnElement[Any]
    schema: dict[str, Any]
    parse: Callable[[str], object]

    def condition(self, raw: str) -> sa.ColumnElement[bool]:
        try:
            value = self.parse(raw)
        except (ValueError, ArithmeticError):
            raise BadRequest(
                f"{self.name} must be {_describe(self.schema)}", field=self.name
            ) from None
        return self.expr == value


@dataclass(frozen=True)
class Collection:
    id: str
    title: Text
    description: Text | None
    table: sa.Table
    geometry_type: str
    where: tuple[sa.ColumnElement[bool], ...]
    properties: dict[str, sa.ColumnElement[Any]]
    queryables: dict[str, Queryable]
    time_field: str | None
    geometry: sa.ColumnElement[Any]
    # Degrees by which the public geometry may stray from the stored one (rounded reports):
    # the index prefilter uses the stored geometry widened by this much, the exact test the
    # public one, so a tiny bbox cannot reveal where a rounded report really is.
    bbox_margin_deg: float = 0.0
    # Rows whose public geometry is rounded (sensitive report categories), when any are.
    rounded: sa.ColumnElement[bool] | None = None
    link: str | None = None

    @cached_property
    def feature(self) -> sa.ColumnElement[Any]:
        """The GeoJSON Feature of a row, built by PostgreSQL (built once, reused per request)."""
        return feature_object(self.table, (), self.properties, self.geometry)

    @property
    def time_column(self) -> sa.ColumnElement[Any] | None:
        return self.properties[self.time_field] if self.time_field else None

    def bbox_condition(self, bbox: tuple[float, float, float, float]) -> sa.ColumnElement[bool]:
        envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
        geom = self.table.c.geom
        if not self.bbox_margin_deg:
            return sa.and_(geom.op("&&")(envelope), sa.func.ST_Intersects(geom, envelope))
        wide = sa.func.ST_Expand(envelope, self.bbox_margin_deg)
        exact = sa.and_(geom.op("&&")(envelope), sa.func.ST_Intersects(geom, envelope))
        if self.rounded is None:
            return sa.and_(geom.op("&&")(wide), sa.func.ST_Intersects(self.geometry, envelope))
        # Only the few rounded rows pay for rounding; the others are tested as stored
        # (measured: ~1.7x faster than rounding-aware tests on every candidate).
        return sa.or_(
            sa.and_(sa.not_(self.rounded), exact),
            sa.and_(
                self.rounded,
                geom.op("&&")(wide),
                sa.func.ST_Intersects(self.geometry, envelope),
            ),
        )


def _json_type(column: sa.ColumnElement[Any]) -> tuple[dict[str, Any], Callable[[str], object]]:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return {"type": "boolean"}, _boolean
    if isinstance(kind, sa.Integer):
        return {"type": "integer"}, int
    if isinstance(kind, sa.Numeric | sa.Float):
        return {"type": "number"}, decimal.Decimal
    if isinstance(kind, sa.DateTime):
        return {"type": "string", "format": "date-time"}, _aware_datetime
    if isinstance(kind, sa.Date):
        return {"type": "string", "format": "date"}, dt.date.fromisoformat
    return {"type": "string"}, str


def _boolean(raw: str) -> bool:
    if raw not in ("true", "false"):
        raise ValueError(raw)
    return raw == "true"


def _aware_datetime(raw: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(raw)
    return value


def _describe(schema: dict[str, Any]) -> str:
    return {
        "boolean": "true or false",
        "integer": "a whole number",
        "number": "a number",
        "date": "a date (YYYY-MM-DD)",
        "date-time": "an RFC 3339 date-time with an offset",
    }.get(schema.get("format") or schema["type"], "text")


def _time_field(spec: LayerSpec, names: list[str]) -> str | None:
    for field in spec.fields_for(ROLE):
        if field.format in ("date", "datetime") and field.name in names:
            return field.name
    return None


def _collection(
    cid: str,
    title: Text,
    members: list[LayerSpec],
    settings: Settings,
    discriminator: str | None = None,
) -> Collection:
    first = members[0]
    table = Base.metadata.tables[first.source.table]
    per_member = [layer_properties(spec, ROLE) for spec in members]
    names: list[str] = [discriminator] if discriminator else []
    for props in per_member:
        names += [n for n in props if n not in names]
    properties: dict[str, sa.ColumnElement[Any]] = {}
    for name in names:
        column = table.c[name]
        publishing = [m for m, props in zip(members, per_member, strict=True) if name in props]
        if discriminator and name != discriminator and len(publishing) < len(members):
            values = [m.source.filter[discriminator] for m in publishing]
            properties[name] = sa.case((table.c[discriminator].in_(values), column))
        else:
            properties[name] = column
    queryables = {}
    for name, expr in properties.items():
        schema, parse = _json_type(table.c[name])
        queryables[name] = Queryable(name, expr, schema, parse)
    if discriminator:
        values = [m.source.filter[discriminator] for m in members]
        where: tuple[sa.ColumnElement[bool], ...] = (table.c[discriminator].in_(values),)
        time_field = None
    else:
        where = tuple(table.c[k] == v for k, v in first.source.filter.items())
        time_field = _time_field(first, names)
    geometry: sa.ColumnElement[Any] = table.c.geom
    margin = 0.0
    rounded: sa.ColumnElement[bool] | None = None
    if table.name == "reports":
        geometry = public_geom(table.c.geom, table.c.category, settings.sensitive_rounding_m)
        # A Web Mercator metre is at most ~9e-6 degrees: a generous bound for the snap distance.
        margin = settings.sensitive_rounding_m * 1e-5
        sensitive = sa.select(Category.code).where(Category.sensitive.is_(True))
        rounded = table.c.category.in_(sensitive.scalar_subquery())
    return Collection(
        id=cid,
        title=title,
        description=first.description if len(members) == 1 else None,
        table=table,
        geometry_type=first.geometry if len({m.geometry for m in members}) == 1 else "any",
        where=where,
        properties=properties,
        queryables=queryables,
        time_field=time_field,
        geometry=geometry,
        bbox_margin_deg=margin,
        rounded=rounded,
        link=first.link,
    )


def _group_key(spec: LayerSpec) -> tuple[str, str] | None:
    """``(collection id, discriminator column)`` when the layer belongs to a group."""
    table = spec.source.table
    if len(spec.source.filter) != 1 or not spec.id.startswith(f"{table}-"):
        return None
    [(column, value)] = spec.source.filter.items()
    return (table, column) if spec.id == f"{table}-{value}" else None


def build_collections(catalog: Catalog, settings: Settings) -> dict[str, Collection]:
    public = [s for s in catalog.values() if s.visible_to(ROLE)]
    groups: dict[tuple[str, str], list[LayerSpec]] = {}
    for spec in public:
        if key := _group_key(spec):
            groups.setdefault(key, []).append(spec)
    grouped = {
        key: members
        for key, members in groups.items()
        if len(members) > 1 and key[0] not in catalog
    }
    out: dict[str, Collection] = {}
    done: set[str] = set()
    for spec in public:
        key = _group_key(spec)
        if key in grouped:
            if key[0] not in done:
                members = grouped[key]
                title = GROUP_TITLES.get(key[0]) or Text(
                    zh="、".join(m.title.zh for m in members),
                    en=", ".join(m.title.en for m in members),
                )
                out[key[0]] = _collection(key[0], title, members, settings, key[1])
                done.add(key[0])
            continue
        out[spec.id] = _collection(spec.id, spec.title, [spec], settings)
    return out
