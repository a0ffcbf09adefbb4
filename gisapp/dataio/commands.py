"""The ``gisapp import`` and ``gisapp export`` commands (added to the CLI group in cli.py).

::

    gisapp import areas wards.shp --level community --parent WC-01 --name-field NAME
    gisapp import facilities lights.csv --crs gcj02 --map type=KIND --code-field ID
    gisapp import reports complaints.geojson --map category=TYPE --map description=TEXT --dry-run
    gisapp export reports out.gpkg --area WC-01-03 --crs EPSG:4549

An import with a bad feature lists every problem (file, feature, reason), exits 1 and writes
nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

PROGRESS_FROM = 2000  # features: smaller files finish before a bar would be worth drawing


@click.command("import")
@click.argument("kind", type=click.Choice(["areas", "facilities", "reports"]))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--crs", help="Coordinates of the file: EPSG:xxxx, or gcj02 (overrides the file).")
@click.option(
    "--level",
    type=click.Choice(["district", "street", "community", "grid", "building"]),
    help="Areas: their level (else a level column).",
)
@click.option("--parent", help="Areas: code of the area above them (else a parent_code column).")
@click.option("--name-field", help="Areas: the column holding the Chinese name (name_zh).")
@click.option("--code-field", help="The column holding each feature's code.")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read FIELD from COLUMN, e.g. --map category=TYPE (repeatable).",
)
@click.option(
    "--invalid",
    type=click.Choice(["reject", "repair"]),
    default="reject",
    show_default=True,
    help="Invalid polygons: refuse them, or repair them with make_valid.",
)
@click.option("--drop-z", is_flag=True, help="Accept 3D coordinates and drop the heights.")
@click.option("--layer", help="The layer to read from a GeoPackage with several.")
@click.option("--lon-field", help="CSV: the longitude column (default lon/lng/longitude/x).")
@click.option("--lat-field", help="CSV: the latitude column (default lat/latitude/y).")
@click.option("--dry-run", is_flag=True, help="Check and write, then roll back.")
@with_appcontext
def import_command(
    kind: str,
    path: Path,
    crs: str | None,
    level: str | None,
    parent: str | None,
    name_field: str | None,
    code_field: str | None,
    mapping: tuple[str, ...],
    invalid: str,
    drop_z: bool,
    layer: str | None,
    lon_field: str | None,
    lat_field: str | None,
    dry_run: bool,
) -> None:
    """Import areas, facilities or reports from GeoJSON, GeoPackage, Shapefile (.shp/.zip) or
    CSV; all or nothing, with every bad feature listed."""
    from gisapp.dataio.importer import ImportOptions, import_file
    from gisapp.dataio.mapping import parse_mapping
    from gisapp.dataio.problems import ImportRejected
    from gisapp.db import session_scope
    from gisapp.summaries import fold

    try:
        fields = parse_mapping(mapping, kind)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc
    settings = current_app.extensions["gisapp.settings"]
    options = ImportOptions(
        kind,
        crs=crs,
        level=level,
        parent=parent,
        name_field=name_field,
        code_field=code_field,
        mapping=fields,
        invalid=invalid,
        drop_z=drop_z,
        dry_run=dry_run,
        layer=layer,
        lon_field=lon_field,
        lat_field=lat_field,
        timezone=settings.timezone,
    )
    bars: list[Any] = []

    def progress(n: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if not bars:
            bars.append(click.progressbar(length=total, label="checking", file=sys.stderr))
        bars[0].update(n)

    try:
        with session_scope() as s:
            result = import_file(s, path, options, progress=progress)
        if not options.dry_run:
            fold(current_app)  # the summary deltas of the import, now rather than later
    except ImportRejected as exc:
        if bars:
            bars[0].render_finish()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s); nothing was imported", err=True)
        sys.exit(1)
    if bars:
        bars[0].render_finish()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    verb = "would import" if result.dry_run else "imported"
    click.echo(f"{verb} {result.count} {result.kind} from {result.file}")


@click.command("export")
@click.argument("layer", type=click.Choice(["areas", "reports", "facilities", "projects"]))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--area", help="Only what lies in this area (code); polygons are clipped to it.")
@click.option("--crs", help="Output coordinates: EPSG:xxxx, or gcj02 (default WGS 84).")
@with_appcontext
def export_command(layer: str, path: Path, area: str | None, crs: str | None) -> None:
    """Export a layer's public fields to .geojson, .gpkg, .shp, .zip (Shapefile) or .csv."""
    from gisapp.dataio.exporter import export_layer
    from gisapp.db import session_scope
    from gisapp.errors import DataFileError

    settings = current_app.extensions["gisapp.settings"]
    try:
        with session_scope() as s:
            n = export_layer(
                s, layer, path, area=area, crs=crs, rounding_m=settings.sensitive_rounding_m
            )
    except DataFileError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"exported {n} {layer} to {path}")
