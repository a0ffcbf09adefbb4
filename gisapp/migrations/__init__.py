"""Alembic migrations, packaged with the app so ``gisapp db upgrade`` works from any folder."""

from pathlib import Path

_SQL = Path(__file__).resolve().parent / "sql"


def read_sql(name: str) -> str:
    """Hand-written SQL that belongs to one migration, kept beside it as a .sql file."""
    return (_SQL / name).read_text(encoding="utf-8")
