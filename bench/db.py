"""Point Django at the benchmark database, creating and migrating it when needed."""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omnipoint_bench"
PROJECT_DIR = Path(__file__).resolve().parent.parent


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (connecting to the maintenance database)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def setup(url: str, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnipoint.config.settings")
    # As in production: with DEBUG on, Django formats and keeps every statement it runs, which
    # costs the in-process benchmarks time they would not spend on a server.
    os.environ.setdefault("DEBUG", "0")
    # A server refuses to start without a secret key; the bench makes up its own.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    src = str(PROJECT_DIR / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
