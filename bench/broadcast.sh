#!/usr/bin/env bash
# Runs bench/broadcast on a PostgreSQL this script starts (fsync on, jit
# off) and stops. Arguments go to the program, for example
# -mailpit "$(go env GOPATH)/bin/mailpit".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
go run ./bench/broadcast -database-url "$HERALD_TEST_DATABASE_URL" "$@"
