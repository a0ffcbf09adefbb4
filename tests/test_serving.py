"""Stateless app servers: ``gisapp serve`` starts only when any worker can serve any request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import TEST_URL


def test_serve_refuses_to_start_without_a_shared_secret_key(
    engine: sa.Engine, tmp_path: Path
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GISAPP_")}
    environ.update({"DATABASE_URL": TEST_URL, "SECRET_KEY": ""})
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "gisapp"), "serve", "--port", "5998"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,  # no .env here to supply a key
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SECRET_KEY is not set" in lines[0], result.stderr
