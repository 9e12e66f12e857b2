# Sourced by scripts/test and scripts/bench: starts a throwaway PostgreSQL in
# a temporary folder (installing Debian's package first when it is missing
# and we are root), exports HERALD_TEST_DATABASE_URL, and stops it on exit.

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "== installing PostgreSQL (Debian package postgresql)"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	else
		echo "PostgreSQL is not installed and this user cannot install it: run 'apt-get install postgresql' as root" >&2
		exit 1
	fi
fi

pgtmp=$(mktemp -d /tmp/herald-pg.XXXXXX)
chmod 755 "$pgtmp"
pgport=$(( 20000 + RANDOM % 20000 ))
# initdb refuses to run as root: run the server as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
stop_postgres() { as_pg "'$pgbin/pg_ctl' -D '$pgtmp/data' -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$pgtmp"; }
trap stop_postgres EXIT
mkdir -p "$pgtmp/data" "$pgtmp/sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$pgtmp/data" "$pgtmp/sock"; fi
echo "== starting PostgreSQL ($pgbin) on 127.0.0.1:$pgport"
as_pg "'$pgbin/initdb' -D '$pgtmp/data' -U postgres --auth=trust -E UTF8 >/dev/null"
# jit=off: JIT compilation made small queries many times slower on this kind
# of machine. The cluster is thrown away, but it keeps fsync on so benchmark
# figures mean what they would in production.
as_pg "'$pgbin/pg_ctl' -D '$pgtmp/data' -l '$pgtmp/sock/log' -w -o \"-p $pgport -k $pgtmp/sock -c listen_addresses=127.0.0.1 -c jit=off -c max_connections=300 ${PG_EXTRA_OPTS:-}\" start" >/dev/null
export HERALD_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"
export HERALD_TEST_REQUIRE_POSTGRES=1
