#!/bin/bash
# Run once by the official postgres image when it creates the database (docker-entrypoint-
# initdb.d): a role that may stream the WAL, and a pg_hba.conf line that lets it connect
# from the compose network. Harmless without a replica: nothing connects as it.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=password="${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL

echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
