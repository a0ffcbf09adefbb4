"""Start and stop the servers under test, each on loopback, each by its own process id.

- ours: ``gisapp serve`` (gunicorn, the production server, workers sized to the cores);
- TiPg 1.6.1 under uvicorn from its own venv (never the project's), with its defaults, and
  tuned: ``jit=off`` and ``max_parallel_workers_per_gather=0`` for its connections (asyncpg
  passes unknown DSN parameters to the server as settings, the same effect as
  ``ALTER ROLE ... SET`` without touching the shared ``gisapp`` role), a pool of 4-10
  connections and one uvicorn worker per core.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIPG_VERSION = "1.6.1"
DEFAULT_TIPG_VENV = Path("/tmp/gisapp-bench-tipg")  # noqa: S108 - a scratch venv, rebuilt when missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(
    url: str, timeout: float = 300.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback only
                if resp.status < 500:
                    return
        except Exception as exc:
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: {last}")


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str, log: Path) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_http(ready_url, proc=proc)
        yield
    finally:
        # The whole process group: gunicorn's and uvicorn's workers go with their master.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def ours(
    database_url: str, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "GISAPP_BASEMAP_URL": "",
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    exe = str(Path(sys.executable).parent / "gisapp")
    with process(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env,
        f"http://127.0.0.1:{port}/healthz",
        log_dir / "gunicorn.log",
    ):
        yield f"http://127.0.0.1:{port}"


def ensure_tipg(venv: Path) -> Path:
    """TiPg in its own venv (created on first use from PyPI); returns its uvicorn."""
    uvicorn = venv / "bin" / "uvicorn"
    if not uvicorn.exists() or not (venv / "bin" / "python").exists():
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(venv / "bin" / "pip"), "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn"],
            check=True,
        )
    return uvicorn


@contextmanager
def tipg(database_url: str, venv: Path, log_dir: Path, *, tuned: bool) -> Iterator[str]:
    uvicorn = ensure_tipg(venv)
    port = free_port()
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPG_", "DB_"))}
    env["DATABASE_URL"] = dsn
    # Only the app's tables, not PostGIS's or Alembic's.
    env["TIPG_DB_SCHEMAS"] = '["public"]'
    args = [
        str(uvicorn),
        "tipg.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if tuned:
        env["DATABASE_URL"] = (
            dsn + ("&" if "?" in dsn else "?") + ("jit=off&max_parallel_workers_per_gather=0")
        )
        env["DB_MIN_CONN_SIZE"] = "4"
        env["DB_MAX_CONN_SIZE"] = "10"
        args += ["--workers", str(os.cpu_count() or 1)]
    with process(
        args,
        env,
        f"http://127.0.0.1:{port}/healthz",
        log_dir / f"tipg-{'tuned' if tuned else 'default'}.log",
    ):
        yield f"http://127.0.0.1:{port}"
