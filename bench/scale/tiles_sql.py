"""Our own tile statement for the reports layer, as literal SQL: the raw floor then runs exactly
the SQL our ``/tiles`` route runs (same content), without Flask, HTTP or the tile cache.

It is built through the tiles module's functions (``tile_statement``/``tile_params``) with the
properties the public sees; if that module is missing or its functions changed, the benchmark
says "not available" for that column instead of guessing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql


def ours_tile_sql(db_url: str) -> tuple[Callable[[int, int, int], str], str] | None:
    """``(sql_for(z, x, y), description)`` or None when the tiles module is not there."""
    try:
        from gisapp.api.layers import layer_properties
        from gisapp.catalog import load_catalog
        from gisapp.settings import Settings
        from gisapp.standards.tiles import query
    except ImportError:
        return None
    settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    spec = load_catalog(settings.layers_dir)["reports"]
    props = getattr(query, "public_properties", None)
    properties = tuple(props(spec) if callable(props) else layer_properties(spec, "public"))
    cap = next(
        (
            getattr(settings, n)
            for n in dir(settings)
            if n.startswith("tile") and ("cap" in n or "max_features" in n)
        ),
        5000,
    )
    statement = query.tile_statement(spec, properties)
    wanted = set(inspect.signature(query.tile_params).parameters)
    dialect = postgresql.psycopg.dialect()

    def sql_for(z: int, x: int, y: int) -> str:
        kwargs: dict[str, Any] = {}
        if "cap" in wanted:
            kwargs["cap"] = cap
        if "rounding_m" in wanted:
            kwargs["rounding_m"] = settings.sensitive_rounding_m
        params = query.tile_params(spec, z, x, y, **kwargs)
        bound = statement.bindparams(
            **{k: v for k, v in params.items() if k in statement._bindparams}
        )
        return str(bound.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    return sql_for, f"the tiles module's statement (cap {cap}, properties {', '.join(properties)})"
