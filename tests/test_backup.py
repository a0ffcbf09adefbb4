"""``gisapp backup`` / ``gisapp restore``: a restore into a fresh database brings back every row
and every photo, and a bad bundle or an occupied target changes nothing."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from gisapp.cli import main
from gisapp.dataio.backup import read_manifest, restore_backup, table_counts
from gisapp.errors import DataFileError
from gisapp.settings import Settings, sqlalchemy_url
from tests.conftest import TEST_URL


def _restore_url() -> str:
    """A second database with PostGIS (scripts/test provisions ``<test db>_restore``)."""
    explicit = os.environ.get("GISAPP_TEST_RESTORE_DATABASE_URL")
    if explicit:
        return sqlalchemy_url(explicit)
    url = sa.engine.make_url(sqlalchemy_url(TEST_URL))
    return url.set(database=f"{url.database}_restore").render_as_string(hide_password=False)


@pytest.fixture
def restore_url() -> str:
    url = _restore_url()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if not conn.execute(
                sa.text("SELECT 1 FROM pg_extension WHERE extname='postgis'")
            ).first():
                pytest.fail(f"{url} needs PostGIS; scripts/test provisions it")
            conn.execute(sa.text("DROP OWNED BY CURRENT_USER CASCADE"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"no restore database ({exc.orig}); scripts/test provisions it")
    finally:
        engine.dispose()
    return url


def test_backup_restores_every_row_and_photo(
    runner: FlaskCliRunner, settings: Settings, engine: sa.Engine, restore_url: str, tmp_path: Path
) -> None:
    photo = settings.upload_dir / "facilities" / "backup-check.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    bundle = tmp_path / "co.tar"

    result = runner.invoke(main, ["backup", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "photos" in result.output
    manifest = read_manifest(bundle)
    assert manifest["counts"]["reports"] > 0
    assert manifest["counts"] == table_counts(sqlalchemy_url(TEST_URL))

    restored_uploads = tmp_path / "uploads"
    outcome = restore_backup(bundle, restore_url, restored_uploads)
    assert outcome.counts == manifest["counts"]
    assert (restored_uploads / "facilities" / "backup-check.jpg").read_bytes() == photo.read_bytes()
    # The restored database answers spatial queries: geometry and indexes came back too.
    check = sa.create_engine(restore_url)
    try:
        with check.connect() as conn:
            inside = conn.execute(
                sa.text(
                    "SELECT count(*) FROM reports r JOIN areas a ON a.level = 'community'"
                    " AND ST_Contains(a.geom, r.geom)"
                )
            ).scalar_one()
        assert inside > 0
    finally:
        check.dispose()

    # A second restore into the now occupied database is refused without --replace.
    result = runner.invoke(main, ["restore", str(bundle), "--database-url", restore_url])
    assert result.exit_code != 0
    assert "--replace" in result.output
    result = runner.invoke(
        main, ["restore", str(bundle), "--database-url", restore_url, "--replace"]
    )
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output


def test_restore_refuses_what_is_not_a_backup(restore_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file")
    with pytest.raises(DataFileError, match="not a gisapp backup"):
        restore_backup(junk, restore_url, tmp_path / "u")

    # A tar that escapes its folder is refused by the extraction filter, before any restore.
    evil = tmp_path / "evil.tar"
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"format": "gisapp-backup/1", "counts": {}}', encoding="utf-8")
    with tarfile.open(evil, "w") as tar:
        tar.add(manifest, arcname="manifest.json")
        tar.add(manifest, arcname="../outside.json")
    with pytest.raises(tarfile.TarError):
        restore_backup(evil, restore_url, tmp_path / "u")
    assert not (tmp_path / "outside.json").exists()
    assert table_counts(restore_url) == {}
