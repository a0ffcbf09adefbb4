"""``gisapp backup PATH`` and ``gisapp restore PATH``: see :mod:`gisapp.dataio.backup`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gisapp.errors import DataFileError
from gisapp.settings import sqlalchemy_url


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write the database (pg_dump custom format) and the uploaded photos to one .tar file."""
    from gisapp.dataio.backup import create_backup

    settings = current_app.extensions["gisapp.settings"]
    try:
        manifest = create_backup(settings.sqlalchemy_url, settings.upload_dir, path)
    except DataFileError as exc:
        raise click.ClickException(exc.message) from exc
    rows = sum(manifest["counts"].values())
    click.echo(
        f"backup {path}: {len(manifest['counts'])} tables, {rows} rows, "
        f"{manifest['photos']} photos, schema {manifest['revision']}"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    help="Restore into this database (it must have PostGIS). Default: the configured one.",
)
@click.option("--replace", is_flag=True, help="Drop what the target database already holds.")
@with_appcontext
def restore(path: Path, database_url: str | None, replace: bool) -> None:
    """Restore a backup made by ``gisapp backup`` and check every table's row count."""
    from gisapp.dataio.backup import restore_backup

    settings = current_app.extensions["gisapp.settings"]
    url = sqlalchemy_url(database_url) if database_url else settings.sqlalchemy_url
    try:
        result = restore_backup(path, url, settings.upload_dir, replace=replace)
    except DataFileError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"restored {len(result.counts)} tables, {sum(result.counts.values())} rows, "
        f"{result.photos} photos; every count matches the backup"
    )
