"""The settings module refuses unsafe production setups and runs with none at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env_overrides, drop=()):
    env = {**os.environ, **env_overrides}
    # The browser tests allow async-unsafe ORM calls in this process; not here.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "CHWLINK_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "chwlink.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    result = manage("check", env_overrides=PRODUCTION, drop=[missing])
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_the_development_secret_key():
    overrides = {**PRODUCTION, "SECRET_KEY": "short"}
    result = manage("check", env_overrides=overrides)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION
    )
    assert result.returncode == 0, result.stderr


def test_demo_data_never_loads_in_production():
    result = manage("seed_demo", env_overrides=PRODUCTION)
    assert result.returncode != 0
    assert "never loads in production" in result.stderr


def test_without_database_url_an_embedded_postgresql_starts(tmp_path):
    var_dir = tmp_path / "var"
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; connection.ensure_connection(); "
        "print(connection.vendor, connection.pg_version >= 150000)",
        env_overrides={"CHWLINK_VAR_DIR": str(var_dir)},
        drop=["DATABASE_URL", "CHWLINK_ENV"],
    )
    try:
        assert result.returncode == 0, result.stderr
        assert "postgresql True" in result.stdout
        assert (var_dir / "postgres" / "PG_VERSION").exists()
    finally:
        manage(
            "shell",
            "-c",
            "from pathlib import Path; from chwlink.lib import embedded_db; "
            f"embedded_db.stop(Path({str(var_dir)!r}))",
            env_overrides={"DATABASE_URL": PRODUCTION["DATABASE_URL"]},
        )
