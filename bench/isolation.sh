#!/usr/bin/env bash
# Runs bench/isolation on SQLite and on a PostgreSQL this script starts
# (fsync on, jit off) and stops. Arguments go to the program, for example
# -repeat 3.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
go run ./bench/isolation -database-url "$HERALD_TEST_DATABASE_URL" "$@"
