#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of the PostgreSQL case store (docs/unit-server.md).
#
#   scripts/pg-test-cluster.sh run CMD ARGS...   start a cluster, run CMD with IPROCEEDS_TEST_PG_* set, stop the
#                                                cluster however CMD ends (a trap), exit with CMD's status
#   scripts/pg-test-cluster.sh start             start one and print `export` lines (eval "$(... start)")
#   scripts/pg-test-cluster.sh stop DIR          stop it and remove DIR
#   scripts/pg-test-cluster.sh restart DIR       restart it (fast shutdown: sessions are cut, as in a crash)
#
# The cluster lives in a new temporary folder: initdb with a random superuser password (scram-sha-256 on
# loopback, trust on its own Unix socket in that folder), listening on 127.0.0.1 on a free port. As root, the
# server runs as the `postgres` user (initdb refuses root). Nothing outside the folder is touched.
#
# Exported to the tests:
#   IPROCEEDS_TEST_PG_URL    postgresql://iproceeds_admin@127.0.0.1:PORT/postgres (superuser; no password in it)
#   PGPASSFILE               a pgpass file in the folder holding that user's password
#   IPROCEEDS_TEST_PG_DIR    the folder (for `restart`)
#   IPROCEEDS_TEST_PG_BIN    PostgreSQL's bin folder (pg_dump, pg_restore, psql)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
admin=iproceeds_admin

pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || {
        echo "pg-test-cluster: PostgreSQL is not installed (apt-get install postgresql, or run \`make deps\`)" >&2
        return 1
    }
    echo "$d"
}

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Runs a command with only descriptors 0-2 open. A descriptor that a parent leaked without close-on-exec (a test
# runner's pipe) would otherwise stay open in the server for its whole life, and whoever waits for that pipe to
# close would wait for ever.
without_leaked_fds() {
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done
        "$@"
    )
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local bin dir port password
    bin=$(pg_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/iproceeds-pg.XXXXXX")
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" > "$dir/pw.tmp"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pw.tmp"
    as_owner "$bin/initdb" -D "$dir/data" -U "$admin" --pwfile="$dir/pw.tmp" -A scram-sha-256 \
        --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        return 1
    }
    rm -f "$dir/pw.tmp"
    port=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 100
fsync = on
logging_collector = off
EOF
    if ! without_leaked_fds as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start </dev/null >/dev/null; then
        cat "$dir/server.log" >&2
        rm -rf "$dir"
        return 1
    fi
    # The pgpass file belongs to whoever runs the tests (libpq and the store refuse one others can read).
    printf '127.0.0.1:%s:*:%s:%s\n' "$port" "$admin" "$password" > "$dir/pgpass"
    [ "$(id -u)" = 0 ] && chown root: "$dir/pgpass"
    chmod 600 "$dir/pgpass"
    echo "export IPROCEEDS_TEST_PG_URL='postgresql://$admin@127.0.0.1:$port/postgres'"
    echo "export PGPASSFILE='$dir/pgpass'"
    echo "export IPROCEEDS_TEST_PG_DIR='$dir'"
    echo "export IPROCEEDS_TEST_PG_BIN='$bin'"
}

stop() {
    local dir=${1:?usage: pg-test-cluster.sh stop DIR}
    [ -d "$dir/data" ] || return 0
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

restart() {
    local dir=${1:?usage: pg-test-cluster.sh restart DIR}
    without_leaked_fds as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart </dev/null >/dev/null
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
restart) restart "${2:-}" ;;
run)
    shift
    [ $# -gt 0 ] || { echo "usage: pg-test-cluster.sh run CMD ARGS..." >&2; exit 64; }
    env_lines=$(start)
    eval "$env_lines"
    trap 'stop "$IPROCEEDS_TEST_PG_DIR"' EXIT
    trap 'exit 130' INT TERM
    echo "pg-test-cluster: PostgreSQL on ${IPROCEEDS_TEST_PG_URL#postgresql://} (stopped when the tests end)" >&2
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
*)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
