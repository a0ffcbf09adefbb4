"""``gisapp open311 key create|list|revoke``: manage Open311 API keys from the shell.

``create`` prints the new key once (to stdout only, so it can be piped into a secret store);
nothing else ever prints or logs a key.
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from gisapp.errors import ValidationFailed


@click.group("open311")
def open311() -> None:
    """Open311 GeoReport v2: API keys for other systems."""


@open311.group("key")
def key() -> None:
    """API keys (only their hashes are stored)."""


@key.command("create")
@click.argument("name")
@with_appcontext
def key_create(name: str) -> None:
    """Create a key for the client NAME and print it (shown only this once)."""
    from gisapp.db import session_scope
    from gisapp.standards.open311.keys import create_key

    with session_scope() as s:
        try:
            new_key, row = create_key(s, name)
        except ValidationFailed as exc:
            raise click.ClickException(exc.message) from exc
        key_id = row.id
    click.echo(f"key {key_id} for {name!r} (shown only now):", err=True)
    click.echo(new_key)


@key.command("list")
@with_appcontext
def key_list() -> None:
    """List keys: id, prefix, name, created, last used, revoked."""
    from gisapp.db import session_scope
    from gisapp.standards.open311.keys import list_keys

    def when(value: dt.datetime | None) -> str:
        return value.isoformat(timespec="minutes") if value else "-"

    with session_scope() as s:
        for row, creator in list_keys(s):
            state = f"revoked {when(row.revoked_at)}" if row.revoked_at else "active"
            click.echo(
                f"{row.id:>4}  {row.key_prefix:<8}…  {row.name}  created {when(row.created_at)}"
                f" by {creator or '-'}  last used {when(row.last_used_at)}  {state}"
            )


@key.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def key_revoke(key_id: int) -> None:
    """Revoke key KEY_ID (from ``list``); clients using it are refused from then on."""
    from gisapp.db import session_scope
    from gisapp.standards.open311.keys import revoke_key

    with session_scope() as s:
        try:
            revoke_key(s, key_id)
        except ValidationFailed as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(f"key {key_id} revoked")
