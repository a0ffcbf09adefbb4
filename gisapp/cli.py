"""The ``gisapp`` command: a Flask CLI group over ``create_app``.

::

    gisapp db upgrade            migrate to the newest schema and sync categories/facility types
    gisapp load-sample           load sample_geodata/ and the demo accounts (one transaction)
    gisapp layers validate       check every layers/*.yaml file
    gisapp serve --port 5000     production server (gunicorn), after a readiness check
    gisapp check                 one line: is the database ready for this code?
    gisapp network load PATH     replace the street network (walking distance) and build it
    gisapp import KIND PATH      areas/facilities/reports from GeoJSON, GPKG, Shapefile, CSV
    gisapp export LAYER PATH     a layer's public fields to GeoJSON, GPKG, Shapefile, CSV
"""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from gisapp import create_app
from gisapp.dataio.backup_cli import backup, restore
from gisapp.dataio.commands import export_command, import_command
from gisapp.errors import ConfigError, DataFileError
from gisapp.planning import network_cli
from gisapp.standards.open311.cli import open311
from gisapp.summaries import fold, summaries


def _app_factory() -> object:
    try:
        return create_app()
    except ConfigError as exc:
        # One line that names the setting or the file; no traceback for a configuration mistake.
        click.echo(f"gisapp: {exc.message}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_app_factory, add_default_commands=False)
def main() -> None:
    """Co-creation map (共同缔造) command line."""


main.add_command(open311)


@main.group()
def db() -> None:
    """Database schema: migrations and reference data."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database and sync categories and facility types from configuration."""
    from gisapp import migrate, reference
    from gisapp.db import session_scope

    settings = current_app.extensions["gisapp.settings"]
    migrate.upgrade(settings.sqlalchemy_url, revision)
    with session_scope() as s:
        reference.sync(s)
    click.echo(f"database at revision {migrate.head_revision()}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate down to REVISION (``base`` empties the schema)."""
    from gisapp import migrate

    migrate.downgrade(current_app.extensions["gisapp.settings"].sqlalchemy_url, revision)


@main.command("check")
@with_appcontext
def check() -> None:
    """Say in one line whether the database is ready (exit 1 when not)."""
    from gisapp.db import get_db
    from gisapp.health import readiness

    ready, reason = readiness(get_db().engine)
    click.echo(reason if ready else f"not ready: {reason}", err=not ready)
    sys.exit(0 if ready else 1)


@main.command("load-sample")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has areas.")
@with_appcontext
def load_sample_command(if_empty: bool) -> None:
    """Load sample_geodata/ and the demo accounts in one transaction."""
    from gisapp.dataio.sample import is_empty, load_sample
    from gisapp.db import session_scope

    settings = current_app.extensions["gisapp.settings"]
    with session_scope() as s:
        if not is_empty(s):
            if if_empty:
                click.echo("database already has data; sample not loaded")
                return
            raise click.ClickException("the database already has data; nothing was loaded")
        try:
            counts = load_sample(s, settings.sample_dir)
        except DataFileError as exc:
            raise click.ClickException(f"{exc.message}; nothing was loaded") from exc
    click.echo("loaded " + ", ".join(f"{n} {name}" for name, n in counts.items()))


main.add_command(network_cli.network)
main.add_command(backup)
main.add_command(restore)
main.add_command(import_command)
main.add_command(export_command)
main.add_command(summaries)


@main.group()
def layers() -> None:
    """The layer catalog (layers/*.yaml)."""


@layers.command("validate")
@with_appcontext
def layers_validate() -> None:
    """Check every layer file (the app already refuses to start with a bad one)."""
    catalog = current_app.extensions["gisapp.catalog"]
    for spec in catalog.values():
        click.echo(f"ok  {spec.id:<20} {spec.title.zh} / {spec.title.en}")


def default_workers() -> int:
    """2 gunicorn workers per core this process may use (a container's CPU set, not the
    host's)."""
    return 2 * len(os.sched_getaffinity(0))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=0, type=int, help="Default: 2 per core.")
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Run the production server (gunicorn) once the database is ready."""
    from gisapp.db import get_db
    from gisapp.health import readiness

    ready, reason = readiness(get_db().engine)
    if not ready:
        raise click.ClickException(f"not starting: {reason}")
    if not current_app.extensions["gisapp.settings"].secret_key:
        # Without it each worker signs sessions with its own random key: a sign-in or a CSRF
        # token made by one worker is rejected by the next (docs/scaling.md).
        raise click.ClickException("not starting: SECRET_KEY is not set (every worker needs it)")
    workers = workers or default_workers()
    # Threads let one worker overlap several database-bound requests (tiles, API pages).
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "gisapp:create_app()",
    ]
    click.echo(f"serving on http://{host}:{port} with {workers} workers")
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with gunicorn


@main.group()
def outbox() -> None:
    """Notifications: every one is recorded in the outbox table."""


@outbox.command("send")
@with_appcontext
def outbox_send() -> None:
    """E-mail unsent notifications (only when GISAPP_SMTP_HOST is set); run it from cron."""
    from gisapp.db import session_scope
    from gisapp.notify.outbox import send_pending

    settings = current_app.extensions["gisapp.settings"]
    if not settings.smtp_host:
        click.echo("GISAPP_SMTP_HOST is not set: notifications stay in the outbox")
        return
    with session_scope() as s:
        sent, failed = send_pending(s, settings)
    click.echo(f"sent {sent}, failed {failed}")


@main.command("demo-data")
@click.option("--communities", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--reports", default=1_000_000, show_default=True, type=click.IntRange(0, 50_000_000))
@click.option("--facilities", default=50_000, show_default=True, type=click.IntRange(0, 5_000_000))
@click.option("--seed", default=20261126, show_default=True, type=int)
@with_appcontext
def demo_data(communities: int, reports: int, facilities: int, seed: int) -> None:
    """Fill an empty database with a synthetic province for load tests (COPY, not row by row)."""
    import time

    from gisapp.dataio.demo import Plan, generate
    from gisapp.db import session_scope

    started = time.perf_counter()
    with session_scope() as s:
        try:
            counts = generate(s, Plan(communities, reports, facilities, seed))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    # The COPYs' summary deltas, folded now rather than by the first write to the web app.
    fold(current_app)
    elapsed = time.perf_counter() - started
    click.echo(
        "generated " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" in {elapsed:.1f} s"
    )
