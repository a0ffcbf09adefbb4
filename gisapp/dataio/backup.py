"""Backups: one ``.tar`` file holding a ``pg_dump`` custom-format dump and the uploaded photos.

``pg_dump``/``pg_restore`` are the tools of the field for a consistent snapshot of a live
database (one MVCC snapshot, no lock on writers); this module only bundles the dump with the
photo folder and a manifest of row counts, so a restore can prove it brought everything back::

    manifest = create_backup(settings.sqlalchemy_url, settings.upload_dir, Path("co.tar"))
    restore_backup(Path("co.tar"), target_url, upload_dir)   # checks counts against manifest

The bundle::

    manifest.json     format, schema revision, time, row count of every table
    database.dump     pg_dump --format=custom
    uploads/...       the photo folder as it was
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gisapp.errors import DataFileError

FORMAT = "gisapp-backup/1"
DUMP = "database.dump"
MANIFEST = "manifest.json"
UPLOADS = "uploads"
# Owned by the extensions (PostGIS's reference rows included): a non-superuser restore must not
# touch them, and the target database already has them.
_EXTENSION_ENTRIES = (" EXTENSION ", "COMMENT - EXTENSION", "TABLE DATA public spatial_ref_sys")


@dataclass(frozen=True)
class RestoreResult:
    counts: dict[str, int]
    photos: int


def _libpq_env(url: str) -> dict[str, str]:
    """Connection settings for the PostgreSQL tools, with the password kept off the command line."""
    u = make_url(url)
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", u.host),
        ("PGPORT", str(u.port) if u.port else None),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value:
            env[key] = value
    return env


def _run(args: list[str], url: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed PostgreSQL tools, arguments are ours
            args, env=_libpq_env(url), capture_output=True, text=True
        )
    except FileNotFoundError:
        raise DataFileError(f"{args[0]} is not installed (Debian: postgresql-client)") from None
    if done.returncode != 0:
        raise DataFileError(f"{args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def table_counts(url: str) -> dict[str, int]:
    """Exact row counts of every table the app owns (PostGIS's own tables left out)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
                )
            ).scalars()
            return {
                # Names come from pg_tables, not from a user.
                name: conn.execute(sa.text(f'SELECT count(*) FROM public."{name}"')).scalar_one()  # noqa: S608
                for name in list(names)
            }
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.ProgrammingError:
        return None
    finally:
        engine.dispose()


def create_backup(url: str, upload_dir: Path, target: Path) -> dict[str, Any]:
    """Write the bundle to ``target`` (written beside it, then renamed: never half a file)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        dump = Path(tmp) / DUMP
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"], url)
        # Counted after the dump: rows filed in between are in neither, or in the dump only.
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "revision": _revision(url),
            "counts": table_counts(url),
            "photos": sum(1 for p in upload_dir.rglob("*") if p.is_file())
            if upload_dir.is_dir()
            else 0,
        }
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = Path(tmp) / "bundle.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            if upload_dir.is_dir():
                tar.add(upload_dir, arcname=UPLOADS)
        os.replace(partial, target)
    return manifest


def read_manifest(bundle: Path) -> dict[str, Any]:
    try:
        with tarfile.open(bundle) as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.load(member)
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{bundle}: not a gisapp backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise DataFileError(f"{bundle}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _is_empty(url: str) -> bool:
    return not table_counts(url)


def restore_backup(
    bundle: Path, url: str, upload_dir: Path, *, replace: bool = False
) -> RestoreResult:
    """Restore into ``url`` (a database with PostGIS) and ``upload_dir``; verify the counts.

    The target must be empty unless ``replace``: then everything the connecting role owns there
    is dropped first. A failed restore raises; the counts check names every table that differs.
    """
    manifest = read_manifest(bundle)
    if not _is_empty(url):
        if not replace:
            raise DataFileError(
                "the target database already has tables; restore into a new database, "
                "or pass --replace to drop what is there"
            )
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP OWNED BY CURRENT_USER CASCADE"))
        finally:
            engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(bundle) as tar:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            tar.extractall(tmp, filter="data")
        dump = Path(tmp) / DUMP
        listing = _run(["pg_restore", "--list", str(dump)], url)
        wanted = [
            line for line in listing.splitlines() if not any(e in line for e in _EXTENSION_ENTRIES)
        ]
        (Path(tmp) / "restore.list").write_text("\n".join(wanted) + "\n", encoding="utf-8")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={Path(tmp) / 'restore.list'}",
                f"--dbname={make_url(url).database}",
                str(dump),
            ],
            url,
        )
        photos = 0
        source = Path(tmp) / UPLOADS
        if source.is_dir():
            for path in source.rglob("*"):
                if path.is_file():
                    dest = upload_dir / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
                    photos += 1
    counts = table_counts(url)
    differ = {
        name: (want, counts.get(name))
        for name, want in manifest["counts"].items()
        if counts.get(name) != want
    }
    if differ:
        detail = ", ".join(f"{n}: {w} in backup, {g} restored" for n, (w, g) in differ.items())
        raise DataFileError(f"restore incomplete: {detail}")
    return RestoreResult(counts=counts, photos=photos)
