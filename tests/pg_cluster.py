"""A throwaway PostgreSQL cluster on a loopback port, for tests that stop and start the server.

The shared test cluster can't be restarted under the other tests' feet; this one belongs to one
test module. It needs the server binaries and root (to run them as ``postgres``); the fixture
that uses it fails, saying why, when that is impossible.

Usage::

    with ThrowawayCluster() as pg:           # initdb, start
        url = pg.create_database("faults")   # with PostGIS
        pg.stop(); pg.start()                # an outage
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are not installed (/usr/lib/postgresql)")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayCluster:
    def __init__(self) -> None:
        if os.geteuid() != 0 or not shutil.which("runuser"):
            raise RuntimeError("a throwaway cluster needs root to run PostgreSQL as postgres")
        self.bin = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="gisapp-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = _free_port()

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            text=True,
            cwd="/",
            timeout=120,
        )

    def __enter__(self) -> ThrowawayCluster:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                "shared_buffers = 32MB\nmax_connections = 50\n"
            )
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def start(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import sqlalchemy as sa

        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        engine = sa.create_engine(self.url(name))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION postgis"))
        finally:
            engine.dispose()
        return self.url(name)
