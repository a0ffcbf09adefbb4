"""The gisapp console script: the contract's commands exist and say what they do."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, TEST_URL


def _gisapp(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GISAPP_")}
    environ.update({"DATABASE_URL": TEST_URL, "SECRET_KEY": "x"}, **env)
    exe = os.path.join(os.path.dirname(sys.executable), "gisapp")
    return subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_help_lists_the_contract_commands() -> None:
    out = _gisapp("--help").stdout
    for command in ("db", "load-sample", "layers", "serve", "check"):
        assert command in out


def test_check_is_one_line() -> None:
    result = _gisapp("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_serve_refuses_an_unreachable_database_with_one_line() -> None:
    result = _gisapp("serve", "--port", "5999", DATABASE_URL="postgresql://u:p@127.0.0.1:1/x")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not starting: database unreachable" in lines[0]


def test_a_bad_setting_stops_the_cli_naming_it() -> None:
    result = _gisapp("layers", "validate", GISAPP_MAP_ZOOM="400")
    assert result.returncode == 2
    assert "GISAPP_MAP_ZOOM" in result.stderr
    assert "Traceback" not in result.stderr
