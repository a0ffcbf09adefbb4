"""Folding the summary triggers' deltas into the summaries (migration 0012).

The triggers that keep tile versions, tile cells and outcome facts append deltas to
``*_changes`` tables rather than update shared summary rows, so concurrent reports never wait
for each other's row locks. Readers add the changes to the summaries, so figures are exact
whether or not they have been folded; folding only keeps the changes tables short.

The app folds after a write that succeeded, once the response has been sent, at most every
``GISAPP_SUMMARY_FOLD_SECONDS`` per process; across processes and servers an advisory lock lets
one fold run and the others skip. ``gisapp summaries fold`` does it by hand (after a bulk load
through the CLI, say).
"""

from __future__ import annotations

import logging
import threading
import time

import click
import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask.cli import with_appcontext

from gisapp.db import session_scope
from gisapp.settings import Settings

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHANGES = ("tile_version_changes", "tile_cell_changes", "outcome_area_month_changes")


def fold(app: Flask) -> bool:
    """Fold the changes now; False when another fold was running (it takes them instead)."""
    with session_scope(app) as session:
        return bool(session.execute(sa.text("SELECT gisapp_summaries_fold()")).scalar_one())


def pending(app: Flask) -> dict[str, int]:
    """Rows waiting in each changes table."""
    with session_scope(app) as session:
        return {
            table: int(session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - our constants
            for table in CHANGES
        }


class Folder:
    """Folds at most once per ``every`` seconds in this process, after the response is sent."""

    def __init__(self, app: Flask, every: float) -> None:
        self.app = app
        self.every = every
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def due(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every:
                return False
            self._last = now
            return True

    def run(self) -> None:
        try:
            fold(self.app)
        except Exception:  # a fold that fails is retried by the next; the write has succeeded
            log.exception("folding the summary changes failed")


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.summary_fold_seconds:
        return
    folder = Folder(app, settings.summary_fold_seconds)
    app.extensions["gisapp.summary_folder"] = folder

    @app.after_request
    def _fold_after_writes(response: Response) -> Response:
        if request.method in WRITE_METHODS and response.status_code < 400 and folder.due():
            response.call_on_close(folder.run)
        return response


@click.group()
def summaries() -> None:
    """The summaries kept by triggers (tile versions and cells, outcome facts)."""


@summaries.command("fold")
@with_appcontext
def fold_command() -> None:
    """Fold the triggers' pending changes into the summaries now."""
    before = pending(current_app)
    if not fold(current_app):
        raise click.ClickException("another fold is running; try again in a moment")
    click.echo("folded " + ", ".join(f"{n} {table}" for table, n in before.items()))
