"""Databases of a benchmark's own on the PostgreSQL server of DATABASE_URL, so that a run starts
from the same state every time and leaves the developer's database alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def admin_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(host=params["HOST"], port=params["PORT"], user=params["USER"],
                           password=params["PASSWORD"], dbname="postgres", autocommit=True)


def database_env(dbname: str, **extra) -> dict:
    """The environment of a subprocess working on `dbname` (manage.py reads DATABASE_URL)."""
    params = connection.settings_dict
    url = f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}/{dbname}"
    return dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING", **extra)


def database_create(dbname: str, *, template: str | None = None) -> None:
    """Drop `dbname` if it exists and create it again (empty, or a copy of `template`), then apply
    the migrations (all of them, or those newer than the template)."""
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{dbname}"' + (f' TEMPLATE "{template}"' if template else ""))
    subprocess.run([sys.executable, MANAGE, "migrate", "--no-input", "-v", "0"], env=database_env(dbname), check=True)


def database_exists(dbname: str) -> bool:
    with admin_connection() as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None


def use_database(dbname: str) -> None:
    """Point this process's default connection at `dbname` from now on."""
    connection.close()
    connection.settings_dict["NAME"] = dbname
