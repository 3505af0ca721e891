#!/bin/sh
# Run a command with the project's database. With DATABASE_URL set, that is the caller's
# PostgreSQL and the command simply runs. Without it, the settings start the embedded
# PostgreSQL under var/postgres on first use; if this script found it stopped, it stops it
# again when the command ends (also on Ctrl-C), so `make run` and `make test` leave nothing
# running behind them.
# Usage: scripts/with-database.sh PYTHON COMMAND [ARG ...]
python="$1"
shift
if [ -n "${DATABASE_URL:-}" ]; then
    exec "$@"
fi
if "$python" -m config.embedded_postgres status >/dev/null 2>&1; then
    exec "$@"
fi
stop() {
    "$python" -m config.embedded_postgres stop >/dev/null 2>&1
}
trap 'stop' EXIT
trap 'stop; trap - INT; kill -INT $$' INT
trap 'stop; exit 143' TERM
"$@"
