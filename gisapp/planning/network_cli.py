"""``gisapp network``: load a street network from a file and build its walking topology.

::

    gisapp network load streets.gpkg     replace the network (one transaction), node, build
    gisapp network rebuild               rebuild vertices and lengths after editing streets
    gisapp network status                segments, vertices, and whether pgRouting is present
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from gisapp.errors import DataFileError


@click.group()
def network() -> None:
    """Street network for walking distance (pgRouting)."""


def _summary(counts: dict[str, int]) -> str:
    return f"{counts['streets']} street segments, {counts['vertices']} vertices" + (
        f", {counts['unconnected']} without vertices" if counts["unconnected"] else ""
    )


@network.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--node/--no-node",
    default=True,
    show_default=True,
    help="Split lines where they cross or touch (needed for OpenStreetMap ways).",
)
@with_appcontext
def load(path: Path, node: bool) -> None:
    """Replace the street network with the lines in PATH (GeoJSON, GeoPackage, …)."""
    from gisapp.dataio.streets import load_streets
    from gisapp.db import session_scope
    from gisapp.planning.network import build_topology

    with session_scope() as s:
        try:
            load_streets(s, path)
        except DataFileError as exc:
            raise click.ClickException(f"{exc.message}; nothing was loaded") from exc
        counts = build_topology(s, node=node)
    click.echo("loaded " + _summary(counts))


@network.command("rebuild")
@click.option("--node", is_flag=True, help="Split lines where they cross or touch first.")
@with_appcontext
def rebuild(node: bool) -> None:
    """Rebuild vertices, segment ends and lengths from the streets table."""
    from gisapp.db import session_scope
    from gisapp.planning.network import build_topology

    with session_scope() as s:
        counts = build_topology(s, node=node)
    click.echo("rebuilt " + _summary(counts))


@network.command("status")
@with_appcontext
def status() -> None:
    """Say whether walking distance is available."""
    from gisapp.db import session_scope
    from gisapp.planning.network import network_available, pgrouting_installed

    with session_scope() as s:
        counts = s.execute(
            sa.text("SELECT (SELECT count(*) FROM streets), (SELECT count(*) FROM street_vertices)")
        ).one()
        routing = pgrouting_installed(s)
        ready = network_available(s)
    click.echo(
        f"{counts[0]} street segments, {counts[1]} vertices; pgRouting "
        + ("installed" if routing else "missing")
        + ("; walking distance available" if ready else "; analyses use straight-line distance")
    )
