#!/usr/bin/env bash
# Runs bench/paging on SQLite and on a PostgreSQL this script starts
# (fsync on, jit off) and stops. Arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
# The restart scenario restarts that server during ingestion.
restart="'$pgbin/pg_ctl' -D '$pgtmp/data' -l '$pgtmp/sock/log' -m fast -w restart >/dev/null"
if [ "$(id -u)" = 0 ]; then restart="su postgres -s /bin/sh -c \"$restart\""; fi
go run ./bench/paging -database-url "$HERALD_TEST_DATABASE_URL" -restart-cmd "$restart" "$@"
