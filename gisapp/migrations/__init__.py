"""Alembic migrations, packaged with the app so ``gisapp db upgrade`` works from any folder."""

from pathlib import Path

_SQL = Path(__file__).resolve().parent / "sql"


def read_sql(name: str) -> str:
    """Hand-written SQL that belongs to one migration, kept beside it as a .sql file."""
    return (_SQL / name).read_text(encoding="utf-8")


def sql_function(name: str, function: str) -> str:
    """One ``CREATE OR REPLACE FUNCTION`` of a migration's SQL file (to restore it on a later
    migration's downgrade): from its header to the ``$$;`` that closes its body."""
    text = read_sql(name)
    head = f"CREATE OR REPLACE FUNCTION {function}("
    if head not in text:
        # Created afresh after a DROP (a changed signature): returned as a replacement.
        start = text.index(f"CREATE FUNCTION {function}(")
        text = text[:start] + "CREATE OR REPLACE" + text[start + len("CREATE") :]
    start = text.index(head)
    return text[start : text.index("$$;", text.index("$$", start) + 2) + 3]
